import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CallControl,
  DequeueOutcome,
  DequeueRequest,
  EnqueueOutcome,
  EnqueueRequest,
  NextDocumentRequest,
} from '../../instructions/runtime/call-control.js';
import { playPromptSource, type PromptDocumentFetcher, type PromptSource, type PromptSourceEnd } from '../../instructions/runtime/prompt-source.js';
import type { QueueRecordStore } from '../store/types.js';
import { findMember, memberSnapshot, queueStats, secondsSince, type LiveQueue, type Member, type MemberEnd, type MemberSnapshot, type QueueStats } from './live-queue.js';
import { DEFAULT_MAX_QUEUE_SIZE, newQueueSid, type QueueRecord } from './queue-record.js';
import { QueueRecords } from './queue-records.js';

/** The pause before a failed waitUrl is asked again when the hold music cannot be played either. */
const RETRY_WAIT_MS = 5000;

export interface QueueServiceDeps {
  /** The default wait music (the engine's own). */
  holdMusicUrl: string;
  /** Queue definitions (a cluster's engines share them). */
  store: QueueRecordStore;
  log: Logger;
}

/**
 * The call queues of this engine, as Twilio runs them for TwiML: <Enqueue>
 * puts the caller in the named queue (made on first use, 1000 callers at
 * most, or as the REST API made it), where it hears the wait document in a
 * loop (requested with QueuePosition, QueueSid, QueueTime, AvgQueueTime,
 * CurrentQueueSize and MaxQueueSize) until a <Dial><Queue> takes it (front
 * first), it <Leave>s, it hangs up, or the REST API sends it to a document.
 * The queues' records are in the store; their callers are in this engine's
 * memory: a cluster's engines share a queue's name, sid and size, and each
 * has its own line of callers.
 */
export class QueueService {
  /** Live queues by QueueSid. */
  private readonly queues = new Map<string, LiveQueue>();
  private readonly records: QueueRecords;

  constructor(private readonly deps: QueueServiceDeps) {
    this.records = new QueueRecords(deps.store, deps.log);
  }

  /** The live part of a queue, made on first use; its name and size follow the record. */
  private liveFor(record: Pick<QueueRecord, 'sid' | 'accountSid' | 'friendlyName' | 'maxSize'>): LiveQueue {
    let q = this.queues.get(record.sid);
    if (!q) {
      q = { sid: record.sid, accountSid: record.accountSid, name: record.friendlyName, maxSize: record.maxSize, members: [], waiting: [], waitedSeconds: 0, left: 0 };
      this.queues.set(record.sid, q);
    }
    q.name = record.friendlyName;
    q.maxSize = record.maxSize;
    return q;
  }

  /** The account's queue of that name; without the store, the one in memory (made there when `create`). */
  private async queueFor(accountSid: string, name: string, create: boolean): Promise<LiveQueue | undefined> {
    const named = await this.records.named(accountSid, name, create);
    if ('record' in named) return named.record ? this.liveFor(named.record) : undefined;
    const known = [...this.queues.values()].find((q) => q.accountSid === accountSid && q.name === name);
    if (known || !create) return known;
    return this.liveFor({ sid: newQueueSid(), accountSid, friendlyName: name, maxSize: DEFAULT_MAX_QUEUE_SIZE });
  }

