/**
 * A real softphone against the engine: baresip registers as SIP user alice
 * (digest authentication), dials an application that speaks a <Say>
 * prompt, and what it heard (dumped to a WAV file by baresip itself) has
 * speech in it. Needs the Debian package baresip (scripts/setup.sh).
 */
import { describe, it, type ExpectStatic } from 'vitest';
import { twilioClientFor } from '../support/twilio-client.js';
import { rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { waitUntil } from '../support/ports.js';
import { noContent, respond } from './helpers/app-server.js';
import { Baresip, BARESIP_INSTALLED } from './helpers/baresip.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

const ALICE = { username: 'alice', password: 'alice-softphone-1' };
const FRAME = 160;

/** Over a second of 20 ms frames with energy, and pauses between words: speech, not silence or a tone. */
function expectSpeech(expect: ExpectStatic, pcm: Int16Array, log: string): void {
  let loud = 0;
  let quiet = 0;
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    const level = rmsDbfs(pcm.subarray(i, i + FRAME));
    if (level > -35) loud++;
    else if (level < -50) quiet++;
  }
  expect(loud, log).toBeGreaterThan(50);
  expect(quiet, log).toBeGreaterThan(5);
}

describe.skipIf(!BARESIP_INSTALLED)('softphone (baresip)', () => {
  it('registers with digest, calls an application and hears its Say prompt', { timeout: 45_000 }, async ({ expect, onTestFinished }) => {
    // The registrar's default, MD5 only: baresip 1.0 (libre) fails on any SHA-256 challenge (ENOSYS), even beside an MD5 one.
    const h = await startRouter({
      applications: [{ id: 'hello', voice: '/voice', statusCallback: '/status' }],
      users: [ALICE],
    });
    onTestFinished(() => h.stop());
    h.app.on('/voice', respond('<Say>Hello from dialtone. This prompt is spoken to the softphone.</Say><Hangup/>'));
    h.app.on('/status', noContent());
    const phone = await Baresip.start({ registrar: h.sipTarget, ...ALICE });
    onTestFinished(() => phone.stop());
    // What baresip printed, when the test fails.
    onTestFinished(({ task }) => {
      if (task.result?.state === 'fail') console.log(`baresip:\n${phone.log}`);
    });

    // alice's REGISTER passed the digest challenge: the registrar holds her binding.
    await waitUntil(() => (h.engine.stats().registrar?.bindings ?? 0) === 1, 10_000, "alice's registration");
    await phone.command('dial', `sip:hello@${h.sipTarget}`);
    const voice = await h.app.waitFor((r) => r.pathname === '/voice', 10_000, 'the application asked');
    expect(voice.params.From).toContain('alice');
    // The engine hangs up after the prompt.
    const completed = await h.app.waitFor((r) => r.pathname === '/status', 20_000, 'the call completed');
    expect(completed.params.CallStatus).toBe('completed');

    const pcm = await phone.heard(5000);
    expectSpeech(expect, pcm, phone.log);
  });

  it('is reached as client:alice through the flow it registered from, answers, and hears the Say', { timeout: 45_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }], users: [ALICE] });
    onTestFinished(() => h.stop());
    h.app.on('/status', noContent());
    const phone = await Baresip.start({ registrar: h.sipTarget, ...ALICE, autoAnswer: true });
    onTestFinished(() => phone.stop());
    onTestFinished(({ task }) => {
      if (task.result?.state === 'fail') console.log(`baresip:\n${phone.log}`);
    });
    await waitUntil(() => (h.engine.stats().registrar?.bindings ?? 0) === 1, 10_000, "alice's registration");

    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    await client.calls.create({
      to: 'client:alice',
      from: '+15550009999',
      twiml: '<Response><Say>Good morning Alice. This is a call from dialtone.</Say></Response>',
      statusCallback: h.app.url('/status'),
      statusCallbackEvent: ['answered', 'completed'],
    });
    const answered = await h.app.waitFor((r) => r.pathname === '/status', 10_000, 'alice answered');
    expect(answered.params).toMatchObject({ CallStatus: 'in-progress', To: 'client:alice' });
    await h.app.waitFor((r) => r.pathname === '/status' && r.params.CallStatus === 'completed', 20_000, 'the call completed');
    expectSpeech(expect, await phone.heard(5000), phone.log);
  });
});
