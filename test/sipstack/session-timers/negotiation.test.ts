/**
 * The RFC 4028 rules as plain functions: what a 2xx gets (§9), what a
 * received 2xx means (§7.2), when 422 is due (§6, §9), what our requests
 * carry (§7.1, §7.4), and how the headers are read; plus the configuration
 * (sessionTimers options and drachtio's <session-timers>).
 */
import { describe, expect, test } from 'vitest';
import { SipHeaders } from '../../../engine/sipstack/message/headers.js';
import { SipRequest, SipResponse } from '../../../engine/sipstack/message/sip-message.js';
import {
  DEFAULT_SESSION_TIMER_OPTIONS,
  decorateRequest,
  intervalTooSmall,
  negotiateAsUac,
  negotiateAsUas,
  type SessionTimerOptions,
} from '../../../engine/sipstack/session-timer/negotiation.js';
import { readMinSE, readSessionExpires, SessionTimerHeaderError } from '../../../engine/sipstack/session-timer/session-timer-headers.js';
import { resolveSipServerOptions } from '../../../config/sip-server-options.js';
import { parseDrachtioXmlConfig } from '../../../config/drachtio-xml-config.js';

const OPTS: SessionTimerOptions = { ...DEFAULT_SESSION_TIMER_OPTIONS };

function invite(headers: Record<string, string>, method = 'INVITE'): SipRequest {
  return new SipRequest(method, 'sip:a@127.0.0.1', SipHeaders.from(Object.entries(headers)));
}

function ok(headers: Record<string, string> = {}): SipResponse {
  return new SipResponse(200, 'OK', SipHeaders.from(Object.entries(headers)));
}

describe('Session-Expires and Min-SE headers', () => {
  test('reads delta-seconds, the refresher and the compact form x', () => {
    expect(readSessionExpires(SipHeaders.from([['Session-Expires', '1800;refresher=UAS;foo=bar']]))).toEqual({ interval: 1800, refresher: 'uas' });
    expect(readSessionExpires(SipHeaders.from([['x', ' 90 ']]))).toEqual({ interval: 90, refresher: undefined });
    expect(readSessionExpires(new SipHeaders())).toBeUndefined();
    expect(readMinSE(SipHeaders.from([['Min-SE', '120;x=y']]))).toBe(120);
  });

  test('malformed values throw a header error', () => {
    for (const v of ['', 'abc', '-5', '1.5', '90;refresher=both', '12345678901']) {
      expect(() => readSessionExpires(SipHeaders.from([['Session-Expires', v]])), v).toThrow(SessionTimerHeaderError);
    }
    expect(() => readMinSE(SipHeaders.from([['Min-SE', 'soon']]))).toThrow(SessionTimerHeaderError);
  });
});

describe('422 (RFC 4028 §6, §9)', () => {
  test('an INVITE or UPDATE below Min-SE is answered with our Min-SE; others pass', () => {
    expect(intervalTooSmall(invite({ 'Session-Expires': '60' }), 90)).toBe(90);
    expect(intervalTooSmall(invite({ 'Session-Expires': '60' }, 'UPDATE'), 90)).toBe(90);
    expect(intervalTooSmall(invite({ 'Session-Expires': '90' }), 90)).toBeUndefined();
    expect(intervalTooSmall(invite({}), 90)).toBeUndefined();
    expect(intervalTooSmall(invite({ 'Session-Expires': '60' }, 'OPTIONS'), 90)).toBeUndefined();
    // A malformed value is not a small one.
    expect(intervalTooSmall(invite({ 'Session-Expires': 'garbage' }), 90)).toBeUndefined();
  });
});

