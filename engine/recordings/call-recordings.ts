import type { Logger } from 'pino';
import type { RecordingTarget } from '../../instructions/runtime/call-control.js';
import { RECORDING_TOO_SHORT, recordingStatusParams, type RecordingStatusEvent } from '../../instructions/runtime/recording-status.js';
import type { CallRecorder, Endpoint } from '../../media/types.js';
import { ApiError, type CallRecordingChange, type CallRecordingParams, type RecordingRecord } from '../api/call-service.js';
import type { EventStream } from '../events/event-stream.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { RecordingStore } from './recording-store.js';

/** Twilio's error 21220: the call is not in a state that allows this. */
const INVALID_STATE = 21220;

export type RecordingSource = 'StartCallRecordingAPI' | 'OutboundAPI';

/** The call whose audio is recorded, as its recordings see it. */
export interface RecordedCall {
  readonly callSid: string;
  readonly accountSid: string;
  readonly applicationId: string;
  readonly authToken: string | undefined;
  /** The call's media endpoint; undefined until the call is answered. */
  readonly media: Endpoint | undefined;
  newRecording(): RecordingTarget;
}

export interface CallRecordingsDeps {
  store: RecordingStore;
  statusSender: StatusCallbackSender;
  events: EventStream;
  log: Logger;
}

interface Running {
  record: RecordingRecord;
  recorder: CallRecorder;
  req: CallRecordingParams;
  /** Settles once the file is written and the record final. */
  done?: Promise<void>;
}

/**
 * The recordings of one live call that a program started and controls
 * (Twilio's call recordings): started on the call's endpoint beside
 * whatever the call does, paused, resumed and stopped by REST, ended with
 * the call. Each is in the store from its start (in-progress, paused,
 * stopped), and completed (or absent when nothing was recorded) once its
 * file is written; its status callbacks go out on the events asked for.
 */
export class CallRecordings {
  private readonly running = new Map<string, Running>();
  /** Newest first. */
  private readonly order: string[] = [];
  private readonly finishing = new Set<Promise<void>>();
  private watched: Endpoint | undefined;

  constructor(
    private readonly call: RecordedCall,
    private readonly deps: CallRecordingsDeps,
  ) {}

  async start(req: CallRecordingParams, source: RecordingSource): Promise<RecordingRecord> {
    const endpoint = this.call.media;
    if (!endpoint || endpoint.destroyed) throw new ApiError(400, INVALID_STATE, 'The call is not in progress: it cannot be recorded');
    const target = this.call.newRecording();
    const channels = req.track === 'both' ? req.channels : 1;
    const recorder = await endpoint.recordCall({ path: target.path, track: req.track, channels, trim: req.trim });
    const now = new Date();
    const record: RecordingRecord = {
      sid: target.sid,
      accountSid: this.call.accountSid,
      callSid: this.call.callSid,
      dateCreated: now,
      dateUpdated: now,
      startTime: now,
      durationSeconds: 0,
      channels,
      source,
      status: 'in-progress',
      track: req.track,
      mediaUrl: target.url,
    };
    const entry: Running = { record, recorder, req };
    this.running.set(record.sid, entry);
    this.order.unshift(record.sid);
    this.deps.store.add(record);
    this.deps.log.info({ recordingSid: record.sid, track: req.track, channels }, 'call recording started');
    this.callback(entry, 'in-progress');
    // The call may have ended while the recording started: it ends with it (its destroy event has gone).
    if (endpoint.destroyed) this.finish(entry, 'hangup');
    else this.watch(endpoint);
    return { ...record };
  }

  /** The call's recording `sid` (or Twilio.CURRENT), as it is now; undefined when the call has none of that sid. */
  get(sid: string): RecordingRecord | undefined {
    const entry = this.find(sid);
    return entry && { ...entry.record };
  }

