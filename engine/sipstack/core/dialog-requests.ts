import { SipHeaders } from '../message/headers.js';
import { SipRequest } from '../message/sip-message.js';
import type { Dialog } from '../dialog/dialog.js';
import type { ClientTransactionHandlers } from '../transaction/client-handlers.js';
import type { SendTarget } from '../transport/types.js';
import { labelBody, mergeAppHeaders } from './app-headers.js';
import type { CoreState, InboundTxn } from './core-state.js';
import { resolveTarget } from './target-resolver.js';
import { flowForDialog } from './flow-routing.js';
import { describe } from './wire-meta.js';

/**
 * Builds a request inside a dialog (RFC 3261 §12.2.1.1): Request-URI from the
 * remote target, Route from the route set, From/To with the dialog's tags,
 * its Call-ID, the next local CSeq (or the INVITE's for an ACK), and the
 * application's other headers and body.
 */
export function buildDialogRequest(
  core: CoreState,
  dialog: Dialog,
  method: string,
  target: SendTarget,
  branch: string,
  app?: { headers: SipHeaders; body: Buffer },
): SipRequest {
  const h = new SipHeaders();
  h.append('Via', core.local.via(target, branch));
  h.append('Max-Forwards', '70');
  for (const r of dialog.routeSet) h.append('Route', r);
  h.append('From', dialog.localParty);
  h.append('To', dialog.remoteParty);
  h.append('Call-ID', dialog.callId);
  let seq: number;
  if (method === 'ACK') seq = dialog.lastInviteSeq ?? dialog.localSeq;
  else seq = ++dialog.localSeq;
  h.append('CSeq', `${seq} ${method}`);
  if (method === 'INVITE') dialog.lastInviteSeq = seq;
  const req = new SipRequest(method, dialog.remoteTarget, h);
  if (app) {
    mergeAppHeaders(h, app.headers, 'in-dialog');
    req.body = app.body;
    labelBody(h, app.body);
  }
  if ((method === 'INVITE' || method === 'UPDATE') && !h.has('contact')) h.append('Contact', dialog.localContact);
  return req;
}

/** Where requests inside this dialog go: first Route, else the remote target, on the dialog's connection when there is one. */
export async function dialogTarget(core: CoreState, dialog: Dialog): Promise<SendTarget> {
  if (dialog.routeSet.length === 0) {
    const flow = flowForDialog(core, dialog.remoteTarget, dialog.target);
    if (flow) return flow;
  }
  const t = await resolveTarget(dialog.remoteTarget, {
    route: dialog.routeSet[0],
    available: (p) => core.transports.hasProtocol(p),
    preferred: dialog.target.protocol,
  });
  if (t.protocol === dialog.target.protocol && dialog.target.connectionId) t.connectionId = dialog.target.connectionId;
  return t;
}

/**
 * §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds
 * without receiving an ACK, the dialog is confirmed, but the session SHOULD
 * be terminated. This is accomplished with a BYE". The application hears of
 * it as an unsolicited BYE, as drachtio reports it.
 */
export function endUnacknowledgedDialog(core: CoreState, inbound: InboundTxn): void {
  const callId = inbound.request.headers.get('call-id') ?? '';
  const dialog = inbound.dialog;
  core.log.warn({ callId }, '2xx never acknowledged; ending the dialog with BYE');
  if (!dialog || dialog.pendingAckSeq === undefined || core.dialogs.get(dialog.id) !== dialog) return;
  sendBye(core, dialog, 'unsolicited').catch((err: Error) =>
    core.log.warn({ callId, err: err.message }, 'could not send BYE for unacknowledged dialog'),
  );
}

/**
 * Sends a BYE the server decided on itself and tells the dialog's
 * application, then forgets the dialog. When the far end can no longer be
 * reached (its target does not resolve, its WebSocket is gone) the BYE is
 * not sent, but the application is still told the dialog is over.
 */
export async function sendBye(core: CoreState, dialog: Dialog, transactionId: string, reason?: string): Promise<void> {
  core.dialogs.delete(dialog);
  let target: SendTarget;
  let unreachable: Error | undefined;
  try {
    target = await dialogTarget(core, dialog);
  } catch (err) {
    unreachable = err as Error;
    target = dialog.target;
  }
  const bye = buildDialogRequest(core, dialog, 'BYE', target, core.transactions.newBranch());
  if (reason) bye.headers.append('Reason', reason);
  if (unreachable) {
    core.log.warn({ callId: dialog.callId, err: unreachable.message }, 'BYE not sent: the other side cannot be reached');
  } else {
    const handlers: ClientTransactionHandlers = {};
    core.transactions.sendRequest(bye, target, handlers);
  }
  const app = core.apps.get(dialog.ownerId);
  if (app && !app.closed) {
    const w = describe(bye, 'application', target.protocol, target.remote);
    app.sendSip(w.meta, transactionId, dialog.id, w.text);
  }
}
