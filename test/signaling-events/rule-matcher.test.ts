/**
 * Which SIP messages a rule reports: direction, method, response status
 * conditions, header conditions (present, absent, /regex/flags, substring).
 */
import { describe, expect, it } from 'vitest';
import { SignalingEventRuleSchema, type SignalingEventRuleInput } from '../../config/signaling-events.js';
import { describeRequest, describeResponse, type SignalingMessage } from '../../engine/signaling-events/signaling-message.js';
import { matchesRule } from '../../engine/signaling-events/rule-matcher.js';

const rule = (match: SignalingEventRuleInput['match']): ReturnType<typeof SignalingEventRuleSchema.parse> =>
  SignalingEventRuleSchema.parse({ url: 'http://127.0.0.1/e', match });

const request = (method: string, headers: Record<string, string> = {}, direction: 'received' | 'sent' = 'received'): SignalingMessage =>
  describeRequest({ method, headers: { 'Call-ID': 'c1', CSeq: `2 ${method}`, ...headers }, body: '' }, direction);

const response = (status: number, method = 'INVITE', headers: Record<string, string> = {}): SignalingMessage =>
  describeResponse({ status, reason: 'x', headers: { 'Call-ID': 'c1', CSeq: `1 ${method}`, ...headers }, body: '' }, 'received');

describe('rule matching', () => {
  it('direction: received by default, sent, any', () => {
    expect(matchesRule(rule({}), request('BYE'))).toBe(true);
    expect(matchesRule(rule({}), request('BYE', {}, 'sent'))).toBe(false);
    expect(matchesRule(rule({ direction: 'sent' }), request('BYE', {}, 'sent'))).toBe(true);
    expect(matchesRule(rule({ direction: 'sent' }), request('BYE'))).toBe(false);
    expect(matchesRule(rule({ direction: 'any' }), request('BYE', {}, 'sent'))).toBe(true);
    expect(matchesRule(rule({ direction: 'any' }), request('BYE'))).toBe(true);
  });

  it('method: only that request method (case-insensitive in the rule)', () => {
    expect(matchesRule(rule({ method: 'info' }), request('INFO'))).toBe(true);
    expect(matchesRule(rule({ method: 'INFO' }), request('REFER'))).toBe(false);
    expect(matchesRule(rule({ method: 'INVITE' }), request('INVITE'))).toBe(true);
  });

  it('a rule without status matches requests only; with one, responses only', () => {
    expect(matchesRule(rule({}), response(183))).toBe(false);
    expect(matchesRule(rule({ method: 'INVITE' }), response(200))).toBe(false);
    expect(matchesRule(rule({ status: 183 }), response(183))).toBe(true);
    expect(matchesRule(rule({ status: 183 }), request('INFO'))).toBe(false);
  });

  it('status: a code, a class (18x, 4xx), a range; with a method, responses to that method (CSeq)', () => {
    expect(matchesRule(rule({ status: 183 }), response(180))).toBe(false);
    expect(matchesRule(rule({ status: '18x' }), response(180))).toBe(true);
    expect(matchesRule(rule({ status: '18x' }), response(183))).toBe(true);
    expect(matchesRule(rule({ status: '18x' }), response(190))).toBe(false);
    expect(matchesRule(rule({ status: '18x' }), response(200))).toBe(false);
    expect(matchesRule(rule({ status: '4xx' }), response(486))).toBe(true);
    expect(matchesRule(rule({ status: '400-499' }), response(400))).toBe(true);
    expect(matchesRule(rule({ status: '400-499' }), response(499))).toBe(true);
    expect(matchesRule(rule({ status: '400-499' }), response(500))).toBe(false);
    expect(matchesRule(rule({ status: '400-499' }), response(399))).toBe(false);
    expect(matchesRule(rule({ method: 'INVITE', status: '18x' }), response(183, 'INVITE'))).toBe(true);
    expect(matchesRule(rule({ method: 'INVITE', status: '18x' }), response(183, 'UPDATE'))).toBe(false);
  });

  it('headers: present, absent, regex with flags, case-insensitive substring; every condition must hold', () => {
    const bye = request('BYE', { Reason: 'Q.850;cause=16;text="Normal call clearing"' });
    expect(matchesRule(rule({ headers: { Reason: true } }), bye)).toBe(true);
    expect(matchesRule(rule({ headers: { reason: true } }), bye)).toBe(true);
    expect(matchesRule(rule({ headers: { Reason: true } }), request('BYE'))).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: false } }), request('BYE'))).toBe(true);
    expect(matchesRule(rule({ headers: { Reason: false } }), bye)).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: '/cause=16\\b/' } }), bye)).toBe(true);
    expect(matchesRule(rule({ headers: { Reason: '/cause=17\\b/' } }), bye)).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: '/^q\\.850/i' } }), bye)).toBe(true);
    expect(matchesRule(rule({ headers: { Reason: '/^q\\.850/' } }), bye)).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: 'normal CALL' } }), bye)).toBe(true);
    expect(matchesRule(rule({ headers: { Reason: 'abnormal' } }), bye)).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: '/cause=16/' } }), request('BYE'))).toBe(false);
    expect(matchesRule(rule({ headers: { Reason: true, 'X-Other': true } }), bye)).toBe(false);
  });

  it('compact header forms match their full names (RFC 3261 7.3.3)', () => {
    const info = describeRequest({ method: 'INFO', headers: { c: 'application/dtmf-relay', i: 'c1' }, body: 'Signal=1' }, 'received');
    expect(info.callId).toBe('c1');
    expect(matchesRule(rule({ headers: { 'Content-Type': '/dtmf-relay/' } }), info)).toBe(true);
  });

  it('a response is described by its CSeq method', () => {
    const r = response(486, 'INVITE');
    expect(r.method).toBe('INVITE');
    expect(r.status).toBe(486);
  });
});
