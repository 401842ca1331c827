import type { Logger } from 'pino';
import type { NextDocumentOutcome, NextDocumentRequest } from '../../instructions/runtime/call-control.js';
import { playPromptSource, type PromptSource, type PromptSourceEnd } from '../../instructions/runtime/prompt-source.js';
import type { ConferenceMember, Endpoint } from '../../media/types.js';

/** Twilio's Participant status values. */
export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

/** Why a participant left its conference. */
export type LeaveReason = 'hangup' | 'redirected' | 'kicked' | 'conference-ended' | 'star' | 'time-limit';

/** A participant as the REST API and the status callbacks show it. */
export interface ParticipantSnapshot {
  callSid: string;
  accountSid: string;
  conferenceSid: string;
  label?: string;
  muted: boolean;
  hold: boolean;
  coaching: boolean;
  callSidToCoach?: string;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  status: ParticipantStatus;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface ParticipantSettings {
  label?: string;
  muted: boolean;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  /** Tones when this participant enters and leaves. */
  beepOnEnter: boolean;
  beepOnExit: boolean;
  callSidToCoach?: string;
  /** Where its wait music comes from, before the conference starts (none: silence). */
  waitSource: PromptSource | undefined;
}

/**
 * What a participant needs of its call: a logger, its end, and how to fetch
 * a wait or hold document with the call's parameters. A call of this
 * engine is its CallControl; a call of another engine is a proxy
 * (engine/cluster/conference-links.ts).
 */
export interface ParticipantCall {
  readonly log: Logger;
  readonly hangupSignal: AbortSignal;
  fetchNext(req: NextDocumentRequest): Promise<NextDocumentOutcome>;
}

/** One call in a live conference, held by the engine that holds the room. */
export class Participant {
  readonly dateCreated = new Date();
  dateUpdated = this.dateCreated;
  muted: boolean;
  hold = false;
  /** What it hears while on hold (HoldUrl, or the engine's hold music). */
  holdSource: PromptSource | undefined;
  callSidToCoach: string | undefined;
  readonly startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  beepOnExit: boolean;
  readonly label: string | undefined;
  /** Fires when the conference takes the participant out (removed, or the conference ended). */
  private readonly removal = new AbortController();
  removedFor: LeaveReason | undefined;
  private music: AbortController | undefined;

  constructor(
    readonly callSid: string,
    readonly accountSid: string,
    readonly conferenceSid: string,
    readonly control: ParticipantCall,
    readonly endpoint: Endpoint,
    readonly member: ConferenceMember,
    readonly settings: ParticipantSettings,
  ) {
    this.muted = settings.muted;
    this.startConferenceOnEnter = settings.startConferenceOnEnter;
    this.endConferenceOnExit = settings.endConferenceOnExit;
    this.beepOnExit = settings.beepOnExit;
    this.callSidToCoach = settings.callSidToCoach;
    this.label = settings.label;
  }

  get removedSignal(): AbortSignal {
    return this.removal.signal;
  }

  remove(reason: LeaveReason): void {
    if (this.removal.signal.aborted) return;
    this.removedFor = reason;
    this.removal.abort();
  }

  touch(): void {
    this.dateUpdated = new Date();
  }

  snapshot(status: ParticipantStatus = 'connected'): ParticipantSnapshot {
    return {
      callSid: this.callSid,
      accountSid: this.accountSid,
      conferenceSid: this.conferenceSid,
      ...(this.label !== undefined ? { label: this.label } : {}),
      muted: this.muted,
      hold: this.hold,
      coaching: this.callSidToCoach !== undefined,
      ...(this.callSidToCoach !== undefined ? { callSidToCoach: this.callSidToCoach } : {}),
      startConferenceOnEnter: this.startConferenceOnEnter,
      endConferenceOnExit: this.endConferenceOnExit,
      status,
      dateCreated: this.dateCreated,
      dateUpdated: this.dateUpdated,
    };
  }

  /**
   * Plays wait or hold music (a document or audio) to this participant
   * alone, looped, until stopMusic() or the participant leaves. A source
   * already playing is replaced.
   */
  startMusic(source: PromptSource | undefined): void {
    this.stopMusic();
    if (!source) return;
    const stop = new AbortController();
    this.music = stop;
    const signal = AbortSignal.any([stop.signal, this.removal.signal, this.control.hangupSignal]);
    const fetch = (req: PromptSource): Promise<NextDocumentOutcome> => this.control.fetchNext(req);
    void playPromptSource(this.endpoint, fetch, source, { loop: true, signal, log: this.control.log }).then((end) => {
      if (end === 'failed') this.control.log.warn({ url: source.url }, 'wait or hold music failed: the participant hears silence');
    });
  }

  stopMusic(): void {
    this.music?.abort();
    this.music = undefined;
  }

  /** Plays a source once to this participant (an announcement to one). */
  announce(source: PromptSource): Promise<PromptSourceEnd> {
    this.stopMusic();
    const signal = AbortSignal.any([this.removal.signal, this.control.hangupSignal]);
    const fetch = (req: PromptSource): Promise<NextDocumentOutcome> => this.control.fetchNext(req);
    return playPromptSource(this.endpoint, fetch, source, { loop: false, signal, log: this.control.log });
  }
}
