/**
 * Shared pieces of the outbound call tests: a SIP server with a connected
 * drachtio-srf application (short RFC 3261 timers), the test's SIPp peers,
 * scenario paths, our SDP offer, and a logger that keeps its lines so a
 * failing test can show them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { SippProcess } from '../support/sipp.js';
import { FAST_TIMERS, sipTest } from '../sipstack/integration/fixtures.js';

export { FAST_TIMERS };

export function scenario(name: string): string {
  return fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));
}

/**
 * uas-reject-with.xml answering with another final status: SIPp checks status
 * codes when it loads a scenario, so the status line cannot come from -key;
 * a copy with the line replaced is written into `dir`.
 */
export async function rejectingScenario(dir: string, status: number, reason: string): Promise<string> {
  const template = await readFile(scenario('uas-reject-with'), 'utf8');
  const statusLine = 'SIP/2.0 486 Busy Here';
  if (!template.includes(statusLine)) throw new Error(`uas-reject-with.xml has no '${statusLine}' line`);
  const path = join(dir, `uas-reject-${status}.xml`);
  await writeFile(path, template.replace(statusLine, `SIP/2.0 ${status} ${reason}`));
  return path;
}

/** How long the server may keep transactions after a call, with slack. */
export const IDLE_DEADLINE_MS = 64 * FAST_TIMERS.t1 + FAST_TIMERS.d + 2000;

/** The offer placeCall sends; the test finds s=dialtone-outbound in what SIPp received. */
export const OFFER_SDP = [
  'v=0',
  'o=dialtone 4001 1 IN IP4 127.0.0.1',
  's=dialtone-outbound',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 41000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

/** sip:<user>@<SIPp's address> with ;transport=tcp for a TCP peer. */
export function uriOf(peer: SippProcess, user = 'service'): string {
  return `sip:${user}@${peer.target}${peer.transport === 'tcp' ? ';transport=tcp' : ''}`;
}

export interface CapturedLog {
  log: Logger;
  lines(): string[];
}

/** A debug-level pino logger writing into memory. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

/**
 * A vitest test with its own SIP server and drachtio-srf app (`harness`),
 * its own SIPp processes (`sipp`) and log (`logs`), torn down when it ends.
 */
export const callTest = sipTest.extend<{ logs: CapturedLog; tmp: string }>({
  // eslint-disable-next-line no-empty-pattern
  logs: async ({}, use) => {
    await use(captureLog());
  },
  // eslint-disable-next-line no-empty-pattern
  tmp: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-outbound-'));
    try {
      await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
