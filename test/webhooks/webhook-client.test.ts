import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookClient, type FetchInstructionsResult } from '../../engine/webhooks/index.js';
import { closedPort, startAppServer, xml, type AppServer } from './helpers/app-server.js';

const TOKEN = 'auth-token-for-tests';
const SAY_HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say><Hangup/></Response>';
const FALLBACK_DOC = '<Response><Say>Sorry</Say></Response>';
const CALL = { CallSid: 'CA0123456789abcdef0123456789abcdef', AccountSid: 'AC' + 'f'.repeat(32), From: '+15551230000', To: '+15559870000', CallStatus: 'ringing', Direction: 'inbound' };

let app: AppServer;
let client: WebhookClient;

beforeEach(async () => {
  app = await startAppServer();
  client = new WebhookClient({ authToken: TOKEN, timeouts: { connectTimeoutMs: 1000, responseTimeoutMs: 2000 } });
});

afterEach(async () => {
  await client.close();
  await app.close();
});

function documentOf(result: FetchInstructionsResult) {
  if (!('document' in result)) throw new Error(`expected a document, got error ${result.error.code}: ${result.error.message}`);
  return result;
}

function errorOf(result: FetchInstructionsResult) {
  if (!('error' in result)) throw new Error('expected an error');
  return result;
}

/** Serves FALLBACK_DOC at /fallback. */
function serveFallback(): void {
  app.route('/fallback', (_req, res) => xml(res, FALLBACK_DOC));
}

describe('WebhookClient requests', () => {
  it('POSTs the parameters form-encoded, signed so that twilio validateRequest accepts them', async () => {
    app.route('/voice', (_req, res) => xml(res, SAY_HANGUP));
    const params = { ...CALL, Caller: 'Ann & Bob <ab@example.com>', Digits: '12#' };
    const result = documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params }));
    const [seen] = app.requests;
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(seen?.headers['user-agent']).toMatch(/^dialtone\/\d+\.\d+\.\d+/);
    expect(seen?.headers.accept).toContain('text/xml');
    expect(seen?.params).toEqual(params);
    expect(twilio.validateRequest(TOKEN, String(seen?.headers['x-twilio-signature']), seen!.url, seen!.params)).toBe(true);
    expect(twilio.validateRequest('wrong-token', String(seen?.headers['x-twilio-signature']), seen!.url, seen!.params)).toBe(false);
    expect(result.usedFallback).toBe(false);
    expect(result.url).toBe(`${app.baseUrl}/voice`);
    expect(result.document.verbs.map((v) => v.verb)).toEqual(['Say', 'Hangup']);
  });

  it('GET carries the parameters in the query string, after any already there, and signs the full URL', async () => {
    app.route('/voice', (_req, res) => xml(res, SAY_HANGUP));
    const result = await client.fetchInstructions({ url: `${app.baseUrl}/voice?app=menu`, method: 'GET', params: { ...CALL, Digits: '1 2' } });
    documentOf(result);
    const [seen] = app.requests;
    expect(seen?.method).toBe('GET');
    expect(seen?.body).toBe('');
    expect(seen?.params).toEqual({ app: 'menu', ...CALL, Digits: '1 2' });
    expect(twilio.validateRequest(TOKEN, String(seen?.headers['x-twilio-signature']), seen!.url, {})).toBe(true);
  });

  it('relative URLs in the document resolve against the URL that served it', async () => {
    app.route('/ivr/start', (_req, res) => xml(res, '<Response><Gather action="choice"/><Redirect>../again</Redirect></Response>'));
    const { document } = documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/ivr/start`, params: CALL }));
    expect(document.verbs).toMatchObject([{ action: `${app.baseUrl}/ivr/choice` }, { url: `${app.baseUrl}/again` }]);
  });

  it('keeps the connection alive across requests to the same origin', async () => {
    app.route('/voice', (_req, res) => xml(res, SAY_HANGUP));
    for (let i = 0; i < 10; i++) documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL }));
    expect(app.requests).toHaveLength(10);
    // undici may open a second socket while the first is being released; never one per request.
    expect(app.connections).toBeLessThanOrEqual(2);
  });

  it('accepts application/xml, text/html and a missing content type when the body is XML', async () => {
    app.route('/app-xml', (_req, res) => xml(res, SAY_HANGUP, 'application/xml; charset=utf-8'));
    app.route('/html', (_req, res) => xml(res, SAY_HANGUP, 'text/html'));
    app.route('/none', (_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200);
      res.end(SAY_HANGUP);
    });
    for (const path of ['/app-xml', '/html', '/none']) {
      documentOf(await client.fetchInstructions({ url: app.baseUrl + path, params: CALL }));
    }
  });

  it('follows a redirect and signs the request to the new location', async () => {
    app.route('/old', (_req, res) => res.writeHead(307, { location: '/new' }).end());
    app.route('/new', (_req, res) => xml(res, SAY_HANGUP));
    const result = documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/old`, params: CALL }));
    expect(result.url).toBe(`${app.baseUrl}/new`);
    const moved = app.requests[1]!;
    expect(moved.params).toEqual(CALL);
    expect(twilio.validateRequest(TOKEN, String(moved.headers['x-twilio-signature']), moved.url, moved.params)).toBe(true);
  });
});

