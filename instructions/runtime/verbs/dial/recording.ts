import type { Logger } from 'pino';
import type { DialVerb } from '../../../verbs/dial.js';
import type { CallRecorder, Endpoint } from '../../../../media/types.js';
import type { CallControl, RecordingTarget } from '../../call-control.js';
import { recordingStatusParams, type RecordingStatusEvent } from '../../recording-status.js';

export interface SavedDialRecording {
  target: RecordingTarget;
  durationSeconds: number;
  channels: 1 | 2;
}

/**
 * A Dial recording in progress: a call recording of the caller's endpoint
 * (Endpoint.recordCall). Twilio's tracks are seen from the caller's call:
 * inbound is what the caller says, outbound what it hears, which is what
 * its endpoint sends it: the ringback while the parties ring, a ringing
 * party's early media, then the connected party. Both tracks are kept in
 * step by the media engine, mixed into one channel or kept as two (caller
 * first) for the -dual modes with recordingTrack both; a single track is
 * one channel. With trim-silence, the silence before the first and after
 * the last sound of the tracks together is cut.
 */
export class DialRecording {
  private finished = false;
  private readonly startTime = new Date();

  private constructor(
    private readonly verb: DialVerb,
    private readonly recorder: Promise<CallRecorder | undefined>,
    private readonly control: CallControl,
    private readonly target: RecordingTarget,
    private readonly channels: 1 | 2,
    private readonly log: Logger,
  ) {
    void recorder.then((r) => r && this.callback('in-progress', 0));
  }

  /**
   * Starts the recording of a Dial with `record` set (undefined for
   * do-not-record): at the first ringing for the record-from-ringing modes,
   * at the bridge for record-from-answer.
   */
  static start(verb: DialVerb, caller: Endpoint, control: CallControl, log: Logger): DialRecording | undefined {
    if (verb.record === 'do-not-record') return undefined;
    const target = control.newRecording();
    const channels = verb.recordingTrack === 'both' && verb.record.endsWith('-dual') ? 2 : 1;
    const recorder = caller.recordCall({ path: target.path, track: verb.recordingTrack, channels, trim: verb.trim === 'trim-silence' }).catch((err: unknown) => {
      log.warn({ reason: (err as Error).message, recordingSid: target.sid }, 'the Dial recording could not start');
      return undefined;
    });
    return new DialRecording(verb, recorder, control, target, channels, log);
  }

  /** Stops the recording and saves it; undefined when nothing could be saved. */
  async finish(): Promise<SavedDialRecording | undefined> {
    if (this.finished) return undefined;
    this.finished = true;
    const recorder = await this.recorder;
    if (!recorder) return undefined;
    try {
      const { durationMs, channels } = await recorder.stop();
      const durationSeconds = Math.round(durationMs / 1000);
      this.control.recordingSaved(this.target, { durationMs, channels, source: 'DialVerb' });
      this.callback(durationMs > 0 ? 'completed' : 'absent', durationSeconds);
      return { target: this.target, durationSeconds, channels };
    } catch (err) {
      this.log.warn({ reason: (err as Error).message, recordingSid: this.target.sid }, 'Dial recording could not be saved');
      return undefined;
    }
  }

  /** The recording status callback of `status`, when the Dial asked for it. */
  private callback(status: RecordingStatusEvent, durationSeconds: number): void {
    const { verb, target } = this;
    if (verb.recordingStatusCallback === undefined || !verb.recordingStatusCallbackEvent.includes(status)) return;
    this.control.notify({
      url: verb.recordingStatusCallback,
      method: verb.recordingStatusCallbackMethod,
      params: recordingStatusParams({
        callSid: this.control.callSid,
        sid: target.sid,
        url: target.url,
        status,
        durationSeconds,
        channels: this.channels,
        source: 'DialVerb',
        startTime: this.startTime,
        track: verb.recordingTrack,
      }),
    });
  }
}
