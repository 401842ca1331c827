import { describe, expect, it } from 'vitest';
import { parseMessage, type ParseOutcome } from '../../../engine/sipstack/message/parser.js';
import type { SipMessage } from '../../../engine/sipstack/message/sip-message.js';
import { parseVia } from '../../../engine/sipstack/message/via.js';

const CRLF = '\r\n';

/** A valid OPTIONS request, with header lines replaceable by name. */
function options(overrides: Record<string, string | null> = {}, body = ''): string {
  const fields: [string, string][] = [
    ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKopt1'],
    ['Max-Forwards', '70'],
    ['To', '<sip:bob@example.com>'],
    ['From', '"Alice" <sip:alice@example.com>;tag=f1'],
    ['Call-ID', 'opt1@192.0.2.1'],
    ['CSeq', '1 OPTIONS'],
    ['Content-Length', String(Buffer.byteLength(body))],
  ];
  const lines = ['OPTIONS sip:bob@example.com SIP/2.0'];
  for (const [name, value] of fields) {
    if (name in overrides) {
      const v = overrides[name];
      if (v !== null) lines.push(`${name}: ${v}`);
    } else lines.push(`${name}: ${value}`);
  }
  return lines.join(CRLF) + CRLF + CRLF + body;
}

function parse(text: string | Buffer, opts: Parameters<typeof parseMessage>[1] = { datagram: true }): ParseOutcome {
  return parseMessage(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, opts);
}

function ok(text: string | Buffer, opts?: Parameters<typeof parseMessage>[1]): SipMessage {
  const outcome = parse(text, opts);
  if (!outcome.ok) throw new Error(`expected a message, got: ${outcome.error}`);
  return outcome.message;
}

function failure(text: string | Buffer, opts?: Parameters<typeof parseMessage>[1]): { status?: number; drop?: boolean; error: string; hasRequest: boolean } {
  const outcome = parse(text, opts);
  if (outcome.ok) throw new Error('expected a failure');
  return { status: outcome.status, drop: outcome.drop, error: outcome.error, hasRequest: outcome.request !== undefined };
}

describe('parseMessage: structure', () => {
  it('parses a request: method, URI, version, headers in order, body', () => {
    const m = ok(options({}, 'hello'));
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect([m.method, m.uri, m.version]).toEqual(['OPTIONS', 'sip:bob@example.com', 'SIP/2.0']);
    expect([...m.headers].map((f) => f.name)).toEqual(['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Content-Length']);
    expect(m.body.toString()).toBe('hello');
  });

  it('parses a response with status, reason and an empty reason', () => {
    const text = options().replace('OPTIONS sip:bob@example.com SIP/2.0', 'SIP/2.0 180 Ringing Now').replace('Max-Forwards: 70\r\n', '');
    const m = ok(text);
    expect(m.kind === 'response' && [m.status, m.reason]).toEqual([180, 'Ringing Now']);
    const empty = ok(text.replace('180 Ringing Now', '100 '));
    expect(empty.kind === 'response' && [empty.status, empty.reason]).toEqual([100, '']);
  });

  it('tolerates bare LF line endings and leading CRLFs (§7.5)', () => {
    const m = ok(`\r\n\r\n${options({}, 'a\nb').replace(/\r\n/g, '\n')}`);
    expect(m.headers.get('call-id')).toBe('opt1@192.0.2.1');
    expect(m.body.toString()).toBe('a\nb');
  });

  it('unfolds continuation lines and trims white space around ":" (§7.3.1)', () => {
    const text = options().replace('Call-ID: opt1@192.0.2.1', 'Call-ID  :\r\n   opt1@192.0.2.1').replace('Via: ', 'Via:\r\n\tSIP/2.0/UDP\r\n 192.0.2.1:5060;\r\n branch=z9hG4bKopt1\r\nX-Ignore: ');
    const m = ok(text);
    expect(m.headers.get('call-id')).toBe('opt1@192.0.2.1');
    expect(m.headers.get('via')).toBe('SIP/2.0/UDP 192.0.2.1:5060; branch=z9hG4bKopt1');
  });

  it('expands compact names and matches names case-insensitively (§7.3.3)', () => {
    const text = options()
      .replace('Via:', 'v:')
      .replace('To:', 't:')
      .replace('From:', 'F:')
      .replace('Call-ID:', 'i:')
      .replace('CSeq:', 'cSeQ:')
      .replace('Content-Length:', 'l:');
    const m = ok(text);
    expect(m.headers.get('To')).toBe('<sip:bob@example.com>');
    expect(m.headers.get('CALL-ID')).toBe('opt1@192.0.2.1');
    expect(m.headers.get('content-length')).toBe('0');
    expect([...m.headers][0].name).toBe('Via');
  });

  it('splits comma-separated list headers outside quotes and brackets', () => {
    const text = options().replace(
      'Max-Forwards: 70',
      'Max-Forwards: 70\r\nContact: "Doe, John" <sip:j@a.example.com;x=1,2>, <sip:j@b.example.com>\r\nVia: SIP/2.0/UDP c.example.com;branch=z9hG4bK3, SIP/2.0/TCP [2001:db8::5]:5070;branch=z9hG4bK4',
    );
    const m = ok(text);
    expect(m.headers.values('contact')).toEqual(['"Doe, John" <sip:j@a.example.com;x=1,2>', '<sip:j@b.example.com>']);
    const vias = m.headers.values('via').map(parseVia);
    expect(vias.map((v) => v.host)).toEqual(['192.0.2.1', 'c.example.com', '2001:db8::5']);
  });

  it('keeps UTF-8 in header values and reason phrases, and binary bodies byte for byte', () => {
    const body = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0x0d, 0x0a, 0x41]);
    const head = options({ From: '"Jürgen 日本" <sip:j@example.com>;tag=u', 'Content-Length': String(body.length) });
    const m = ok(Buffer.concat([Buffer.from(head, 'utf8'), body]));
    expect(m.headers.get('from')).toBe('"Jürgen 日本" <sip:j@example.com>;tag=u');
    expect(m.body).toEqual(body);
  });
});

