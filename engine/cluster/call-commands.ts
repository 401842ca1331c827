import type { Logger } from 'pino';
import type { CallbackChanges, CallRecord, CallRedirect } from '../api/call-service.js';
import { decodeCallRecord, encodeCall } from '../store/record-codec.js';
import type { MessageBus } from '../store/types.js';
import { BusRequests } from './bus-requests.js';

/**
 * What one engine asks of another about a call the other runs: a REST
 * update (redirect, new callbacks, hang up, cancel) made on any engine is carried to the
 * call's owner over the store's bus and answered from there. No answer
 * within the timeout is a 503, never a wait without end.
 */

export type CallCommand =
  | { kind: 'redirect'; accountSid: string; callSid: string; to: CallRedirect }
  | { kind: 'callbacks'; accountSid: string; callSid: string; changes: CallbackChanges }
  | { kind: 'end'; accountSid: string; callSid: string; status: 'completed' | 'canceled' };

/** Runs a command on a call of this engine: its record afterwards, or undefined when the call is not here. */
export type CommandExecutor = (command: CallCommand) => Promise<CallRecord | undefined>;

export const COMMAND_TIMEOUT_MS = 3000;

export class CallCommands {
  /** The answer is the call's record in the store's encoding, or nothing when the call is not there. */
  private readonly requests: BusRequests<CallCommand, string | undefined>;

  constructor(bus: MessageBus, engineId: string, log: Logger, timeoutMs = COMMAND_TIMEOUT_MS) {
    this.requests = new BusRequests(bus, 'engine', engineId, log, timeoutMs);
  }

  /** Listens for commands to this engine (run by `execute`) and for answers to its own. */
  start(execute: CommandExecutor): Promise<void> {
    return this.requests.start(async (command) => {
      const record = await execute(command);
      return record === undefined ? undefined : encodeCall(record);
    });
  }

  /** Sends `command` to the engine that runs the call; its answer, as the local API would give it. */
  async send(owner: string, command: CallCommand): Promise<CallRecord | undefined> {
    const record = await this.requests.send(owner, command, `call ${command.callSid}`);
    return record === undefined ? undefined : decodeCallRecord(record);
  }

  close(): void {
    this.requests.close();
  }
}
