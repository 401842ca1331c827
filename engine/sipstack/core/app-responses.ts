import { parseCSeq } from '../message/cseq.js';
import { parseNameAddr, tagOf } from '../message/name-addr.js';
import { createResponse } from '../message/response.js';
import type { SipResponse } from '../message/sip-message.js';
import { dialogId, type Dialog } from '../dialog/dialog.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { WirePayload } from '../wire/wire-message.js';
import { labelBody, mergeAppHeaders, replaceLocalhost } from './app-headers.js';
import type { CoreState, InboundTxn } from './core-state.js';
import { contactUriOf } from './network-requests.js';
import { recordFlow } from './flow-routing.js';
import { describe, sentEcho } from './wire-meta.js';

/**
 * A response the application sends to a request from the network
 * (`sip|<txnId>|` with a status line): the server builds the real response
 * from the request (§8.2.6.2), adds the application's headers and body,
 * its To tag and a Contact where a dialog is being made, sends it through the
 * server transaction, and echoes what it sent.
 */
export function sendAppResponse(core: CoreState, app: AppConnection, msg: WirePayload, appRes: SipResponse): void {
  const txnId = msg.args[0] ?? '';
  if (!txnId) {
    app.respond(msg.msgId, false, 'transaction id missing');
    return;
  }
  const inbound = core.inbound.get(txnId);
  if (!inbound) {
    app.respond(msg.msgId, false, 'unknown transaction id: transaction has completed or does not exist');
    return;
  }
  const req = inbound.request;
  const status = appRes.status;
  const appToTag = tagOf(appRes.headers.get('to') ?? '');
  if (appToTag && inbound.toTag && status > 100 && !inbound.tx.hasFinalResponse) inbound.toTag = appToTag;
  const res = createResponse(req, status, appRes.reason || undefined, { toTag: status > 100 ? inbound.toTag : undefined });
  mergeAppHeaders(res.headers, appRes.headers, 'response');
  res.body = appRes.body;
  labelBody(res.headers, res.body);

  // Addressed as seen by the peer the response goes back to (its local-net decides the address).
  const reach = { protocol: inbound.source.protocol, remote: inbound.source.remote, local: inbound.source.local };
  const makesDialog = inbound.toTag !== undefined && !inbound.dialog && status > 100 && status < 300;
  if (res.headers.has('contact')) {
    const contacts = res.headers.values('contact').map((c) => replaceLocalhost(c, core.local.hostport(reach)));
    res.headers.set('Contact', contacts.join(', '));
  } else if (makesDialog || (inbound.dialog && req.method === 'INVITE' && status < 300)) {
    // RFC 3261 §12.1.1: a dialog set up with a SIPS Request-URI gets a SIPS Contact.
    res.headers.append('Contact', `<${core.local.contactUri(reach, undefined, { secure: /^sips:/i.test(req.uri) })}>`);
  }

  // RFC 4028 §9: Session-Expires and Require: timer on a 2xx to INVITE/UPDATE.
  const sessionTimer = core.sessionTimers.prepareAnswer(req, res, inbound.dialog);

  if (!inbound.tx.respond(res)) {
    app.respond(msg.msgId, false, 'response not sent: the transaction has already completed');
    return;
  }

  recordFlow(core, inbound, res);
  let dialog = inbound.dialog;
  if (makesDialog && status >= 200) {
    dialog = createUasDialog(core, inbound, res, app);
    inbound.dialog = dialog;
  }
  if (req.method === 'INVITE' && status >= 200 && status < 300 && dialog) {
    // §13.3.1.4: the 2xx is retransmitted until the ACK arrives.
    const seq = parseCSeq(req.headers.get('cseq') ?? '').seq;
    const tx = inbound.tx;
    dialog.pendingAckSeq = seq;
    dialog.onAck = () => {
      if ('ackReceived' in tx) tx.ackReceived();
    };
  }
  if ((req.method === 'INVITE' || req.method === 'UPDATE') && status >= 200 && status < 300 && dialog) {
    core.sessionTimers.answered(dialog, res, sessionTimer);
  }
  const id = dialog?.id ?? (inbound.toTag && status > 100 ? dialogId(req.headers.get('call-id') ?? '', tagOf(req.headers.get('from') ?? '') ?? '') : '');
  const w = describe(res, 'application', reach.protocol, inbound.tx.responseTarget.remote);
  app.respond(msg.msgId, true, sentEcho(w, inbound.id, id), w.text);
}

/** §12.1.1: the UAS side of a dialog made by a 2xx to INVITE (or SUBSCRIBE). */
function createUasDialog(core: CoreState, inbound: InboundTxn, res: SipResponse, app: AppConnection): Dialog | undefined {
  const req = inbound.request;
  const callId = req.headers.get('call-id') ?? '';
  const remoteTag = tagOf(req.headers.get('from') ?? '') ?? '';
  const localTag = inbound.toTag ?? '';
  const remoteTarget = contactUriOf(req);
  if (!remoteTarget) {
    core.log.warn({ callId }, 'dialog-creating request has no usable Contact; no dialog kept');
    return undefined;
  }
  let localContact = res.headers.values('contact')[0] ?? '';
  try {
    localContact = `<${parseNameAddr(localContact).uri}>`;
  } catch {
    // keep as written
  }
  const dialog: Dialog = {
    id: dialogId(callId, remoteTag),
    role: 'uas',
    callId,
    localTag,
    remoteTag,
    localParty: res.headers.get('to') ?? '',
    remoteParty: req.headers.get('from') ?? '',
    remoteTarget,
    // §12.1.1: "The route set MUST be set to the list of URIs in the
    // Record-Route header field from the request, taken in order".
    routeSet: req.headers.values('record-route'),
    localContact,
    localSeq: Math.floor(Math.random() * 10_000) + 1,
    remoteSeq: parseCSeq(req.headers.get('cseq') ?? '').seq,
    target: {
      protocol: inbound.source.protocol,
      remote: inbound.source.remote,
      connectionId: inbound.source.connectionId,
    },
    ownerId: app.id,
    secure: false,
    createdAt: Date.now(),
  };
  core.dialogs.add(dialog);
  return dialog;
}
