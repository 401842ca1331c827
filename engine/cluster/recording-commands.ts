import type { Logger } from 'pino';
import type { CallRecordingChange, CallRecordingParams, RecordingRecord } from '../api/call-service.js';
import { decodeRecording, encodeRecording } from '../store/record-codec.js';
import type { MessageBus } from '../store/types.js';
import { BusRequests } from './bus-requests.js';
import { COMMAND_TIMEOUT_MS } from './call-commands.js';

/**
 * Recording requests for a call another engine runs (start, pause, resume,
 * stop, fetch a live one): carried to the call's owner over the store's
 * bus and answered from there, its ApiErrors included.
 */
export type RecordingCommand =
  | { kind: 'start'; accountSid: string; callSid: string; params: CallRecordingParams }
  | { kind: 'update'; accountSid: string; callSid: string; recordingSid: string; change: CallRecordingChange }
  | { kind: 'get'; accountSid: string; callSid: string; recordingSid: string };

/** Runs a command on a call of this engine: the recording afterwards, or undefined when the call (or recording) is not here. */
export type RecordingCommandExecutor = (command: RecordingCommand) => Promise<RecordingRecord | undefined>;

export class RecordingCommands {
  private readonly requests: BusRequests<RecordingCommand, string | undefined>;

  constructor(bus: MessageBus, engineId: string, log: Logger, timeoutMs = COMMAND_TIMEOUT_MS) {
    this.requests = new BusRequests(bus, 'call-recordings', engineId, log, timeoutMs);
  }

  start(execute: RecordingCommandExecutor): Promise<void> {
    return this.requests.start(async (command) => {
      const record = await execute(command);
      return record === undefined ? undefined : encodeRecording(record);
    });
  }

  async send(owner: string, command: RecordingCommand): Promise<RecordingRecord | undefined> {
    const record = await this.requests.send(owner, command, `the recordings of call ${command.callSid}`);
    return record === undefined ? undefined : decodeRecording(record);
  }

  close(): void {
    this.requests.close();
  }
}
