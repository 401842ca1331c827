import type { Logger } from 'pino';
import type { ConferenceNoun } from '../../instructions/verbs/dial-nouns.js';
import type { PromptSource } from '../../instructions/runtime/prompt-source.js';
import type { ConferenceMember, MediaConference } from '../../media/types.js';
import type { ConferenceCallbacks, ConferenceEventName } from '../events/engine-events.js';
import type { ConferenceEndReason, ConferenceRecord } from './conference-record.js';
import type { LeaveReason, Participant } from './participant.js';

/** Longest wait, when a conference ends, for its participants to be out before conference-end is reported. */
const LEAVE_WAIT_MS = 2000;

/** What a live conference reports and stores through (conference-service.ts). */
export interface ConferenceSink {
  /** Writes the conference's record (created, started, ended). */
  save(record: ConferenceRecord): void;
  /** Publishes a status event of the conference (and of one participant). */
  publish(conf: LiveConference, name: ConferenceEventName, participant?: Participant): void;
  /** Starts recording the room (record-from-start); resolves when the recording ends. */
  record(conf: LiveConference, settings: ConferenceNoun, firstCallSid: string): void;
  /** The conference is over: forget it. */
  ended(conf: LiveConference): void;
  log: Logger;
}

/**
 * One live conference on this engine: its room, its participants and its
 * state, as Twilio runs it. It is created by its first participant (status
 * init) and starts (in-progress) when a participant with
 * startConferenceOnEnter joins; until then participants are held out of
 * the room and hear the wait music. It ends (completed) when its last
 * participant leaves, when one with endConferenceOnExit leaves, or by the
 * REST API; every participant still in it then leaves.
 */
export class LiveConference {
  readonly participants = new Map<string, Participant>();
  /** Set by the first participant that names them, as on Twilio. */
  callbacks: ConferenceCallbacks | undefined;
  maxParticipants: number;
  private recordSettings: ConferenceNoun | undefined;
  private recording = false;
  private readonly stopRecording = new AbortController();
  recordingDone: Promise<void> = Promise.resolve();
  private emptied: (() => void) | undefined;

  constructor(
    readonly record: ConferenceRecord,
    readonly room: MediaConference,
    first: ConferenceNoun,
    private readonly sink: ConferenceSink,
  ) {
    this.maxParticipants = first.maxParticipants;
  }

  get sid(): string {
    return this.record.sid;
  }

  get started(): boolean {
    return this.record.status === 'in-progress';
  }

  get ended(): boolean {
    return this.record.status === 'completed';
  }

  get recordingSignal(): AbortSignal {
    return this.stopRecording.signal;
  }

  /** The conference settings of a joining participant that apply to the whole conference when it is the first to give them. */
  adopt(noun: ConferenceNoun): void {
    const url = noun.statusCallback ?? noun.eventCallbackUrl;
    if (!this.callbacks && url !== undefined) {
      const events = noun.statusCallback !== undefined ? noun.statusCallbackEvent : [...noun.statusCallbackEvent, 'start', 'end', 'join', 'leave'] as const;
      this.callbacks = { url, method: noun.statusCallbackMethod, events: [...new Set(events)] };
    }
    if (!this.recordSettings && noun.record === 'record-from-start') this.recordSettings = noun;
  }

  /** Records the room from now on, once (the conference started, and a participant asked for record-from-start). */
  private startRecording(callSid: string): void {
    if (this.recording || !this.recordSettings) return;
    this.recording = true;
    this.sink.record(this, this.recordSettings, callSid);
  }

  /** A participant is in: it hears the room (once started) or waits. */
  added(p: Participant, waitSource: PromptSource | undefined): void {
    this.participants.set(p.callSid, p);
    this.sink.publish(this, 'participant-join', p);
    if (p.settings.beepOnEnter && this.started) this.room.tone('enter');
    // A record-from-start given by a participant who joins once the conference runs starts the recording now.
    if (this.started) this.startRecording(p.callSid);
    if (!this.started && p.startConferenceOnEnter) this.start(p);
    else if (!this.started) {
      p.member.update({ hold: true });
      p.startMusic(waitSource);
    }
  }

  private start(by: Participant): void {
    this.record.status = 'in-progress';
    this.touch();
    this.sink.save(this.record);
    this.sink.publish(this, 'conference-start');
    for (const p of this.participants.values()) {
      if (p.hold) continue;
      p.stopMusic();
      p.member.update({ hold: false });
    }
    if (by.settings.beepOnEnter) this.room.tone('enter');
    this.startRecording(by.callSid);
  }

  /** A participant is out (it left, or was taken out); the conference may end with it. */
  removed(p: Participant, reason: LeaveReason): void {
    if (!this.participants.delete(p.callSid)) return;
    p.stopMusic();
    for (const other of this.participants.values()) {
      if (other.callSidToCoach === p.callSid) other.callSidToCoach = undefined;
    }
    this.sink.publish(this, 'participant-leave', p);
    if (this.ended) {
      if (this.participants.size === 0) this.emptied?.();
      return;
    }
    const kicked = reason === 'kicked';
    if (p.endConferenceOnExit && this.started) {
      this.end(kicked ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', p.callSid);
    } else if (this.participants.size === 0) {
      this.end(kicked ? 'last-participant-kicked' : 'last-participant-left', p.callSid);
    } else if (p.beepOnExit && this.started) {
      this.room.tone('exit');
    }
  }

  /** Ends the conference: every participant leaves, the recording stops, the room goes. */
  end(reason: ConferenceEndReason, callSid?: string): void {
    if (this.ended) return;
    this.record.status = 'completed';
    this.record.reasonConferenceEnded = reason;
    if (callSid !== undefined) this.record.callSidEndingConference = callSid;
    this.touch();
    // The participants' leave events go before the conference's end (each leaves on its own call).
    const allOut =
      this.participants.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.emptied = resolve;
            setTimeout(resolve, LEAVE_WAIT_MS).unref();
          });
    for (const p of this.participants.values()) p.remove('conference-ended');
    this.stopRecording.abort();
    this.sink.save(this.record);
    void Promise.all([allOut, this.recordingDone]).then(async () => {
      this.sink.publish(this, 'conference-end');
      await this.room.destroy().catch((err: unknown) => this.sink.log.warn({ conferenceSid: this.sid, reason: (err as Error).message }, 'the conference room could not be closed'));
      this.sink.ended(this);
    });
  }

  /** The member of the participant `callSid`, if it is here. */
  memberOf(callSid: string | undefined): ConferenceMember | undefined {
    return callSid === undefined ? undefined : this.participants.get(callSid)?.member;
  }

  touch(): void {
    this.record.dateUpdated = new Date();
  }
}