describe('WebhookClient failures and the fallback URL', () => {
  async function expectFallback(primaryUrl: string, code: number, extra: Partial<Parameters<WebhookClient['fetchInstructions']>[0]> = {}) {
    serveFallback();
    const result = documentOf(
      await client.fetchInstructions({ url: primaryUrl, params: CALL, fallbackUrl: `${app.baseUrl}/fallback`, ...extra }),
    );
    expect(result.usedFallback).toBe(true);
    expect(result.url).toBe(`${app.baseUrl}/fallback`);
    expect(result.primaryError?.code).toBe(code);
    expect(result.document.verbs).toMatchObject([{ verb: 'Say', text: 'Sorry' }]);
    const fallback = app.requests.findLast((r) => r.path === '/fallback')!;
    expect(fallback.params).toEqual({ ...CALL, ErrorCode: String(code), ErrorUrl: primaryUrl });
    expect(twilio.validateRequest(TOKEN, String(fallback.headers['x-twilio-signature']), fallback.url, fallback.params)).toBe(true);
    return result;
  }

  it('HTTP 500 -> 11200 naming the status', async () => {
    app.route('/voice', (_req, res) => res.writeHead(500).end('boom'));
    const result = await expectFallback(`${app.baseUrl}/voice`, 11200);
    expect(result.primaryError?.message).toContain('500');
  });

  it('HTTP 404 -> 11200', async () => {
    await expectFallback(`${app.baseUrl}/missing`, 11200);
  });

  it('connection refused -> 11205', async () => {
    await expectFallback(`http://127.0.0.1:${await closedPort()}/voice`, 11205);
  });

  it('no complete response in time -> 11205, after the response timeout', async () => {
    app.route('/slow', () => undefined);
    const start = performance.now();
    await expectFallback(`${app.baseUrl}/slow`, 11205, { timeouts: { responseTimeoutMs: 300 } });
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('a body that stalls mid-way also times out -> 11205', async () => {
    app.route('/stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<Response><Say>');
    });
    await expectFallback(`${app.baseUrl}/stall`, 11205, { timeouts: { responseTimeoutMs: 300 } });
  });

  it('invalid XML -> 12100', async () => {
    app.route('/voice', (_req, res) => xml(res, '<Response><Say>unclosed</Response>'));
    await expectFallback(`${app.baseUrl}/voice`, 12100);
  });

  it('valid XML that is not valid instructions -> 12200', async () => {
    app.route('/voice', (_req, res) => xml(res, '<Response><Speak>hi</Speak></Response>'));
    const result = await expectFallback(`${app.baseUrl}/voice`, 12200);
    expect(result.primaryError?.message).toContain('Speak');
  });

  it('wrong content type -> 12300 (JSON, and text/plain)', async () => {
    app.route('/json', (_req, res) => xml(res, '{"say":"hi"}', 'application/json'));
    await expectFallback(`${app.baseUrl}/json`, 12300);
    app.route('/plain', (_req, res) => xml(res, SAY_HANGUP, 'text/plain'));
    await expectFallback(`${app.baseUrl}/plain`, 12300);
  });

  it('a body over the size limit -> 11750', async () => {
    app.route('/big', (_req, res) => xml(res, `<Response><Say>${'x'.repeat(70_000)}</Say></Response>`));
    await expectFallback(`${app.baseUrl}/big`, 11750);
  });

  it('a host name that does not resolve -> 11210', async () => {
    await expectFallback('http://no-such-host.invalid/voice', 11210);
  });

  it('too many redirects -> 11215', async () => {
    app.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    await expectFallback(`${app.baseUrl}/loop`, 11215);
  });

  it('the fallback method is used, GET putting ErrorCode and ErrorUrl in the query', async () => {
    app.route('/voice', (_req, res) => res.writeHead(503).end());
    app.route('/fallback', (_req, res) => xml(res, FALLBACK_DOC));
    documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL, fallbackUrl: `${app.baseUrl}/fallback`, fallbackMethod: 'GET' }));
    const fallback = app.requests[1]!;
    expect(fallback.method).toBe('GET');
    expect(fallback.params).toMatchObject({ ErrorCode: '11200', ErrorUrl: `${app.baseUrl}/voice` });
    expect(twilio.validateRequest(TOKEN, String(fallback.headers['x-twilio-signature']), fallback.url, {})).toBe(true);
  });

  it('without a fallback URL the primary error is returned', async () => {
    app.route('/voice', (_req, res) => res.writeHead(500).end());
    const { error } = errorOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL }));
    expect(error).toMatchObject({ code: 11200, url: `${app.baseUrl}/voice`, status: 500 });
    expect(app.requests).toHaveLength(1);
  });

  it('when the fallback fails too, its error is returned with the primary one', async () => {
    app.route('/voice', (_req, res) => res.writeHead(500).end());
    app.route('/fallback', (_req, res) => xml(res, 'not xml'));
    const result = errorOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL, fallbackUrl: `${app.baseUrl}/fallback` }));
    expect(result.error).toMatchObject({ code: 12100, url: `${app.baseUrl}/fallback` });
    expect(result.primaryError).toMatchObject({ code: 11200 });
  });

  it('an aborted request does not go to the fallback', async () => {
    app.route('/slow', () => undefined);
    serveFallback();
    const ctrl = new AbortController();
    const pending = client.fetchInstructions({ url: `${app.baseUrl}/slow`, params: CALL, fallbackUrl: `${app.baseUrl}/fallback` }, ctrl.signal);
    await app.next('/slow');
    ctrl.abort();
    errorOf(await pending);
    expect(app.requests.map((r) => r.path)).toEqual(['/slow']);
  });
});

