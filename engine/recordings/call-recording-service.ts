import { ApiError, type CallRecordingChange, type CallRecordingParams, type CallRecordingService, type RecordingRecord } from '../api/call-service.js';
import { isFinalStatus } from '../calls/call-status.js';
import type { CallStore } from '../calls/call-store.js';
import type { LiveCalls } from '../calls/live-calls.js';
import type { RecordingCommand, RecordingCommands } from '../cluster/recording-commands.js';
import type { RecordingStore } from './recording-store.js';

/** Twilio's error 21220: the call is not in progress. */
const NOT_IN_PROGRESS = 21220;

/**
 * The REST side of call recordings: a request for a call of this engine
 * goes to the call's own recordings (engine/recordings/call-recordings.ts);
 * one for a call another engine of the cluster runs is carried there.
 */
export class LiveCallRecordingService implements CallRecordingService {
  constructor(
    private readonly live: LiveCalls,
    private readonly calls: CallStore,
    private readonly recordings: RecordingStore,
    private readonly commands?: RecordingCommands,
  ) {}

  /** The service of an engine of a cluster: it answers the other engines' commands for its calls until close(). */
  static async listening(live: LiveCalls, calls: CallStore, recordings: RecordingStore, commands: RecordingCommands): Promise<LiveCallRecordingService> {
    const service = new LiveCallRecordingService(live, calls, recordings, commands);
    await commands.start((command) => service.runCommand(command));
    return service;
  }

  close(): void {
    this.commands?.close();
  }

  async start(accountSid: string, callSid: string, params: CallRecordingParams): Promise<RecordingRecord | undefined> {
    return this.here({ kind: 'start', accountSid, callSid, params }) ?? this.elsewhere({ kind: 'start', accountSid, callSid, params });
  }

  async update(accountSid: string, callSid: string, recordingSid: string, change: CallRecordingChange): Promise<RecordingRecord | undefined> {
    const command: RecordingCommand = { kind: 'update', accountSid, callSid, recordingSid, change };
    const live = await (this.here(command) ?? this.elsewhere(command));
    if (live) return live;
    // A recording of the call that is no longer going cannot change.
    const done = await this.stored(accountSid, callSid, recordingSid);
    if (done) throw new ApiError(400, NOT_IN_PROGRESS, `Recording ${done.sid} is ${done.status}: it cannot be changed`);
    return undefined;
  }

  async get(accountSid: string, callSid: string, recordingSid: string): Promise<RecordingRecord | undefined> {
    const command: RecordingCommand = { kind: 'get', accountSid, callSid, recordingSid };
    const live = await (this.here(command) ?? (recordingSid === 'Twilio.CURRENT' ? this.elsewhere(command) : undefined));
    return live ?? this.stored(accountSid, callSid, recordingSid);
  }

  /** Runs a command from another engine on a call of this one. */
  runCommand(command: RecordingCommand): Promise<RecordingRecord | undefined> {
    return this.here(command) ?? Promise.resolve(undefined);
  }

  /** The command run on a call of this engine; undefined when the call is not here. */
  private here(command: RecordingCommand): Promise<RecordingRecord | undefined> | undefined {
    const call = this.live.get(command.callSid);
    if (!call || call.session.accountSid !== command.accountSid) return undefined;
    const recordings = call.recordings();
    if (command.kind === 'start') {
      if (!recordings || call.session.isFinal) return Promise.reject(new ApiError(400, NOT_IN_PROGRESS, 'The call is not in progress: it cannot be recorded'));
      return recordings.start(command.params, 'StartCallRecordingAPI');
    }
    if (!recordings) return Promise.resolve(undefined);
    return command.kind === 'update' ? recordings.update(command.recordingSid, command.change) : Promise.resolve(recordings.get(command.recordingSid));
  }

  /** The command carried to the engine that runs the call; undefined when no engine runs it. */
  private async elsewhere(command: RecordingCommand): Promise<RecordingRecord | undefined> {
    const call = await this.calls.get(command.accountSid, command.callSid);
    if (!call) return undefined;
    const running = !isFinalStatus(call.status) && call.engineId !== this.calls.engineId;
    if (running && this.commands) return this.commands.send(call.engineId, command);
    if (command.kind === 'start') throw new ApiError(400, NOT_IN_PROGRESS, 'The call is not in progress: it cannot be recorded');
    return undefined;
  }

  private async stored(accountSid: string, callSid: string, recordingSid: string): Promise<RecordingRecord | undefined> {
    const r = await this.recordings.get(accountSid, recordingSid);
    return r && r.callSid === callSid ? r : undefined;
  }
}
