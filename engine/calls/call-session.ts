import type { CallDirection, CallRecord } from '../api/call-service.js';
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
  /** Call-ID of the INVITE (outbound: set once it is sent). */
  callId?: string;
  /** Where an inbound INVITE came from. */
  sourceAddress?: string;
  sourcePort?: number;
  /** SIP details (SipCallId, SipSourceIp, SipHeader_X-..., ...) added to every request. */
  sipParams?: Readonly<Record<string, string>>;
  status?: CallStatus;
  direction?: CallDirection;
  /** The call whose <Dial> placed this one. */
  parentCallSid?: string;
  /** Display name of the caller id, when one was given. */
  callerName?: string;
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
  callId: string | undefined;
  readonly sourceAddress: string | undefined;
  readonly sourcePort: number | undefined;
  readonly direction: CallDirection;
  readonly parentCallSid: string | undefined;
  readonly callerName: string | undefined;
  readonly startTime = new Date();
  /** SIP status of the final response to the INVITE, when one was seen. */
  sipResponseCode: number | undefined;
  private updated = this.startTime;
  private readonly sipParams: Readonly<Record<string, string>>;
  private currentStatus: CallStatus;
  private answered?: Date;
  private ended?: Date;
  private readonly watchers: ((call: CallSession) => void)[] = [];

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
    this.parentCallSid = init.parentCallSid;
    this.callerName = init.callerName;
  }

  /** When anything about the call last changed. */
  get dateUpdated(): Date {
    return this.updated;
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
    this.updated = at;
    if (next === 'in-progress') this.answered = at;
    if (isFinalStatus(next)) this.ended = at;
    for (const watch of this.watchers) watch(this);
    return true;
  }

  /** Calls `watch` after every change of state. */
  onChange(watch: (call: CallSession) => void): void {
    this.watchers.push(watch);
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
      ...(this.parentCallSid === undefined ? {} : { ParentCallSid: this.parentCallSid }),
      ...this.sipParams,
    };
  }

  /** The call as the REST API shows it. */
  toRecord(): CallRecord {
    const ended = this.isFinal;
    return {
      sid: this.sid,
      accountSid: this.accountSid,
      parentCallSid: this.parentCallSid,
      from: this.from,
      to: this.to,
      status: this.currentStatus,
      direction: this.direction,
      dateCreated: this.startTime,
      dateUpdated: this.updated,
      startTime: this.currentStatus === 'queued' ? undefined : this.startTime,
      endTime: this.ended,
      durationSeconds: ended ? this.durationSeconds : undefined,
      callerName: this.callerName,
      sipResponseCode: this.sipResponseCode,
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
