export { FreeSwitchMediaServer, type FreeSwitchMediaServerConfig, type FreeSwitchServerAddress } from './freeswitch-media-server.js';
export { PromptFiles, PROMPT_FILE_NAME, type PromptFilesOptions } from './prompt-files.js';
export { EslProbeError, probeEventSocket } from './esl-probe.js';
