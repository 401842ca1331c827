import { randomUUID } from 'node:crypto';
import { SipHeaders } from '../message/headers.js';
import { generateTag } from '../message/response.js';
import { tagOf } from '../message/name-addr.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import { buildCancel } from '../transaction/ack-builder.js';
import { ClientInviteTransaction } from '../transaction/client-invite.js';
import type { SendTarget } from '../transport/types.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { WirePayload } from '../wire/wire-message.js';
import type { Dialog } from '../dialog/dialog.js';
import { labelBody, replaceLocalhost } from './app-headers.js';
import type { CoreState, OutboundTxn } from './core-state.js';
import { buildDialogRequest, dialogTarget } from './dialog-requests.js';
import { NetworkResponses } from './network-responses.js';
import { resolveTarget, TargetError } from './target-resolver.js';
import { flowForRequest } from './flow-routing.js';
import { describe, sentEcho } from './wire-meta.js';

/** Requests that carry a Contact when the server makes them (§8.1.1.8). */
const NEEDS_CONTACT = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'REGISTER', 'NOTIFY', 'UPDATE']);

/**
 * Requests an application asks the server to send: new ones outside any
 * dialog (`sip|||[proxy]`), ones inside a dialog (`sip||<dialogId>`, the ACK
 * for a 2xx among them) and CANCELs of a pending INVITE (`sip|<txnId>|`).
 */
export class AppRequests {
  readonly responses: NetworkResponses;

  constructor(private readonly core: CoreState) {
    this.responses = new NetworkResponses(core);
  }

  async handle(app: AppConnection, msg: WirePayload, req: SipRequest): Promise<void> {
    const [txnId = '', dialogIdArg = '', proxy = ''] = msg.args;
    if (dialogIdArg) {
      const dialog = this.core.dialogs.get(dialogIdArg);
      if (!dialog) {
        app.respond(msg.msgId, false, `unable to find dialog for dialog id ${dialogIdArg}`);
        return;
      }
      await this.inDialog(app, msg, req, dialog);
      return;
    }
    if (txnId) {
      if (req.method !== 'CANCEL') {
        app.respond(msg.msgId, false, `a ${req.method} cannot be sent inside a transaction`);
        return;
      }
      this.cancel(app, msg, txnId);
      return;
    }
    // drachtio: a request naming the Call-ID of a known dialog is sent inside it.
    const callId = req.headers.get('call-id');
    const known = callId ? this.core.dialogs.findByCallId(callId) : undefined;
    if (known && req.method !== 'INVITE') {
      await this.inDialog(app, msg, req, known);
      return;
    }
    await this.outsideDialog(app, msg, req, proxy);
  }

  private async outsideDialog(app: AppConnection, msg: WirePayload, appReq: SipRequest, proxy: string): Promise<void> {
    const h = appReq.headers;
    const route = h.values('route')[0];
    let target: SendTarget;
    try {
      target = flowForRequest(this.core, appReq, route !== undefined || proxy !== '') ?? await resolveTarget(appReq.uri, {
        route,
        proxy: proxy || undefined,
        available: (p) => this.core.transports.hasProtocol(p),
      });
    } catch (err) {
      app.respond(msg.msgId, false, err instanceof TargetError ? err.message : `cannot send request: ${(err as Error).message}`);
      return;
    }
    // We cannot connect to a WebSocket client: it must have a connection open to us.
    if ((target.protocol === 'ws' || target.protocol === 'wss') && !this.core.transports.webSocketConnection(target)) {
      app.respond(msg.msgId, false, `no WebSocket connection to ${route ?? (proxy || appReq.uri)}`);
      return;
    }
    const local = this.core.local;
    const hostport = local.hostport(target);
    const req = new SipRequest(appReq.method, appReq.uri, new SipHeaders(), appReq.body);
    const out = req.headers;
    out.append('Via', local.via(target, this.core.transactions.newBranch()));
    out.append('Max-Forwards', h.get('max-forwards') ?? '70');
    for (const f of h) {
      const key = f.name.toLowerCase();
      if (key === 'via' || key === 'max-forwards' || key === 'content-length') continue;
      out.append(f.name, f.value);
    }
    let from = replaceLocalhost(out.get('from') ?? `<sip:${local.hostText}>`, local.hostText);
    if (!tagOf(from)) from += `;tag=${generateTag()}`;
    out.set('From', from);
    if (!out.has('to')) out.append('To', `<${appReq.uri}>`);
    if (!out.has('call-id')) out.append('Call-ID', `${randomUUID()}`);
    if (!out.has('cseq')) out.append('CSeq', `${Math.floor(Math.random() * 10_000) + 1} ${appReq.method}`);
    if (out.has('contact')) out.set('Contact', replaceLocalhost(out.get('contact') ?? '', hostport));
    // RFC 3261 §8.1.1.8: a SIPS Request-URI (or first Route) gets a SIPS Contact.
    else if (NEEDS_CONTACT.has(appReq.method)) out.append('Contact', `<${local.contactUri(target, undefined, { secure: /^<?sips:/i.test(route ?? appReq.uri) })}>`);
    labelBody(out, appReq.body);
    this.core.sessionTimers.decorateOutgoing(req);

    const outbound: OutboundTxn = { id: randomUUID(), request: req, app, target };
    this.start(outbound);
    const w = describe(req, 'application', target.protocol, target.remote);
    app.respond(msg.msgId, true, sentEcho(w, outbound.id), w.text);
  }

