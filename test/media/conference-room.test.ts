/**
 * The embedded conference room: three RTP peers (PCMU, PCMA and PCMU), each
 * sending its own tone, join a room; what each receives is decoded and the
 * level of every tone measured. Each must hear the other two and not
 * itself; mute, hold, coaching, announcements, recording and clipping
 * change that as a user would expect.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../media/embedded/audio/g711.js';
import { decodeWav, encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import type { ConferenceMember, Endpoint, MediaConference } from '../../media/types.js';
import { RtpPeer, sdpAudioPort, type ReceivedPacket } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';
import { concatPcm, toneLevel, toneLevels } from './helpers/tone-levels.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

const FREQS = [440, 1000, 1700] as const;
/** A tone that is heard measures about 0.1 or more here (sent at 0.3); one that is not, under 0.02. */
const HEARD = 0.08;
const ABSENT = 0.02;

interface Party {
  peer: RtpPeer;
  endpoint: Endpoint;
  member: ConferenceMember;
  pt: number;
  freq: number;
}

const CODECS = [
  { offer: '0 PCMU/8000', pt: 0, encode: mulawEncode, decode: mulawDecode },
  { offer: '8 PCMA/8000', pt: 8, encode: alawEncode, decode: alawDecode },
  { offer: '0 PCMU/8000', pt: 0, encode: mulawEncode, decode: mulawDecode },
];

async function threeParties(room: MediaConference): Promise<Party[]> {
  return Promise.all(
    FREQS.map(async (freq, i) => {
      const peer = await RtpPeer.open();
      const c = CODECS[i]!;
      const endpoint = await t.server.createEndpoint({ remoteSdp: peer.offer({ codecs: [c.offer] }) });
      const member = await room.join(endpoint);
      return { peer, endpoint, member, pt: c.pt, freq };
    }),
  );
}

function toneFrames(freq: number, ms: number, encode: (f: Int16Array) => Buffer, amplitude = 0.3): Buffer[] {
  const pcm = generateTone([freq], ms, amplitude);
  const out: Buffer[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) out.push(encode(pcm.subarray(i, i + 160)));
  return out;
}

/** Every party sends its tone for `ms` at once. */
async function allSend(parties: Party[], ms: number): Promise<void> {
  await Promise.all(parties.map((p, i) => p.peer.stream(sdpAudioPort(p.endpoint.localSdp), p.pt, toneFrames(p.freq, ms, CODECS[i]!.encode))));
}

/** What a party received after `since` (performance.now()), decoded. */
function heard(p: Party, index: number, since: number): Int16Array {
  const decode = CODECS[index]!.decode;
  const pkts = p.peer.packets.filter((k: ReceivedPacket) => k.at >= since && k.pt === p.pt);
  return concatPcm(pkts.map((k) => decode(k.payload)));
}

async function cleanup(room: MediaConference, parties: Party[]): Promise<void> {
  await room.destroy();
  await Promise.all(parties.map((p) => p.endpoint.destroy()));
  for (const p of parties) p.peer.close();
}

/** Sends for 1.2 s and measures what each party heard in the last 0.8 s of it. */
async function exchange(parties: Party[]): Promise<Int16Array[]> {
  const sending = allSend(parties, 1200);
  await new Promise((r) => setTimeout(r, 350));
  const since = performance.now();
  await sending;
  await new Promise((r) => setTimeout(r, 100));
  return parties.map((p, i) => heard(p, i, since));
}

