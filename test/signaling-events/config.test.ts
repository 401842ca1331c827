/**
 * Signaling-event rules in the configuration file: defaults, normalisation,
 * and errors that name the key (a regex that does not compile, a bad status).
 */
import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import { configIssues } from '../support/config-issues.js';

const ACCOUNT = { id: 'AC' + '0123456789abcdef'.repeat(2), authToken: 'secret-token' };
const base = (extra: Record<string, unknown> = {}, appExtra: Record<string, unknown> = {}): Record<string, unknown> => ({
  accounts: [ACCOUNT],
  applications: [{ id: 'app1', voiceUrl: 'http://127.0.0.1/voice', ...appExtra }],
  ...extra,
});


describe('signaling-event configuration', () => {
  it('defaults: no rules, delivery 5000 ms / 2 retries / 500 ms / 32 per call', () => {
    const c = parseEngineConfig(base(), { env: {} });
    expect(c.signalingEvents).toEqual([]);
    expect(c.applications[0]?.signalingEvents).toBeUndefined();
    expect(c.signalingEventDelivery).toEqual({ timeoutMs: 5000, retries: 2, retryDelayMs: 500, perCallQueue: 32, endGraceMs: 5000 });
  });

  it('a rule gets its defaults: POST, direction received, no headers, bodyMaxBytes 4096; methods are upper-cased', () => {
    const c = parseEngineConfig(
      base({ signalingEvents: [{ url: 'http://127.0.0.1/all-byes', match: { method: 'bye' } }] }, { signalingEvents: [{ id: 'refer', url: 'https://app.example/refer', method: 'post', match: { method: 'REFER', headers: { 'Refer-To': true } }, include: { headers: ['Refer-To'] } }] }),
      { env: {} },
    );
    expect(c.signalingEvents[0]).toEqual({ url: 'http://127.0.0.1/all-byes', method: 'POST', match: { direction: 'received', method: 'BYE', headers: {} }, include: { headers: [], bodyMaxBytes: 4096 } });
    expect(c.applications[0]?.signalingEvents?.[0]).toMatchObject({ id: 'refer', method: 'POST', match: { method: 'REFER', headers: { 'Refer-To': true } }, include: { headers: ['Refer-To'] } });
  });

  it('accepts statuses as a number, a class and a range', () => {
    const rules = [183, '18x', '4xx', '400-499', '200'].map((status) => ({ url: 'http://127.0.0.1/r', match: { method: 'INVITE', status } }));
    expect(configIssues(base({ signalingEvents: rules }))).toEqual([]);
  });

  it('a regex that does not compile is an error naming the header key', () => {
    const issues = configIssues(base({}, { signalingEvents: [{ url: 'http://127.0.0.1/r', match: { headers: { Reason: '/cause=(16/' } } }] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^applications\.0\.signalingEvents\.0\.match\.headers\.Reason: not a valid regular expression/);
  });

  it('bad status, method, direction, URL and delivery values each name their key', () => {
    const issues = configIssues(
      base({
        signalingEvents: [
          { url: 'http://127.0.0.1/r', match: { status: '7xx' } },
          { url: 'ftp://x/r', match: { method: 'IN FO' } },
          { url: 'http://127.0.0.1/r', method: 'GET', match: { direction: 'both' } },
        ],
        signalingEventDelivery: { perCallQueue: 0 },
      }),
    );
    const keys = issues.map((i) => i.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'signalingEvents.0.match.status',
        'signalingEvents.1.url',
        'signalingEvents.1.match.method',
        'signalingEvents.2.method',
        'signalingEvents.2.match.direction',
        'signalingEventDelivery.perCallQueue',
      ]),
    );
  });

  it('regexes that can backtrack exponentially on a hostile header are refused, naming the key; ordinary ones load', () => {
    const hostile = ['/^(a+)+$/', '/(\\w*\\s?)*x/i', '/^(?:a|ab)*c/', '/(x)\\1/', '/^(\\d{1,3}\\.?){2,}$/'];
    for (const regex of hostile) {
      const issues = configIssues(base({ signalingEvents: [{ url: 'http://127.0.0.1/r', match: { headers: { Reason: regex } } }] }));
      expect(issues, regex).toHaveLength(1);
      expect(issues[0], regex).toMatch(/^signalingEvents\.0\.match\.headers\.Reason: .*(repeat|backreference)/);
    }
    const ordinary = ['/^SIP;cause=(16|17)\\b/i', '/^application\\/(dtmf-relay|dtmf)$/i', '/[a-z]+@(example\\.com|test)$/', '/^(ab)+c?$/', '/x{2}(y)?[(+*)]+/'];
    for (const regex of ordinary) {
      expect(configIssues(base({ signalingEvents: [{ url: 'http://127.0.0.1/r', match: { headers: { Reason: regex } } }] })), regex).toEqual([]);
    }
  });

  it('regex flags g and y are refused (a stateful regex would match every other message)', () => {
    expect(configIssues(base({ signalingEvents: [{ url: 'http://127.0.0.1/r', match: { headers: { Reason: '/x/g' } } }] }))[0]).toMatch(/match\.headers\.Reason/);
  });
});