  async update(sid: string, change: CallRecordingChange): Promise<RecordingRecord | undefined> {
    const entry = this.find(sid);
    if (!entry) return undefined;
    const { record, recorder } = entry;
    if (entry.done) {
      if (change.status === 'stopped') return { ...record };
      throw new ApiError(400, INVALID_STATE, `Recording ${record.sid} has stopped: it cannot be ${change.status === 'paused' ? 'paused' : 'resumed'}`);
    }
    if (change.status === 'stopped') {
      this.finish(entry, 'stopped');
      return { ...record };
    }
    // Answered once the media server has taken it: a pause that is reported is a pause that holds.
    if (change.status === 'paused') await recorder.pause(change.pauseBehavior);
    else await recorder.resume();
    record.status = change.status;
    record.dateUpdated = new Date();
    this.deps.store.add(record);
    this.deps.log.info({ recordingSid: record.sid, status: change.status, pauseBehavior: change.status === 'paused' ? change.pauseBehavior : undefined }, 'call recording updated');
    return { ...record };
  }

  /** Resolves once every recording of the call has been written (the call ended, or they were stopped). */
  async settled(): Promise<void> {
    while (this.finishing.size > 0) await Promise.all([...this.finishing]);
  }

  /** A recording of the call; Twilio.CURRENT: the newest still going. */
  private find(sid: string): Running | undefined {
    if (sid !== 'Twilio.CURRENT') return this.running.get(sid);
    const current = this.order.find((s) => !this.running.get(s)?.done);
    return current === undefined ? undefined : this.running.get(current);
  }

  /** When the call's endpoint ends, its recordings end with it. */
  private watch(endpoint: Endpoint): void {
    if (this.watched === endpoint) return;
    this.watched = endpoint;
    endpoint.once('destroy', () => {
      for (const entry of this.running.values()) if (!entry.done) this.finish(entry, 'hangup');
    });
  }

  private finish(entry: Running, why: 'stopped' | 'hangup'): void {
    const { record } = entry;
    record.status = 'stopped';
    record.dateUpdated = new Date();
    this.deps.store.add(record);
    const done = this.write(entry, why).finally(() => this.finishing.delete(done));
    entry.done = done;
    this.finishing.add(done);
  }

  private async write(entry: Running, why: 'stopped' | 'hangup'): Promise<void> {
    const { record, recorder } = entry;
    let durationMs = 0;
    try {
      durationMs = (await recorder.stop()).durationMs;
    } catch (err) {
      this.deps.log.warn({ recordingSid: record.sid, reason: (err as Error).message }, 'call recording could not be written');
    }
    const now = new Date();
    record.dateUpdated = now;
    record.durationSeconds = Math.round(durationMs / 1000);
    if (durationMs > 0) record.status = 'completed';
    else {
      record.status = 'absent';
      record.errorCode = RECORDING_TOO_SHORT;
    }
    this.deps.store.add(record);
    this.deps.log.info({ recordingSid: record.sid, durationMs, status: record.status, ended: why }, 'call recording ended');
    const { call } = this;
    if (record.status === 'completed') {
      this.deps.events.publish({ type: 'recording.completed', at: now, accountSid: call.accountSid, applicationId: call.applicationId, callSid: call.callSid, recording: { ...record } });
    }
    this.callback(entry, record.status === 'completed' ? 'completed' : 'absent');
  }

  /** The recording status callback for `event`, when asked for. */
  private callback(entry: Running, event: RecordingStatusEvent): void {
    const { record, req } = entry;
    if (req.statusCallback === undefined || !req.statusCallbackEvents.includes(event)) return;
    const params = recordingStatusParams({
      accountSid: record.accountSid,
      callSid: record.callSid,
      sid: record.sid,
      url: record.mediaUrl,
      status: event,
      durationSeconds: record.durationSeconds,
      channels: record.channels,
      source: record.source,
      startTime: record.startTime,
      track: record.track ?? 'both',
      ...(record.errorCode !== undefined ? { errorCode: record.errorCode } : {}),
    });
    this.deps.statusSender.send(
      `${record.callSid}:${record.sid}`,
      { url: req.statusCallback, method: req.statusCallbackMethod, params, authToken: this.call.authToken, applicationId: this.call.applicationId },
      { last: true },
    );
  }
}
