/**
 * RFC 4475 torture messages, read from test/fixtures/rfc4475, checked
 * at the message layer: parsed as one UDP datagram, and fed as a TCP byte
 * stream through the framer. Responses that depend on the application
 * (416, 420, 415, 401, ...) are decided above this layer, so for those the
 * message must simply parse and validate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamFramer } from '../../../engine/sipstack/message/framer.js';
import { parseMessage, type ParseOutcome } from '../../../engine/sipstack/message/parser.js';
import { RFC4475_DIR as dir } from '../../support/fixtures.js';

type Expected = 'ok' | 'drop' | 400 | 501 | 505;

const EXPECTED: Record<string, Expected> = {
  // §3.1.1 valid messages that are hard to parse
  wsinv: 'ok', // §3.1.1.1 short tortuous INVITE: LWS, folding, compact forms
  intmeth: 'ok', // §3.1.1.2 wide range of valid characters
  esc01: 'ok', // §3.1.1.3 escaped characters in URIs
  escnull: 'ok', // §3.1.1.4 escaped NULLs in URIs
  esc02: 'ok', // §3.1.1.5 '%' in places that are not escapes
  lwsdisp: 'ok', // §3.1.1.6 no LWS between display name and '<'
  longreq: 'ok', // §3.1.1.7 long values, many Via headers
  dblreq: 'ok', // §3.1.1.8 extra trailing octets in a datagram are discarded
  semiuri: 'ok', // §3.1.1.9 semicolon-separated parameters in the user part
  transports: 'ok', // §3.1.1.10 unknown transport in Via
  mpart01: 'ok', // §3.1.1.11 multipart binary body
  unreason: 'ok', // §3.1.1.12 unusual reason phrase
  noreason: 'ok', // §3.1.1.13 empty reason phrase
  // §3.1.2 invalid messages
  badinv01: 400, // §3.1.2.1 extraneous header field separators
  clerr: 400, // §3.1.2.2 Content-Length larger than the datagram
  ncl: 400, // §3.1.2.3 negative Content-Length
  scalar02: 400, // §3.1.2.4 request scalar fields with overlarge values
  scalarlg: 'drop', // §3.1.2.5 response scalar fields with overlarge values
  quotbal: 400, // §3.1.2.6 unterminated quoted string in display name
  ltgtruri: 400, // §3.1.2.7 <> enclosing the Request-URI
  lwsruri: 400, // §3.1.2.8 malformed SIP Request-URI (embedded LWS)
  lwsstart: 'ok', // §3.1.2.9 multiple SP in the Request-Line: accepted (liberal)
  trws: 'ok', // §3.1.2.10 SP after the version: accepted (liberal)
  escruri: 'ok', // §3.1.2.11 escaped headers in the Request-URI: left to the application
  baddate: 'ok', // §3.1.2.12 invalid time zone in Date: Date is not interpreted
  regbadct: 'ok', // §3.1.2.13 '?' in an unbracketed Contact URI: accepted (liberal)
  badaspec: 'ok', // §3.1.2.14 LWS inside <>: accepted (liberal)
  baddn: 'ok', // §3.1.2.15 unquoted display name with a comma: accepted (liberal)
  badvers: 505, // §3.1.2.16 unknown protocol version
  mismatch01: 400, // §3.1.2.17 CSeq method differs from the request method
  mismatch02: 501, // §3.1.2.18 unknown method with a CSeq method mismatch
  bigcode: 'drop', // §3.1.2.19 overlarge response code
  // §3.2 transaction layer
  badbranch: 'ok', // §3.2.1 branch with only the magic cookie: the transaction layer decides
  // §3.3 application-layer semantics
  insuf: 400, // §3.3.1 missing mandatory header fields (To, From, Call-ID, Max-Forwards)
  unkscm: 'ok', // §3.3.2 unknown Request-URI scheme: 416 from the application
  novelsc: 'ok', // §3.3.3 novel scheme: 416 or 404 from the application
  unksm2: 'ok', // §3.3.4 unknown schemes in To/From/Contact: the registrar answers
  bext01: 'ok', // §3.3.5 unknown Proxy-Require/Require: 420 from the application
  invut: 'ok', // §3.3.6 unknown Content-Type: 415 from the application
  regaut01: 'ok', // §3.3.7 unknown authorization scheme: 401 from the application
  multi01: 400, // §3.3.8 multiple values in single-value header fields
  mcl01: 'drop', // §3.3.9 multiple Content-Length values: discarded on UDP
  bcast: 'ok', // §3.3.10 broadcast sent-by in a response: the transport layer drops it
  zeromf: 'ok', // §3.3.11 Max-Forwards of zero: processed by an endpoint
  cparam01: 'ok', // §3.3.12 Contact addr-spec with an unknown parameter
  cparam02: 'ok', // §3.3.13 the same within <>
  regescrt: 'ok', // §3.3.14 escaped headers in a REGISTER Contact
  sdp01: 'ok', // §3.3.15 unacceptable Accept: 406 or 400 from the application
  // §3.4 backward compatibility
  inv2543: 'ok', // §3.4.1 RFC 2543 INVITE (no branch cookie, no Content-Length on UDP)
  test: 'drop', // in the archive without a section: no SIP version and no Via, nothing to answer
};

function outcomeOf(o: ParseOutcome): Expected | string {
  if (o.ok) return 'ok';
  if (o.drop) return 'drop';
  return o.status === 400 || o.status === 501 || o.status === 505 ? o.status : `status ${o.status}`;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.dat')).sort();

describe('RFC 4475 torture messages over UDP', () => {
  it('has all 50 messages and an expectation for each', () => {
    expect(files).toHaveLength(50);
    expect(files.map((f) => f.replace(/\.dat$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    const name = file.replace(/\.dat$/, '');
    it(`${name}: ${String(EXPECTED[name])}`, () => {
      const outcome = parseMessage(readFileSync(path.join(dir, file)), { datagram: true });
      expect(outcomeOf(outcome), outcome.ok ? '' : outcome.error).toBe(EXPECTED[name]);
      if (!outcome.ok && !outcome.drop) {
        // A response is due, so the request must be there to build it from.
        expect(outcome.request?.headers.has('via')).toBe(true);
      }
    });
  }
});

/** Over TCP the framing rules differ only where Content-Length is missing, wrong or duplicated. */
const TCP_FRAMING: Record<string, string> = {
  clerr: 'incomplete', // waits for the 9999 announced octets
  inv2543: 'error', // §18.3: no Content-Length on a stream
  mcl01: 'error', // §3.3.9: close the connection
  ncl: 'error', // a negative length cannot frame anything
  // Two requests back to back; the second announces 150 octets but carries 155,
  // so the last 5 ("C" CRLF CRLF) are a message with no Content-Length.
  dblreq: 'two then error',
};