describe('parseMessage: body and Content-Length (§18.3, §20.14)', () => {
  it('truncates a datagram body longer than Content-Length', () => {
    expect(ok(options({ 'Content-Length': '3' }) + 'abcdef').body.toString()).toBe('abc');
  });

  it('answers 400 to a datagram body shorter than Content-Length; drops such a response', () => {
    expect(failure(options({ 'Content-Length': '10' }) + 'abc')).toMatchObject({ status: 400, hasRequest: true });
    const res = options({ 'Content-Length': '10', 'Max-Forwards': null }).replace(/^OPTIONS \S+ SIP\/2.0/, 'SIP/2.0 200 OK');
    expect(failure(res)).toMatchObject({ drop: true, hasRequest: false });
  });

  it('takes the rest of a datagram when Content-Length is missing, but not on a stream', () => {
    expect(ok(options({ 'Content-Length': null }) + 'rest').body.toString()).toBe('rest');
    expect(failure(options({ 'Content-Length': null }) + 'rest', { datagram: false })).toMatchObject({ status: 400 });
  });

  it.each(['-1', '1e3', 'abc', '99999999999999999999', ''])('answers 400 to Content-Length %j', (value) => {
    expect(failure(options({ 'Content-Length': value }))).toMatchObject({ status: 400, hasRequest: true });
  });

  it('drops a message with conflicting Content-Length values (RFC 4475 mcl01)', () => {
    const text = options().replace('Content-Length: 0', 'Content-Length: 0\r\nl: 4') + 'abcd';
    expect(failure(text)).toMatchObject({ drop: true });
  });
});

