import { createHash, randomUUID } from 'node:crypto';
import { parseCSeq } from '../message/cseq.js';
import { parseNameAddr, tagOf } from '../message/name-addr.js';
import { createResponse, generateTag } from '../message/response.js';
import type { SipRequest } from '../message/sip-message.js';
import { parseUri } from '../message/uri.js';
import { validateRequest } from '../message/validate.js';
import type { ServerInviteTransaction, ServerNonInviteTransaction, ServerTransaction } from '../transaction/transaction-layer.js';
import type { InboundSource } from '../transport/types.js';
import type { CoreState, InboundTxn } from './core-state.js';
import { checkNewRequest } from './uas-checks.js';
import { describe } from './wire-meta.js';
import { endUnacknowledgedDialog } from './dialog-requests.js';
import { forwardInDialog, routedThroughUs } from './proxy-in-dialog.js';
import type { ProxyCore } from './proxy.js';
import { intervalTooSmall } from '../session-timer/negotiation.js';

/** Methods that create a dialog when answered with 2xx (RFC 3261 §12.1; RFC 6665 for SUBSCRIBE). */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE']);

/** Methods of RFC 3261 and its extensions (RFC 3262, 3265/6665, 3311, 3428, 3515, 3903, 6086). */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH',
  'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

/**
 * Requests from the network (RFC 3261 §8.2 UAS behaviour, §12.2.2 requests
 * within a dialog, §9.2 CANCEL), handed to the application that wants them.
 */
export class NetworkRequests {
  constructor(
    private readonly core: CoreState,
    private readonly proxy: ProxyCore,
  ) {}

  handle(req: SipRequest, source: InboundSource): void {
    const failure = validateRequest(req);
    if (failure) {
      this.core.log.info({ callId: req.headers.get('call-id'), method: req.method, status: failure.status, reason: failure.reason, remote: source.remote }, 'rejecting invalid request');
      if (req.method !== 'ACK') this.replyStateless(req, source, failure.status, failure.reason);
      return;
    }
    if (this.blockScanner(req, source)) return;
    const r = this.core.transactions.receiveRequest(req, source);
    switch (r.kind) {
      case 'absorbed':
        return;
      case 'invalid':
        this.replyStateless(req, source, 400, r.reason);
        return;
      case 'ack-2xx':
        this.onAck(req, source);
        return;
      case 'no-transaction-for-cancel':
        r.cancelTx.respond(createResponse(req, 481));
        return;
      case 'cancel':
        this.onCancel(req, source, r.tx, r.cancelTx);
        return;
      case 'new':
        this.onNew(req, source, r.tx);
    }
  }

  /**
   * drachtio-server's `<spammers>`: a new request outside any dialog from a
   * scanner is answered 603 Decline statelessly (§8.2.7; a retransmission
   * gets the same answer, with the same To tag) or dropped, before a
   * transaction exists, so that no 100 Trying goes out and nothing is kept.
   * An ACK is never answered (§17.1.1.3): it is dropped either way.
   */
  private blockScanner(req: SipRequest, source: InboundSource): boolean {
    if (tagOf(req.headers.get('to') ?? '') !== undefined) return false;
    const verdict = this.core.scanners.check(req, source.protocol);
    if (!verdict) return false;
    this.core.scanners.count(verdict.action);
    this.core.log.info(
      { callId: req.headers.get('call-id'), method: req.method, remote: source.remote, protocol: source.protocol, header: verdict.header, value: verdict.value, action: verdict.action },
      'request from a scanner blocked',
    );
    if (verdict.action === 'reject' && req.method !== 'ACK') {
      this.replyStateless(req, source, 603, undefined, statelessTag(req));
    }
    return true;
  }

  /** A response sent without a transaction, to a request we could not take further (§8.2: 400, 505, ...). */
  replyStateless(req: SipRequest, source: InboundSource, status: number, reason?: string, toTag?: string): void {
    let res;
    try {
      res = createResponse(req, status, status === 400 && reason ? `Bad Request - ${reason}`.slice(0, 120) : undefined, { toTag });
    } catch {
      return; // not even enough of a request to answer
    }
    this.core.transports
      .send(res, { protocol: source.protocol, remote: source.remote, connectionId: source.connectionId, local: source.local })
      .catch((err: Error) => this.core.log.debug({ err: err.message }, 'could not send stateless response'));
  }

