import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../api/api-errors.js';
import { ApiError } from '../api/call-service.js';
import type { MessageBus } from '../store/types.js';

/**
 * Requests from one engine to another over the store's bus, each answered
 * once: the asker publishes on the other's channel with an id and its own
 * name, the other answers on the asker's channel. No answer within the
 * timeout is a 503 (ApiError), never a wait without end. A handler's
 * ApiError reaches the asker as that ApiError; any other failure as a 500.
 * Every kind of request has a channel name of its own (`topic`), so kinds
 * are never mixed up and a handler only ever sees its own.
 */

type Message<Q, A> =
  | { type: 'request'; id: string; from: string; request: Q }
  | { type: 'reply'; id: string; answer?: A; error?: { status: number; code: number; message: string } };

export class BusRequests<Q, A> {
  private readonly pending = new Map<string, { settle: (m: Extract<Message<Q, A>, { type: 'reply' }>) => void; timer: NodeJS.Timeout }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly engineId: string,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  private channelOf(engineId: string): string {
    return `${this.topic}:${engineId}`;
  }

  /** Listens for requests to this engine (answered by `handle`) and for the answers to its own. */
  async start(handle: (request: Q) => Promise<A>): Promise<void> {
    const channel = this.channelOf(this.engineId);
    this.unsubscribe = await this.bus.subscribe(channel, (text) => {
      let message: Message<Q, A>;
      try {
        message = JSON.parse(text) as Message<Q, A>;
      } catch {
        this.log.warn({ channel }, 'a bus message that is not JSON was ignored');
        return;
      }
      if (message.type === 'reply') this.answered(message);
      else if (message.type === 'request') void this.run(message, handle);
    });
  }

  /**
   * Sends `request` to engine `target`; its answer. `what` names, for the
   * 503 of no answer, what the other engine was asked about.
   */
  send(target: string, request: Q, what: string): Promise<A> {
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.log.warn({ target, topic: this.topic, what }, 'another engine did not answer');
        reject(new ApiError(503, ErrorCode.ServiceUnavailable, `The engine that runs ${what} did not answer; try again`));
      }, this.timeoutMs);
      this.pending.set(id, {
        timer,
        settle: (reply) => {
          if (reply.error) reject(new ApiError(reply.error.status, reply.error.code, reply.error.message));
          else resolve(reply.answer as A);
        },
      });
      const message: Message<Q, A> = { type: 'request', id, from: this.engineId, request };
      this.bus.publish(this.channelOf(target), JSON.stringify(message));
    });
  }

  /** Stops listening; what is still waiting for an answer is refused with a 503. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.settle({ type: 'reply', id, error: { status: 503, code: ErrorCode.ServiceUnavailable, message: 'The engine is stopping' } });
    }
    this.pending.clear();
  }

  private answered(reply: Extract<Message<Q, A>, { type: 'reply' }>): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    p.settle(reply);
  }

  private async run(message: Extract<Message<Q, A>, { type: 'request' }>, handle: (request: Q) => Promise<A>): Promise<void> {
    let reply: Message<Q, A>;
    try {
      const answer = await handle(message.request);
      reply = { type: 'reply', id: message.id, ...(answer !== undefined ? { answer } : {}) };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, ErrorCode.Internal, 'An internal server error has occurred');
      if (!(err instanceof ApiError)) this.log.error({ err, topic: this.topic }, 'a request from another engine failed');
      reply = { type: 'reply', id: message.id, error: { status: e.status, code: e.code, message: e.message } };
    }
    this.bus.publish(this.channelOf(message.from), JSON.stringify(reply));
  }
}