describe('WebhookClient retry policy', () => {
  it('retries 5xx up to the number of attempts, then succeeds', async () => {
    let n = 0;
    app.route('/voice', (_req, res) => (++n < 3 ? res.writeHead(503).end() : xml(res, SAY_HANGUP)));
    const result = documentOf(await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL, retry: { on: ['5xx'], attempts: 3 } }));
    expect(result.usedFallback).toBe(false);
    expect(app.requests).toHaveLength(3);
  });

  it('gives up after the attempts and goes to the fallback', async () => {
    app.route('/voice', (_req, res) => res.writeHead(502).end());
    serveFallback();
    const result = documentOf(
      await client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: CALL, fallbackUrl: `${app.baseUrl}/fallback`, retry: { on: ['5xx'], attempts: 2 } }),
    );
    expect(result.usedFallback).toBe(true);
    expect(app.requests.map((r) => r.path)).toEqual(['/voice', '/voice', '/fallback']);
  });

  it('does not retry failures the policy does not name (4xx, bad XML, 5xx when only timeouts are named)', async () => {
    app.route('/notfound', (_req, res) => res.writeHead(404).end());
    app.route('/bad', (_req, res) => xml(res, '<oops'));
    app.route('/err', (_req, res) => res.writeHead(500).end());
    await client.fetchInstructions({ url: `${app.baseUrl}/notfound`, params: CALL, retry: { on: ['5xx', 'timeout', 'connect'], attempts: 3 } });
    await client.fetchInstructions({ url: `${app.baseUrl}/bad`, params: CALL, retry: { on: ['5xx', 'timeout', 'connect'], attempts: 3 } });
    await client.fetchInstructions({ url: `${app.baseUrl}/err`, params: CALL, retry: { on: ['timeout'], attempts: 3 } });
    expect(app.requests.map((r) => r.path)).toEqual(['/notfound', '/bad', '/err']);
  });

  it('retries a timeout when the policy names it', async () => {
    let n = 0;
    app.route('/voice', (_req, res) => {
      if (++n === 2) xml(res, SAY_HANGUP);
    });
    const result = await client.fetchInstructions({
      url: `${app.baseUrl}/voice`,
      params: CALL,
      timeouts: { responseTimeoutMs: 250 },
      retry: { on: ['timeout'], attempts: 2 },
    });
    documentOf(result);
    expect(app.requests).toHaveLength(2);
  });

  it('retries a refused connection when the policy names connect', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/voice`;
    const started = performance.now();
    const { error } = errorOf(await client.fetchInstructions({ url, params: CALL, retry: { on: ['connect'], attempts: 3, delayMs: 100 } }));
    expect(error.code).toBe(11205);
    // Three tries with 100 ms between them: at least 200 ms pass.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});
