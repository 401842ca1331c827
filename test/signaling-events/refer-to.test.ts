/**
 * Reading a REFER's Refer-To (RFC 3515 2.1, RFC 3261 20): one value or
 * several, the URI inside it, and the ReferTransferTarget parameter of a
 * REFER's signaling event.
 */
import { describe, expect, it } from 'vitest';
import { eventParams } from '../../engine/signaling-events/event-params.js';
import { checkReferTo, referToUri, splitHeaderValues } from '../../engine/signaling-events/refer-to.js';
import { describeRequest } from '../../engine/signaling-events/signaling-message.js';

describe('Refer-To', () => {
  it('splits at commas outside quotes and angle brackets only', () => {
    expect(splitHeaderValues('<sip:a@x>, <sip:b@y>')).toEqual(['<sip:a@x>', '<sip:b@y>']);
    expect(splitHeaderValues('"Doe, John" <sip:a@x?Subject=a,b>')).toEqual(['"Doe, John" <sip:a@x?Subject=a,b>']);
    expect(splitHeaderValues('"a \\" , b" <sip:a@x>')).toEqual(['"a \\" , b" <sip:a@x>']);
    expect(splitHeaderValues(' , ')).toEqual([]);
  });

  it('takes the URI out of a name-addr or an addr-spec', () => {
    expect(referToUri('<sip:agent@pbx.example.com?Replaces=abc%40h%3Bto-tag%3D1>;method=INVITE')).toBe('sip:agent@pbx.example.com?Replaces=abc%40h%3Bto-tag%3D1');
    expect(referToUri('"Agent" <tel:+15550002222>')).toBe('tel:+15550002222');
    expect(referToUri('sip:bob@example.com;param=1')).toBe('sip:bob@example.com');
    expect(referToUri('<>')).toBeUndefined();
    expect(referToUri('<sip:unclosed@example.com')).toBeUndefined();
    expect(referToUri('two words')).toBeUndefined();
  });

  it('accepts exactly one Refer-To (RFC 3515 2.4.1)', () => {
    expect(checkReferTo('<sip:a@x>')).toEqual({ ok: true, value: '<sip:a@x>', uri: 'sip:a@x' });
    expect(checkReferTo(undefined)).toEqual({ ok: false, reason: 'Missing Refer-To' });
    expect(checkReferTo('  ')).toEqual({ ok: false, reason: 'Missing Refer-To' });
    expect(checkReferTo('<sip:a@x>,<sip:b@x>')).toEqual({ ok: false, reason: 'More than one Refer-To' });
    expect(checkReferTo('<>')).toEqual({ ok: false, reason: 'Bad Refer-To' });
  });

  it('a REFER event carries ReferTransferTarget (compact form r understood); other events do not', () => {
    const rule = { id: 'x', url: 'http://127.0.0.1/x', method: 'POST' as const, match: { direction: 'received' as const, headers: {} }, include: { headers: ['Refer-To'], bodyMaxBytes: 4096 } };
    const call = { callSid: 'CA1', accountSid: 'AC1' };
    const refer = describeRequest({ method: 'REFER', headers: { 'call-id': 'c1', r: '<sip:agent@pbx.example.com>' } }, 'received');
    expect(eventParams(rule, 'x', refer, call)).toMatchObject({ ReferTransferTarget: 'sip:agent@pbx.example.com', 'SipHeader_Refer-To': '<sip:agent@pbx.example.com>' });
    const two = describeRequest({ method: 'REFER', headers: { 'refer-to': '<sip:a@x>,<sip:b@x>' } }, 'received');
    expect(eventParams(rule, 'x', two, call).ReferTransferTarget).toBeUndefined();
    const info = describeRequest({ method: 'INFO', headers: { 'refer-to': '<sip:a@x>' } }, 'received');
    expect(eventParams(rule, 'x', info, call).ReferTransferTarget).toBeUndefined();
  });
});
