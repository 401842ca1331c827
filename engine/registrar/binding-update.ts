import { parseUri, uriEquals, type SipUri } from '../sipstack/message/uri.js';
import type { Binding, FlowProtocol } from './registrar.js';
import type { ContactList } from './contact-header.js';

/**
 * RFC 3261 §10.3 steps 6-8: what one REGISTER does to a user's bindings.
 * Pure: it takes the current bindings and gives back the new set, or the
 * error to answer with; nothing is stored until every change succeeded
 * ("Binding updates MUST be committed ... if and only if all binding updates
 * and additions succeed").
 */

export interface ExpiryLimits {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  maxBindingsPerUser: number;
}

export interface RegisterUpdate {
  username: string;
  callId: string;
  cseq: number;
  /** undefined: no Contact header, a query (§10.2.3). */
  contacts: ContactList | undefined;
  /** The Expires header, when present and numeric. */
  expiresHeader?: number;
  source: { protocol: FlowProtocol; address: string; port: number };
  userAgent?: string;
  now: number;
}

export type UpdateResult =
  | { kind: 'ok'; bindings: Binding[]; added: Binding[]; refreshed: Binding[]; removed: Binding[] }
  | { kind: 'error'; status: number; reason: string; headers?: Record<string, string> };

export function applyRegister(current: readonly Binding[], req: RegisterUpdate, limits: ExpiryLimits): UpdateResult {
  const live = current.filter((b) => b.expiresAt > req.now);
  if (req.contacts === undefined) return { kind: 'ok', bindings: live, added: [], refreshed: [], removed: [] };

  if (req.contacts.kind === 'star') {
    // §10.3 step 6: "*" with an expiration other than zero is invalid: 400.
    if (req.expiresHeader !== 0) return { kind: 'error', status: 400, reason: 'Contact "*" requires Expires: 0' };
    for (const b of live) {
      const order = outOfOrder(b, req);
      if (order) return order;
    }
    return { kind: 'ok', bindings: [], added: [], refreshed: [], removed: live };
  }

  // §10.3 step 5/6: expiry from the contact's expires parameter, else the Expires header, else a local default.
  const listed = req.contacts.contacts.map((c) => ({ uri: c.uri, seconds: c.expires ?? req.expiresHeader ?? limits.defaultExpires }));
  // A contact listed twice in one REGISTER: the last listing counts.
  const wanted = listed.filter((w, i) => !listed.slice(i + 1).some((later) => sameContact(later.uri, w.uri)));
  const tooBrief = wanted.find((w) => w.seconds > 0 && w.seconds < limits.minExpires);
  if (tooBrief) {
    // §10.3 step 7 (RFC 3261 §21.4.17 423): the shortest acceptable interval in Min-Expires.
    return { kind: 'error', status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': String(limits.minExpires) } };
  }

  // In the order of (re)registration; a contact is found by URI equivalence.
  const next = [...live];
  const added: Binding[] = [];
  const refreshed: Binding[] = [];
  const removed: Binding[] = [];
  for (const w of wanted) {
    const at = indexOfContact(next, w.uri);
    const existing = at === -1 ? undefined : next[at];
    if (existing) {
      // §10.3 step 7: same Call-ID and a CSeq not higher than the stored one: the update is aborted.
      const order = outOfOrder(existing, req);
      if (order) return order;
    }
    if (at !== -1) next.splice(at, 1);
    if (w.seconds === 0) {
      if (existing) removed.push(existing);
      continue;
    }
    const seconds = Math.min(w.seconds, limits.maxExpires);
    const binding: Binding = {
      username: req.username,
      contactUri: w.uri,
      source: { ...req.source },
      expiresAt: req.now + seconds * 1000,
      callId: req.callId,
      cseq: req.cseq,
      ...(req.userAgent !== undefined ? { userAgent: req.userAgent } : {}),
    };
    next.push(binding);
    (existing ? refreshed : added).push(binding);
  }
  if (next.length > limits.maxBindingsPerUser) {
    return { kind: 'error', status: 403, reason: `Forbidden - more than ${limits.maxBindingsPerUser} contacts` };
  }
  return { kind: 'ok', bindings: next, added, refreshed, removed };
}

/**
 * §10.3 step 7: a contact matches a binding when the URIs are equivalent
 * (§19.1.4: host case, escaping, parameter order and most parameters do not
 * matter), so a phone that writes its Contact a little differently on a
 * refresh keeps one binding instead of gaining a second. A URI that does not
 * parse is compared as written.
 */
function indexOfContact(bindings: readonly Binding[], uri: string): number {
  return bindings.findIndex((b) => sameContact(b.contactUri, uri));
}

function sameContact(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parsed(a);
  const y = parsed(b);
  return x !== undefined && y !== undefined && uriEquals(x, y);
}

function parsed(uri: string): SipUri | undefined {
  try {
    return parseUri(uri);
  } catch {
    return undefined;
  }
}

function outOfOrder(existing: Binding, req: RegisterUpdate): UpdateResult | undefined {
  if (existing.callId === req.callId && req.cseq <= existing.cseq) {
    // §10.3 step 7: "If not, the update MUST be aborted and the request fails." (500, as most registrars answer.)
    return { kind: 'error', status: 500, reason: 'Out of Order CSeq' };
  }
  return undefined;
}
