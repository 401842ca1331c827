/**
 * Shared pieces of the SIP server integration tests: scenario paths, the SDP
 * the application answers with, short timers and how long to wait for the
 * server to forget a call.
 */
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { SippSession, type SippProcess } from '../../support/sipp.js';
import { startSrfHarness, type SipTimers, type SrfHarness } from '../../support/srf-app.js';
import { startIntegrationHarness, type IntegrationHarness } from './harness.js';

export function scenario(name: string): string {
  return fileURLToPath(new URL(`../../scenarios/${name}.xml`, import.meta.url));
}

/**
 * Short RFC 3261 timers so that transactions end quickly after each call
 * (Timers H, J, L = 64*T1 = 3.2 s; Timer D, normally 32 s, as long).
 */
export const FAST_TIMERS: Required<SipTimers> = { t1: 50, t2: 500, t4: 500, d: 3200 };

/**
 * Timer D's default: how long an INVITE client transaction stays Completed
 * after a non-2xx over UDP to absorb retransmissions, "at least 32 seconds"
 * (RFC 3261 §17.1.1.2); not derived from T1.
 */
export const TIMER_D_DEFAULT_MS = 32_000;

/**
 * How long transactions may linger after a call: the longest timer that
 * applies (64*T1, or Timer D after an outbound call failed over UDP) and some
 * slack.
 */
export function idleDeadlineMs(timers: SipTimers, opts: { timerD?: boolean } = {}): number {
  const longest = Math.max(64 * (timers.t1 ?? 500), opts.timerD ? (timers.d ?? TIMER_D_DEFAULT_MS) : 0);
  return longest + 3000;
}

/** The application's SDP answer; the test finds s=dialtone-app in what SIPp received. */
export const APP_SDP = [
  'v=0',
  'o=dialtone 3001 1 IN IP4 127.0.0.1',
  's=dialtone-app',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

/** The application's second offer/answer (re-INVITE), version 2 of the same session. */
export const APP_SDP_2 = [
  'v=0',
  'o=dialtone 3001 2 IN IP4 127.0.0.1',
  's=dialtone-app-2',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40002 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

/** The tag parameter of a From/To header value. */
export function tagOf(header: string | undefined): string | undefined {
  return header ? /;\s*tag=([^;>\s]+)/i.exec(header)?.[1] : undefined;
}

/** A SIP URI for a SIPp peer, with ;transport=tcp when it listens on TCP (RFC 3261 §19.1.1). */
export function uriOf(peer: SippProcess): string {
  return `sip:service@${peer.target}${peer.transport === 'tcp' ? ';transport=tcp' : ''}`;
}

/** SIPp processes of one test, stopped when it ends (a vitest fixture). */
// eslint-disable-next-line no-empty-pattern
export async function sippFixture({}: object, use: (s: SippSession) => Promise<void>): Promise<void> {
  const session = new SippSession();
  try {
    await use(session);
  } finally {
    await session.stopAll();
  }
}

/**
 * A vitest test with its own SIP server, connected drachtio-srf app
 * (`harness`, FAST_TIMERS) and SIPp processes (`sipp`), all torn down when
 * the test ends; tests using it can run concurrently.
 */
export const sipTest = test.extend<{ harness: SrfHarness; sipp: SippSession }>({
  // eslint-disable-next-line no-empty-pattern
  harness: async ({}, use) => {
    const harness = await startSrfHarness({ timers: FAST_TIMERS });
    try {
      await use(harness);
    } finally {
      await harness.stop();
    }
  },
  sipp: sippFixture,
});

/**
 * sipTest against the server of this run: the embedded one, or a real
 * drachtio-server in the drachtio variant (see harness.ts), where
 * `harness.server` is undefined.
 */
export const serverTest = test.extend<{ harness: IntegrationHarness; sipp: SippSession }>({
  // eslint-disable-next-line no-empty-pattern
  harness: async ({}, use) => {
    const harness = await startIntegrationHarness({ timers: FAST_TIMERS });
    try {
      await use(harness);
    } finally {
      await harness.stop();
    }
  },
  sipp: sippFixture,
});
