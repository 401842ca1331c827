import { describe, expect, it } from 'vitest';
import { StreamFramer, type FramedItem } from '../../../engine/sipstack/message/framer.js';
import { parseMessage } from '../../../engine/sipstack/message/parser.js';

const INVITE =
  'INVITE sip:bob@example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKf1\r\n' +
  'Max-Forwards: 70\r\n' +
  'To: <sip:bob@example.com>\r\n' +
  'From: <sip:alice@example.com>;tag=a\r\n' +
  'Call-ID: framer1@192.0.2.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Content-Type: application/sdp\r\n' +
  'Content-Length: 10\r\n' +
  '\r\n' +
  'v=0\r\n\r\nxyz';
const BYE =
  'BYE sip:bob@example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKf2\r\n' +
  't: <sip:bob@example.com>;tag=b\r\n' +
  'f: <sip:alice@example.com>;tag=a\r\n' +
  'i: framer1@192.0.2.1\r\n' +
  'CSeq: 2 BYE\r\n' +
  'l: 0\r\n' +
  '\r\n';
const STREAM = Buffer.from(`${INVITE}\r\n\r\n${BYE}\r\n${INVITE}`);

function kinds(items: FramedItem[]): string[] {
  return items.map((i) => (i.kind === 'message' ? `message:${i.data.toString().split(' ')[0]}` : i.kind));
}

function messages(items: FramedItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'message' ? [i.data.toString()] : []));
}

