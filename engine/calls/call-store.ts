import type { CallFilter, CallRecord } from '../api/call-service.js';
import type { Page, PageRequest } from '../api/paging.js';
import type { CallRecordStore, StoredCall } from '../store/types.js';
import type { CallSession } from './call-session.js';
import type { StatusCallbackSettings } from './status-events.js';

/** A session as the store keeps it. */
export function storedCall(call: CallSession, engineId: string, callbacks?: StatusCallbackSettings): StoredCall {
  const url = callbacks?.statusCallback;
  return {
    ...call.toRecord(),
    applicationId: call.applicationId,
    engineId,
    answerTime: call.answerTime,
    ...(url !== undefined && callbacks ? { statusCallback: { url, method: callbacks.statusCallbackMethod, events: [...callbacks.statusCallbackEvents] } } : {}),
  };
}

/** The REST API's view of a stored call (without the engine's own fields). */
export function publicRecord(call: StoredCall): CallRecord {
  const { applicationId: _app, engineId: _engine, answerTime: _answer, statusCallback: _callback, ...record } = call;
  return record;
}

/**
 * The engine's calls in the store: a call is written when it starts, at
 * every change of state, and when it ends, so that the REST API of any
 * engine sharing the store reads it (engine/store/).
 */
export class CallStore {
  constructor(
    private readonly records: CallRecordStore,
    readonly engineId: string,
  ) {}

  private readonly callbacks = new WeakMap<CallSession, StatusCallbackSettings>();

  /** A new call, with where its status callbacks go: written now and at each change until it ends. */
  add(call: CallSession, callbacks: StatusCallbackSettings): void {
    this.callbacks.set(call, callbacks);
    this.write(call);
    call.onChange((c) => this.write(c));
  }

  /** The call's status callbacks go elsewhere from now on (a REST update): written with the call. */
  callbacksChanged(call: CallSession, callbacks: StatusCallbackSettings): void {
    this.callbacks.set(call, callbacks);
    this.write(call);
  }

  /** The call ended: its last state (duration, SIP response code) is written. */
  ended(call: CallSession): void {
    this.write(call);
  }

  private write(call: CallSession): void {
    this.records.put(storedCall(call, this.engineId, this.callbacks.get(call)));
  }

  async get(accountSid: string, callSid: string): Promise<StoredCall | undefined> {
    const call = await this.records.get(callSid);
    return call && call.accountSid === accountSid ? call : undefined;
  }

  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<StoredCall>> {
    return this.records.list(accountSid, filter, page);
  }

  /** Removes the account's call record; false when there was none. */
  async delete(accountSid: string, callSid: string): Promise<boolean> {
    if (!(await this.get(accountSid, callSid))) return false;
    return this.records.delete(callSid);
  }
}
