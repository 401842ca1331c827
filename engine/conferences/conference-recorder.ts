import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { recordingStatusParams, type RecordingStatusEvent } from '../../instructions/runtime/recording-status.js';
import type { ConferenceNoun } from '../../instructions/verbs/dial-nouns.js';
import type { RecordingRecord } from '../api/call-service.js';
import type { EventStream } from '../events/event-stream.js';
import { recordingPath } from '../http/recordings-route.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { LiveConference } from './live-conference.js';

/** Where conference recordings go: the engine's recordings directory and list, and who sends their callbacks. */
export interface RecordingPlace {
  dir: string;
  baseUrl: string;
  store: { add(record: RecordingRecord): void };
  statusSender: StatusCallbackSender;
}

/**
 * record="record-from-start": the room's mix from the moment the conference
 * starts until it ends, one channel, listed in Recordings with its
 * ConferenceSid, and reported to recordingStatusCallback.
 */
export class ConferenceRecorder {
  constructor(
    private readonly place: RecordingPlace,
    private readonly events: EventStream,
    private readonly log: Logger,
  ) {}

  async record(conf: LiveConference, settings: ConferenceNoun, callSid: string, authToken: string | undefined): Promise<void> {
    const sid = `RE${randomBytes(16).toString('hex')}`;
    const path = recordingPath(this.place.dir, sid);
    const url = `${this.place.baseUrl}/recordings/${sid}`;
    const startTime = new Date();
    const { record } = conf;
    const callback = (status: RecordingStatusEvent, durationSeconds: number): void => {
      const target = settings.recordingStatusCallback;
      if (target === undefined || !settings.recordingStatusCallbackEvent.includes(status)) return;
      const params = recordingStatusParams({ accountSid: record.accountSid, conferenceSid: record.sid, callSid, sid, url, status, durationSeconds, channels: 1, source: 'Conference', startTime, track: 'both' });
      this.place.statusSender.send(`${record.sid}:${sid}`, { url: target, method: settings.recordingStatusCallbackMethod, params, authToken }, { last: true });
    };
    callback('in-progress', 0);
    try {
      const out = await conf.room.record({ path, signal: conf.recordingSignal, trim: settings.trim === 'trim-silence' });
      const now = new Date();
      const durationSeconds = Math.round(out.durationMs / 1000);
      const rec: RecordingRecord = {
        sid,
        accountSid: record.accountSid,
        callSid,
        conferenceSid: record.sid,
        dateCreated: now,
        dateUpdated: now,
        startTime,
        durationSeconds,
        channels: 1,
        source: 'Conference',
        status: out.durationMs > 0 ? 'completed' : 'absent',
        mediaUrl: url,
      };
      this.place.store.add(rec);
      this.events.publish({ type: 'recording.completed', at: now, accountSid: record.accountSid, callSid, recording: rec });
      callback(rec.status === 'completed' ? 'completed' : 'absent', durationSeconds);
    } catch (err) {
      this.log.error({ conferenceSid: record.sid, recordingSid: sid, reason: (err as Error).message }, 'the conference recording failed');
    }
  }
}
