/**
 * RFC 4475 conformance: the 50 torture messages sent to the running server
 * over UDP and over TCP, with a drachtio-srf application (torture-app.ts)
 * connected. Each must get the response RFC 4475 and its README call for, or
 * none; afterwards the server still serves a whole call.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RFC4475_DIR as TORTURE_DIR } from '../../support/fixtures.js';
import { startServerWithApp, type RunningServer } from '../../support/sip-server-harness.js';
import { isProbe, placeCall, probeOptions, sendAckForFailure } from '../../support/sip-test-calls.js';
import { cseqMethod, header, openPeer, TcpPeer, type SipPeer, type WireMessage } from '../../support/sip-wire-peer.js';
import { ANSWER_SDP, installTortureApp } from './torture-app.js';
import { TORTURE_CASES, type TortureCase } from './rfc4475-cases.js';

/** Short timers so that an unabsorbed retransmission shows up quickly (RFC 3261 §17.2.1 timer G = T1). */
const T1 = 100;
const RESPONSE_DEADLINE_MS = 5000;
/** How long silence must last, after a later probe was answered, to count as a drop. */
const QUIET_MS = 500;

const LWS = String.raw`(?:[ \t]|\r\n[ \t])*`;
/** The sent-by of a Via header line (§20.42: `SIP / 2.0 / transport LWS sent-by`), folding allowed. */
const VIA_SENT_BY = new RegExp(
  String.raw`(\r\n(?:via|v)[ \t]*:${LWS}SIP${LWS}/${LWS}[0-9.]+${LWS}/${LWS}[A-Za-z]+(?:[ \t]|\r\n[ \t])+)` +
    String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d+)?`,
  'i',
);
const START_LINE = /(^|\r\n\r\n)[!-~]+ [^ \r\n]+ SIP\/2\.0\r\n/g;

/** The top Via's sent-by of each request in `text` (one, or every one for 'each') becomes 127.0.0.1:port. */
function rewriteVia(text: string, port: number, each: boolean): { text: string; count: number } {
  const starts = each ? [...text.matchAll(START_LINE)].map((m) => m.index ?? 0) : [0];
  let count = 0;
  let out = '';
  starts.forEach((start, i) => {
    const segment = text.slice(start, starts[i + 1] ?? text.length);
    const replaced = segment.replace(VIA_SENT_BY, (_m, prefix: string) => `${prefix}127.0.0.1:${port}`);
    if (replaced !== segment) count++;
    out += replaced;
  });
  return { text: out, count };
}

function prepareForUdp(original: Buffer, c: TortureCase, port: number): Buffer {
  if (c.via === 'keep') return original;
  const { text, count } = rewriteVia(original.toString('latin1'), port, c.via === 'each');
  expect(count, `Via rewrite of ${c.file}`).toBe(c.via === 'each' ? 2 : 1);
  return Buffer.from(text, 'latin1');
}

function finalKey(m: WireMessage): string {
  return `${header(m, 'call-id')}|${header(m, 'cseq')}|${m.status}`;
}

/** Final responses to the torture message (not to probes), one per distinct response (retransmissions folded). */
function caseFinals(peer: SipPeer): WireMessage[] {
  const seen = new Set<string>();
  const out: WireMessage[] = [];
  for (const m of peer.received) {
    if (m.status === undefined || m.status < 200 || isProbe(m)) continue;
    const key = finalKey(m);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let running: RunningServer;

beforeAll(async () => {
  running = await startServerWithApp(installTortureApp, { timers: { t1: T1, t2: 800, t4: 1000 } });
});

afterAll(async () => {
  await running?.stop();
});

it('covers the 50 messages of the set', () => {
  const files = readdirSync(TORTURE_DIR)
    .filter((f) => f.endsWith('.dat'))
    .map((f) => f.slice(0, -4))
    .sort();
  expect(files).toHaveLength(50);
  expect(TORTURE_CASES.map((c) => c.file).sort()).toEqual(files);
});

async function runCase(c: TortureCase, transport: 'udp' | 'tcp'): Promise<void> {
  const want = c[transport];
  const target = transport === 'udp' ? running.udp : running.tcp;
  const original = readFileSync(path.join(TORTURE_DIR, `${c.file}.dat`));
  const peer = await openPeer(transport, target);
  try {
    const bytes = transport === 'udp' ? prepareForUdp(original, c, peer.local.port) : original;
    peer.send(bytes);

    if (want.finals.length > 0 && !want.orNothing) {
      await peer.waitFor(() => caseFinals(peer).length >= want.finals.length, RESPONSE_DEADLINE_MS);
    }

    // §17.1.1.3: a non-2xx final response to an INVITE is acknowledged.
    const requestUri = bytes.toString('latin1').split('\r\n')[0].split(/[ \t]+/)[1] ?? '';
    const acks: Array<{ callId: string | undefined; at: number }> = [];
    for (const m of caseFinals(peer)) {
      if (cseqMethod(m) === 'INVITE' && (m.status ?? 0) >= 300 && sendAckForFailure(peer, m, requestUri)) {
        acks.push({ callId: header(m, 'call-id'), at: performance.now() });
      }
    }

    if (transport === 'tcp' && want.closes) {
      expect(await (peer as TcpPeer).closedWithin(RESPONSE_DEADLINE_MS), 'server closes the connection').toBe(true);
    } else if (want.finals.length === 0 || want.orNothing || (transport === 'udp' && acks.length > 0)) {
      // A drop is the absence of a response: a probe sent after the message is
      // answered (so the message was processed), then the line stays quiet.
      const prober = transport === 'tcp' && want.poisoned ? await openPeer('tcp', target) : peer;
      try {
        expect(await probeOptions(prober, target, RESPONSE_DEADLINE_MS)).toBe(200);
      } finally {
        if (prober !== peer) await prober.close();
      }
      await pause(QUIET_MS);
    }

    const got = caseFinals(peer).map((m) => m.status);
    if (want.orNothing && got.length === 0) return;
    expect(got.length, `responses to ${c.file}: ${JSON.stringify(got)}`).toBe(want.finals.length);
    got.forEach((s, i) => expect(want.finals[i], `response ${i + 1} to ${c.file}`).toContain(s));

    // An ACK that matched the INVITE server transaction stops the final
    // response's retransmission (timer G, §17.2.1): nothing after ACK + T1.
    for (const ack of acks) {
      const late = peer.received.filter(
        (m) => (m.status ?? 0) >= 200 && header(m, 'call-id') === ack.callId && m.at > ack.at + T1 + 50,
      );
      expect(late.map((m) => m.startLine), `${c.file}: final response retransmitted after ACK`).toEqual([]);
    }
  } finally {
    await peer.close();
  }
}

describe.each(['udp', 'tcp'] as const)('RFC 4475 over %s', (transport) => {
  it.each(TORTURE_CASES)('$file (§$section)', async (c) => {
    await runCase(c, transport);
  });

  it('still serves a whole call afterwards: INVITE 200 from the app, ACK, BYE 200', async () => {
    const target = transport === 'udp' ? running.udp : running.tcp;
    const peer = await openPeer(transport, target);
    try {
      expect(await probeOptions(peer, target)).toBe(200);
      const call = await placeCall(peer, target);
      expect(call.inviteStatus).toBe(200);
      expect(call.answerSdp).toContain(ANSWER_SDP.split('\r\n')[5]);
      expect(call.byeStatus).toBe(200);
    } finally {
      await peer.close();
    }
    expect(running.server.stats().apps).toBe(1);
  });
});
