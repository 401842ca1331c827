/**
 * <Dial> end to end: SIPp calls in, the engine dials a SIPp called party
 * and bridges them. The test's RTP sockets on both sides send tones and
 * check what arrives; the application server sees the action URL's
 * DialCallStatus, DialCallSid and DialCallDuration and the called party's
 * own status callbacks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { rejectingScenario } from '../outbound/fixtures.js';
import { decodeWav } from '../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../media/embedded/dsp/silence.js';
import { describeSipp, SippSession } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { noContent, respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee, tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';
import { startDialer } from './helpers/dialer.js';

const LEG_EVENTS = 'initiated ringing answered completed';

describe('Dial', () => {
  it('Sip noun: bridges audio both ways; the called party hangs up and the action hears completed', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 4000 });
    onTestFinished(() => callee.media.close());
    h.app.on(
      '/voice',
      respond(`<Say>Connecting.</Say><Dial action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="${LEG_EVENTS}">${callee.uri}</Sip></Dial>`),
    );
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });

    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 15_000, 'the leg answered');
    // Caller -> called party: a 1 kHz tone.
    await caller.sendTone(1000, 800);
    await callee.media.peer.waitFor(() => tonePackets(callee.media.packets, 1000).length >= 20, 5000, '1 kHz at the called party');
    // Called party -> caller: a 2 kHz tone.
    await callee.media.sendTone(2000, 800);
    await caller.peer.waitFor(() => tonePackets(caller.packets, 2000).length >= 20, 5000, '2 kHz at the caller');

    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    const [action] = h.app.to('/dialed');
    const parentSid = h.app.to('/voice')[0]?.params.CallSid;
    expect(action?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: answered.params.CallSid, CallSid: parentSid, DialSipResponseCode: '200', 'DialSipHeader_X-Agent-Desk': '7' });
    expect(action?.params.DialSipCallId).toBe(findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0]?.header('Call-ID'));
    expect(Number(action?.params.DialCallDuration)).toBeGreaterThanOrEqual(3);
    expect(Number(action?.params.DialCallDuration)).toBeLessThanOrEqual(6);

    // The called party's own callbacks: a child call of the caller's.
    const legs = await h.app.waitForCount('/leg-status', 4, 5000);
    expect(legs.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    for (const r of legs) expect(r.params).toMatchObject({ ParentCallSid: parentSid, Direction: 'outbound-dial', To: callee.uri });
    // From is the caller's by default.
    expect(legs[0]?.params.From).toContain('+15550001111');
    const invite = findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.header('From')).toContain('+15550001111');
  });

  it('X- headers in the Sip URI (?X-Account=42&X-Note=a%20b) are sent with the INVITE, not in its Request-URI', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial action="/dialed"><Sip>${callee.uri}?X-Account=42&amp;X-Note=a%20b&amp;Subject=no</Sip></Dial>`));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    const invite = findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.header('X-Account')).toBe('42');
    expect(invite?.header('X-Note')).toBe('a b');
    expect(invite?.header('Subject')).toBeUndefined();
    expect(invite?.firstLine).not.toContain('?');
  });

  it('busy (486) -> DialCallStatus busy', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'uas-reject-with');
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial action="/dialed"><Sip>${callee.uri}</Sip></Dial>`));
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const dialed = h.app.to('/dialed')[0]?.params;
    expect(dialed).toMatchObject({ DialCallStatus: 'busy', DialSipResponseCode: '486', 'DialSipHeader_X-Busy-Reason': 'in a meeting' });
    expect(dialed?.DialCallSid).toMatch(/^CA[0-9a-f]{32}$/);
    // DialSipCallId: the Call-ID of the INVITE the called party got.
    const calleeResult = await callee.sipp.done;
    expect(dialed?.DialSipCallId).toBe(findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0]?.header('Call-ID'));
  });

  it('no answer within timeout -> CANCEL to the called party and DialCallStatus no-answer', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'uas-ring-cancelled');
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial action="/dialed" timeout="5"><Sip>${callee.uri}</Sip></Dial>`));
    const started = performance.now();
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'no-answer' });
    expect(performance.now() - started).toBeGreaterThan(4900);
  });

  it('two nouns ring at once: the one that answers is connected, the other gets CANCEL', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const ringing = await startCallee(h.sipp, 'uas-ring-cancelled');
    const answering = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 500 });
    onTestFinished(() => ringing.media.close());
    onTestFinished(() => answering.media.close());
    h.app.on(
      '/voice',
      respond(`<Dial action="/dialed"><Sip>${ringing.uri}</Sip><Sip statusCallback="/leg-status" statusCallbackEvent="answered">${answering.uri}</Sip></Dial>`),
    );
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const loser = await ringing.sipp.done;
    expect(loser.exitCode, describeSipp(loser)).toBe(0);
    expect(findMessages(loser.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    expect((await answering.sipp.done).exitCode).toBe(0);
    const [winner] = h.app.to('/leg-status');
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: winner?.params.CallSid });
  });

  it('sequential="true": the nouns ring one after another; the first is busy, the second answers', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const busy = await startCallee(h.sipp, 'uas-reject-with');
    const answering = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 500 });
    onTestFinished(() => busy.media.close());
    onTestFinished(() => answering.media.close());
    const leg = (name: string): string => `statusCallback="/leg-status?leg=${name}" statusCallbackEvent="initiated completed"`;
    h.app.on('/voice', respond(`<Dial action="/dialed" sequential="true"><Sip ${leg('busy')}>${busy.uri}</Sip><Sip ${leg('second')}>${answering.uri}</Sip></Dial>`));
    h.app.on('/leg-status', respond(''));
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const busyResult = await busy.sipp.done;
    const secondResult = await answering.sipp.done;
    expect(busyResult.exitCode).toBe(0);
    expect(secondResult.exitCode).toBe(0);
    // On the wire, the second is called only once the first has refused (SIPp's clocks are the machine's).
    const refused = findMessages(busyResult.trace, { direction: 'sent', status: 486 })[0];
    const invited = findMessages(secondResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invited!.time).toBeGreaterThanOrEqual(refused!.time);
    await h.app.waitForCount('/leg-status', 4, 10_000);
    // Each leg's callbacks in its own order (the two legs' callbacks are sent independently).
    const legOf = (path: string): string | null => new URL(path, 'http://app').searchParams.get('leg');
    const events = h.app.to('/leg-status').map((r) => `${legOf(r.path)} ${r.params.CallStatus}`);
    expect(events.filter((e) => e.startsWith('busy'))).toEqual(['busy initiated', 'busy busy']);
    expect(events.filter((e) => e.startsWith('second'))).toEqual(['second initiated', 'second completed']);
    const second = h.app.to('/leg-status').find((r) => legOf(r.path) === 'second');
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: second?.params.CallSid });
  });

  it('hangupOnStar: * from the caller ends the called party and the caller goes on', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    h.app.on(
      '/voice',
      respond(`<Say>Connecting.</Say><Dial hangupOnStar="true" action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="answered">${callee.uri}</Sip></Dial>`),
    );
    h.app.on('/dialed', respond('<Say>Back with the menu.</Say><Hangup/>'));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'the leg answered');
    // Audio reaching the called party shows the bridge is up before the key is pressed.
    await caller.sendTone(1000, 200);
    await callee.media.peer.waitFor(() => callee.media.packets.length > 0, 5000, 'the bridge carrying audio');
    await caller.sendDigits('*');
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });

  it('timeLimit: the engine hangs up the called party when the limit is reached', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial timeLimit="2" action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="answered">${callee.uri}</Sip></Dial>`));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'the leg answered');
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    const heldMs = performance.now() - answered.at;
    expect(heldMs).toBeGreaterThan(1800);
    expect(heldMs).toBeLessThan(3500);
    expect((await call.done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '2' });
  });

  it('early media (183 with SDP): the caller hears the called party before it answers', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-early-media', { hangup: 'callee', hangupAfterMs: 500 });
    onTestFinished(() => callee.media.close());
    h.app.on(
      '/voice',
      respond(`<Say>Connecting.</Say><Dial action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="ringing answered">${callee.uri}</Sip></Dial>`),
    );
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'ringing', 15_000, 'the leg ringing');
    // The caller's audio reaches the ringing party (it learns where to send), which plays a 2 kHz "ringback".
    const callerTone = caller.sendTone(1000, 600);
    await callee.media.peer.waitFor(() => callee.media.packets.length > 0, 3000, 'early media path to the called party');
    await callee.media.sendTone(2000, 400);
    await caller.peer.waitFor(() => tonePackets(caller.packets, 2000).length >= 10, 3000, '2 kHz early media at the caller');
    await callerTone;
    const heardAt = tonePackets(caller.packets, 2000)[0]!.at;
    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 5000, 'the leg answered');
    expect(heardAt).toBeLessThan(answered.at);
    expect((await call.done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });

  it('record="record-from-answer": one WAV with both parties, its URL given to the action and listed by the API', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 3000 });
    onTestFinished(() => callee.media.close());
    h.app.on('/rec-status', noContent());
    h.app.on(
      '/voice',
      respond(
        `<Say>Connecting.</Say><Dial record="record-from-answer" recordingStatusCallback="/rec-status" recordingStatusCallbackEvent="in-progress completed" action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="answered">${callee.uri}</Sip></Dial>`,
      ),
    );
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'the leg answered');
    await caller.sendTone(1000, 600);
    await callee.media.peer.waitFor(() => callee.media.packets.length > 0, 3000, 'audio at the called party');
    await callee.media.sendTone(2000, 600);
    expect((await call.done).exitCode).toBe(0);

    const action = h.app.to('/dialed')[0]!;
    expect(action.params.RecordingUrl).toMatch(/\/recordings\/RE[0-9a-f]{32}$/);
    expect(Number(action.params.RecordingDuration)).toBeGreaterThanOrEqual(2);
    const [started, status] = await h.app.waitForCount('/rec-status', 2, 5000);
    expect(started!.params).toMatchObject({ AccountSid: ACCOUNT_SID, RecordingSid: action.params.RecordingSid, RecordingStatus: 'in-progress', RecordingTrack: 'both' });
    expect(status!.params).toMatchObject({ RecordingSid: action.params.RecordingSid, RecordingStatus: 'completed', RecordingSource: 'DialVerb', RecordingChannels: '1', RecordingDuration: action.params.RecordingDuration });

    const wav = Buffer.from(await (await fetch(`${action.params.RecordingUrl}.wav`)).arrayBuffer());
    const pcm = decodeWav(wav);
    // Both tones are in the one channel: the caller's 1 kHz and the called party's 2 kHz.
    const found = new Set<number>();
    for (let i = 0; i + 160 <= pcm.length; i += 160) {
      const f = dominantFrequency(pcm.subarray(i, i + 160), 8000);
      if (Math.abs(f - 1000) < 60) found.add(1000);
      if (Math.abs(f - 2000) < 60) found.add(2000);
    }
    expect([...found].sort()).toEqual([1000, 2000]);

    const res = await fetch(`${h.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings.json`, {
      headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') },
    });
    const listed = (await res.json()) as { recordings: { sid: string; call_sid: string; source: string }[] };
    expect(listed.recordings).toEqual([expect.objectContaining({ sid: action.params.RecordingSid, call_sid: action.params.CallSid, source: 'DialVerb' })]);
  });

  it('Number noun through an outbound trunk: the number, prefix rules applied, reaches the trunk; a refusal (404) is failed', async ({ expect, onTestFinished }) => {
    const sipp = new SippSession();
    onTestFinished(() => sipp.stopAll());
    const trunkPeer = await startCallee(sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => trunkPeer.media.close());
    const [host, port] = trunkPeer.sipp.target.split(':');
    const h = await startRouter({
      applications: [{ id: 'dialer', voice: '/voice' }],
      trunks: [{ id: 'carrier', host: host!, port: Number(port), prefixes: ['+1'], strip: 2, prepend: '00' }],
    });
    onTestFinished(() => h.stop());
    const caller = await CallerMedia.open();
    onTestFinished(() => caller.close());
    h.app.on('/voice', respond('<Dial action="/dialed" callerId="+15550007777"><Number>+1 (555) 000-2222</Number></Dial>'));
    h.app.on('/dialed', respond('<Hangup/>'));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    const trunkResult = await trunkPeer.sipp.done;
    expect(trunkResult.exitCode, describeSipp(trunkResult)).toBe(0);
    const invite = findMessages(trunkResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.firstLine).toContain(`INVITE sip:005550002222@${host}:${port}`);
    expect(invite?.header('From')).toContain('sip:+15550007777@');
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');

    // A number no trunk carries, and a SIP peer that answers 404: both failed.
    h.app.on('/voice', respond('<Dial action="/dialed">+44 20 7946 0000</Dial>'));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[1]?.params.DialCallStatus).toBe('failed');
    const dir = await mkdtemp(join(tmpdir(), 'dial-404-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const notFound = await sipp.start({ scenario: await rejectingScenario(dir, 404, 'Not Found') });
    h.app.on('/voice', respond(`<Dial action="/dialed"><Sip>sip:nobody@${notFound.target}</Sip></Dial>`));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[2]?.params.DialCallStatus).toBe('failed');
  });

  it('answerOnBridge: the caller gets 183 with early media while it rings, and 200 OK only when the called party answers', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-early-media', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial answerOnBridge="true" action="/dialed"><Sip statusCallback="/leg-status" statusCallbackEvent="ringing answered">${callee.uri}</Sip></Dial>`));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'ringing', 15_000, 'the leg ringing');
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const early = findMessages(result.trace, { direction: 'received', status: 183 });
    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(early.length).toBeGreaterThanOrEqual(1);
    expect(early[0]?.body).toMatch(/^m=audio \d+ RTP\/AVP 0\b/m);
    // The caller is answered about when the called party answers (1.5 s of early media), not at once.
    expect(ok[0]!.time - early[0]!.time).toBeGreaterThan(1000);
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });
});
