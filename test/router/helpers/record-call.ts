/**
 * One call that leaves a message, with documents built by the twilio
 * library: the caller sends a tone after the beep, then '#'; the action
 * hangs up.
 */
import twilio from 'twilio';
import { describeSipp } from '../../support/sipp.js';
import { twiml } from './app-server.js';
import type { CallerMedia } from './caller-media.js';
import type { RouterHarness } from './router-harness.js';

const { VoiceResponse } = twilio.twiml;

/** Places the call to the application routed by `user` (default 'voicemail'); resolves when it has ended. */
export async function recordOneCall(h: RouterHarness, media: CallerMedia, user = 'voicemail'): Promise<{ recordingSid: string }> {
  const doc = new VoiceResponse();
  doc.record({ action: '/recorded', finishOnKey: '#', maxLength: 20, timeout: 10, playBeep: true });
  h.app.on('/voice', twiml(doc.toString()));
  const done = new VoiceResponse();
  done.hangup();
  h.app.on('/recorded', twiml(done.toString()));
  const caller = await h.call({ scenario: 'answered', user, media });
  await media.waitForToneEnd(1000, 15_000);
  await media.sendTone(440, 1200);
  await media.sendDigits('#');
  const action = await h.app.waitFor((r) => r.pathname === '/recorded', 10_000, 'the Record action request');
  const result = await caller.done;
  if (result.exitCode !== 0) throw new Error(describeSipp(result));
  return { recordingSid: action.params.RecordingSid ?? '' };
}
