import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../api/api-errors.js';
import { ApiError, type CallRecord, type CallRedirect } from '../api/call-service.js';
import { decodeCallRecord, encodeCall } from '../store/record-codec.js';
import type { MessageBus } from '../store/types.js';

/**
 * What one engine asks of another about a call the other runs: a REST
 * update (redirect, hang up, cancel) made on any engine is carried to the
 * call's owner over the store's bus and answered from there. No answer
 * within the timeout is a 503, never a wait without end.
 */

export type CallCommand =
  | { kind: 'redirect'; accountSid: string; callSid: string; to: CallRedirect }
  | { kind: 'end'; accountSid: string; callSid: string; status: 'completed' | 'canceled' };

type Message =
  | { type: 'command'; id: string; from: string; command: CallCommand }
  | { type: 'reply'; id: string; record?: string; error?: { status: number; code: number; message: string } };

/** Runs a command on a call of this engine: its record afterwards, or undefined when the call is not here. */
export type CommandExecutor = (command: CallCommand) => Promise<CallRecord | undefined>;

export const COMMAND_TIMEOUT_MS = 3000;

const channelOf = (engineId: string): string => `engine:${engineId}`;

export class CallCommands {
  private readonly pending = new Map<string, { resolve: (m: Extract<Message, { type: 'reply' }>) => void; timer: NodeJS.Timeout }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly engineId: string,
    private readonly log: Logger,
    private readonly timeoutMs = COMMAND_TIMEOUT_MS,
  ) {}

  /** Listens for commands to this engine (run by `execute`) and for answers to its own. */
  async start(execute: CommandExecutor): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(channelOf(this.engineId), (text) => {
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        this.log.warn({ channel: channelOf(this.engineId) }, 'a bus message that is not JSON was ignored');
        return;
      }
      if (message.type === 'reply') this.answered(message);
      else if (message.type === 'command') void this.run(message, execute);
    });
  }

  /** Sends `command` to the engine that runs the call; its answer, as the local API would give it. */
  send(owner: string, command: CallCommand): Promise<CallRecord | undefined> {
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.log.warn({ callSid: command.callSid, owner, command: command.kind }, 'the engine that runs the call did not answer');
        reject(new ApiError(503, ErrorCode.ServiceUnavailable, `The engine that runs call ${command.callSid} did not answer; try again`));
      }, this.timeoutMs);
      this.pending.set(id, {
        timer,
        resolve: (reply) => {
          if (reply.error) reject(new ApiError(reply.error.status, reply.error.code, reply.error.message));
          else resolve(reply.record === undefined ? undefined : decodeCallRecord(reply.record));
        },
      });
      const message: Message = { type: 'command', id, from: this.engineId, command };
      this.bus.publish(channelOf(owner), JSON.stringify(message));
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ type: 'reply', id, error: { status: 503, code: ErrorCode.ServiceUnavailable, message: 'The engine is stopping' } });
    }
    this.pending.clear();
  }

  private answered(reply: Extract<Message, { type: 'reply' }>): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    p.resolve(reply);
  }

  private async run(message: Extract<Message, { type: 'command' }>, execute: CommandExecutor): Promise<void> {
    let reply: Message;
    try {
      const record = await execute(message.command);
      reply = { type: 'reply', id: message.id, ...(record ? { record: encodeCall(record) } : {}) };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, ErrorCode.Internal, 'An internal server error has occurred');
      if (!(err instanceof ApiError)) this.log.error({ err, callSid: message.command.callSid }, 'a command from another engine failed');
      reply = { type: 'reply', id: message.id, error: { status: e.status, code: e.code, message: e.message } };
    }
    this.bus.publish(channelOf(message.from), JSON.stringify(reply));
  }
}
