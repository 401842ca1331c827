/**
 * Malformed and hostile input over UDP and TCP: truncated messages, bad start
 * lines, missing mandatory headers, wrong Content-Length, oversized messages,
 * too many headers, unknown methods, random bytes. Each gets the right
 * response or a silent drop, and after every batch the server still serves a
 * whole call and keeps its application connected.
 */
import Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startServerWithApp, type RunningServer } from '../../support/sip-server-harness.js';
import { isProbe, placeCall, probeOptions, token } from '../../support/sip-test-calls.js';
import { openPeer, TcpPeer, type HostPort, type SipPeer } from '../../support/sip-wire-peer.js';
import { prng } from '../../support/prng.js';

const MAX_MESSAGE_BYTES = 4096;
const MAX_HEADERS = 30;
const DEADLINE_MS = 5000;
const QUIET_MS = 300;
const SEED = 0x5eed4475;

const ANSWER_SDP = 'v=0\r\no=app 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\n';

/** Bodies of the MESSAGE requests the application received, by Call-ID. */
const messageBodies = new Map<string, string>();

/** The application: OPTIONS 200, MESSAGE 200 (remembering the body it got), INVITE answered with SDP. */
function installApp(srf: Srf): void {
  route(srf, 'options', (_req, res) => res.send(200));
  route(srf, 'message', (req, res) => {
    messageBodies.set(req.get('Call-ID'), req.body ?? '');
    res.send(200);
  });
  route(srf, 'invite', (req, res) => {
    srf.createUAS(req, res, { localSdp: ANSWER_SDP }).catch(() => undefined);
  });
}


function randomBytes(next: () => number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(next() * 256);
  return b;
}

interface Parts {
  startLine?: string;
  method?: string;
  omit?: string[];
  extra?: string[];
  body?: string;
  contentLength?: number | null;
  callId?: string;
}