  async enqueue(call: { callSid: string; accountSid: string; control: CallControl }, req: EnqueueRequest): Promise<EnqueueOutcome> {
    const q = await this.queueFor(call.accountSid, req.queueName, true);
    if (!q) return { result: 'system-error', queueTime: 0 };
    // Gone while the queue was looked up.
    if (req.signal.aborted) return { result: call.control.hangupSignal.aborted ? 'hangup' : 'redirected', queueSid: q.sid, queueTime: 0 };
    if (q.members.length >= q.maxSize) return { result: 'queue-full', queueSid: q.sid, queueTime: 0 };
    const log = call.control.log.child({ queue: q.name, queueSid: q.sid });
    let settle!: (end: MemberEnd) => void;
    const ended = new Promise<MemberEnd>((resolve) => (settle = resolve));
    const member: Member = {
      callSid: call.callSid,
      control: call.control,
      req,
      enqueuedAt: performance.now(),
      dateEnqueued: new Date(),
      taken: new AbortController(),
      finish: (end) => settle(end),
    };
    const waiter = q.waiting.shift();
    if (waiter) waiter(member);
    else q.members.push(member);
    log.info({ position: q.members.length }, 'caller enqueued');
    const fetch = (r: NextDocumentRequest): ReturnType<CallControl['fetchNext']> =>
      call.control.fetchNext({ ...r, params: { ...r.params, ...this.waitParams(q, member, secondsSince(member.enqueuedAt)) } });
    const source = req.waitUrl !== undefined ? { url: req.waitUrl, method: req.waitUrlMethod } : { url: this.deps.holdMusicUrl, method: 'GET' as const };
    const music = waiter ? Promise.resolve('stopped' as const) : this.playWait(req, fetch, source, AbortSignal.any([req.signal, member.taken.signal]), log);
    // Whichever comes first: the wait document's Leave or Hangup, the caller going, a dialler taking it, or the REST API.
    void music.then((end) => {
      if (member.taken.signal.aborted) return;
      if (end === 'leave') this.leave(q, member, 'leave');
      else if (end === 'hangup') {
        this.leave(q, member, 'hangup');
        void call.control.hangup();
      }
    });
    const onGone = (): void => {
      if (!member.taken.signal.aborted) this.leave(q, member, call.control.hangupSignal.aborted ? 'hangup' : 'redirected');
    };
    req.signal.addEventListener('abort', onGone, { once: true });
    const end = await ended;
    req.signal.removeEventListener('abort', onGone);
    const queueTime = secondsSince(member.enqueuedAt);
    log.info({ result: end.result, queueTime }, 'caller left the queue');
    return { result: end.result, queueSid: q.sid, queueTime, ...(end.redirectTo ? { redirectTo: end.redirectTo } : {}) };
  }

