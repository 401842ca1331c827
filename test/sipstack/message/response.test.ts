import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../../engine/sipstack/message/headers.js';
import { tagOf } from '../../../engine/sipstack/message/name-addr.js';
import { createResponse, reasonPhrase } from '../../../engine/sipstack/message/response.js';
import { serializeMessage } from '../../../engine/sipstack/message/serialize.js';
import { SipRequest } from '../../../engine/sipstack/message/sip-message.js';

function invite(to = '<sip:bob@biloxi.com>'): SipRequest {
  return new SipRequest(
    'INVITE',
    'sip:bob@biloxi.com',
    SipHeaders.from([
      ['Via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bK1'],
      ['Via', 'SIP/2.0/UDP ua.atlanta.com;branch=z9hG4bK0'],
      ['Max-Forwards', '70'],
      ['To', to],
      ['From', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
      ['Call-ID', 'a84b4c76e66710@pc33.atlanta.com'],
      ['CSeq', '314159 INVITE'],
      ['Timestamp', '54'],
      ['Contact', '<sip:alice@pc33.atlanta.com>'],
    ]),
    Buffer.from('v=0\r\n'),
  );
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via in order, From, To, Call-ID, CSeq and, for 100, Timestamp', () => {
    const res = createResponse(invite(), 100);
    expect(serializeMessage(res).toString()).toBe(
      'SIP/2.0 100 Trying\r\n' +
        'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bK1\r\n' +
        'Via: SIP/2.0/UDP ua.atlanta.com;branch=z9hG4bK0\r\n' +
        'From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n' +
        'To: <sip:bob@biloxi.com>\r\n' +
        'Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n' +
        'CSeq: 314159 INVITE\r\n' +
        'Timestamp: 54\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
  });

  it('adds a To tag above 100, the given one or a random one, and no Timestamp', () => {
    const given = createResponse(invite(), 180, undefined, { toTag: 'a6c85cf' });
    expect(given.reason).toBe('Ringing');
    expect(given.headers.get('to')).toBe('<sip:bob@biloxi.com>;tag=a6c85cf');
    expect(given.headers.has('timestamp')).toBe(false);
    const a = tagOf(createResponse(invite(), 486).headers.get('to') ?? '');
    const b = tagOf(createResponse(invite(), 486).headers.get('to') ?? '');
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it('keeps an existing To tag', () => {
    const res = createResponse(invite('<sip:bob@biloxi.com>;tag=existing'), 200, undefined, { toTag: 'other' });
    expect(res.headers.get('to')).toBe('<sip:bob@biloxi.com>;tag=existing');
  });

  it('adds extra headers, a body and its type', () => {
    const res = createResponse(invite(), 200, 'Fine', {
      toTag: 't',
      headers: [['Contact', '<sip:bob@192.0.2.4>'], ['Allow', 'INVITE, ACK, BYE']],
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    const text = serializeMessage(res).toString();
    expect(text.startsWith('SIP/2.0 200 Fine\r\n')).toBe(true);
    expect(text).toContain('Contact: <sip:bob@192.0.2.4>\r\nAllow: INVITE, ACK, BYE\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
  });

  it('has default reason phrases', () => {
    expect(reasonPhrase(200)).toBe('OK');
    expect(reasonPhrase(481)).toBe('Call/Transaction Does Not Exist');
    expect(reasonPhrase(513)).toBe('Message Too Large');
    expect(reasonPhrase(499)).toBe('Client Error');
  });
});
