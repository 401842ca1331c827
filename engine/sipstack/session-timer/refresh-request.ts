import { parseCSeq } from '../message/cseq.js';
import { SipHeaders } from '../message/headers.js';
import { parseNameAddr } from '../message/name-addr.js';
import type { SipResponse } from '../message/sip-message.js';
import type { Dialog } from '../dialog/dialog.js';
import type { CoreState } from '../core/core-state.js';
import { buildDialogRequest, dialogTarget } from '../core/dialog-requests.js';
import { formatSessionExpires, readMinSE } from './session-timer-headers.js';
import { negotiateAsUac, type Negotiated, type SessionTimerOptions } from './negotiation.js';

/** What became of a refresh we sent. */
export type RefreshOutcome =
  /** 2xx: the session goes on with this timer (RFC 4028 §7.2). */
  | { kind: 'refreshed'; timer: Negotiated }
  /** 491 Request Pending: the peer has a re-INVITE of its own going (RFC 3261 §14.1); try again soon. */
  | { kind: 'glare' }
  /** 422 Session Interval Too Small with a larger Min-SE: send the refresh again with that interval (RFC 4028 §7.4). */
  | { kind: 'too-small'; minSE: number }
  /** Any other failure, a timeout (408) or a transport error (503): the session is over. */
  | { kind: 'failed'; status: number };

/**
 * RFC 4028 §7.4: the session refresh we send as the refresher. Like
 * drachtio-server, a re-INVITE carrying the dialog's last session
 * description again (an offer that changes nothing, RFC 3264 §8), with
 * `Session-Expires: <interval>;refresher=uac` (we are the UAC of this
 * transaction and stay the refresher), Min-SE and Supported: timer. The
 * server ACKs its 2xx itself (§13.2.2.4); the application does not see it.
 */
export async function sendRefreshInvite(
  core: CoreState,
  dialog: Dialog,
  current: Negotiated,
  opts: SessionTimerOptions,
  done: (outcome: RefreshOutcome) => void,
): Promise<void> {
  const target = await dialogTarget(core, dialog);
  // The dialog may have ended while its target was resolved: nothing to refresh then.
  if (core.dialogs.get(dialog.id) !== dialog) return;
  const headers = new SipHeaders();
  headers.append('Session-Expires', formatSessionExpires({ interval: current.interval, refresher: 'uac' }));
  headers.append('Min-SE', String(opts.minSE));
  headers.append('Supported', 'timer');
  const sdp = dialog.localSdp;
  if (sdp) headers.append('Content-Type', sdp.contentType);
  const invite = buildDialogRequest(core, dialog, 'INVITE', target, core.transactions.newBranch(), {
    headers,
    body: sdp?.body ?? Buffer.alloc(0),
  });
  const seq = parseCSeq(invite.headers.get('cseq') ?? '').seq;
  let finished = false;
  const finish = (outcome: RefreshOutcome): void => {
    if (finished) return;
    finished = true;
    done(outcome);
  };

  const ack2xx = (res: SipResponse): void => {
    // §12.2.1.2: a 2xx to a re-INVITE is a target refresh.
    const contact = res.headers.values('contact')[0];
    if (contact) {
      try {
        dialog.remoteTarget = parseNameAddr(contact).uri;
      } catch {
        // keep the old target
      }
    }
    const ack = buildDialogRequest(core, dialog, 'ACK', target, core.transactions.newBranch());
    ack.headers.set('CSeq', `${seq} ACK`);
    dialog.lastAck = ack;
    core.transports.send(ack, target).catch((err: Error) => core.log.warn({ callId: dialog.callId, err: err.message }, 'could not send ACK for session refresh'));
  };

  core.transactions.sendRequest(invite, target, {
    onFinal: (res) => {
      if (res.status >= 200 && res.status < 300) {
        // Retransmissions of the 2xx are ACKed again (§13.2.2.4).
        ack2xx(res);
        finish({ kind: 'refreshed', timer: negotiateAsUac(res, opts, current) ?? current });
      } else if (res.status === 491) {
        finish({ kind: 'glare' });
      } else if (res.status === 422 && (readMinSE(res.headers) ?? 0) > current.interval) {
        finish({ kind: 'too-small', minSE: readMinSE(res.headers)! });
      } else {
        finish({ kind: 'failed', status: res.status });
      }
    },
    onTimeout: () => finish({ kind: 'failed', status: 408 }),
    onTransportError: () => finish({ kind: 'failed', status: 503 }),
  });
}