describe('RFC 4475 torture messages over a TCP stream', () => {
  for (const file of files) {
    const name = file.replace(/\.dat$/, '');
    it(`${name}`, () => {
      const data = readFileSync(path.join(dir, file));
      const items = new StreamFramer().push(data);
      const framing = TCP_FRAMING[name];
      if (framing === 'incomplete') {
        expect(items).toEqual([]);
        return;
      }
      if (framing === 'error') {
        expect(items.map((i) => i.kind)).toEqual(['error']);
        return;
      }
      const messages = items.filter((i) => i.kind === 'message');
      if (framing === 'two then error') {
        expect(items.map((i) => i.kind)).toEqual(['message', 'message', 'error']);
      } else {
        expect(items.map((i) => i.kind)).toEqual(['message']);
      }
      for (const m of messages) {
        if (m.kind !== 'message') continue;
        const outcome = parseMessage(m.data);
        const expected = EXPECTED[name];
        expect(outcomeOf(outcome), outcome.ok ? '' : outcome.error).toBe(expected);
      }
    });
  }
});

describe('RFC 4475 valid messages: what the parser reads from them', () => {
  function read(name: string) {
    const outcome = parseMessage(readFileSync(path.join(dir, `${name}.dat`)), { datagram: true });
    if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
    return outcome.message;
  }

  it('wsinv (§3.1.1.1): folded and spaced values come out unfolded and trimmed', () => {
    const m = read('wsinv');
    expect(m.headers.get('to')).toBe('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
    expect(m.headers.get('cseq')).toBe('0009 INVITE');
    expect(m.headers.get('subject')).toBe('');
    expect(m.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.headers.values('via')).toHaveLength(3);
    expect(m.headers.get('content-length')).toBe('150');
    expect(m.body.length).toBe(150);
  });

  it('intmeth (§3.1.1.2): unusual method, URI and UTF-8 values', () => {
    const m = read('intmeth');
    expect(m.kind === 'request' && m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.headers.get("extensionHeader-!.%*+_`'~")).toBe('\u{FEFF}大停電');
  });

  it('esc02 (§3.1.1.5): C%6Fntact is not Contact', () => {
    const m = read('esc02');
    expect(m.headers.values('contact')).toEqual(['<sip:alias1@host1.example.com>', '<sip:alias3@host3.example.com>']);
    expect(m.kind === 'request' && m.method).toBe('RE%47IST%45R');
  });

  it('longreq (§3.1.1.7): 34 Via values in every spelling of the name', () => {
    expect(read('longreq').headers.values('via')).toHaveLength(34);
  });

  it('dblreq (§3.1.1.8): only the first request of the datagram is read', () => {
    const m = read('dblreq');
    expect(m.kind === 'request' && m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
  });

  it('mpart01 (§3.1.1.11): the binary body is kept byte for byte', () => {
    const raw = readFileSync(path.join(dir, 'mpart01.dat'));
    const m = read('mpart01');
    expect(m.body.length).toBe(553);
    expect(m.body).toEqual(raw.subarray(raw.length - 553));
  });

  it('unreason and noreason (§3.1.1.12-13): reason phrases as sent', () => {
    const u = read('unreason');
    expect(u.kind === 'response' && u.reason.startsWith('= 2**3 * 5**2 но сто девяносто')).toBe(true);
    const n = read('noreason');
    expect(n.kind === 'response' && [n.status, n.reason]).toEqual([100, '']);
  });
});
