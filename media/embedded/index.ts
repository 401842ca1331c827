/** The embedded RTP media engine: what the rest of dialtone imports. */
export { EmbeddedMediaServer, type EmbeddedMediaServerConfig } from './embedded-media-server.js';
export { LATENESS_BOUNDS_MS, MediaClock, type MediaClockStats } from './clock.js';
export type { AudioLoader, InbandDtmfMode, SpeechSynthesizer } from './endpoint/context.js';
export type { AudioCodecName } from './sdp/formats.js';
