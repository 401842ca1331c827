import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { challengeHeaderValue } from '../auth/caller-authenticator.js';
import { ContactHeaderError, parseContacts, type ContactList } from './contact-header.js';
import type { FlowProtocol } from './registrar.js';
import type { SipRegistrar } from './sip-registrar.js';
import { sipUriParts } from '../routing/sip-uri-parts.js';

/** Methods the engine answers when it is no registrar (RFC 3261 §21.4.6: 405 carries Allow). */
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK, NOTIFY, REFER';

const PROTOCOLS = new Set<FlowProtocol>(['udp', 'tcp', 'tls', 'ws', 'wss']);

function flowProtocol(value: string | undefined): FlowProtocol {
  const p = (value ?? 'udp').toLowerCase() as FlowProtocol;
  return PROTOCOLS.has(p) ? p : 'udp';
}

function headerOf(req: Srf.SrfRequest, name: string): string | undefined {
  return req.has(name) ? req.get(name) : undefined;
}

/** "Bad Request - <why>" as a reason phrase: one line, printable, not too long. */
function badRequest(why: string): string {
  return `Bad Request - ${why}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
}

function send(res: Srf.SrfResponse, status: number, reason: string | undefined, headers: Record<string, string>, log: Logger): void {
  if (res.finalResponseSent) return;
  try {
    if (reason === undefined) res.send(status, { headers });
    else res.send(status, reason, { headers });
  } catch (err) {
    log.warn({ status, reason: (err as Error).message }, 'REGISTER response could not be sent');
  }
}

/**
 * The srf.register handler (RFC 3261 §10.3): digest authentication (401 with
 * one WWW-Authenticate per algorithm), then the bindings of the
 * authenticated user's address-of-record; the 200 OK lists every current
 * binding with its expires parameter and carries a Date header (§10.3 step 8).
 * Without SIP users the engine is no registrar: 405 Method Not Allowed.
 */
export function createRegisterHandler(registrar: SipRegistrar, log: Logger): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  return (req, res) => {
    const callId = headerOf(req, 'Call-ID') ?? '';
    handle(registrar, req, res, log.child({ callId })).catch((err: unknown) => {
      log.error({ err, callId }, 'REGISTER could not be handled');
      if (!res.finalResponseSent) send(res, 500, undefined, {}, log);
    });
  };
}

async function handle(registrar: SipRegistrar, req: Srf.SrfRequest, res: Srf.SrfResponse, log: Logger): Promise<void> {
  if (!registrar.active) {
    send(res, 405, undefined, { Allow: ALLOW }, log);
    return;
  }
  // RFC 3261 §10.3 step 2 (§8.2.2.3): the SIP server passes on the option tags it knows, but this registrar
  // honours none of them in a REGISTER (no Path, RFC 3327 §5.3; no outbound flows, RFC 5626): 420 with Unsupported.
  const required = (headerOf(req, 'Require') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (required.length > 0) {
    log.info({ require: required.join(', ').slice(0, 200) }, 'REGISTER requires extensions the registrar does not support');
    send(res, 420, undefined, { Unsupported: required.join(', ').replace(/[^\x20-\x7e]/g, '').slice(0, 200) }, log);
    return;
  }
  const source = { protocol: flowProtocol(req.protocol), address: req.source_address, port: Number(req.source_port) || 0 };
  // RFC 3261 §10.3 step 3: the registrar authenticates the UAC (§22: 401 and WWW-Authenticate).
  const auth = await registrar.authenticate({ method: 'REGISTER', authorization: headerOf(req, 'Authorization') });
  switch (auth.kind) {
    case 'challenge':
      log.debug({ why: auth.why, stale: auth.stale, source }, 'REGISTER challenged');
      send(res, 401, undefined, { 'WWW-Authenticate': challengeHeaderValue('WWW-Authenticate', registrar.challenges(auth.stale)) }, log);
      return;
    case 'bad-request':
      log.info({ why: auth.reason, source }, 'REGISTER with malformed credentials');
      send(res, 400, badRequest(auth.reason), {}, log);
      return;
    case 'forbidden':
      log.info({ username: auth.username.slice(0, 64), why: auth.why, source }, 'REGISTER refused');
      send(res, 403, undefined, {}, log);
      return;
    case 'ok':
      break;
  }
  // §10.3 step 4: the authenticated user must be allowed to change this address-of-record (To).
  const aor = sipUriParts(headerOf(req, 'To') ?? '')?.user;
  if (aor !== auth.username) {
    log.info({ username: auth.username, aor }, 'REGISTER for another address-of-record refused');
    send(res, 403, 'Forbidden - not your address-of-record', {}, log);
    return;
  }
  const contactHeader = headerOf(req, 'Contact');
  let contacts: ContactList | undefined;
  if (contactHeader !== undefined && contactHeader.trim() !== '') {
    try {
      contacts = parseContacts(contactHeader);
    } catch (err) {
      send(res, 400, badRequest(`bad Contact: ${(err as ContactHeaderError).message}`), {}, log);
      return;
    }
  }
  const expiresText = headerOf(req, 'Expires')?.trim();
  const cseq = /^\s*(\d{1,10})/.exec(headerOf(req, 'CSeq') ?? '');
  const userAgent = headerOf(req, 'User-Agent');
  const result = registrar.update({
    username: auth.username,
    callId: headerOf(req, 'Call-ID') ?? '',
    cseq: cseq ? Number(cseq[1]) : 0,
    contacts,
    ...(expiresText !== undefined && /^\d{1,10}$/.test(expiresText) ? { expiresHeader: Number(expiresText) } : {}),
    source,
    ...(userAgent !== undefined ? { userAgent: userAgent.slice(0, 200) } : {}),
    now: registrar.time(),
  });
  if (result.kind === 'error') {
    log.info({ username: auth.username, status: result.status, reason: result.reason }, 'REGISTER refused');
    send(res, result.status, result.status === 400 ? badRequest(result.reason) : result.reason, result.headers ?? {}, log);
    return;
  }
  const now = registrar.time();
  const current = registrar.contactsOf(auth.username);
  const headers: Record<string, string> = { Date: new Date(now).toUTCString() };
  if (current.length > 0) {
    // §10.3 step 8: "The response SHOULD include a Contact header field value enumerating all current bindings" with expires.
    headers.Contact = current.map((b) => `<${b.contactUri}>;expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`).join(', ');
  }
  log.info({ username: auth.username, contacts: current.length, source }, contacts === undefined ? 'registration queried' : 'registration updated');
  send(res, 200, undefined, headers, log);
}
