import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  CallControl,
  DequeueOutcome,
  DequeueRequest,
  EnqueueOutcome,
  EnqueueRequest,
  NextDocumentRequest,
  QueueResult,
} from '../../instructions/runtime/call-control.js';
import { playPromptSource } from '../../instructions/runtime/prompt-source.js';

/** Twilio's default size of a queue made by <Enqueue>. */
export const DEFAULT_MAX_QUEUE_SIZE = 1000;

/** A call waiting in a queue. */
interface Member {
  callSid: string;
  control: CallControl;
  req: EnqueueRequest;
  enqueuedAt: number;
  /** Taken by a dialler (or removed): the wait music stops. */
  taken: AbortController;
  /** How its Enqueue ends, once known. */
  finish: (result: QueueResult) => void;
}

interface LiveQueue {
  sid: string;
  accountSid: string;
  name: string;
  maxSize: number;
  members: Member[];
  /** Dialers waiting for a caller, first come first served. */
  waiting: ((m: Member) => void)[];
  /** Seconds the callers that left it waited, for AvgQueueTime. */
  waitedSeconds: number;
  left: number;
}

export interface QueueServiceDeps {
  /** The default wait music (the engine's own). */
  holdMusicUrl: string;
  log: Logger;
}

/**
 * The call queues of this engine, as Twilio runs them for TwiML: <Enqueue>
 * puts the caller in the named queue (made on first use, 1000 callers at
 * most), where it hears the wait document in a loop (requested with
 * QueuePosition, QueueSid, QueueTime, AvgQueueTime, CurrentQueueSize and
 * MaxQueueSize) until a <Dial><Queue> takes it (front first), it <Leave>s,
 * or it hangs up. Queues live in this engine's memory: a queue of the same
 * name on another engine of a cluster is another queue.
 */
export class QueueService {
  private readonly queues = new Map<string, LiveQueue>();

  constructor(private readonly deps: QueueServiceDeps) {}

  private queueFor(accountSid: string, name: string, create: boolean): LiveQueue | undefined {
    const key = `${accountSid}\n${name}`;
    let q = this.queues.get(key);
    if (!q && create) {
      q = { sid: `QU${randomBytes(16).toString('hex')}`, accountSid, name, maxSize: DEFAULT_MAX_QUEUE_SIZE, members: [], waiting: [], waitedSeconds: 0, left: 0 };
      this.queues.set(key, q);
      this.deps.log.info({ queueSid: q.sid, name }, 'queue created');
    }
    return q;
  }

  async enqueue(call: { callSid: string; accountSid: string; control: CallControl }, req: EnqueueRequest): Promise<EnqueueOutcome> {
    const q = this.queueFor(call.accountSid, req.queueName, true)!;
    if (q.members.length >= q.maxSize) return { result: 'queue-full', queueSid: q.sid, queueTime: 0 };
    const log = call.control.log.child({ queue: q.name, queueSid: q.sid });
    let settle!: (result: QueueResult) => void;
    const ended = new Promise<QueueResult>((resolve) => (settle = resolve));
    const member: Member = { callSid: call.callSid, control: call.control, req, enqueuedAt: performance.now(), taken: new AbortController(), finish: (r) => settle(r) };
    const waiter = q.waiting.shift();
    if (waiter) waiter(member);
    else q.members.push(member);
    log.info({ position: q.members.length }, 'caller enqueued');
    const seconds = (): number => Math.round((performance.now() - member.enqueuedAt) / 1000);
    const fetch = (r: NextDocumentRequest): ReturnType<CallControl['fetchNext']> =>
      call.control.fetchNext({ ...r, params: { ...r.params, ...this.waitParams(q, member, seconds()) } });
    const source = req.waitUrl !== undefined ? { url: req.waitUrl, method: req.waitUrlMethod } : { url: this.deps.holdMusicUrl, method: 'GET' as const };
    const music = waiter
      ? Promise.resolve('stopped' as const)
      : playPromptSource(req.endpoint, fetch, source, { loop: true, signal: AbortSignal.any([req.signal, member.taken.signal]), log, queue: true });
    // Whichever comes first: the wait document's Leave or Hangup, the caller going, or a dialler taking it.
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
    const result = await ended;
    req.signal.removeEventListener('abort', onGone);
    const queueTime = seconds();
    log.info({ result, queueTime }, 'caller left the queue');
    return { result, queueSid: q.sid, queueTime };
  }

  /** Out of the queue without a dialler: its Enqueue ends with `result`. */
  private leave(q: LiveQueue, m: Member, result: QueueResult): void {
    this.remove(q, m);
    m.finish(result);
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
    const q = this.queueFor(accountSid, req.queueName, false);
    if (!q) return { status: 'no-queue' };
    let member = q.members.shift();
    if (!member) {
      member = await new Promise<Member | undefined>((resolve) => {
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
      if (!member) return { status: req.signal.aborted ? 'canceled' : 'empty' };
    }
    const m = member;
    const queueTime = Math.round((performance.now() - m.enqueuedAt) / 1000);
    this.remove(q, m);
    this.deps.log.info({ queueSid: q.sid, callSid: m.callSid, dequeuedBy: dialer, queueTime }, 'caller dequeued');
    return {
      caller: {
        callSid: m.callSid,
        queueSid: q.sid,
        queueTime,
        endpoint: m.req.endpoint,
        control: m.control,
        release: (result) => m.finish(result),
      },
    };
  }
}