describe('parseMessage: validation', () => {
  it.each(['Via', 'From', 'To', 'Call-ID', 'CSeq'])('answers 400 when %s is missing', (name) => {
    const f = failure(options({ [name]: null }));
    // Without a Via nothing can be answered; otherwise the 400 carries the request.
    expect(f).toMatchObject(name === 'Via' ? { drop: true } : { status: 400, hasRequest: true });
    expect(f.error).toContain(name);
  });

  it('accepts a missing Max-Forwards (liberal)', () => {
    expect(ok(options({ 'Max-Forwards': null })).kind).toBe('request');
  });

  it.each([
    ['Max-Forwards', 'seventy'],
    ['Max-Forwards', '256'],
    ['CSeq', '1 INVITE'],
    ['CSeq', '99999999999 OPTIONS'],
    ['From', '"unterminated <sip:a@b>;tag=1'],
    ['To', '<sip:bob@example.com'],
    ['Via', 'SIP/2.0/UDP 192.0.2.1;;'],
    ['Call-ID', 'has space'],
  ])('answers 400 to %s: %s', (name, value) => {
    expect(failure(options({ [name]: value }))).toMatchObject({ status: 400, hasRequest: true });
  });

  it('answers 400 to a non-numeric or oversized Expires', () => {
    const add = (v: string): string => options().replace('Max-Forwards: 70', `Max-Forwards: 70\r\nExpires: ${v}`);
    expect(ok(add('3600')).headers.get('expires')).toBe('3600');
    expect(failure(add('soon'))).toMatchObject({ status: 400 });
    expect(failure(add('4294967296'))).toMatchObject({ status: 400 });
  });

  it('answers 505 to another SIP version and 400 to a malformed start line', () => {
    expect(failure(options().replace('SIP/2.0\r\n', 'SIP/3.0\r\n'))).toMatchObject({ status: 505, hasRequest: true });
    expect(failure(options().replace('sip:bob@example.com SIP', 'sip:bob@example.com; lr SIP'))).toMatchObject({ status: 400 });
    expect(failure(options().replace('sip:bob@example.com SIP', '<sip:bob@example.com> SIP'))).toMatchObject({ status: 400 });
    expect(failure(options().replace(' SIP/2.0\r\n', '\r\n'))).toMatchObject({ status: 400 });
  });

  it('accepts an unknown Request-URI scheme (the application answers 416)', () => {
    const m = ok(options().replace('OPTIONS sip:bob@example.com', 'OPTIONS urn:service:sos'));
    expect(m.kind === 'request' && m.uri).toBe('urn:service:sos');
  });

  it('answers 501 to an unknown method whose CSeq differs, 400 to a known one', () => {
    const text = options().replace('OPTIONS sip', 'FROBNICATE sip');
    expect(failure(text)).toMatchObject({ status: 501 });
    expect(failure(options({ CSeq: '1 BYE' }))).toMatchObject({ status: 400 });
  });

  it('answers 400 to a header line without a colon or a name', () => {
    expect(failure(options().replace('Max-Forwards: 70', 'Max-Forwards 70'))).toMatchObject({ status: 400 });
    expect(failure(options().replace('Max-Forwards: 70', ': 70'))).toMatchObject({ status: 400 });
  });

  it('drops responses with a status outside 100-699 or a bad status line', () => {
    const res = (line: string): string => options({ 'Max-Forwards': null }).replace(/^OPTIONS \S+ SIP\/2.0/, line);
    expect(ok(res('SIP/2.0 699 Odd')).kind).toBe('response');
    for (const line of ['SIP/2.0 700 Too High', 'SIP/2.0 099 Low', 'SIP/2.0 4294967301 Big', 'SIP/2.0', 'SIP/2.0 20x OK', 'SIP/3.0 200 OK']) {
      expect(failure(res(line)), line).toMatchObject({ drop: true, hasRequest: false });
    }
  });

  it('drops what has no start line or no empty line to end the headers without a Via', () => {
    expect(failure('\r\n\r\n')).toMatchObject({ drop: true });
    expect(failure('hello world\r\n\r\n')).toMatchObject({ drop: true });
    expect(failure(Buffer.alloc(0))).toMatchObject({ drop: true });
  });

  it('answers 400 to a truncated datagram that still has its Via', () => {
    const text = options().slice(0, options().indexOf('CSeq'));
    expect(failure(text)).toMatchObject({ status: 400, hasRequest: true });
  });
});

describe('parseMessage: limits', () => {
  it('answers 513 to a request over maxBytes and drops a response over it', () => {
    const big = options({ 'Content-Length': '2000' }, 'x'.repeat(2000));
    expect(ok(big, { datagram: true, maxBytes: 4000 }).body.length).toBe(2000);
    expect(failure(big, { datagram: true, maxBytes: 1000 })).toMatchObject({ status: 513, hasRequest: true });
    const res = big.replace(/^OPTIONS \S+ SIP\/2.0/, 'SIP/2.0 200 OK');
    expect(failure(res, { datagram: true, maxBytes: 1000 })).toMatchObject({ drop: true });
  });

  it('answers 513 to more than maxHeaders header fields', () => {
    const extra = Array.from({ length: 20 }, (_, n) => `X-H${n}: ${n}`).join(CRLF);
    const text = options().replace('Max-Forwards: 70', `Max-Forwards: 70\r\n${extra}`);
    expect(ok(text, { datagram: true, maxHeaders: 27 }).headers.size).toBe(27);
    expect(failure(text, { datagram: true, maxHeaders: 26 })).toMatchObject({ status: 513, hasRequest: true });
  });

  it('uses the defaults: 65535 bytes, 100 headers', () => {
    const many = Array.from({ length: 93 }, (_, n) => `X-H${n}: ${n}`).join(CRLF);
    expect(ok(options().replace('Max-Forwards: 70', `Max-Forwards: 70\r\n${many}`)).headers.size).toBe(100);
    const tooMany = Array.from({ length: 94 }, (_, n) => `X-H${n}: ${n}`).join(CRLF);
    expect(failure(options().replace('Max-Forwards: 70', `Max-Forwards: 70\r\n${tooMany}`))).toMatchObject({ status: 513 });
    const body = 'y'.repeat(65535 - Buffer.byteLength(options({ 'Content-Length': '65535' })) + 1);
    expect(failure(options({ 'Content-Length': String(body.length) }, body))).toMatchObject({ status: 513 });
  });
});
