/**
 * A real softphone against the engine: baresip registers as SIP user alice
 * (digest authentication), dials an application that speaks a <Say>
 * prompt, and what it heard (dumped to a WAV file by baresip itself) has
 * speech in it. Needs the Debian package baresip (scripts/setup.sh).
 */
import { describe, it } from 'vitest';
import { rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { waitUntil } from '../support/ports.js';
import { noContent, respond } from './helpers/app-server.js';
import { Baresip, BARESIP_INSTALLED } from './helpers/baresip.js';
import { startRouter } from './helpers/router-harness.js';

const ALICE = { username: 'alice', password: 'alice-softphone-1' };
const FRAME = 160;

describe.skipIf(!BARESIP_INSTALLED)('softphone (baresip)', () => {
  it('registers with digest, calls an application and hears its Say prompt', { timeout: 45_000 }, async ({ expect, onTestFinished }) => {
    // baresip 1.0 (libre) fails on a SHA-256 challenge (ENOSYS) instead of using the MD5 one after it.
    const h = await startRouter({
      applications: [{ id: 'hello', voice: '/voice', statusCallback: '/status' }],
      users: [ALICE],
      registrarOptions: { algorithms: ['MD5'] },
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
    let loud = 0;
    let quiet = 0;
    for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
      const level = rmsDbfs(pcm.subarray(i, i + FRAME));
      if (level > -35) loud++;
      else if (level < -50) quiet++;
    }
    // Speech: over a second of 20 ms frames with energy, and pauses between words.
    expect(loud, phone.log).toBeGreaterThan(50);
    expect(quiet).toBeGreaterThan(5);
  });
});
