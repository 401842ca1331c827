import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../../engine/sipstack/message/headers.js';
import { parseMessage } from '../../../engine/sipstack/message/parser.js';
import { serializeMessage } from '../../../engine/sipstack/message/serialize.js';
import { SipRequest, SipResponse } from '../../../engine/sipstack/message/sip-message.js';

describe('serializeMessage', () => {
  it('writes the request line, headers in order with canonical names, Content-Length and body', () => {
    const headers = SipHeaders.from([
      ['v', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'],
      ['via', 'SIP/2.0/UDP b.example.com;branch=z9hG4bK2'],
      ['f', '<sip:alice@example.com>;tag=1'],
      ['t', '<sip:bob@example.com>'],
      ['i', 'abc@host'],
      ['CSEQ', '1 INVITE'],
      ['l', '999'],
      ['X-Custom-ID', 'Keep Me'],
      ['c', 'application/sdp'],
    ]);
    const body = Buffer.from('v=0\r\n');
    const wire = serializeMessage(new SipRequest('INVITE', 'sip:bob@example.com', headers, body));
    expect(wire.toString()).toBe(
      'INVITE sip:bob@example.com SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n' +
        'Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n' +
        'From: <sip:alice@example.com>;tag=1\r\n' +
        'To: <sip:bob@example.com>\r\n' +
        'Call-ID: abc@host\r\n' +
        'CSeq: 1 INVITE\r\n' +
        'X-Custom-ID: Keep Me\r\n' +
        'Content-Type: application/sdp\r\n' +
        'Content-Length: 5\r\n' +
        '\r\n' +
        'v=0\r\n',
    );
  });

  it('writes a status line, counts body bytes not characters, and keeps binary bodies intact', () => {
    const body = Buffer.from([0xff, 0x00, 0xe2, 0x82, 0xac, 0x0d, 0x0a]);
    const res = new SipResponse(200, 'Très bien', SipHeaders.from([['Subject', 'café']]), body);
    const wire = serializeMessage(res);
    const headEnd = wire.indexOf('\r\n\r\n');
    expect(wire.subarray(0, headEnd).toString('utf8')).toBe('SIP/2.0 200 Très bien\r\nSubject: café\r\nContent-Length: 7');
    expect(wire.subarray(headEnd + 4)).toEqual(body);
  });

  it('round-trips through the parser', () => {
    const headers = SipHeaders.from([
      ['Via', 'SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKrt'],
      ['From', '"Zoë" <sip:zoe@example.com>;tag=z'],
      ['To', '<sip:bob@example.com>'],
      ['Call-ID', 'rt@example.com'],
      ['CSeq', '7 MESSAGE'],
      ['Max-Forwards', '70'],
      ['Content-Type', 'text/plain;charset=utf-8'],
    ]);
    const req = new SipRequest('MESSAGE', 'sip:bob@example.com', headers, Buffer.from('héllo'));
    const outcome = parseMessage(serializeMessage(req));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok || outcome.message.kind !== 'request') return;
    expect(outcome.message.method).toBe('MESSAGE');
    expect(outcome.message.headers.get('from')).toBe('"Zoë" <sip:zoe@example.com>;tag=z');
    expect(outcome.message.body.toString()).toBe('héllo');
    expect(outcome.message.headers.get('content-length')).toBe('6');
  });
});
