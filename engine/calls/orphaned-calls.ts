import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import type { CallRecordStore, StoredCall } from '../store/types.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import { API_VERSION } from './call-session.js';

/**
 * Calls the store still shows as running although no engine runs them any
 * more: the engine that had them stopped without ending them (killed, or
 * its machine lost). Each is ended in the store as Twilio reports a call
 * that dropped (completed when it had been answered, failed when not,
 * ending now), and its completed status callback is sent as the lost
 * engine would have sent it.
 */
export async function endLostCalls(
  records: CallRecordStore,
  engineId: string | undefined,
  reason: string,
  deps: { statusSender: StatusCallbackSender; accounts: readonly Account[]; log: Logger },
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
    sendCompleted(call, deps);
  }
  return ended;
}

/** The completed callback, numbered after those the call had sent before. */
function sendCompleted(call: StoredCall, deps: { statusSender: StatusCallbackSender; accounts: readonly Account[] }): void {
  const cb = call.statusCallback;
  const account = deps.accounts.find((a) => a.id === call.accountSid);
  if (!cb || !cb.events.includes('completed') || !account) return;
  // What it had sent: initiated and ringing when asked for, answered when it was.
  const before = (['initiated', 'ringing'] as const).filter((e) => cb.events.includes(e)).length + (call.answerTime && cb.events.includes('answered') ? 1 : 0);
  const duration = call.durationSeconds ?? 0;
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
    CallbackSource: 'call-progress-events',
    CallDuration: String(duration),
    Duration: String(Math.ceil(duration / 60)),
  };
  deps.statusSender.send(call.sid, { url: cb.url, method: cb.method, params, authToken: account.authToken }, { last: true, firstSequence: before });
}