  private async inDialog(app: AppConnection, msg: WirePayload, appReq: SipRequest, dialog: Dialog): Promise<void> {
    let target: SendTarget;
    try {
      target = await dialogTarget(this.core, dialog);
    } catch (err) {
      app.respond(msg.msgId, false, (err as Error).message);
      return;
    }
    const branch = this.core.transactions.newBranch();
    const req = buildDialogRequest(this.core, dialog, appReq.method, target, branch, appReq);
    this.core.sessionTimers.decorateOutgoing(req, dialog);
    const w = describe(req, 'application', target.protocol, target.remote);
    if (req.method === 'ACK') {
      // §13.2.2.4: the ACK for a 2xx goes straight to the transport, and is
      // sent again for each retransmission of that 2xx.
      dialog.lastAck = req;
      this.core.sessionTimers.rememberSdp(dialog, req.headers, req.body);
      this.core.transports.send(req, target).catch((err: Error) => this.core.log.warn({ callId: dialog.callId, err: err.message }, 'could not send ACK'));
      app.respond(msg.msgId, true, sentEcho(w, randomUUID()), w.text);
      return;
    }
    if (req.method === 'BYE') this.core.dialogs.delete(dialog);
    const outbound: OutboundTxn = { id: randomUUID(), request: req, app, target, dialog };
    this.start(outbound);
    app.respond(msg.msgId, true, sentEcho(w, outbound.id), w.text);
  }

  private start(outbound: OutboundTxn): void {
    const done = (res: SipResponse): void => this.responses.final(outbound, res);
    outbound.tx = this.core.transactions.sendRequest(outbound.request, outbound.target, {
      onProvisional: (res) => this.responses.provisional(outbound, res),
      onFinal: done,
      onTimeout: () => done(this.responses.synthesize(outbound, 408, 'Request Timeout')),
      onTransportError: (err) => {
        this.core.log.warn({ callId: outbound.request.headers.get('call-id'), err: err.message }, 'transport error sending request');
        done(this.responses.synthesize(outbound, 503, 'Service Unavailable'));
      },
    });
    this.core.outbound.set(outbound.id, outbound);
    if (outbound.dialog && outbound.request.method === 'INVITE') (outbound.dialog.invites ??= new Set()).add(outbound);
  }

  /** §9.1: CANCEL of a pending INVITE the application sent. */
  private cancel(app: AppConnection, msg: WirePayload, txnId: string): void {
    const outbound = this.core.outbound.get(txnId);
    if (!outbound || !(outbound.tx instanceof ClientInviteTransaction)) {
      app.respond(msg.msgId, false, 'unknown transaction id: nothing to cancel');
      return;
    }
    const outcome = this.core.transactions.cancel(outbound.tx);
    if (outcome === 'too-late') {
      app.respond(msg.msgId, false, 'the INVITE has already had its final response');
      return;
    }
    const w = describe(buildCancel(outbound.request), 'application', outbound.target.protocol, outbound.target.remote);
    app.respond(msg.msgId, true, sentEcho(w, randomUUID()), w.text);
  }
}