/** A request from `peer` (top Via names its address, so a response comes back to it), with parts replaced. */
function request(peer: SipPeer, server: HostPort, p: Parts = {}): string {
  const method = p.method ?? 'OPTIONS';
  const body = p.body ?? '';
  const headerLines: Array<[string, string]> = [
    ['Via', `SIP/2.0/${peer.transport.toUpperCase()} ${peer.local.address}:${peer.local.port};branch=z9hG4bK${token()};rport`],
    ['Max-Forwards', '70'],
    ['From', `<sip:hostile@${peer.local.address}>;tag=${token(4)}`],
    ['To', `<sip:target@${server.address}>`],
    ['Call-ID', p.callId ?? `hostile-${token()}`],
    ['CSeq', `1 ${method}`],
  ];
  const lines = [p.startLine ?? `${method} sip:target@${server.address}:${server.port} SIP/2.0`];
  for (const [name, value] of headerLines) if (!p.omit?.includes(name)) lines.push(`${name}: ${value}`);
  lines.push(...(p.extra ?? []));
  if (body) lines.push('Content-Type: text/plain');
  if (p.contentLength !== null) lines.push(`Content-Length: ${p.contentLength ?? Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

interface Observation {
  /** Status codes of the final responses to what was sent (probes excluded), in order. */
  finals: number[];
  /** TCP: the server closed the connection. */
  closed: boolean;
}

let running: RunningServer;

beforeAll(async () => {
  running = await startServerWithApp(installApp, { maxMessageBytes: MAX_MESSAGE_BYTES, maxHeaders: MAX_HEADERS });
});

afterAll(async () => {
  await running?.stop();
});

function serverFor(transport: 'udp' | 'tcp'): HostPort {
  return transport === 'udp' ? running.udp : running.tcp;
}

function finalsOf(peer: SipPeer): number[] {
  return peer.received.filter((m) => (m.status ?? 0) >= 200 && !isProbe(m)).map((m) => m.status ?? 0);
}

/**
 * Sends what `build` makes on a fresh socket or connection. With `response`,
 * waits for a final response; otherwise waits until a later probe was
 * answered and the line stayed quiet (a drop is the absence of a response).
 * On TCP the probe uses another connection: the first may be misframed.
 * With `waitClose`, a TCP observation also waits for the server to close.
 */
async function observe(
  transport: 'udp' | 'tcp',
  build: (peer: SipPeer, server: HostPort) => Buffer | string | Array<Buffer | string>,
  response: boolean,
  waitClose = false,
): Promise<Observation> {
  const server = serverFor(transport);
  const peer = await openPeer(transport, server);
  try {
    const data = build(peer, server);
    for (const chunk of Array.isArray(data) ? data : [data]) peer.send(chunk);
    if (response) {
      await peer.waitFor((m) => (m.status ?? 0) >= 200 && !isProbe(m), DEADLINE_MS);
    } else {
      const prober = transport === 'udp' ? peer : await openPeer('tcp', server);
      try {
        expect(await probeOptions(prober, server, DEADLINE_MS)).toBe(200);
      } finally {
        if (prober !== peer) await prober.close();
      }
      await new Promise((r) => setTimeout(r, QUIET_MS));
    }
    const closed = peer instanceof TcpPeer && (waitClose ? await peer.closedWithin(DEADLINE_MS) : peer.isClosed);
    return { finals: finalsOf(peer), closed };
  } finally {
    await peer.close();
  }
}

/** A call still goes through on this transport, and the application is still connected. */
async function stillServes(transport: 'udp' | 'tcp'): Promise<void> {
  const server = serverFor(transport);
  const peer = await openPeer(transport, server);
  try {
    expect(await probeOptions(peer, server)).toBe(200);
    const call = await placeCall(peer, server);
    expect(call).toMatchObject({ inviteStatus: 200, byeStatus: 200 });
    expect(call.answerSdp).toContain('m=audio 42000');
  } finally {
    await peer.close();
  }
  expect(running.server.stats().apps).toBe(1);
}

const dropOr = (codes: number[]) => (o: Observation) =>
  expect(o.finals.length <= 1 && o.finals.every((s) => codes.includes(s)), `finals ${JSON.stringify(o.finals)}`).toBe(true);

describe.each(['udp', 'tcp'] as const)('hostile input over %s', (transport) => {
  it('truncated messages', async () => {
    const full = (peer: SipPeer, server: HostPort) =>
      request(peer, server, { method: 'MESSAGE', body: 'a body that will be cut short' });
    // Cut inside the start line: nothing to answer to.
    dropOr([400])(await observe(transport, (p, s) => full(p, s).slice(0, 12), false));
    // Cut inside the headers (no blank line): at most a 400.
    const cutHeaders = (p: SipPeer, s: HostPort) => {
      const m = full(p, s);
      return m.slice(0, m.indexOf('CSeq'));
    };
    dropOr([400])(await observe(transport, cutHeaders, false));
    // Cut inside the body: on UDP Content-Length exceeds the datagram, 400
    // (§18.3); on TCP the server waits for the rest, so nothing comes back.
    const cutBody = (p: SipPeer, s: HostPort) => full(p, s).slice(0, -10);
    if (transport === 'udp') expect((await observe(transport, cutBody, true)).finals).toEqual([400]);
    else expect((await observe(transport, cutBody, false)).finals).toEqual([]);
    await stillServes(transport);
  });

  it('bad start lines', async () => {
    const cases: Array<[string, (s: HostPort) => string, number[]]> = [
      ['unknown version', (s) => `OPTIONS sip:target@${s.address} SIP/3.0`, [505]],
      ['no Request-URI', () => 'OPTIONS  SIP/2.0', [400]],
      ['no version', (s) => `OPTIONS sip:target@${s.address}`, [400]],
      ['not SIP at all', () => 'GET / HTTP/1.1', [400]],
      ['Request-URI of spaces and junk', () => 'OPTIONS <<<>>> SIP/2.0', [400]],
    ];
    for (const [name, line, codes] of cases) {
      const o = await observe(transport, (p, s) => request(p, s, { startLine: line(s) }), codes[0] === 505);
      expect(o.finals.length <= 1 && o.finals.every((c) => codes.includes(c)), `${name}: ${JSON.stringify(o.finals)}`).toBe(true);
      if (codes[0] === 505) expect(o.finals, name).toEqual([505]);
    }
    // A response with a non-numeric status: never answered.
    const badResponse = await observe(transport, (p, s) => request(p, s, { startLine: 'SIP/2.0 abc OK' }), false);
    expect(badResponse.finals).toEqual([]);
    await stillServes(transport);
  });

  it('each mandatory header missing: 400, or a drop when there is no Via to answer to', async () => {
    for (const missing of ['From', 'To', 'Call-ID', 'CSeq']) {
      const o = await observe(transport, (p, s) => request(p, s, { omit: [missing] }), true);
      expect(o.finals, `without ${missing}`).toEqual([400]);
    }
    // §18.2.2 needs the Via to route a response; over TCP the connection would do.
    dropOr([400])(await observe(transport, (p, s) => request(p, s, { omit: ['Via'] }), false));
    await stillServes(transport);
  });

  it('Content-Length shorter than the body: the body is cut to it (§18.3)', async () => {
    const callId = `short-${token()}`;
    const o = await observe(
      transport,
      (p, s) => request(p, s, { method: 'MESSAGE', callId, body: 'hello world', contentLength: 5 }),
      true,
    );
    expect(o.finals[0]).toBe(200);
    expect(messageBodies.get(callId)).toBe('hello');
    await stillServes(transport);
  });

  it('Content-Length longer than the body', async () => {
    const callId = `long-${token()}`;
    const msg = (p: SipPeer, s: HostPort) => request(p, s, { method: 'MESSAGE', callId, body: 'hello', contentLength: 11 });
    if (transport === 'udp') {
      // §18.3: a datagram whose body is shorter than Content-Length is rejected with 400.
      expect((await observe('udp', msg, true)).finals).toEqual([400]);
      expect(messageBodies.has(callId)).toBe(false);
    } else {
      // On a stream the rest of the body is still to come: nothing happens
      // until it arrives, then the message is delivered whole.
      const server = serverFor('tcp');
      const peer = await openPeer('tcp', server);
      try {
        peer.send(msg(peer, server));
        const other = await openPeer('tcp', server);
        expect(await probeOptions(other, server)).toBe(200);
        await other.close();
        await new Promise((r) => setTimeout(r, QUIET_MS));
        expect(finalsOf(peer)).toEqual([]);
        expect(messageBodies.has(callId)).toBe(false);
        peer.send(' world');
        await peer.waitFor((m) => m.status === 200, DEADLINE_MS);
        expect(messageBodies.get(callId)).toBe('hello world');
      } finally {
        await peer.close();
      }
    }
    await stillServes(transport);
  });

  it('Content-Length that is not a number', async () => {
    for (const value of ['-1', 'ten', '99999999999999999999']) {
      const o = await observe(
        transport,
        (p, s) => request(p, s, { extra: [`Content-Length: ${value}`], contentLength: null }),
        transport === 'udp',
      );
      // UDP: 400. TCP: the stream cannot be framed; a 400 and/or closing the connection.
      if (transport === 'udp') expect(o.finals, value).toEqual([400]);
      else dropOr([400])(o);
    }
    await stillServes(transport);
  });

  it(`a message over maxMessageBytes (${MAX_MESSAGE_BYTES})`, async () => {
    const big = (p: SipPeer, s: HostPort) => request(p, s, { extra: [`X-Padding: ${'x'.repeat(MAX_MESSAGE_BYTES + 1000)}`] });
    const o = await observe(transport, big, false, true);
    // UDP: 513 Message Too Large or a drop. TCP: the connection is closed (a 513 first is fine).
    dropOr([513])(o);
    if (transport === 'tcp') expect(o.closed).toBe(true);
    await stillServes(transport);
  });

  it(`more header fields than maxHeaders (${MAX_HEADERS})`, async () => {
    const many = Array.from({ length: MAX_HEADERS + 10 }, (_, i) => `X-H${i}: ${i}`);
    const o = await observe(transport, (p, s) => request(p, s, { extra: many }), false);
    dropOr([400, 413, 513])(o);
    await stillServes(transport);
  });

  it('an unknown method nobody routes gets an error response, not silence', async () => {
    const o = await observe(transport, (p, s) => request(p, s, { method: 'FROBNICATE' }), true);
    expect(o.finals).toHaveLength(1);
    expect(o.finals[0]).toBeGreaterThanOrEqual(400);
    expect(o.finals[0]).toBeLessThan(600);
    await stillServes(transport);
  });

  it(`binary garbage after a valid start line (seed ${SEED})`, async () => {
    const next = prng(SEED);
    for (let i = 0; i < 20; i++) {
      const garbage = randomBytes(next, 50 + Math.floor(next() * 400));
      const o = await observe(
        transport,
        (_p, s) => [Buffer.from(`OPTIONS sip:target@${s.address} SIP/2.0\r\n`), garbage, Buffer.from('\r\n\r\n')],
        false,
      );
      dropOr([400])(o);
    }
    await stillServes(transport);
  });

  it(`random bytes; a bystander connection keeps being served (seed ${SEED + 1})`, async () => {
    const next = prng(SEED + 1);
    const server = serverFor(transport);
    if (transport === 'udp') {
      const peer = await openPeer('udp', server);
      try {
        for (let i = 0; i < 300; i++) peer.send(randomBytes(next, 1 + Math.floor(next() * 1400)));
        expect(await probeOptions(peer, server)).toBe(200);
        await new Promise((r) => setTimeout(r, QUIET_MS));
        expect(finalsOf(peer)).toEqual([]);
      } finally {
        await peer.close();
      }
    } else {
      // A bystander keeps one connection open through it all: another
      // peer's garbage must not disturb it.
      const bystander = await openPeer('tcp', server);
      try {
        for (let c = 0; c < 40; c++) {
          const peer = await openPeer('tcp', server);
          for (let i = 0; i < 5; i++) peer.send(randomBytes(next, 1 + Math.floor(next() * 2000)));
          expect(await probeOptions(bystander, server), `bystander probe after connection ${c}`).toBe(200);
          expect(finalsOf(peer)).toEqual([]);
          await peer.close();
        }
      } finally {
        await bystander.close();
      }
    }
    await stillServes(transport);
  });
});
