/**
 * <Dial><Conference> end to end: SIPp callers dial in, each sending its own
 * tone (440, 1000 and 1700 Hz) from the test's RTP socket, and what each
 * hears is measured. The application server sees the conference's status
 * callbacks and each participant's Dial action; the REST steps go through
 * the twilio library.
 */
import { describe, it } from 'vitest';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { concatPcm, toneLevel, toneLevels } from '../media/helpers/tone-levels.js';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, respond, wav, type AppRequest } from './helpers/app-server.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startCallee } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness } from './helpers/router-harness.js';

const HEARD = 0.06;
const ABSENT = 0.02;
const WAIT_TONE = 300;
const ANNOUNCE_TONE = 600;

interface Caller {
  media: CallerMedia;
  call: SippProcess;
  freq: number;
  callSid: string;
}

/** The audio a caller received after `since` (performance.now()), decoded. */
function heardSince(c: Caller, since: number, until = Infinity): Int16Array {
  return concatPcm(c.media.packets.filter((p) => p.pt === PT_PCMU && p.at >= since && p.at <= until).map((p) => mulawDecode(p.payload)));
}

function toneWav(freq: number, ms: number): Buffer {
  return encodeWavInterleaved(generateTone([freq], ms, 0.3), 1, 8000);
}

/** Every caller sends its tone at once for `ms`; resolves with what each heard while all were sending. */
async function exchange(callers: Caller[], ms = 1400): Promise<Int16Array[]> {
  const sending = Promise.all(callers.map((c) => c.media.sendTone(c.freq, ms, { amplitude: 0.3 })));
  await new Promise((r) => setTimeout(r, 400));
  const from = performance.now();
  await new Promise((r) => setTimeout(r, ms - 600));
  const to = performance.now();
  await sending;
  return callers.map((c) => heardSince(c, from, to));
}

function expectHears(expect: (v: unknown, m?: string) => { toBeGreaterThan(n: number): void; toBeLessThan(n: number): void }, audio: Int16Array, who: string, hears: number[], not: number[]): void {
  const levels = JSON.stringify(toneLevels(audio, [...hears, ...not]));
  for (const f of hears) expect(toneLevel(audio, f), `${who} should hear ${f} Hz: ${levels}`).toBeGreaterThan(HEARD);
  for (const f of not) expect(toneLevel(audio, f), `${who} should not hear ${f} Hz: ${levels}`).toBeLessThan(ABSENT);
}

async function setup(onTestFinished: (fn: () => Promise<void> | void) => void): Promise<RouterHarness> {
  const h = await startRouter({
    applications: [
      { id: 'attendee', voice: '/attendee' },
      { id: 'moderator', voice: '/moderator' },
    ],
  });
  onTestFinished(() => h.stop());
  h.app.on('/conf-status', noContent());
  h.app.on('/after', respond('<Hangup/>'));
  h.app.on('/wait', respond(`<Play loop="0">${h.app.url('/wait.wav')}</Play>`));
  h.app.on('/wait.wav', wav(toneWav(WAIT_TONE, 1000)));
  h.app.on('/announce', respond(`<Play>${h.app.url('/announce.wav')}</Play>`));
  h.app.on('/announce.wav', wav(toneWav(ANNOUNCE_TONE, 900)));
  return h;
}

