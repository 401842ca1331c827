import type { Logger } from 'pino';
import type { CallRecordStore, StoredCall } from '../store/types.js';

/**
 * Calls the store still shows as running although no engine runs them any
 * more: the engine that had them stopped without ending them (killed, or
 * the machine lost). Each is ended in the store as Twilio would report a
 * call that dropped: completed when it had been answered, failed when not,
 * ending now.
 */
export async function endOrphanedCalls(records: CallRecordStore, engineId: string | undefined, log: Logger, reason: string): Promise<StoredCall[]> {
  const orphans = await records.unfinished(engineId);
  const now = new Date();
  const ended = orphans.map((call): StoredCall => {
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
    log.warn({ callSid: call.sid, engineId: call.engineId, status: call.status, reason }, 'call ended in the store: its engine no longer runs it');
  }
  return ended;
}
