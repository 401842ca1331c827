/**
 * What the caller of a <Dial> hears while the called party rings: SIPp
 * calls in, the engine dials a SIPp party that rings (180, no early media)
 * for 3.2 s before it answers, and the test's RTP socket on the caller's
 * side listens. The ringback is checked as a user would hear it: its
 * frequencies (Goertzel levels over the tone bursts) and its cadence (the
 * loud and quiet stretches of the packets), and that it stops when the
 * called party answers.
 */
import { describe, it } from 'vitest';
import twilio from 'twilio';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import type { ReceivedPacket } from '../media/helpers/rtp-peer.js';
import { concatPcm, toneLevels } from '../media/helpers/tone-levels.js';
import { twiml } from './helpers/app-server.js';
import { PT_PCMU } from './helpers/caller-media.js';
import { startCallee } from './helpers/dial-callee.js';
import { startDialer } from './helpers/dialer.js';

const { VoiceResponse } = twilio.twiml;

/** A run of 20 ms packets that are all loud (tone) or all quiet. */
interface Run {
  loud: boolean;
  ms: number;
  pcm: Int16Array;
}

/** The caller's PCMU packets that arrived between two moments, cut into loud and quiet runs. */
function runsOf(packets: readonly ReceivedPacket[], fromMs: number, toMs: number): Run[] {
  const runs: { loud: boolean; frames: Int16Array[] }[] = [];
  for (const p of packets) {
    if (p.pt !== PT_PCMU || p.at < fromMs || p.at > toMs) continue;
    const pcm = mulawDecode(p.payload);
    const loud = rmsDbfs(pcm) > -35;
    const last = runs[runs.length - 1];
    if (last?.loud === loud) last.frames.push(pcm);
    else runs.push({ loud, frames: [pcm] });
  }
  return runs.map((r) => ({ loud: r.loud, ms: r.frames.length * 20, pcm: concatPcm(r.frames) }));
}

const loudAfter = (packets: readonly ReceivedPacket[], atMs: number): number =>
  packets.filter((p) => p.pt === PT_PCMU && p.at > atMs && rmsDbfs(mulawDecode(p.payload)) > -35).length;

/** A Dial of one ringing SIPp party, written with the twilio library. */
function dialDocument(uri: string, attrs: Parameters<InstanceType<typeof VoiceResponse>['dial']>[0]): string {
  const response = new VoiceResponse();
  response.dial({ action: '/dialed', ...attrs }).sip({ statusCallback: '/leg-status', statusCallbackEvent: ['ringing', 'answered'] }, uri);
  return response.toString();
}

describe('Dial ringback', () => {
  it('ringTone="uk": 400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off, repeating until the called party answers', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-ring-answer', { hangup: 'callee', hangupAfterMs: 500 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', twiml(dialDocument(callee.uri, { ringTone: 'uk' })));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const ringing = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'ringing', 15_000, 'the leg ringing');
    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 10_000, 'the leg answered');
    expect((await call.done).exitCode).toBe(0);

    const runs = runsOf(caller.packets, ringing.at - 200, answered.at);
    const loud = runs.filter((r) => r.loud);
    const describe = runs.map((r) => `${r.loud ? 'on' : 'off'} ${r.ms}`).join(', ');
    // Rang 3.2 s: two bursts of the first period, the 2 s pause, and the start of the next burst cut by the answer.
    expect(loud.length, describe).toBe(3);
    expect(loud[0]!.ms, describe).toBeGreaterThanOrEqual(360);
    expect(loud[0]!.ms, describe).toBeLessThanOrEqual(440);
    expect(loud[1]!.ms, describe).toBeGreaterThanOrEqual(360);
    expect(loud[1]!.ms, describe).toBeLessThanOrEqual(440);
    expect(loud[2]!.ms, describe).toBeLessThan(360);
    const gaps = runs.slice(runs.indexOf(loud[0]!) + 1, runs.indexOf(loud[2]!)).filter((r) => !r.loud);
    expect(gaps.map((g) => g.ms)).toHaveLength(2);
    expect(gaps[0]!.ms, describe).toBeGreaterThanOrEqual(160);
    expect(gaps[0]!.ms, describe).toBeLessThanOrEqual(240);
    expect(gaps[1]!.ms, describe).toBeGreaterThanOrEqual(1920);
    expect(gaps[1]!.ms, describe).toBeLessThanOrEqual(2080);

    // The UK pair, not the US one, nor the European 425 Hz.
    const levels = toneLevels(concatPcm([loud[0]!.pcm, loud[1]!.pcm]), [400, 450, 425, 440, 480]);
    expect(levels[400], JSON.stringify(levels)).toBeGreaterThan(0.08);
    expect(levels[450], JSON.stringify(levels)).toBeGreaterThan(0.08);
    for (const f of [425, 440, 480]) expect(levels[f], JSON.stringify(levels)).toBeLessThan(0.02);
    // Once answered the caller hears the called party (silent here), not the tone.
    expect(loudAfter(caller.packets, answered.at + 100)).toBe(0);
  });

  it('without ringTone: the automatic ringback (a SIP party: the US one, 440+480 Hz, 2 s on, 4 s off)', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-ring-answer', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', twiml(dialDocument(callee.uri, {})));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const ringing = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'ringing', 15_000, 'the leg ringing');
    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 10_000, 'the leg answered');
    expect((await call.done).exitCode).toBe(0);

    const runs = runsOf(caller.packets, ringing.at - 200, answered.at);
    const loud = runs.filter((r) => r.loud);
    const describe = runs.map((r) => `${r.loud ? 'on' : 'off'} ${r.ms}`).join(', ');
    expect(loud.length, describe).toBe(1);
    expect(loud[0]!.ms, describe).toBeGreaterThanOrEqual(1940);
    expect(loud[0]!.ms, describe).toBeLessThanOrEqual(2060);
    expect(runs[runs.indexOf(loud[0]!) + 1]?.ms ?? 0, describe).toBeGreaterThan(1000);
    const levels = toneLevels(loud[0]!.pcm, [440, 480, 400, 450]);
    expect(levels[440], JSON.stringify(levels)).toBeGreaterThan(0.08);
    expect(levels[480], JSON.stringify(levels)).toBeGreaterThan(0.08);
    for (const f of [400, 450]) expect(levels[f], JSON.stringify(levels)).toBeLessThan(0.02);
  });

  it('answerOnBridge with ringTone="fr": the unanswered caller gets 183 and hears 440 Hz (1.5 s on) until 200 OK', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-ring-answer', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', twiml(dialDocument(callee.uri, { answerOnBridge: true, ringTone: 'fr' })));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const early = findMessages(result.trace, { direction: 'received', status: 183 });
    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(early.length).toBeGreaterThanOrEqual(1);
    // Answered when the called party answers (3.2 s of ringing), not when the Dial starts.
    expect(ok[0]!.time - early[0]!.time).toBeGreaterThan(2500);
    const loud = runsOf(caller.packets, 0, Infinity).filter((r) => r.loud);
    expect(loud.length).toBeGreaterThanOrEqual(1);
    expect(loud[0]!.ms).toBeGreaterThanOrEqual(1440);
    expect(loud[0]!.ms).toBeLessThanOrEqual(1560);
    const levels = toneLevels(loud[0]!.pcm, [440, 480, 425]);
    expect(levels[440], JSON.stringify(levels)).toBeGreaterThan(0.15);
    for (const f of [425, 480]) expect(levels[f], JSON.stringify(levels)).toBeLessThan(0.02);
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });
});
