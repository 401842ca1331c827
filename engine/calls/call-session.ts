import { canMoveTo, isFinalStatus, type CallStatus } from './call-status.js';

/** Twilio's API version, sent as ApiVersion on every request. */
export const API_VERSION = '2010-04-01';

export interface CallSessionInit {
  sid: string;
  accountSid: string;
  applicationId: string;
  /** From and To as sent to the application (SIP URIs without parameters). */
  from: string;
  to: string;
  /** Call-ID of the INVITE. */
  callId: string;
  sourceAddress: string;
  sourcePort: number;
  /** SIP details (SipCallId, SipSourceIp, SipHeader_X-..., ...) added to every request. */
  sipParams?: Readonly<Record<string, string>>;
  status?: CallStatus;
  direction?: 'inbound';
}

/**
 * One call: its identity, its Twilio state with the times it changed, and
 * the parameters every request about it carries.
 */
export class CallSession {
  readonly sid: string;
  readonly accountSid: string;
  readonly applicationId: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly direction: 'inbound';
  readonly startTime = new Date();
  private readonly sipParams: Readonly<Record<string, string>>;
  private currentStatus: CallStatus;
  private answered?: Date;
  private ended?: Date;

  constructor(init: CallSessionInit) {
    this.sid = init.sid;
    this.accountSid = init.accountSid;
    this.applicationId = init.applicationId;
    this.from = init.from;
    this.to = init.to;
    this.callId = init.callId;
    this.sourceAddress = init.sourceAddress;
    this.sourcePort = init.sourcePort;
    this.sipParams = init.sipParams ?? {};
    this.currentStatus = init.status ?? 'ringing';
    this.direction = init.direction ?? 'inbound';
  }

  get status(): CallStatus {
    return this.currentStatus;
  }

  get answerTime(): Date | undefined {
    return this.answered;
  }

  get endTime(): Date | undefined {
    return this.ended;
  }

  get isFinal(): boolean {
    return isFinalStatus(this.currentStatus);
  }

  /**
   * Moves the call to `next`; returns false (and changes nothing) when the
   * move is not legal, e.g. anything after a final state.
   */
  setStatus(next: CallStatus, at: Date = new Date()): boolean {
    if (next === this.currentStatus || !canMoveTo(this.currentStatus, next)) return false;
    this.currentStatus = next;
    if (next === 'in-progress') this.answered = at;
    if (isFinalStatus(next)) this.ended = at;
    return true;
  }

  /** Seconds between answer and end (0 for a call never answered), as CallDuration reports it. */
  get durationSeconds(): number {
    if (!this.answered) return 0;
    const end = this.ended ?? new Date();
    return Math.max(0, Math.round((end.getTime() - this.answered.getTime()) / 1000));
  }

  /** The parameters of every webhook about this call (Twilio's names). */
  webhookParams(): Record<string, string> {
    return {
      CallSid: this.sid,
      AccountSid: this.accountSid,
      From: this.from,
      To: this.to,
      Caller: this.from,
      Called: this.to,
      CallStatus: this.currentStatus,
      Direction: this.direction,
      ApiVersion: API_VERSION,
      ...this.sipParams,
    };
  }

  /** A plain summary for logs and, later, the REST API. */
  toJSON(): Record<string, unknown> {
    return {
      sid: this.sid,
      accountSid: this.accountSid,
      applicationId: this.applicationId,
      from: this.from,
      to: this.to,
      callId: this.callId,
      status: this.currentStatus,
      direction: this.direction,
      startTime: this.startTime.toISOString(),
      answerTime: this.answered?.toISOString(),
      endTime: this.ended?.toISOString(),
      duration: this.durationSeconds,
    };
  }
}
