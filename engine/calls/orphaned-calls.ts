import type { Logger } from 'pino';
import type { EventStream } from '../events/event-stream.js';
import type { CallRecordStore, StoredCall } from '../store/types.js';
import { API_VERSION } from './call-session.js';
import { publicRecord } from './call-store.js';

/**
 * Calls the store still shows as running although no engine runs them any
 * more: the engine that had them stopped without ending them (killed, or
 * its machine lost). Each is ended in the store as Twilio reports a call
 * that dropped (completed when it had been answered, failed when not,
 * ending now), and its completed event is published, so that its status
 * callback is sent as the lost engine would have sent it.
 */
export async function endLostCalls(
  records: CallRecordStore,
  engineId: string | undefined,
  reason: string,
  deps: { events: EventStream; log: Logger },
): Promise<StoredCall[]> {
  const lost = await records.unfinished(engineId);
  const now = new Date();
  const ended = lost.map((call): StoredCall => {
    const answered = call.answerTime !== undefined;
    return {
      ...call,
      status: answered ? 'completed' : 'failed',
      dateUpdated: now,
      endTime: now,
      durationSeconds: answered ? Math.max(0, Math.round((now.getTime() - (call.answerTime as Date).getTime()) / 1000)) : 0,
    };
  });
  for (const call of ended) {
    records.put(call);
    deps.log.warn({ callSid: call.sid, engineId: call.engineId, status: call.status, reason }, 'call ended in the store: its engine no longer runs it');
    publishCompleted(call, deps.events);
  }
  return ended;
}

/** The call's completed event, its callbacks numbered after those it had sent before. */
function publishCompleted(call: StoredCall, events: EventStream): void {
  const cb = call.statusCallback;
  const callbacks = { statusCallback: cb?.url, statusCallbackMethod: cb?.method ?? 'POST', statusCallbackEvents: cb?.events ?? [] };
  // What it had sent: initiated and ringing when asked for, answered when it was.
  const wanted = callbacks.statusCallbackEvents;
  const before = (['initiated', 'ringing'] as const).filter((e) => wanted.includes(e)).length + (call.answerTime && wanted.includes('answered') ? 1 : 0);
  const params: Record<string, string> = {
    CallSid: call.sid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    CallStatus: call.status,
    Direction: call.direction,
    ApiVersion: API_VERSION,
    ...(call.parentCallSid === undefined ? {} : { ParentCallSid: call.parentCallSid }),
  };
  events.publish({
    type: 'call.completed',
    at: call.endTime ?? new Date(),
    accountSid: call.accountSid,
    applicationId: call.applicationId,
    callSid: call.sid,
    call: publicRecord(call),
    params,
    extra: {},
    callbacks,
    callbacksBefore: before,
  });
}
