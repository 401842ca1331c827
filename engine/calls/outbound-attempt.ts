import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Trunk } from '../../config/trunks.js';
import type { Endpoint, MediaServer } from '../../media/types.js';
import { DialTargetError, resolveDialTarget } from '../outbound/dial-target.js';
import type { FromParty } from '../outbound/from-header.js';
import { placeCall } from '../outbound/place-call.js';
import type { SignalingEvents } from '../signaling-events/call-signaling.js';
import type { CallSession } from './call-session.js';
import { xHeaders } from './sip-call-params.js';
import type { StatusEvents } from './status-events.js';

export interface OutboundAttemptDeps {
  srf: Srf;
  media: MediaServer;
  trunks: readonly Trunk[];
  signaling?: SignalingEvents;
}

export interface OutboundAttemptOptions {
  /** The call being placed (status queued); its status follows the attempt. */
  session: CallSession;
  status: StatusEvents;
  /** A phone number (through a trunk) or a sip:/sips: URI. */
  to: string;
  auth?: { username?: string; password?: string };
  /** Headers of the INVITE (a Sip noun's X- headers). */
  headers?: Readonly<Record<string, string>>;
  /** The From user (a number or a name), display name, and host when the call names one. */
  from: FromParty;
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** An endpoint the call's media will be bridged with (the caller of a Dial): its media host is preferred. */
  near?: Endpoint;
  /** The called party sent early media, now playing on `endpoint`. */
  onEarlyMedia?: (endpoint: Endpoint) => void;
  /** The call rings: its first provisional response, with that response's status. */
  onRinging?: (sipStatus: number) => void;
  log: Logger;
}

/** What the SIP side of an attempt tells an application (Twilio's DialSipCallId and DialSipHeader_*). */
export interface SipOutcome {
  /** The INVITE's Call-ID, once it was sent. */
  callId?: string;
  /** The X- headers of the final response. */
  headers: Readonly<Record<string, string>>;
}

export type OutboundAttempt =
  | { answered: { dialog: Srf.Dialog; endpoint: Endpoint }; sip: SipOutcome }
  | { status: 'busy' | 'no-answer' | 'failed' | 'canceled'; sipStatus?: number; reason: string; sip?: SipOutcome };

/** The user part of a From as applications give it: a number, a name, a SIP URI, or Twilio's client:<name>. */
export function fromUser(from: string): string {
  const m = /^sips?:([^@;>]+)@/i.exec(from.trim());
  if (m) return decodeURIComponent(m[1]!);
  return from.trim().replace(/^client:/i, '');
}

/**
 * Places a call with media: a media endpoint makes the SDP offer, the
 * INVITE goes out (through a trunk for a number), 18x moves the call to
 * ringing, early media reaches the endpoint, and the answer's SDP completes
 * it. The session's status and callbacks (initiated, ringing, answered)
 * follow; the caller of this function sends completed.
 */
export async function attemptOutbound(deps: OutboundAttemptDeps, opts: OutboundAttemptOptions): Promise<OutboundAttempt> {
  const { session, status, log } = opts;
  const fail = (reason: string, sipStatus?: number): OutboundAttempt => {
    session.sipResponseCode = sipStatus;
    session.setStatus('failed');
    log.warn({ to: opts.to, reason, sipStatus }, 'outbound call failed');
    return { status: 'failed', sipStatus, reason };
  };
  let target;
  try {
    target = resolveDialTarget(opts.to, deps.trunks, opts.auth);
  } catch (err) {
    if (err instanceof DialTargetError) return fail(err.message);
    throw err;
  }
  status.send('initiated', session);
  let endpoint: Endpoint;
  try {
    endpoint = await deps.media.createEndpoint({ callId: session.sid, near: opts.near });
  } catch (err) {
    return fail(`media: ${(err as Error).message}`);
  }
  let finalHeaders: Record<string, string> = {};
  const sip = (): SipOutcome => ({ ...(session.callId !== undefined ? { callId: session.callId } : {}), headers: finalHeaders });
  const outcome = await placeCall({
    srf: deps.srf,
    target,
    from: opts.from,
    localSdp: endpoint.localSdp,
    timeoutSeconds: opts.timeoutSeconds,
    ...(opts.headers ? { headers: { ...opts.headers } } : {}),
    signal: opts.signal,
    log,
    onRequestSent: (callId) => (session.callId = callId),
    onResponse: (res) => {
      if ((res.status ?? 0) >= 200) finalHeaders = xHeaders((res as { headers?: Readonly<Record<string, unknown>> }).headers);
      deps.signaling?.responseReceived(session, res);
    },
    onProvisional: (sipStatus) => {
      if (!session.setStatus('ringing')) return;
      status.send('ringing', session);
      opts.onRinging?.(sipStatus);
    },
    onEarlyMedia: (sdp) => {
      endpoint.modify(sdp).then(
        () => opts.onEarlyMedia?.(endpoint),
        (err: unknown) => log.warn({ reason: (err as Error).message }, 'early media SDP refused'),
      );
    },
  });
  if (outcome.kind !== 'answered') {
    await endpoint.destroy().catch(() => undefined);
    session.sipResponseCode = outcome.sipStatus;
    session.setStatus(outcome.kind);
    log.info({ to: opts.to, status: outcome.kind, sipStatus: outcome.sipStatus, reason: outcome.reason }, 'outbound call not answered');
    return { status: outcome.kind, sipStatus: outcome.sipStatus, reason: outcome.reason, sip: sip() };
  }
  try {
    await endpoint.modify(outcome.remoteSdp);
  } catch (err) {
    // RFC 3264 6.1 leaves no way to refuse an answer: the only way out is to end the call.
    outcome.dialog.destroy();
    await endpoint.destroy().catch(() => undefined);
    return fail(`the answer's SDP is not usable: ${(err as Error).message}`, 488);
  }
  session.sipResponseCode = 200;
  session.setStatus('in-progress');
  status.send('answered', session);
  log.info({ to: opts.to, callId: outcome.callId }, 'outbound call answered');
  return { answered: { dialog: outcome.dialog, endpoint }, sip: sip() };
}
