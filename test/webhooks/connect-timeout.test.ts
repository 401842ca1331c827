import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookClient } from '../../engine/webhooks/index.js';
import { startAppServer, xml, type AppServer } from './helpers/app-server.js';
import { startUnacceptingListener, type UnacceptingListener } from './helpers/unaccepting-listener.js';

let listener: UnacceptingListener;
let app: AppServer;

beforeAll(async () => {
  listener = await startUnacceptingListener();
  app = await startAppServer();
  app.route('/fallback', (_req, res) => xml(res, '<Response><Hangup/></Response>'));
});

afterAll(async () => {
  listener.close();
  await app.close();
});

async function timeToFail(connectAttempts: number): Promise<{ ms: number; code: number | undefined; fallbackCode: string | undefined }> {
  const client = new WebhookClient({ authToken: 'connect-timeout-token', timeouts: { connectTimeoutMs: 300, connectAttempts, responseTimeoutMs: 10_000 } });
  const started = performance.now();
  const result = await client.fetchInstructions({
    url: `http://127.0.0.1:${listener.port}/voice`,
    params: { CallSid: 'CA' + '0'.repeat(32) },
    fallbackUrl: `${app.baseUrl}/fallback`,
  });
  const ms = performance.now() - started;
  await client.close();
  const fallback = app.requests.at(-1);
  return { ms, code: 'document' in result ? result.primaryError?.code : result.error.code, fallbackCode: fallback?.params.ErrorCode };
}

describe('connect timeout', () => {
  it('a connection that cannot be opened fails with 11205, and is tried connectAttempts times', async () => {
    const once = await timeToFail(1);
    const twice = await timeToFail(2);
    expect(once.code).toBe(11205);
    expect(twice.code).toBe(11205);
    expect(twice.fallbackCode).toBe('11205');
    expect(once.ms).toBeGreaterThanOrEqual(290);
    // The second attempt waits out its own connect timeout.
    expect(twice.ms).toBeGreaterThanOrEqual(once.ms * 1.6);
  });
});
