/**
 * One conference across two engines: they share a Redis and one SIP server
 * (engine A's embedded one; engine B connects to it as a drachtio-srf
 * application), so callers of one conference land on either. The
 * conference is held by the engine of its first participant; callers on
 * the other engine join it over a media link. Every caller sends its own
 * tone and must hear all the others and not itself; the REST API of
 * either engine lists and mutes the participants.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { startEngineProcess } from '../support/engine-process.js';
import { waitUntil } from '../support/ports.js';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { concatPcm, toneLevel, toneLevels } from '../media/helpers/tone-levels.js';
import { startRedis } from '../support/redis-server.js';
import { redisStoreAt } from '../store/store-kinds.js';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, respond } from './helpers/app-server.js';
import { startTwoEngines } from './helpers/two-engines.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, testConfig, type RouterHarness } from './helpers/router-harness.js';

const FREQS = [440, 1000, 1700, 2300];

interface Caller {
  media: CallerMedia;
  call: SippProcess;
  freq: number;
  callSid: string;
}

function heardBetween(c: Caller, from: number, to: number): Int16Array {
  return concatPcm(c.media.packets.filter((p) => p.pt === PT_PCMU && p.at >= from && p.at <= to).map((p) => mulawDecode(p.payload)));
}

async function exchange(callers: Caller[]): Promise<Int16Array[]> {
  const sending = Promise.all(callers.map((c) => c.media.sendTone(c.freq, 1400, { amplitude: 0.25 })));
  await new Promise((r) => setTimeout(r, 400));
  const from = performance.now();
  await new Promise((r) => setTimeout(r, 800));
  const to = performance.now();
  await sending;
  return callers.map((c) => heardBetween(c, from, to));
}

/** One caller a tone of FREQS, one after the other, each once its participant-join has come. */
async function dialIn(h: RouterHarness, onTestFinished: (fn: () => void) => void): Promise<Caller[]> {
  const callers: Caller[] = [];
  for (const freq of FREQS) {
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const call = await h.call({ scenario: 'answered', user: 'room', media, timeoutSeconds: 60 });
    const known = new Set(callers.map((c) => c.callSid));
    const joined = await h.app.waitFor(
      (r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'participant-join' && !known.has(r.params.CallSid),
      10_000,
      `the ${freq} Hz caller joining`,
    );
    callers.push({ media, call, freq, callSid: joined.params.CallSid as string });
  }
  return callers;
}

describe('a conference across two engines', () => {
  it('callers on both engines hear each other; either REST API lists and mutes them; it ends for all', async ({ expect, onTestFinished }) => {
    const { a, b, records } = await startTwoEngines(onTestFinished, { applications: [{ id: 'room', voice: '/voice' }], keyPrefix: 'conf-cluster' });
    a.app.on('/conf-status', noContent());
    a.app.on('/after', respond('<Hangup/>'));
    a.app.on('/voice', respond('<Dial action="/after"><Conference statusCallback="/conf-status" statusCallbackEvent="start end join leave mute">Shared</Conference></Dial>'));

    const callers = await dialIn(a, onTestFinished);
    // The calls are spread over both engines, and the conference is one.
    const owners = await Promise.all(callers.map(async (c) => (await records.calls.get(c.callSid))?.engineId));
    expect(new Set(owners)).toEqual(new Set(['engine-a', 'engine-b']));
    const viaA = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    const viaB = twilioClientFor(b.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    const live = await viaA.conferences.list({ status: 'in-progress' });
    expect(live).toHaveLength(1);
    const conf = live[0]!;
    const holder = (await records.conferences.get(conf.sid))?.engineId;
    expect(holder).toBe(owners[0]);

    for (const c of callers) await c.media.waitForPackets(5, 5000);
    let audio = await exchange(callers);
    for (const [i, c] of callers.entries()) {
      const levels = JSON.stringify(toneLevels(audio[i]!, FREQS));
      for (const f of FREQS) {
        if (f === c.freq) expect(toneLevel(audio[i]!, f), `${c.freq} (on ${owners[i]}) hears itself: ${levels}`).toBeLessThan(0.02);
        else expect(toneLevel(audio[i]!, f), `${c.freq} (on ${owners[i]}) does not hear ${f}: ${levels}`).toBeGreaterThan(0.05);
      }
    }

    // Both APIs list all four participants; one on the other engine than the holder is muted through the API that does not hold the conference.
    const other = holder === 'engine-a' ? viaB : viaA;
    const listed = (await other.conferences(conf.sid).participants.list()).map((p) => p.callSid).sort();
    expect(listed).toEqual(callers.map((c) => c.callSid).sort());
    expect((await viaA.conferences(conf.sid).participants.list()).length).toBe(4);
    const remoteIndex = owners.findIndex((o) => o !== holder);
    const remote = callers[remoteIndex]!;
    const muted = await other.conferences(conf.sid).participants(remote.callSid).update({ muted: true });
    expect(muted.muted).toBe(true);
    audio = await exchange(callers);
    for (const [i, c] of callers.entries()) {
      if (i === remoteIndex) continue;
      expect(toneLevel(audio[i]!, remote.freq), `${c.freq} still hears the muted ${remote.freq}`).toBeLessThan(0.02);
    }

    // Ended through the API of the engine that does not hold it: every caller leaves, on both engines.
    await other.conferences(conf.sid).update({ status: 'completed' });
    for (const c of callers) {
      const done = await c.call.done;
      expect(done.exitCode, describeSipp(done)).toBe(0);
    }
    const actions = await a.app.waitForCount('/after', 4, 10_000);
    expect(actions.map((r) => r.params.DialCallStatus)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const end = await a.app.waitFor((r) => r.pathname === '/conf-status' && r.params.StatusCallbackEvent === 'conference-end', 5000, 'conference-end');
    expect(end.params.ReasonConferenceEnded).toBe('conference-ended-via-api');
    const leaves = a.app.to('/conf-status').filter((r) => r.params.StatusCallbackEvent === 'participant-leave');
    expect(leaves.map((r) => r.params.CallSid).sort()).toEqual(callers.map((c) => c.callSid).sort());
    const seq = a.app.to('/conf-status').map((r) => Number(r.params.SequenceNumber));
    expect(seq).toEqual(seq.map((_, i) => i));
  });

  // The SIP server hands new calls to the engines in turn, the survivor first: a call held
  // beforehand on the survivor makes the lost engine the one of the first participant.
  it.for([
    { holds: 'survivor', warmUp: false },
    { holds: 'doomed', warmUp: true },
  ])('an engine killed mid-conference ($holds holds it): its links end within lease time + 5 s', async ({ holds, warmUp }, { expect, onTestFinished }) => {
    const LEASE_MS = 2000;
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-conf-lost-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const store = { redis: redis.url, keyPrefix: 'conf-lost' };
    const applications = [
      { id: 'room', voice: '/voice' },
      { id: 'hold', voice: '/hold' },
    ];
    const a = await startRouter({ applications, config: { store, engineId: 'survivor', cluster: { leaseMs: LEASE_MS } } });
    a.app.on('/hold', respond('<Pause length="30"/>'));
    onTestFinished(() => a.stop());
    a.app.on('/conf-status', noContent());
    a.app.on('/after', respond('<Say>The conference has ended.</Say><Hangup/>'));
    a.app.on('/voice', respond('<Dial action="/after"><Conference statusCallback="/conf-status" statusCallbackEvent="join leave">Fragile</Conference></Dial>'));
    const doomed = await startEngineProcess(
      {
        ...testConfig(a.app.baseUrl, join(dir, 'data'), applications),
        trunks: [],
        store,
        engineId: 'doomed',
        cluster: { leaseMs: LEASE_MS },
        drachtio: { host: a.admin.address, port: a.admin.port, secret: 'router-test' },
      },
      dir,
      'doomed',
    );
    onTestFinished(() => doomed.kill());
    const records = redisStoreAt(redis.url, store.keyPrefix);
    onTestFinished(() => records.close());

    if (warmUp) {
      const held = await CallerMedia.open();
      onTestFinished(() => held.close());
      await a.call({ scenario: 'answered', user: 'hold', media: held, timeoutSeconds: 60 });
      await a.app.waitFor((r) => r.pathname === '/hold', 5000, 'the call held on the survivor');
    }
    const callers = await dialIn(a, onTestFinished);
    const owners = await Promise.all(callers.map(async (c) => (await records.calls.get(c.callSid))?.engineId));
    expect(new Set(owners)).toEqual(new Set(['survivor', 'doomed']));
    expect(owners[0]).toBe(holds);
    const api = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    const conf = (await api.conferences.list({ status: 'in-progress' }))[0]!;
    const holder = (await records.conferences.get(conf.sid))?.engineId;
    expect(holder).toBe(holds);
    const survivors = callers.filter((_, i) => owners[i] === 'survivor');
    const lost = callers.filter((_, i) => owners[i] === 'doomed');

    await doomed.kill();
    const killedAt = Date.now();
    if (holder === 'survivor') {
      // The lost engine's callers leave the survivor's conference; the survivor's callers stay in it.
      const left = (): string[] => a.app.to('/conf-status').filter((r) => r.params.StatusCallbackEvent === 'participant-leave').map((r) => r.params.CallSid as string);
      await waitUntil(() => lost.every((c) => left().includes(c.callSid)), LEASE_MS + 7000, "the lost engine's participants leaving");
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 5000);
      expect((await api.conferences(conf.sid).participants.list()).map((p) => p.callSid).sort()).toEqual(survivors.map((c) => c.callSid).sort());
      if (survivors.length >= 2) {
        const audio = await exchange(survivors);
        for (const [i, c] of survivors.entries()) {
          for (const other of survivors) if (other !== c) expect(toneLevel(audio[i]!, other.freq), `${c.freq} hears ${other.freq} after the loss`).toBeGreaterThan(0.05);
        }
      }
    } else {
      // The conference was on the lost engine: the survivor's callers leave it and their Dial goes on to its action.
      await waitUntil(() => survivors.every((c) => a.app.to('/after').some((r) => r.params.CallSid === c.callSid)), LEASE_MS + 7000, "the survivor's callers' actions");
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 5000);
      for (const c of survivors) expect((await c.call.done).exitCode).toBe(0);
      // The survivor that cleans up after the lost engine ends its conference in the store too.
      await waitUntil(async () => (await api.conferences(conf.sid).fetch()).status === 'completed', LEASE_MS + 7000, 'the conference ended in the store');
    }
  });
});
