/**
 * Well-formed requests and whole exchanges a test sends through a SipPeer:
 * an OPTIONS probe, a call (INVITE, 200, ACK, BYE, 200) and the ACK for a
 * non-2xx final response (RFC 3261 §17.1.1.3).
 */
import { randomBytes } from 'node:crypto';
import { cseqMethod, header, type HostPort, type SipPeer, type WireMessage } from './sip-wire-peer.js';

export function token(bytes = 6): string {
  return randomBytes(bytes).toString('hex');
}

export interface RequestSpec {
  method: string;
  uri: string;
  callId: string;
  cseq: number;
  fromTag: string;
  toTag?: string;
  branch?: string;
  body?: string;
  contentType?: string;
  extraHeaders?: string[];
}

/** A request whose top Via names the peer's own address, so responses come back to it (§18.2.2). */
export function buildRequest(peer: SipPeer, spec: RequestSpec): string {
  const transport = peer.transport.toUpperCase();
  const body = spec.body ?? '';
  const lines = [
    `${spec.method} ${spec.uri} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${peer.local.address}:${peer.local.port};branch=${spec.branch ?? `z9hG4bK${token()}`};rport`,
    'Max-Forwards: 70',
    `From: <sip:tester@${peer.local.address}>;tag=${spec.fromTag}`,
    `To: <${spec.uri}>${spec.toTag ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq} ${spec.method}`,
    `Contact: <sip:tester@${peer.local.address}:${peer.local.port};transport=${peer.transport}>`,
    ...(spec.extraHeaders ?? []),
  ];
  if (body) lines.push(`Content-Type: ${spec.contentType ?? 'application/sdp'}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body);
  return lines.join('\r\n');
}

export function isFinalFor(callId: string, method?: string) {
  return (m: WireMessage): boolean =>
    m.status !== undefined &&
    m.status >= 200 &&
    header(m, 'call-id') === callId &&
    (method === undefined || cseqMethod(m) === method);
}

/** Sends OPTIONS and resolves with the final response's status code. */
export async function probeOptions(peer: SipPeer, server: HostPort, timeoutMs = 5000): Promise<number> {
  const callId = `probe-${token()}`;
  const from = peer.received.length;
  peer.send(
    buildRequest(peer, {
      method: 'OPTIONS',
      uri: `sip:probe@${server.address}:${server.port}`,
      callId,
      cseq: 1,
      fromTag: token(4),
    }),
  );
  const res = await peer.waitFor(isFinalFor(callId), timeoutMs, from);
  return res.status ?? 0;
}

export function isProbe(m: WireMessage): boolean {
  return (header(m, 'call-id') ?? '').startsWith('probe-');
}

export const OFFER_SDP = [
  'v=0',
  'o=tester 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** The tag parameter of a From or To value. */
export function tagOf(value: string | undefined): string | undefined {
  return value ? /;\s*tag\s*=\s*([^;>\s,]+)/i.exec(value)?.[1] : undefined;
}

function uriOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const angle = /<([^>]+)>/.exec(value);
  return angle ? angle[1] : value.split(';')[0].trim();
}

export interface CallResult {
  inviteStatus: number;
  answerSdp: string;
  byeStatus: number;
}

/**
 * A whole call from the peer: INVITE with SDP to `user`, the 200 with SDP,
 * ACK, then BYE from the caller and its 200 (§13, §15.1.1).
 */
export async function placeCall(peer: SipPeer, server: HostPort, user = 'answer', timeoutMs = 5000): Promise<CallResult> {
  const callId = `call-${token()}`;
  const fromTag = token(4);
  const uri = `sip:${user}@${server.address}:${server.port}`;
  const from = peer.received.length;
  peer.send(buildRequest(peer, { method: 'INVITE', uri, callId, cseq: 1, fromTag, body: OFFER_SDP }));
  const answer = await peer.waitFor(isFinalFor(callId, 'INVITE'), timeoutMs, from);
  const status = answer.status ?? 0;
  if (status >= 300) {
    sendAckForFailure(peer, answer, uri);
    return { inviteStatus: status, answerSdp: '', byeStatus: 0 };
  }
  const toTag = tagOf(header(answer, 'to'));
  const target = uriOf(header(answer, 'contact')) ?? uri;
  // §13.2.2.4: the ACK for a 2xx is a new transaction, sent to the remote target.
  peer.send(buildRequest(peer, { method: 'ACK', uri: target, callId, cseq: 1, fromTag, toTag }));
  const byeFrom = peer.received.length;
  peer.send(buildRequest(peer, { method: 'BYE', uri: target, callId, cseq: 2, fromTag, toTag }));
  const byeRes = await peer.waitFor(isFinalFor(callId, 'BYE'), timeoutMs, byeFrom);
  return { inviteStatus: status, answerSdp: answer.body.toString('latin1'), byeStatus: byeRes.status ?? 0 };
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response has the Request-URI of the
 * INVITE, its top Via (taken from the response, which echoes it), the From,
 * Call-ID and CSeq number of the request, and the To of the response.
 */
export function sendAckForFailure(peer: SipPeer, res: WireMessage, requestUri: string): boolean {
  const via = header(res, 'via');
  const from = header(res, 'from');
  const to = header(res, 'to');
  const callId = header(res, 'call-id');
  const cseq = header(res, 'cseq')?.trim().split(/\s+/)[0];
  if (!via || !from || !to || !callId || !cseq) return false;
  // The server adds received/rport to the Via it echoes (§18.2.1); the ACK carries the Via we sent.
  const sentVia = via
    .split(',')[0]
    .replace(/;\s*received\s*=\s*[^;]*/i, '')
    .replace(/;\s*rport\s*=\s*\d+/i, ';rport');
  peer.send(
    [
      `ACK ${requestUri} SIP/2.0`,
      `Via: ${sentVia}`,
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ACK`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  return true;
}