describe('the UAS 2xx (RFC 4028 §9)', () => {
  test('the refresher the UAC asked for, with Require: timer', () => {
    const res = ok();
    expect(negotiateAsUas(invite({ Supported: 'timer', 'Session-Expires': '1800;refresher=uac' }), res, OPTS)).toEqual({ interval: 1800, weRefresh: false });
    expect(res.headers.get('Session-Expires')).toBe('1800;refresher=uac');
    expect(res.headers.values('Require')).toEqual(['timer']);

    const res2 = ok();
    expect(negotiateAsUas(invite({ Supported: 'replaces, timer', 'Session-Expires': '300;refresher=uas' }), res2, OPTS)).toEqual({ interval: 300, weRefresh: true });
    expect(res2.headers.get('Session-Expires')).toBe('300;refresher=uas');
    expect(res2.headers.values('Require')).toEqual(['timer']);
  });

  test('no refresher offered: the configured default, none by default as in drachtio-server', () => {
    const req = invite({ Supported: 'timer', 'Session-Expires': '600' });
    const res = ok();
    expect(negotiateAsUas(req, res, OPTS)).toBeUndefined();
    expect(res.headers.has('Session-Expires')).toBe(false);
    expect(res.headers.has('Require')).toBe(false);

    const uac = ok();
    expect(negotiateAsUas(req, uac, { ...OPTS, defaultRefresher: 'uac' })).toEqual({ interval: 600, weRefresh: false });
    expect(uac.headers.get('Session-Expires')).toBe('600;refresher=uac');
    // A UAC without Supported: timer cannot refresh: "the refresher MUST be 'uas'", and no Require.
    const noSupport = ok();
    expect(negotiateAsUas(invite({ 'Session-Expires': '600' }), noSupport, { ...OPTS, defaultRefresher: 'uac' })).toEqual({ interval: 600, weRefresh: true });
    expect(noSupport.headers.get('Session-Expires')).toBe('600;refresher=uas');
    expect(noSupport.headers.has('Require')).toBe(false);
  });

  test("the application's own Session-Expires is kept; Require: timer is added once", () => {
    const res = ok({ 'Session-Expires': '120', Require: 'timer' });
    expect(negotiateAsUas(invite({ Supported: 'timer', 'Session-Expires': '1800;refresher=uas' }), res, OPTS)).toEqual({ interval: 120, weRefresh: false });
    expect(res.headers.get('Session-Expires')).toBe('120');
    expect(res.headers.values('Require')).toEqual(['timer']);
  });

  test('no Session-Expires and no timer: nothing is added', () => {
    const res = ok();
    expect(negotiateAsUas(invite({ Supported: 'timer' }), res, OPTS)).toBeUndefined();
    expect([...res.headers].length).toBe(0);
  });

  test('a refresh inside a dialog keeps the interval and refresher when it names none', () => {
    const current = { interval: 300, weRefresh: false };
    const res = ok();
    expect(negotiateAsUas(invite({ Supported: 'timer' }), res, OPTS, current)).toEqual(current);
    expect(res.headers.get('Session-Expires')).toBe('300;refresher=uac');
    const res2 = ok();
    expect(negotiateAsUas(invite({ Supported: 'timer', 'Session-Expires': '400' }), res2, OPTS, { interval: 300, weRefresh: true })).toEqual({ interval: 400, weRefresh: true });
    expect(res2.headers.get('Session-Expires')).toBe('400;refresher=uas');
    // A peer that does not support timers and was the refresher has turned them off.
    expect(negotiateAsUas(invite({}), ok(), OPTS, current)).toBeUndefined();
  });
});

describe('the UAC side (RFC 4028 §7.2)', () => {
  test('the 2xx names the refresher; none named means us', () => {
    expect(negotiateAsUac(ok({ 'Session-Expires': '1800;refresher=uac' }), OPTS)).toEqual({ interval: 1800, weRefresh: true });
    expect(negotiateAsUac(ok({ 'Session-Expires': '1800' }), OPTS)).toEqual({ interval: 1800, weRefresh: true });
    expect(negotiateAsUac(ok({ 'Session-Expires': '1800;refresher=uas' }), OPTS)).toEqual({ interval: 1800, weRefresh: false });
    expect(negotiateAsUac(ok(), OPTS)).toBeUndefined();
    expect(negotiateAsUac(ok(), OPTS, { interval: 300, weRefresh: true })).toEqual({ interval: 300, weRefresh: true });
  });

  test('requests we send: Supported: timer and Min-SE with a Session-Expires, ours only when asked to', () => {
    const withSe = invite({ 'Session-Expires': '1800' });
    decorateRequest(withSe, OPTS);
    expect(withSe.headers.get('Supported')).toBe('timer');
    expect(withSe.headers.get('Min-SE')).toBe('90');

    const plain = invite({ Supported: '100rel' });
    decorateRequest(plain, OPTS);
    expect(plain.headers.has('Session-Expires')).toBe(false);
    expect(plain.headers.values('Supported')).toEqual(['100rel']);

    const asked = invite({});
    decorateRequest(asked, { ...OPTS, requestOnOutgoing: true });
    expect(asked.headers.get('Session-Expires')).toBe('1800');

    const refresh = invite({ Supported: 'timer' });
    decorateRequest(refresh, OPTS, { interval: 300, weRefresh: false });
    expect(refresh.headers.get('Session-Expires')).toBe('300;refresher=uas');
    expect(refresh.headers.values('Supported')).toEqual(['timer']);
  });
});

describe('configuration', () => {
  test('defaults, the test-only floor, and bad values', () => {
    expect(resolveSipServerOptions({}).sessionTimers).toEqual({ minSE: 90, defaultInterval: 1800, defaultRefresher: 'none', requestOnOutgoing: false });
    expect(resolveSipServerOptions({ sessionTimers: { minSE: 1 } }).sessionTimers.minSE).toBe(1);
    expect(() => resolveSipServerOptions({ sessionTimers: { minSE: 0 } })).toThrow(/sessionTimers\.minSE/);
    expect(() => resolveSipServerOptions({ sessionTimers: { minSE: 600, defaultInterval: 300 } })).toThrow(/defaultInterval/);
  });

  test("drachtio's <session-timers default-refresher>", () => {
    const xml = (attr: string): string => `<drachtio><admin port="9022" secret="s">127.0.0.1</admin><sip><session-timers ${attr}/></sip></drachtio>`;
    expect(parseDrachtioXmlConfig(xml('default-refresher="UAS"')).options.sessionTimers).toEqual({ defaultRefresher: 'uas' });
    const bad = parseDrachtioXmlConfig(xml('default-refresher="sometimes"'));
    expect(bad.options.sessionTimers).toEqual({ defaultRefresher: 'none' });
    expect(bad.warnings.join('\n')).toMatch(/default-refresher="sometimes"/);
  });
});
