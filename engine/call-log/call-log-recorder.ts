import type { EngineEvent } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';
import type { CallLogStore } from '../store/types.js';
import { MAX_ENTRIES_PER_CALL, newEntrySid, type CallLogEntry } from './call-log-record.js';

/** Twilio's code for a status callback that failed (Call Progress: warning response to callback URL). */
const STATUS_CALLBACK_FAILED = 15003;
const COUNT_WINDOW_MS = 10 * 60_000;

/**
 * Keeps each call's debugging log from the event stream: every answered
 * webhook (the request, and what came back) is an Event, and every warning
 * and error is a Notification: a document's warnings (12200), a document
 * that could not be had (11200, 12100, 12300, ...: the primary's failure
 * is one even when the fallback answered), a status callback that failed
 * (15003, a warning). A call that writes more than MAX_ENTRIES_PER_CALL
 * (a loop of redirects) stops being logged there. Returns the unsubscriber.
 */
export function recordCallLogs(events: EventStream, store: CallLogStore): () => void {
  // Entries per call in two generations, the older dropped every COUNT_WINDOW_MS: no per-call clean-up
  // (a status callback comes after a call's end), and a call of more than a window may log up to twice the cap.
  let counts = new Map<string, number>();
  let before = new Map<string, number>();
  const turn = setInterval(() => {
    before = counts;
    counts = new Map();
  }, COUNT_WINDOW_MS);
  turn.unref();
  const add = (entry: CallLogEntry): void => {
    const n = counts.get(entry.callSid) ?? before.get(entry.callSid) ?? 0;
    if (n >= MAX_ENTRIES_PER_CALL) return;
    counts.set(entry.callSid, n + 1);
    store.add(entry);
  };
  const unsubscribe = events.subscribe((e: EngineEvent) => {
    if (e.callSid === undefined) return;
    const base = { accountSid: e.accountSid, callSid: e.callSid, at: e.at };
    if (e.type === 'call.notification') {
      add({ kind: 'notification', sid: newEntrySid('notification'), ...base, level: e.level, code: e.code, message: e.message, ...(e.request ? { request: e.request } : {}) });
      return;
    }
    if (e.type !== 'webhook.answered') return;
    const request = { url: e.url, method: e.method, parameters: e.params };
    add({
      kind: 'webhook',
      sid: newEntrySid('webhook'),
      ...base,
      request,
      response: {
        ...(e.status !== undefined ? { status: e.status } : {}),
        ...(e.contentType !== undefined ? { contentType: e.contentType } : {}),
        ...(e.body !== undefined ? { body: e.body } : {}),
        durationMs: e.latencyMs,
      },
    });
    if (e.error) {
      const statusCallback = e.purpose === 'status-callback';
      add({
        kind: 'notification',
        sid: newEntrySid('notification'),
        ...base,
        level: statusCallback ? 'warning' : 'error',
        code: statusCallback ? STATUS_CALLBACK_FAILED : e.error.code,
        message: e.error.message,
        request,
        ...(e.body !== undefined ? { responseBody: e.body } : {}),
      });
    }
  });
  return () => {
    clearInterval(turn);
    unsubscribe();
  };
}
