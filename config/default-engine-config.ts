import { randomBytes } from 'node:crypto';
import type { EngineConfigInput } from './engine-config.js';

/** Account id of the built-in configuration. */
export const DEFAULT_ACCOUNT_SID = 'AC00000000000000000000000000000000';
/** Where the built-in configuration's application lives. */
export const DEFAULT_VOICE_URL = 'http://127.0.0.1:3000/voice';

/**
 * The configuration used when `dialtone start` is given none: one account
 * (auth token from DIALTONE_AUTH_TOKEN or generated at start), one
 * application at http://127.0.0.1:3000/voice that every call goes to, calls
 * accepted from this machine only (127.0.0.1 and ::1), SIP on port 5060,
 * recordings under ./data, HTTP on 127.0.0.1:8089.
 */
export function defaultEngineConfig(authToken: string = randomBytes(16).toString('hex')): EngineConfigInput {
  return {
    accounts: [{ id: DEFAULT_ACCOUNT_SID, authToken }],
    applications: [{ id: 'default', voiceUrl: DEFAULT_VOICE_URL, voiceMethod: 'POST' }],
    routes: { default: 'default' },
    allowedSources: ['127.0.0.1', '::1'],
  };
}
