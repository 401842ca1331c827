/**
 * What the store keeps across a restart, through the twilio library as an
 * application would read it: an engine records a call, stops, and a new
 * engine on the same data directory (or the same Redis) still lists the
 * call and its recording and serves the audio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { startRedis } from '../support/redis-server.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { CallerMedia } from './helpers/caller-media.js';
import { recordOneCall } from './helpers/record-call.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';
import type { EngineConfigInput } from '../../config/engine-config.js';

describe.each<{ kind: 'embedded' | 'redis' }>([{ kind: 'embedded' }, { kind: 'redis' }])('$kind store across a restart', ({ kind }) => {
  it('a new engine lists the ended call and its recording, and serves the audio', async ({ expect, onTestFinished }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dialtone-restart-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    let config: Partial<EngineConfigInput> = {};
    if (kind === 'redis') {
      const redis = await startRedis();
      onTestFinished(() => redis.stop());
      config = { store: { redis: redis.url } };
    }
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const first = await startRouter({ applications: [{ id: 'voicemail', voice: '/voice' }], dataDir, config });
    const { recordingSid } = await recordOneCall(first, media);
    const before = await twilioClientFor(first.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls.list();
    expect(before).toHaveLength(1);
    await first.stop();

    // A Redis cluster's engines share recordings through a volume; here the second engine has the same dataDir.
    const second = await startRouter({ applications: [{ id: 'voicemail', voice: '/voice' }], dataDir, config });
    onTestFinished(() => second.stop());
    const { client } = twilioClientFor(second.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const calls = await client.calls.list();
    expect(calls.map((c) => ({ sid: c.sid, status: c.status, direction: c.direction }))).toEqual([
      { sid: before[0]?.sid, status: 'completed', direction: 'inbound' },
    ]);
    expect(Number(calls[0]?.duration)).toBeGreaterThanOrEqual(1);
    expect(calls[0]?.endTime).toBeInstanceOf(Date);
    const fetched = await client.calls(before[0]?.sid as string).fetch();
    expect(fetched.status).toBe('completed');

    const recordings = await client.recordings.list();
    expect(recordings.map((r) => ({ sid: r.sid, callSid: r.callSid, status: r.status }))).toEqual([{ sid: recordingSid, callSid: before[0]?.sid, status: 'completed' }]);
    const ofCall = await client.calls(before[0]?.sid as string).recordings.list();
    expect(ofCall.map((r) => r.sid)).toEqual([recordingSid]);
    const audio = await fetch(`${second.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recordingSid}.wav`, {
      headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') },
    });
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');
  });
});
