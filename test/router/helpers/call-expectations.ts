/**
 * What every request about an inbound call must carry (Twilio's parameter
 * names), and what the caller's RTP socket should have seen.
 */
import type { ExpectStatic } from 'vitest';
import { mulawDecode } from '../../../media/embedded/audio/g711.js';
import { rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import { EspeakProvider } from '../../../media/embedded/tts/espeak-provider.js';
import { FRAME_SAMPLES } from '../../../media/embedded/audio/format.js';
import type { ReceivedPacket } from '../../media/helpers/rtp-peer.js';
import type { AppRequest } from './app-server.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './router-harness.js';
import { twilioAccepts } from './signature.js';

/** The caller's number in test/scenarios/router-uac-*.xml. */
export const CALLER_NUMBER = '+15550001111';

/** Checks the call parameters and the signature of a request; returns its CallSid. */
export function expectCallRequest(expect: ExpectStatic, req: AppRequest, opts: { user: string; status?: string }): string {
  const p = req.params;
  expect(p.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
  expect(p.AccountSid).toBe(ACCOUNT_SID);
  expect(p.From).toContain(CALLER_NUMBER);
  expect(p.Caller).toBe(p.From);
  expect(p.To).toContain(opts.user);
  expect(p.Called).toBe(p.To);
  expect(p.Direction).toBe('inbound');
  expect(p.ApiVersion).toBe('2010-04-01');
  if (opts.status !== undefined) expect(p.CallStatus).toBe(opts.status);
  expect(req.headers['x-twilio-signature'], 'X-Twilio-Signature').toBeTypeOf('string');
  expect(twilioAccepts(req, AUTH_TOKEN), `signature of ${req.method} ${req.url}`).toBe(true);
  expect(twilioAccepts(req, AUTH_TOKEN + 'x')).toBe(false);
  return p.CallSid ?? '';
}

/** 20 ms frames espeak-ng makes of `text` with its default voice: about what a <Say> of it sends. */
export async function spokenFrames(text: string): Promise<number> {
  const samples = await new EspeakProvider().synthesize(text, {});
  return samples.length / FRAME_SAMPLES;
}

/** Level of one PCMU packet, dBFS. */
export function packetDbfs(p: ReceivedPacket): number {
  return rmsDbfs(mulawDecode(p.payload));
}

/** Packets carrying sound (not silence). */
export function audible(packets: ReceivedPacket[]): ReceivedPacket[] {
  return packets.filter((p) => packetDbfs(p) > -45);
}
