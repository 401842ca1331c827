import { parseCSeq } from '../message/cseq.js';
import { parseNameAddr, tagOf } from '../message/name-addr.js';
import { createResponse } from '../message/response.js';
import type { SipResponse } from '../message/sip-message.js';
import { dialogId, type Dialog } from '../dialog/dialog.js';
import type { CoreState, OutboundTxn } from './core-state.js';
import { describe } from './wire-meta.js';

/**
 * Responses from the network to requests an application sent: passed to the
 * application with the dialog id once a dialog exists, dialogs made from 2xx
 * to INVITE (§12.1.2), and 2xx retransmissions answered with the same ACK
 * (§13.2.2.4) without troubling the application again.
 */
export class NetworkResponses {
  constructor(private readonly core: CoreState) {}

  provisional(out: OutboundTxn, res: SipResponse): void {
    if (res.status === 100) return; // drachtio does not pass 100 Trying up
    const toTag = tagOf(res.headers.get('to') ?? '');
    const id = out.dialog?.id ?? (toTag && out.request.method === 'INVITE' ? this.idFor(out) : '');
    this.deliver(out, res, id);
  }

  final(out: OutboundTxn, res: SipResponse): void {
    const method = out.request.method;
    this.core.outbound.delete(out.id);
    out.dialog?.invites?.delete(out);
    let id = out.dialog?.id ?? '';
    if (method === 'INVITE' && res.status >= 200 && res.status < 300) {
      const dialog = out.dialog ?? this.uacDialog(out, res);
      if (dialog) {
        id = dialog.id;
        const seq = parseCSeq(res.headers.get('cseq') ?? '').seq;
        if (dialog.lastAck && parseCSeq(dialog.lastAck.headers.get('cseq') ?? '').seq === seq) {
          // A retransmitted 2xx: our ACK was lost, send it again.
          this.core.transports.send(dialog.lastAck, out.target).catch(() => undefined);
          return;
        }
        if (dialog.lastInviteResponse && parseCSeq(dialog.lastInviteResponse.headers.get('cseq') ?? '').seq === seq) {
          return; // already with the application, which has not ACKed yet
        }
        dialog.lastInviteResponse = res;
        dialog.lastInviteSeq = seq;
        // RFC 4028 §7.2: the 2xx says whether a session timer runs, and who refreshes.
        this.core.sessionTimers.answerReceived(dialog, out.request, res, !out.dialog);
      }
    }
    if (method === 'UPDATE' && out.dialog && res.status >= 200 && res.status < 300) {
      this.core.sessionTimers.answerReceived(out.dialog, out.request, res, false);
    }
    if (method === 'BYE' && out.dialog) this.core.dialogs.delete(out.dialog);
    this.deliver(out, res, id);
  }

  /** A response no transaction claimed: a 2xx retransmitted after the INVITE transaction ended gets its ACK again. */
  stray(res: SipResponse): void {
    const cseq = parseCSeq(res.headers.get('cseq') ?? '');
    if (cseq.method !== 'INVITE' || res.status < 200 || res.status >= 300) return;
    const dialog = this.core.dialogs.match(
      res.headers.get('call-id') ?? '',
      tagOf(res.headers.get('from') ?? '') ?? '',
      tagOf(res.headers.get('to') ?? '') ?? '',
    );
    const ack = dialog?.lastAck;
    if (!dialog || !ack || parseCSeq(ack.headers.get('cseq') ?? '').seq !== cseq.seq) return;
    this.core.transports.send(ack, dialog.target).catch(() => undefined);
  }

  /** A response the server makes up for the application (timeout, transport failure), as drachtio does. */
  synthesize(out: OutboundTxn, status: number, reason: string): SipResponse {
    return createResponse(out.request, status, reason);
  }

  private idFor(out: OutboundTxn): string {
    return dialogId(out.request.headers.get('call-id') ?? '', tagOf(out.request.headers.get('from') ?? '') ?? '');
  }

  /** §12.1.2: the UAC side of a dialog made by a 2xx to INVITE. */
  private uacDialog(out: OutboundTxn, res: SipResponse): Dialog | undefined {
    const req = out.request;
    const callId = req.headers.get('call-id') ?? '';
    const localTag = tagOf(req.headers.get('from') ?? '') ?? '';
    const remoteTag = tagOf(res.headers.get('to') ?? '') ?? '';
    const existing = this.core.dialogs.match(callId, localTag, remoteTag);
    if (existing) return existing;
    const contact = res.headers.values('contact')[0];
    let remoteTarget: string;
    try {
      remoteTarget = parseNameAddr(contact ?? '').uri;
    } catch {
      this.core.log.warn({ callId }, '2xx without a usable Contact: no dialog kept');
      return undefined;
    }
    const dialog: Dialog = {
      id: dialogId(callId, localTag),
      role: 'uac',
      callId,
      localTag,
      remoteTag,
      localParty: req.headers.get('from') ?? '',
      remoteParty: res.headers.get('to') ?? '',
      remoteTarget,
      // §12.1.2: "the route set MUST be set to the list of URIs in the
      // Record-Route header field from the response, taken in reverse order".
      routeSet: res.headers.values('record-route').reverse(),
      localContact: req.headers.values('contact')[0] ?? '',
      localSeq: parseCSeq(req.headers.get('cseq') ?? '').seq,
      target: out.target,
      ownerId: out.app.id,
      secure: false,
      createdAt: Date.now(),
    };
    this.core.dialogs.add(dialog);
    return dialog;
  }

  private deliver(out: OutboundTxn, res: SipResponse, dialogIdValue: string): void {
    if (out.app.closed) return;
    const w = describe(res, 'network', out.target.protocol, out.target.remote);
    out.app.sendSip(w.meta, out.id, dialogIdValue, w.text);
  }
}