  private onNew(req: SipRequest, source: InboundSource, tx: ServerTransaction): void {
    const toTag = tagOf(req.headers.get('to') ?? '');
    if (toTag !== undefined) {
      this.inDialog(req, source, tx, toTag);
      return;
    }
    const check = checkNewRequest(req);
    if (check) {
      const res = createResponse(req, check.status, check.reason);
      for (const [name, value] of check.headers ?? []) res.headers.append(name, value);
      tx.respond(res);
      return;
    }
    if (this.rejectShortInterval(req, tx)) return;
    if (this.core.options.wants(req)) {
      // drachtio-server answers a configured User-Agent's OPTIONS itself, before routing.
      tx.respond(this.core.options.answer(req));
      return;
    }
    const app = this.core.wire.selectApp(req.method);
    if (!app) {
      this.core.log.info({ callId: req.headers.get('call-id'), method: req.method }, 'no application connected for this method');
      // §21.5.2: a method nobody here knows is 501; a known one with no
      // application for it right now is 503, as drachtio-server answers.
      const known = KNOWN_METHODS.has(req.method);
      const res = createResponse(req, known ? 503 : 501);
      if (known) res.headers.append('Retry-After', '30');
      tx.respond(res);
      return;
    }
    const inbound: InboundTxn = {
      id: randomUUID(),
      tx,
      request: req,
      source,
      app,
      toTag: DIALOG_CREATING.has(req.method) || req.method === 'REFER' ? generateTag() : undefined,
    };
    this.track(inbound);
    const w = describe(req, 'network', source.protocol, source.remote);
    app.sendSip(w.meta, inbound.id, '', w.text, [source.local.address, String(source.local.port)]);
  }