  /**
   * The wait document (or music) looped while the caller waits. A waitUrl
   * that cannot be had (the application is down, answers 500) does not
   * leave the caller in silence for the rest of the wait: the hold music
   * plays once, then the waitUrl is asked again.
   */
  private async playWait(req: EnqueueRequest, fetch: PromptDocumentFetcher, source: PromptSource, signal: AbortSignal, log: Logger): Promise<PromptSourceEnd> {
    for (;;) {
      const end = await playPromptSource(req.endpoint, fetch, source, { loop: true, signal, log, queue: true });
      if (end !== 'failed' || signal.aborted || req.waitUrl === undefined) return end;
      log.warn({ waitUrl: req.waitUrl }, 'the wait document failed: hold music, then the waitUrl again');
      const held = await playPromptSource(req.endpoint, fetch, { url: this.deps.holdMusicUrl, method: 'GET' }, { loop: false, signal, log });
      if (held === 'failed') await sleep(RETRY_WAIT_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return 'stopped';
    }
  }

  /** Out of the queue without a dialler: its Enqueue ends with `result`. */
  private leave(q: LiveQueue, m: Member, result: MemberEnd['result']): void {
    this.remove(q, m);
    m.finish({ result });
  }

  private remove(q: LiveQueue, m: Member): void {
    const i = q.members.indexOf(m);
    if (i >= 0) q.members.splice(i, 1);
    if (!m.taken.signal.aborted) {
      m.taken.abort();
      q.waitedSeconds += (performance.now() - m.enqueuedAt) / 1000;
      q.left++;
    }
  }

  private waitParams(q: LiveQueue, m: Member, queueTime: number): Record<string, string> {
    const position = q.members.indexOf(m) + 1;
    return {
      QueueSid: q.sid,
      QueuePosition: String(position > 0 ? position : 1),
      QueueTime: String(queueTime),
      AvgQueueTime: String(q.left > 0 ? Math.round(q.waitedSeconds / q.left) : 0),
      CurrentQueueSize: String(q.members.length),
      MaxQueueSize: String(q.maxSize),
    };
  }

  /** Takes the front caller (waiting up to the timeout for one): its wait music stops, and the dialler bridges it. */
  async dequeue(accountSid: string, dialer: string, req: DequeueRequest): Promise<DequeueOutcome> {
    const q = await this.queueFor(accountSid, req.queueName, false);
    if (!q) return { status: 'no-queue' };
    let member = q.members.shift();
    if (!member) {
      member = await this.awaitCaller(q, req);
      if (!member) return { status: req.signal.aborted ? 'canceled' : 'empty' };
    }
    const m = member;
    const queueTime = secondsSince(m.enqueuedAt);
    this.remove(q, m);
    this.deps.log.info({ queueSid: q.sid, callSid: m.callSid, dequeuedBy: dialer, queueTime }, 'caller dequeued');
    return {
      caller: {
        callSid: m.callSid,
        queueSid: q.sid,
        queueTime,
        endpoint: m.req.endpoint,
        control: m.control,
        release: (result) => m.finish({ result }),
      },
    };
  }

  /** The next caller to join `q`, or undefined once the Dial's timeout passes or it is canceled. */
  private awaitCaller(q: LiveQueue, req: DequeueRequest): Promise<Member | undefined> {
    return new Promise<Member | undefined>((resolve) => {
      const give = (m: Member): void => {
        clear();
        resolve(m);
      };
      const timer = setTimeout(() => {
        clear();
        resolve(undefined);
      }, req.timeoutSeconds * 1000);
      const onAbort = (): void => {
        clear();
        resolve(undefined);
      };
      const clear = (): void => {
        clearTimeout(timer);
        req.signal.removeEventListener('abort', onAbort);
        q.waiting = q.waiting.filter((w) => w !== give);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      q.waiting.push(give);
    });
  }

  // What the REST API asks of the queues' live part (engine/queues/queue-api.ts).

  /** CurrentSize and AverageWaitTime of a queue, now. */
  stats(queueSid: string): QueueStats {
    return queueStats(this.queues.get(queueSid));
  }

  /** The record was changed (REST update): name and size apply from the next caller on. */
  recordChanged(record: QueueRecord): void {
    if (this.queues.has(record.sid)) this.liveFor(record);
  }

  /** The queue was deleted (it had no callers): dialers still waiting for one find nobody. */
  forget(queueSid: string): void {
    const q = this.queues.get(queueSid);
    if (!q) return;
    this.queues.delete(queueSid);
    // Each waiter's own timeout ends its Dial; none will be given a caller from a deleted queue.
    q.waiting = [];
  }

  /** The queue's callers in order. */
  members(queueSid: string): MemberSnapshot[] {
    const q = this.queues.get(queueSid);
    if (!q) return [];
    const now = performance.now();
    return q.members.map((m) => memberSnapshot(q, m, now));
  }

  /** One caller: `Front` or a CallSid. */
  member(queueSid: string, who: string): MemberSnapshot | undefined {
    const q = this.queues.get(queueSid);
    const m = q ? findMember(q, who) : undefined;
    return q && m ? memberSnapshot(q, m) : undefined;
  }

  /**
   * Takes a caller out of the queue (REST: update a Member with Url): its
   * Enqueue ends with QueueResult redirected and its call runs the document
   * at `to`. The member as it was, or undefined when it is not in the queue.
   */
  redirectMember(queueSid: string, who: string, to: NextDocumentRequest): MemberSnapshot | undefined {
    const q = this.queues.get(queueSid);
    const m = q ? findMember(q, who) : undefined;
    if (!q || !m) return undefined;
    const shown = memberSnapshot(q, m);
    this.remove(q, m);
    m.finish({ result: 'redirected', redirectTo: to });
    m.control.log.info({ queueSid: q.sid, url: to.url, method: to.method }, 'caller dequeued by the REST API to a document');
    return shown;
  }

  // What TaskRouter asks (engine/taskrouter/task-enqueuer.ts): one given call, whatever its queue.

  private findCall(accountSid: string, callSid: string): { q: LiveQueue; m: Member } | undefined {
    for (const q of this.queues.values()) {
      if (q.accountSid !== accountSid) continue;
      const m = q.members.find((x) => x.callSid === callSid);
      if (m) return { q, m };
    }
    return undefined;
  }

  /** Takes the call out of its queue for a dialler, like dequeue() does with the front caller. */
  takeCall(accountSid: string, callSid: string, dialer: string): DequeueOutcome {
    const found = this.findCall(accountSid, callSid);
    if (!found) return { status: 'empty' };
    const { q, m } = found;
    const queueTime = secondsSince(m.enqueuedAt);
    this.remove(q, m);
    this.deps.log.info({ queueSid: q.sid, callSid, dequeuedBy: dialer, queueTime }, 'caller dequeued for its reservation');
    return { caller: { callSid, queueSid: q.sid, queueTime, endpoint: m.req.endpoint, control: m.control, release: (result) => m.finish({ result }) } };
  }

  /** Takes the call out of its queue with no dialler: its Enqueue ends with `result`. */
  leaveCall(accountSid: string, callSid: string, result: MemberEnd['result']): void {
    const found = this.findCall(accountSid, callSid);
    if (found) this.leave(found.q, found.m, result);
  }
}
