/**
 * Redis goes away in the middle of calls and comes back: the call in
 * progress goes on, a new call is taken and runs (its writes wait for
 * Redis), the REST API answers 503 while it cannot read, the log says when
 * Redis went and came back, and afterwards every record is complete.
 */
import { describe, it } from 'vitest';
import { pino } from 'pino';
import { waitUntil } from '../support/ports.js';
import { startRedis } from '../support/redis-server.js';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

describe('Redis restarted mid-call', () => {
  it('calls go on and finish, new calls run, and their records are complete once Redis is back', async ({ expect, onTestFinished }) => {
    const redis = await startRedis({ persist: true });
    onTestFinished(() => redis.stop());
    const lines: { msg: string; level: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string; level: number }) });
    const h = await startRouter({
      applications: [{ id: 'hold', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }],
      config: { store: { redis: redis.url } },
      logger,
    });
    onTestFinished(() => h.stop());
    h.app.on('/voice', respond('<Pause length="3"/><Say>done</Say><Hangup/>'));
    h.app.on('/status', respond(''));
    const api = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    const media = [await CallerMedia.open(), await CallerMedia.open()];
    onTestFinished(async () => void (await Promise.all(media.map((m) => m.close()))));

    const first = await h.call({ scenario: 'answered', user: 'hold', media: media[0] as CallerMedia, timeoutSeconds: 30 });
    await waitUntil(async () => (await api.calls.list({ status: 'in-progress' })).length === 1, 10_000, 'the first call answered');

    await redis.kill();
    await waitUntil(() => lines.some((l) => l.msg.startsWith('Redis is not available')), 10_000, 'the log saying Redis went');
    // A new call while Redis is away runs all the same.
    const second = await h.call({ scenario: 'answered', user: 'hold', media: media[1] as CallerMedia, timeoutSeconds: 30 });
    await h.app.waitForCount('/voice', 2, 10_000);
    const listed = await fetch(`${h.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') },
    });
    expect(listed.status).toBe(503);
    expect(await listed.json()).toMatchObject({ code: 20503, status: 503 });

    const firstResult = await first.done;
    expect(firstResult.exitCode, describeSipp(firstResult)).toBe(0);
    await redis.restart();
    await waitUntil(() => lines.some((l) => l.msg === 'Redis is back'), 15_000, 'the log saying Redis is back');
    const secondResult = await second.done;
    expect(secondResult.exitCode, describeSipp(secondResult)).toBe(0);

    await h.app.waitForCount('/status', 2, 10_000);
    await waitUntil(async () => (await api.calls.list({ status: 'completed' })).length === 2, 10_000, 'both records completed');
    for (const call of await api.calls.list()) {
      expect(call.status).toBe('completed');
      expect(call.endTime).toBeInstanceOf(Date);
      expect(call.startTime).toBeInstanceOf(Date);
      expect(Number(call.duration)).toBeGreaterThanOrEqual(3);
    }
    expect(lines.filter((l) => l.msg.startsWith('Redis is not available')).length).toBeGreaterThanOrEqual(1);
  });
});