  /** §12.2.2: a request with a To tag belongs to a dialog, or gets 481. */
  private inDialog(req: SipRequest, source: InboundSource, tx: ServerTransaction, toTag: string): void {
    const callId = req.headers.get('call-id') ?? '';
    const fromTag = tagOf(req.headers.get('from') ?? '') ?? '';
    const dialog = this.core.dialogs.match(callId, toTag, fromTag);
    if (!dialog) {
      if (routedThroughUs(this.core, req)) this.forward(req, tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    // §12.2.2: "If the remote sequence number ... is not empty, but the
    // sequence number of the request is lower than the remote sequence
    // number, the request is out of order and MUST be rejected with a 500".
    const seq = parseCSeq(req.headers.get('cseq') ?? '').seq;
    if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) {
      tx.respond(createResponse(req, 500, 'Out of order CSeq'));
      return;
    }
    dialog.remoteSeq = seq;
    // Before the target refresh: a rejected re-INVITE changes nothing (RFC 3261 §14.2).
    if (this.rejectShortInterval(req, tx)) return;
    if ((req.method === 'INVITE' || req.method === 'UPDATE') && req.headers.has('contact')) {
      // §12.2.2: a target refresh request updates the remote target.
      try {
        dialog.remoteTarget = parseNameAddr(req.headers.values('contact')[0]).uri;
      } catch {
        tx.respond(createResponse(req, 400, 'Bad Contact'));
        return;
      }
    }
    const app = this.core.apps.get(dialog.ownerId);
    if (req.method === 'BYE') this.core.dialogs.delete(dialog);
    if (!app || app.closed) {
      // Nobody left to ask: end what can be ended politely.
      tx.respond(createResponse(req, req.method === 'BYE' ? 200 : 481));
      return;
    }
    const inbound: InboundTxn = { id: randomUUID(), tx, request: req, source, app, dialog };
    this.track(inbound);
    const w = describe(req, 'network', source.protocol, source.remote);
    app.sendSip(w.meta, inbound.id, dialog.id, w.text);
  }

  /**
   * RFC 4028 §9: an INVITE or UPDATE whose Session-Expires is below our
   * Min-SE is answered 422 with our Min-SE (§6), before any application
   * sees it, as drachtio-server does for requests inside a dialog.
   */
  private rejectShortInterval(req: SipRequest, tx: ServerTransaction): boolean {
    const minSE = intervalTooSmall(req, this.core.sessionTimers.minSE);
    if (minSE === undefined) return false;
    const res = createResponse(req, 422, 'Session Interval Too Small');
    res.headers.append('Min-SE', String(minSE));
    tx.respond(res);
    return true;
  }

  /** An ACK for a 2xx (its own transaction, §13.3.1.4, §17.1.1.3): stops the 2xx retransmission. */
  private onAck(req: SipRequest, source: InboundSource): void {
    const callId = req.headers.get('call-id') ?? '';
    const dialog = this.core.dialogs.match(
      callId,
      tagOf(req.headers.get('to') ?? '') ?? '',
      tagOf(req.headers.get('from') ?? '') ?? '',
    );
    if (!dialog) {
      // An ACK for a 2xx we proxied goes on; one matching nothing is dropped (§17.2.3).
      if (routedThroughUs(this.core, req)) this.forward(req);
      return;
    }
    const seq = parseCSeq(req.headers.get('cseq') ?? '').seq;
    if (dialog.pendingAckSeq !== seq) return; // a retransmitted ACK
    dialog.pendingAckSeq = undefined;
    dialog.onAck?.();
    dialog.onAck = undefined;
    const app = this.core.apps.get(dialog.ownerId);
    if (!app || app.closed) return;
    const w = describe(req, 'network', source.protocol, source.remote);
    app.sendSip(w.meta, randomUUID(), dialog.id, w.text);
  }

  /** §9.2: 200 to the CANCEL, 487 to the INVITE, and the application told with a `cancel`. */
  private onCancel(req: SipRequest, source: InboundSource, invite: ServerInviteTransaction, cancelTx: ServerNonInviteTransaction): void {
    cancelTx.respond(createResponse(req, 200));
    const inbound = this.core.inboundByTx.get(invite);
    // §16.10: a proxy cancels its branches; their 487 goes upstream.
    if (inbound && this.proxy.cancel(inbound)) return;
    if (!invite.hasFinalResponse) {
      invite.respond(createResponse(invite.request, 487, undefined, { toTag: inbound?.toTag }));
    }
    if (inbound?.app && !inbound.app.closed) {
      const w = describe(req, 'network', source.protocol, source.remote);
      inbound.app.sendSip(w.meta, inbound.id, '', w.text);
    }
  }

  private forward(req: SipRequest, tx?: ServerTransaction): void {
    forwardInDialog(this.core, req, tx).catch((err: Error) => {
      this.core.log.info({ callId: req.headers.get('call-id'), method: req.method, err: err.message }, 'could not forward in-dialog request');
      tx?.respond(createResponse(req, 500, 'Cannot Forward'));
    });
  }

  private track(inbound: InboundTxn): void {
    this.core.inbound.set(inbound.id, inbound);
    this.core.inboundByTx.set(inbound.tx, inbound);
    const dialog = inbound.dialog;
    if (dialog && inbound.request.method === 'INVITE') (dialog.invites ??= new Set()).add(inbound);
    inbound.tx.setHandlers({
      onTerminated: () => {
        this.core.inbound.delete(inbound.id);
        dialog?.invites?.delete(inbound);
      },
      onNoAck: () => this.core.log.info({ callId: inbound.request.headers.get('call-id') }, 'no ACK for final response (Timer H)'),
      on2xxUnacknowledged: () => endUnacknowledgedDialog(this.core, inbound),
    });
  }
}

/**
 * §8.2.7: a stateless UAS "MUST generate the same tag for the same request
 * consistently": derived from the Call-ID, From tag and top Via branch.
 */
function statelessTag(req: SipRequest): string {
  const via = req.headers.values('via')[0] ?? '';
  const branch = /;\s*branch=([^;\s,]+)/i.exec(via)?.[1] ?? via;
  const key = `${req.headers.get('call-id') ?? ''}|${tagOf(req.headers.get('from') ?? '') ?? ''}|${branch}`;
  return createHash('sha1').update(key).digest('hex').slice(0, 12);
}

/** The URI of the first Contact of a request, for a new dialog's remote target. */
export function contactUriOf(req: { headers: { values(n: string): string[] } }): string | undefined {
  const c = req.headers.values('contact')[0];
  if (!c) return undefined;
  try {
    const uri = parseNameAddr(c).uri;
    parseUri(uri);
    return uri;
  } catch {
    return undefined;
  }
}
