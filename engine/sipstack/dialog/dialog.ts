import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { SendTarget } from '../transport/types.js';
import type { SessionTimerState } from '../session-timer/session-timers.js';
import type { InboundTxn, OutboundTxn } from '../core/core-state.js';

export type DialogRole = 'uas' | 'uac';

/**
 * Dialog state (RFC 3261 §12): the identifiers, the sequence numbers, the
 * remote target and the route set that in-dialog requests are built from.
 * Owned by the application connection that created it.
 */
export interface Dialog {
  /** drachtio's dialog id: `<Call-ID>;from-tag=<the UAC's From tag>`. */
  readonly id: string;
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** From (for the UAC) or To (for the UAS) as we send it, with our tag. */
  localParty: string;
  /** The other party's header, with their tag. */
  remoteParty: string;
  /** §12.1.1/§12.1.2: the Contact of the other side; refreshed by target-refresh requests. */
  remoteTarget: string;
  /** Route set, in the order Route headers are written. */
  routeSet: string[];
  /** Our Contact header value. */
  localContact: string;
  /** The last CSeq number we used (§12.2.1.1); undefined until we send. */
  localSeq: number;
  /** The highest CSeq number seen from the other side (§12.2.2). */
  remoteSeq?: number;
  /** Where in-dialog requests are sent. */
  target: SendTarget;
  /** Application connection that owns the dialog. */
  ownerId: string;
  /** CSeq of the last INVITE we sent, and the ACK we sent for its 2xx (resent on 2xx retransmission). */
  lastInviteSeq?: number;
  lastAck?: SipRequest;
  /** For the UAS: the INVITE whose 2xx is still waiting for its ACK. */
  pendingAckSeq?: number;
  /** When the 2xx we sent as UAS is acknowledged, this is called. */
  onAck?: () => void;
  /** Last 2xx received for our INVITE (the ACK answers it). */
  lastInviteResponse?: SipResponse;
  secure: boolean;
  createdAt: number;
  /** RFC 4028 session timer, while one runs (engine/sipstack/session-timer). */
  sessionTimer?: SessionTimerState;
  /**
   * INVITEs of this dialog in progress (RFC 3261 §14.1: one at a time): the
   * application's until their final response, the peer's until they are
   * answered. A session refresh waits for them without scanning every transaction.
   */
  invites?: Set<InboundTxn | OutboundTxn>;
  /** The last session description we sent in the dialog: what a session refresh offers again. */
  localSdp?: { body: Buffer; contentType: string };
}

export function dialogId(callId: string, uacFromTag: string): string {
  return `${callId};from-tag=${uacFromTag}`;
}