describe('embedded conference room', () => {
  it('each of three parties (PCMU, PCMA, PCMU) hears the other two tones and not its own', async () => {
    const room = await t.server.createConference({ name: 'three' });
    const parties = await threeParties(room);
    const audio = await exchange(parties);
    for (const [i, p] of parties.entries()) {
      const levels = toneLevels(audio[i]!, FREQS);
      expect(audio[i]!.length, `audio at party ${p.freq}`).toBeGreaterThan(4000);
      for (const f of FREQS) {
        if (f === p.freq) expect(levels[f], `party ${p.freq} hears itself: ${JSON.stringify(levels)}`).toBeLessThan(ABSENT);
        else expect(levels[f], `party ${p.freq} does not hear ${f}: ${JSON.stringify(levels)}`).toBeGreaterThan(HEARD);
      }
    }
    await cleanup(room, parties);
  });

  it('mute takes a party out of what the others hear; it still hears them. Hold takes it out both ways', async () => {
    const room = await t.server.createConference({ name: 'mute-hold' });
    const parties = await threeParties(room);
    const [a, b, c] = parties as [Party, Party, Party];
    b.member.update({ muted: true });
    let audio = await exchange(parties);
    expect(toneLevel(audio[0]!, b.freq)).toBeLessThan(ABSENT);
    expect(toneLevel(audio[2]!, b.freq)).toBeLessThan(ABSENT);
    expect(toneLevel(audio[1]!, a.freq)).toBeGreaterThan(HEARD);
    expect(toneLevel(audio[1]!, c.freq)).toBeGreaterThan(HEARD);

    b.member.update({ muted: false, hold: true });
    const before = b.peer.packets.length;
    audio = await exchange(parties);
    expect(toneLevel(audio[0]!, b.freq)).toBeLessThan(ABSENT);
    expect(toneLevel(audio[0]!, c.freq)).toBeGreaterThan(HEARD);
    // Nothing of the room reaches the held party.
    expect(b.peer.packets.length - before).toBeLessThan(3);

    b.member.update({ hold: false });
    audio = await exchange(parties);
    expect(toneLevel(audio[0]!, b.freq)).toBeGreaterThan(HEARD);
    expect(toneLevel(audio[1]!, a.freq)).toBeGreaterThan(HEARD);
    await cleanup(room, parties);
  });

  it('a coach is heard only by the party it coaches, and hears everyone', async () => {
    const room = await t.server.createConference({ name: 'coach' });
    const parties = await threeParties(room);
    const [a, b, c] = parties as [Party, Party, Party];
    c.member.update({ coaching: a.member });
    let audio = await exchange(parties);
    expect(toneLevel(audio[0]!, c.freq), 'the coached party hears the coach').toBeGreaterThan(HEARD);
    expect(toneLevel(audio[1]!, c.freq), 'the other party does not').toBeLessThan(ABSENT);
    expect(toneLevel(audio[2]!, a.freq)).toBeGreaterThan(HEARD);
    expect(toneLevel(audio[2]!, b.freq)).toBeGreaterThan(HEARD);

    c.member.update({ coaching: null });
    audio = await exchange(parties);
    expect(toneLevel(audio[1]!, c.freq)).toBeGreaterThan(HEARD);
    await cleanup(room, parties);
  });

  it('an announcement is heard by every party but one on hold; the mix is recorded with every tone', async () => {
    const room = await t.server.createConference({ name: 'announce' });
    const parties = await threeParties(room);
    parties[2]!.member.update({ hold: true });
    const file = join(t.dir, 'announcement.wav');
    await writeFile(file, encodeWavInterleaved(generateTone([600], 800, 0.3), 1, 8000));
    const recPath = join(t.dir, 'room.wav');
    const stopRec = new AbortController();
    const recording = room.record({ path: recPath, signal: stopRec.signal });
    const since = performance.now();
    const played = await room.play(file);
    expect(played.reason).toBe('finished');
    const a = heard(parties[0]!, 0, since);
    const b = heard(parties[1]!, 1, since);
    expect(toneLevel(a, 600)).toBeGreaterThan(HEARD);
    expect(toneLevel(b, 600)).toBeGreaterThan(HEARD);
    expect(heard(parties[2]!, 2, since).length).toBeLessThan(480);

    parties[2]!.member.update({ hold: false });
    await exchange(parties);
    stopRec.abort();
    const rec = await recording;
    expect(rec.reason).toBe('stopped');
    expect(rec.durationMs).toBeGreaterThan(1500);
    const mix = decodeWav(await readFile(recPath));
    expect(toneLevel(mix.subarray(0, 6000), 600)).toBeGreaterThan(HEARD);
    const tail = mix.subarray(mix.length - 8000);
    for (const f of FREQS) expect(toneLevel(tail, f), `${f} in the recording`).toBeGreaterThan(0.04);
    await cleanup(room, parties);
  });

  it('two loud parties saturate the third one\'s audio instead of wrapping round', async () => {
    const room = await t.server.createConference({ name: 'loud' });
    const parties = await threeParties(room);
    const [a, b, c] = parties as [Party, Party, Party];
    const port = (p: Party): number => sdpAudioPort(p.endpoint.localSdp);
    const since = performance.now() + 300;
    await Promise.all([
      a.peer.stream(port(a), a.pt, toneFrames(1000, 1000, mulawEncode, 0.9)),
      b.peer.stream(port(b), b.pt, toneFrames(1000, 1000, alawEncode, 0.9)),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const pcm = heard(c, 2, since);
    let peak = 0;
    for (const s of pcm) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeGreaterThan(30_000);
    // Clipped at full scale, the 1 kHz tone is still the loudest thing in it by far.
    expect(toneLevel(pcm, 1000)).toBeGreaterThan(0.8);
    expect(toneLevel(pcm, 440)).toBeLessThan(ABSENT);
    await cleanup(room, parties);
  });

  it('tells who is speaking and who stopped; a member who leaves hears nothing more', async () => {
    const room = await t.server.createConference({ name: 'speaker' });
    const parties = await threeParties(room);
    const events: [number, boolean][] = [];
    room.on('speaking', (m, speaking) => events.push([parties.findIndex((p) => p.member === m), speaking]));
    const a = parties[0]!;
    await a.peer.stream(sdpAudioPort(a.endpoint.localSdp), a.pt, toneFrames(a.freq, 500, mulawEncode));
    await new Promise((r) => setTimeout(r, 900));
    expect(events).toEqual([
      [0, true],
      [0, false],
    ]);
    await parties[1]!.member.leave();
    expect(room.size).toBe(2);
    const before = parties[1]!.peer.packets.length;
    await allSend([parties[0]!, parties[2]!], 400);
    expect(parties[1]!.peer.packets.length - before).toBeLessThan(3);
    await cleanup(room, parties);
  });

  it('the enter tone (two rising notes) and the exit tone reach every member who hears the room', async () => {
    const room = await t.server.createConference({ name: 'tones' });
    const parties = await threeParties(room);
    parties[2]!.member.update({ hold: true });
    const since = performance.now();
    room.tone('enter');
    await new Promise((r) => setTimeout(r, 900));
    for (const i of [0, 1]) {
      const pcm = heard(parties[i]!, i, since);
      expect(toneLevel(pcm, 523), `party ${i} hears the first note`).toBeGreaterThan(0.03);
      expect(toneLevel(pcm, 784), `party ${i} hears the second note`).toBeGreaterThan(0.03);
    }
    expect(heard(parties[2]!, 2, since).length).toBeLessThan(480);
    await cleanup(room, parties);
  });
});