describe('StreamFramer', () => {
  it('cuts messages at Content-Length, reports a CRLFCRLF ping and skips a CRLF pong', () => {
    const items = new StreamFramer().push(STREAM);
    expect(kinds(items)).toEqual(['message:INVITE', 'keepalive', 'message:BYE', 'message:INVITE']);
    expect(messages(items)).toEqual([INVITE, BYE, INVITE]);
  });

  it('gives the same result for every split point of the stream into two chunks', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      const framer = new StreamFramer();
      const items = [...framer.push(STREAM.subarray(0, at)), ...framer.push(STREAM.subarray(at))];
      expect(kinds(items), `split at ${at}`).toEqual(['message:INVITE', 'keepalive', 'message:BYE', 'message:INVITE']);
      expect(messages(items), `split at ${at}`).toEqual([INVITE, BYE, INVITE]);
      expect(framer.pending).toBe(0);
    }
  });

  it('gives the same result for every pair of split points (three chunks) of one message', () => {
    const one = Buffer.from(BYE);
    for (let a = 0; a <= one.length; a++) {
      for (let b = a; b <= one.length; b++) {
        const framer = new StreamFramer();
        const items = [...framer.push(one.subarray(0, a)), ...framer.push(one.subarray(a, b)), ...framer.push(one.subarray(b))];
        expect(messages(items), `split at ${a}, ${b}`).toEqual([BYE]);
      }
    }
  });

  it('frames one byte at a time', () => {
    const framer = new StreamFramer();
    const items: FramedItem[] = [];
    for (const byte of STREAM) items.push(...framer.push(Buffer.from([byte])));
    expect(messages(items)).toEqual([INVITE, BYE, INVITE]);
  });

  it('hands out copies that later input does not overwrite, which the parser accepts', () => {
    const framer = new StreamFramer();
    const first = framer.push(Buffer.from(BYE));
    framer.push(Buffer.from(INVITE.replace(/./g, 'Z')));
    expect(messages(first)).toEqual([BYE]);
    const item = first[0];
    const outcome = item.kind === 'message' ? parseMessage(item.data) : undefined;
    expect(outcome?.ok).toBe(true);
  });

  it('reads the Content-Length in compact form, any case, with white space and folding', () => {
    for (const line of ['l: 3', 'L:3', 'content-length   : 3', 'CONTENT-LENGTH:\r\n 3']) {
      const msg = `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n${line}\r\n\r\nabc`;
      expect(messages(new StreamFramer().push(Buffer.from(msg + msg))), line).toEqual([msg, msg]);
    }
  });

  it('accepts bare LF line endings', () => {
    const msg = BYE.replace(/\r\n/g, '\n');
    expect(messages(new StreamFramer().push(Buffer.from(msg + msg)))).toEqual([msg, msg]);
  });

  it.each([
    ['no Content-Length (§18.3)', 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n', /without Content-Length/],
    ['a negative Content-Length', 'OPTIONS sip:a@b SIP/2.0\r\nl: -5\r\n\r\n', /bad Content-Length/],
    ['conflicting Content-Length values', 'OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\nContent-Length: 6\r\n\r\n', /conflicting/],
    ['a Content-Length over the limit', 'OPTIONS sip:a@b SIP/2.0\r\nl: 70000\r\n\r\n', /bad Content-Length|larger/],
  ])('reports an error once for %s, then ignores the connection', (_what, text, pattern) => {
    const framer = new StreamFramer();
    const items = framer.push(Buffer.from(text + BYE));
    expect(items).toHaveLength(1);
    expect(items[0].kind === 'error' && items[0].error).toMatch(pattern);
    expect(framer.push(Buffer.from(BYE))).toEqual([]);
  });

  it('reports an error when the header section grows past maxBytes without an empty line', () => {
    const framer = new StreamFramer({ maxBytes: 1000 });
    expect(framer.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n'))).toEqual([]);
    let items: FramedItem[] = [];
    for (let n = 0; n < 100 && items.length === 0; n++) items = framer.push(Buffer.from(`X-Filler-${n}: ${'f'.repeat(20)}\r\n`));
    expect(kinds(items)).toEqual(['error']);
    expect(items[0].kind === 'error' && items[0].error).toMatch(/larger than 1000/);
  });

  it('reports an error as soon as Content-Length announces more than maxBytes', () => {
    const msg = BYE.replace('l: 0', 'l: 990');
    expect(kinds(new StreamFramer({ maxBytes: 1000 }).push(Buffer.from(msg)))).toEqual(['error']);
  });

  it('waits for the rest of a body', () => {
    const framer = new StreamFramer();
    const cut = INVITE.length - 4;
    expect(framer.push(Buffer.from(INVITE.slice(0, cut)))).toEqual([]);
    expect(framer.pending).toBe(cut);
    expect(messages(framer.push(Buffer.from(INVITE.slice(cut))))).toEqual([INVITE]);
  });

  it('stays linear on a large message fed one byte at a time', () => {
    const body = 'b'.repeat(60_000);
    const msg = Buffer.from(BYE.replace('l: 0', `l: ${body.length}`) + body);
    const framer = new StreamFramer();
    const items: FramedItem[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < msg.length; i++) items.push(...framer.push(msg.subarray(i, i + 1)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(messages(items)).toEqual([msg.toString()]);
    // Quadratic copying would take seconds here; linear work takes a few tens of ms.
    expect(ms).toBeLessThan(2000);
  });
});

describe('StreamFramer buffer reuse', () => {
  it('finds a message whose first half arrived just before the buffer was compacted', () => {
    const one = (n: number): Buffer =>
      Buffer.from(
        `OPTIONS sip:probe@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK${n}\r\n` +
          `From: <sip:a@example.com>;tag=${n}\r\nTo: <sip:probe@example.com>\r\nCall-ID: c${n}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      );
    const framer = new StreamFramer({ maxBytes: 65535 });
    let framed = 0;
    // Fill most of the first buffer with whole messages...
    let n = 0;
    let used = 0;
    // (the framer's first buffer is 4096 bytes; stop when the next message no longer fits whole)
    while (used + one(n).length <= 4096 - one(n).length / 2) {
      const m = one(n++);
      used += m.length;
      framed += framer.push(m).filter((i) => i.kind === 'message').length;
    }
    // ...then a message in two halves, the second of which forces a compaction.
    const last = one(n++);
    const half = Math.floor(last.length / 2);
    expect(framer.push(last.subarray(0, half))).toEqual([]);
    expect(used + half).toBeLessThan(4096);
    expect(used + last.length).toBeGreaterThan(4096);
    const items = framer.push(last.subarray(half));
    expect(items.map((i) => i.kind)).toEqual(['message']);
    expect(framed).toBe(n - 1);
    expect(framer.pending).toBe(0);
  });
});