/** Dials in and waits for the participant-join callback of the new call. */
async function join(h: RouterHarness, user: string, freq: number, onTestFinished: (fn: () => void) => void): Promise<Caller> {
  const media = await CallerMedia.open();
  onTestFinished(() => media.close());
  const known = new Set(h.app.to('/conf-status').map((r) => r.params.CallSid));
  const call = await h.call({ scenario: 'answered', user, media, timeoutSeconds: 60 });
  const joined = await h.app.waitFor(
    (r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-join' && !known.has(r.params.CallSid),
    10_000,
    `the ${freq} Hz caller joining`,
  );
  return { media, call, freq, callSid: joined.params.CallSid as string };
}

const events = (h: RouterHarness): AppRequest[] => h.app.to('/conf-status');

describe('Dial Conference', () => {
  it('three callers: wait music until the moderator, each hears the other two; mute, hold, REST; endConferenceOnExit ends it for all', async ({ expect, onTestFinished }) => {
    const h = await setup(onTestFinished);
    const cb = 'statusCallback="/conf-status" statusCallbackEvent="start end join leave mute hold"';
    h.app.on('/attendee', respond(`<Dial action="/after"><Conference startConferenceOnEnter="false" beep="false" waitUrl="/wait" ${cb}>Room 7</Conference></Dial>`));
    h.app.on('/moderator', respond('<Dial action="/after"><Conference endConferenceOnExit="true">Room 7</Conference></Dial>'));
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);

    const a = await join(h, 'attendee', 440, onTestFinished);
    const b = await join(h, 'attendee', 1000, onTestFinished);
    // Before the moderator: both hear the wait document's tone, and not each other.
    await a.media.waitForPackets(25, 5000);
    let audio = await exchange([a, b], 1200);
    expectHears(expect, audio[0]!, 'A (waiting)', [WAIT_TONE], [1000]);
    expectHears(expect, audio[1]!, 'B (waiting)', [WAIT_TONE], [440]);
    const waiting = await client.conferences.list({ friendlyName: 'Room 7' });
    expect(waiting.map((c) => c.status)).toEqual(['init']);

    const c = await join(h, 'moderator', 1700, onTestFinished);
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-start', 5000, 'conference-start');
    await c.media.waitForPackets(5, 5000);
    const callers = [a, b, c];
    audio = await exchange(callers);
    expectHears(expect, audio[0]!, 'A', [1000, 1700], [440, WAIT_TONE]);
    expectHears(expect, audio[1]!, 'B', [440, 1700], [1000, WAIT_TONE]);
    expectHears(expect, audio[2]!, 'C', [440, 1000], [1700]);

    // The REST API sees the live conference and its three participants.
    const [conf] = await client.conferences.list({ status: 'in-progress' });
    expect(conf?.friendlyName).toBe('Room 7');
    expect(conf?.sid).toMatch(/^CF[0-9a-f]{32}$/);
    const participants = await client.conferences(conf!.sid).participants.list();
    expect(participants.map((p) => p.callSid).sort()).toEqual([a.callSid, b.callSid, c.callSid].sort());

    // Mute A: the others no longer hear 440; A still hears them.
    const muted = await client.conferences(conf!.sid).participants(a.callSid).update({ muted: true });
    expect(muted.muted).toBe(true);
    audio = await exchange(callers);
    expectHears(expect, audio[0]!, 'A (muted)', [1000, 1700], []);
    expectHears(expect, audio[1]!, 'B', [1700], [440]);
    expectHears(expect, audio[2]!, 'C', [1000], [440]);
    await client.conferences(conf!.sid).participants(a.callSid).update({ muted: false });

    // Hold B with a hold document of our own: B hears it and not the room; the room does not hear B.
    await client.conferences(conf!.sid).participants(b.callSid).update({ hold: true, holdUrl: h.app.url('/wait'), holdMethod: 'POST' });
    audio = await exchange(callers);
    expectHears(expect, audio[1]!, 'B (held)', [WAIT_TONE], [440, 1700]);
    expectHears(expect, audio[0]!, 'A', [1700], [1000]);
    expectHears(expect, audio[2]!, 'C', [440], [1000]);
    await client.conferences(conf!.sid).participants(b.callSid).update({ hold: false });
    audio = await exchange(callers);
    expectHears(expect, audio[1]!, 'B (back)', [440, 1700], [WAIT_TONE]);

    // The moderator leaves (its call is ended by REST): endConferenceOnExit ends it for A and B.
    await client.calls(c.callSid).update({ status: 'completed' });
    for (const caller of callers) {
      const done = await caller.call.done;
      expect(done.exitCode, describeSipp(done)).toBe(0);
    }
    const end = await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-end', 5000, 'conference-end');
    expect(end.params).toMatchObject({
      ConferenceSid: conf!.sid,
      FriendlyName: 'Room 7',
      AccountSid: ACCOUNT_SID,
      ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left',
      CallSidEndingConference: c.callSid,
    });
    // Each participant's Dial action ran once it left.
    const actions = await h.app.waitForCount('/after', 3, 5000);
    expect(actions.map((r) => r.params.DialCallStatus)).toEqual(['completed', 'completed', 'completed']);

    // The callbacks came in order, numbered from 0, with Twilio's parameters.
    const seen = events(h);
    expect(seen.map((r) => Number(r.params.SequenceNumber))).toEqual(seen.map((_, i) => i));
    const names = seen.map((r) => `${r.params.StatusCallbackEvent}${r.params.CallSid ? ':' + [a, b, c].find((x) => x.callSid === r.params.CallSid)?.freq : ''}`);
    expect(names.slice(0, 5)).toEqual(['participant-join:440', 'participant-join:1000', 'participant-join:1700', 'conference-start', 'participant-mute:440']);
    expect(names).toContain('participant-unmute:440');
    expect(names).toContain('participant-hold:1000');
    expect(names).toContain('participant-unhold:1000');
    expect(names.at(-1)).toBe('conference-end');
    expect(names.indexOf('participant-leave:1700')).toBeLessThan(names.indexOf('conference-end'));
    const mute = seen.find((r) => r.params.StatusCallbackEvent === 'participant-mute');
    expect(mute?.params).toMatchObject({ Muted: 'true', Hold: 'false', Coaching: 'false', EndConferenceOnExit: 'false', StartConferenceOnEnter: 'false' });
    expect(mute?.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const ended = await client.conferences(conf!.sid).fetch();
    expect(ended.status).toBe('completed');
    expect(ended.reasonConferenceEnded).toBe('participant-with-end-conference-on-exit-left');
  });

  it('a coach is heard only by the coached caller; an announcement by all; the mix is recorded; Status=completed ends it', async ({ expect, onTestFinished }) => {
    const h = await setup(onTestFinished);
    h.app.on('/recording-status', noContent());
    const room = 'record="record-from-start" trim="do-not-trim" recordingStatusCallback="/recording-status" statusCallback="/conf-status" statusCallbackEvent="join leave end announcement"';
    // Beeps on: each caller hears one when it enters, so it learns where the engine's RTP is.
    h.app.on('/attendee', respond(`<Dial action="/after"><Conference ${room}>Coached</Conference></Dial>`));
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const agent = await join(h, 'attendee', 440, onTestFinished);
    const customer = await join(h, 'attendee', 1000, onTestFinished);
    // The supervisor coaches the agent: its document names the agent's CallSid.
    h.app.on('/moderator', respond(`<Dial action="/after"><Conference coach="${agent.callSid}" ${room}>Coached</Conference></Dial>`));
    const supervisor = await join(h, 'moderator', 1700, onTestFinished);
    const callers = [agent, customer, supervisor];
    for (const x of callers) await x.media.waitForPackets(5, 5000);
    const audio = await exchange(callers);
    expectHears(expect, audio[0]!, 'the agent', [1000, 1700], [440]);
    expectHears(expect, audio[1]!, 'the customer', [440], [1700, 1000]);
    expectHears(expect, audio[2]!, 'the supervisor', [440, 1000], [1700]);
    const conf = (await client.conferences.list({ friendlyName: 'Coached', status: 'in-progress' }))[0]!;
    const sup = await client.conferences(conf.sid).participants(supervisor.callSid).fetch();
    expect(sup).toMatchObject({ coaching: true, callSidToCoach: agent.callSid });

    // An announcement to one participant: only the agent hears it.
    const toAgent = performance.now();
    await client.conferences(conf.sid).participants(agent.callSid).update({ announceUrl: h.app.url('/announce'), announceMethod: 'POST' });
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'announcement-end' && r.params.CallSid === agent.callSid, 5000, 'the agent announcement-end');
    expect(toneLevel(heardSince(agent, toAgent), ANNOUNCE_TONE), 'the agent hears its announcement').toBeGreaterThan(HEARD);
    expect(toneLevel(heardSince(customer, toAgent), ANNOUNCE_TONE), 'the customer does not').toBeLessThan(ABSENT);

    // An announcement to the conference: everyone hears it.
    const since = performance.now();
    await client.conferences(conf.sid).update({ announceUrl: h.app.url('/announce'), announceMethod: 'POST' });
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'announcement-end' && r.params.CallSid === undefined, 5000, 'announcement-end');
    for (const x of callers) expect(toneLevel(heardSince(x, since), ANNOUNCE_TONE), `${x.freq} hears the announcement`).toBeGreaterThan(HEARD);

    // Status=completed: the conference ends for everyone, and the recording of the mix is listed with it.
    const ended = await client.conferences(conf.sid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    for (const x of callers) expect((await x.call.done).exitCode).toBe(0);
    const end = await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-end', 5000, 'conference-end');
    expect(end.params.ReasonConferenceEnded).toBe('conference-ended-via-api');
    const recCb = await h.app.waitFor((r) => r.pathname === '/recording-status' && r.params.RecordingStatus === 'completed', 5000, 'the recording callback');
    expect(recCb.params).toMatchObject({ ConferenceSid: conf.sid, RecordingSource: 'Conference', RecordingChannels: '1' });
    const recordings = await client.recordings.list({ conferenceSid: conf.sid });
    expect(recordings).toHaveLength(1);
    expect(recordings[0]).toMatchObject({ conferenceSid: conf.sid, source: 'Conference', sid: recCb.params.RecordingSid });
    expect(Number(recordings[0]!.duration)).toBeGreaterThanOrEqual(2);
    const res = await fetch(`${recCb.params.RecordingUrl}.wav`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('audio');
  });

  it('Participants.json create calls a party into the conference; delete removes it and its call goes on', async ({ expect, onTestFinished }) => {
    const h = await setup(onTestFinished);
    h.app.on('/attendee', respond('<Dial action="/after"><Conference statusCallback="/conf-status" statusCallbackEvent="join leave">Sales</Conference></Dial><Hangup/>'));
    h.app.on('/after', respond('<Say>You have left the conference.</Say><Hangup/>'));
    h.app.on('/leg-status', noContent());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const host = await join(h, 'attendee', 440, onTestFinished);
    const conf = (await client.conferences.list({ friendlyName: 'Sales', status: 'in-progress' }))[0]!;

    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine', timeoutSeconds: 40 });
    onTestFinished(() => callee.media.close());
    const created = await client.conferences(conf.sid).participants.create({
      from: '+15550009999',
      to: callee.uri,
      label: 'expert',
      statusCallback: h.app.url('/leg-status'),
      statusCallbackEvent: ['answered'],
    });
    expect(created.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.label).toBe('expert');
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-join' && r.params.CallSid === created.callSid, 10_000, 'the created participant joining');
    // The called party and the caller hear each other through the conference.
    await callee.media.waitForPackets(5, 5000);
    await callee.media.sendTone(1000, 600, { amplitude: 0.3 });
    await host.media.peer.waitFor(() => toneLevel(heardSince(host, 0), 1000) > 0.02, 5000, 'the host hearing the called party');
    const byLabel = await client.conferences(conf.sid).participants('expert').fetch();
    expect(byLabel.callSid).toBe(created.callSid);

    // DELETE: the participant leaves; its call goes on (here it is hung up by its document's end).
    await client.conferences(conf.sid).participants(created.callSid).remove();
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-leave' && r.params.CallSid === created.callSid, 5000, 'the removed participant leaving');
    const calleeDone = await callee.sipp.done;
    expect(calleeDone.exitCode, describeSipp(calleeDone)).toBe(0);
    expect((await client.conferences(conf.sid).participants.list()).map((p) => p.callSid)).toEqual([host.callSid]);
    // The host is alone now; removing it ends the conference and its Dial action runs.
    await client.conferences(conf.sid).participants(host.callSid).remove();
    const after = await h.app.waitFor((r) => r.pathname === '/after' && r.params.CallSid === host.callSid, 5000, "the host's action");
    expect(after.params.DialCallStatus).toBe('completed');
    expect((await host.call.done).exitCode).toBe(0);
    expect((await client.conferences(conf.sid).fetch()).reasonConferenceEnded).toBe('last-participant-kicked');
  });

  it('waitUrl="" waits in silence; a full conference fails the Dial; speakers are reported; * leaves with hangupOnStar', async ({ expect, onTestFinished }) => {
    const h = await setup(onTestFinished);
    const room = 'maxParticipants="2" beep="false" statusCallback="/conf-status" statusCallbackEvent="start end join leave speaker"';
    h.app.on('/attendee', respond(`<Dial action="/after" hangupOnStar="true"><Conference startConferenceOnEnter="false" waitUrl="" ${room}>Small</Conference></Dial>`));
    h.app.on('/moderator', respond(`<Dial action="/after"><Conference ${room}>Small</Conference></Dial>`));
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const a = await join(h, 'attendee', 440, onTestFinished);
    // Waiting with waitUrl="": no music, so nothing at all is sent to the caller.
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.media.packets.filter((p) => p.pt === PT_PCMU).length).toBe(0);

    const b = await join(h, 'moderator', 1000, onTestFinished);
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-start', 5000, 'conference-start');
    // Once it has started, the room keeps the callers' streams going, with silence when nobody talks.
    await a.media.waitForPackets(10, 3000);
    await b.media.waitForPackets(10, 3000);

    // A third caller finds the conference full: its Dial fails and its action is told so.
    const cMedia = await CallerMedia.open();
    onTestFinished(() => cMedia.close());
    const c = await h.call({ scenario: 'answered', user: 'moderator', media: cMedia, timeoutSeconds: 30 });
    const full = await h.app.waitFor((r) => r.pathname === '/after' && r.params.DialCallStatus === 'failed', 5000, "the third caller's action");
    expect((await c.done).exitCode).toBe(0);
    expect((await client.conferences.list({ friendlyName: 'Small', status: 'in-progress' }))[0]).toBeDefined();
    expect(full.params.CallSid).not.toBe(a.callSid);

    // B talks: the conference reports it starting and stopping to speak.
    await b.media.sendTone(1000, 800, { amplitude: 0.3 });
    const start = await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-speech-start', 3000, 'speech-start');
    await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-speech-stop', 3000, 'speech-stop');
    expect(start.params.CallSid).toBe(b.callSid);

    // A presses *: it leaves the conference and its action runs; B stays in it.
    await a.media.sendDigits('*');
    const left = await h.app.waitFor((r) => r.pathname === '/after' && r.params.CallSid === a.callSid, 5000, "A's action after *");
    expect(left.params.DialCallStatus).toBe('completed');
    expect((await a.call.done).exitCode).toBe(0);
    const conf = (await client.conferences.list({ friendlyName: 'Small', status: 'in-progress' }))[0]!;
    expect((await client.conferences(conf.sid).participants.list()).map((p) => p.callSid)).toEqual([b.callSid]);
    await client.calls(b.callSid).update({ status: 'completed' });
    expect((await b.call.done).exitCode).toBe(0);
    const end = await h.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-end', 5000, 'conference-end');
    expect(end.params).toMatchObject({ ReasonConferenceEnded: 'last-participant-left', CallSidEndingConference: b.callSid });
  });
});
