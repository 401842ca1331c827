import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallControl, ConferenceJoinOutcome, ConferenceJoinRequest } from '../../instructions/runtime/call-control.js';
import { playPromptSource, type PromptSource } from '../../instructions/runtime/prompt-source.js';
import type { ConferenceNoun } from '../../instructions/verbs/dial-nouns.js';
import type { ConferenceMember, MediaServer } from '../../media/types.js';
import type { Page, PageRequest } from '../api/paging.js';
import type { ConferenceEventName } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';
import type { ConferenceRecordStore } from '../store/types.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import type { ConferenceFilter, ConferenceRecord } from './conference-record.js';
import { ConferenceRecorder, type RecordingPlace } from './conference-recorder.js';
import { LiveConference, type ConferenceSink } from './live-conference.js';
import { Participant, type LeaveReason, type ParticipantSnapshot } from './participant.js';

export interface ConferenceServiceDeps {
  media: MediaServer;
  store: ConferenceRecordStore;
  events: EventStream;
  webhooks: WebhookClient;
  engineId: string;
  /** The default wait and hold music (the engine's own, served by its HTTP server). */
  holdMusicUrl: string;
  recordings: RecordingPlace;
  authTokenOf: (accountSid: string) => string | undefined;
  log: Logger;
}

/** The call joining a conference, as the service needs it. */
export interface JoiningCall {
  callSid: string;
  accountSid: string;
  control: CallControl;
}

/** What a REST update of a participant may change (Twilio's Participant update parameters). */
export interface ParticipantChanges {
  muted?: boolean;
  hold?: boolean;
  holdUrl?: PromptSource;
  announceUrl?: PromptSource;
  coaching?: boolean;
  callSidToCoach?: string;
  endConferenceOnExit?: boolean;
  beepOnExit?: boolean;
}

/** A participant update the conference cannot apply (the REST API answers 400). */
export class ParticipantUpdateError extends Error {}

/**
 * The conferences of this engine: one live conference per friendly name
 * and account, made when its first participant joins, with its room on the
 * media server of that participant's call. Records go to the store (the
 * REST API lists live and ended conferences from it); participants are
 * live state of this engine.
 */
export class ConferenceService {
  private readonly bySid = new Map<string, LiveConference>();
  private readonly byName = new Map<string, LiveConference>();
  /** First joins in progress, so that two callers arriving at once meet in one conference. */
  private readonly creating = new Map<string, Promise<LiveConference>>();
  private readonly recorder: ConferenceRecorder;
  private readonly sink: ConferenceSink;

  constructor(private readonly deps: ConferenceServiceDeps) {
    this.recorder = new ConferenceRecorder(deps.recordings, deps.events, deps.log);
    this.sink = {
      log: deps.log,
      save: (record) => deps.store.put({ ...record }),
      publish: (conf, name, p) => this.publish(conf, name, p?.snapshot(p.removedSignal.aborted || !conf.participants.has(p.callSid) ? 'complete' : 'connected')),
      record: (conf, settings, callSid) => {
        conf.recordingDone = this.recorder.record(conf, settings, callSid, this.deps.authTokenOf(conf.record.accountSid));
      },
      ended: (conf) => {
        this.bySid.delete(conf.sid);
        if (this.byName.get(nameKey(conf.record.accountSid, conf.record.friendlyName)) === conf) {
          this.byName.delete(nameKey(conf.record.accountSid, conf.record.friendlyName));
        }
      },
    };
  }

  /** Live conferences on this engine. */
  get size(): number {
    return this.bySid.size;
  }

  /** Puts a call in a conference and resolves when it has left. */
  async join(call: JoiningCall, req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome> {
    const { noun } = req;
    const log = call.control.log.child({ conference: noun.name });
    let conf: LiveConference;
    try {
      conf = await this.conferenceFor(call.accountSid, noun, req);
    } catch (err) {
      log.error({ reason: (err as Error).message }, 'the conference could not be created');
      return { status: 'failed', reason: 'error', durationSeconds: 0 };
    }
    if (conf.participants.size >= conf.maxParticipants) {
      log.warn({ conferenceSid: conf.sid, max: conf.maxParticipants }, 'the conference is full');
      return { conferenceSid: conf.sid, status: 'failed', reason: 'full', durationSeconds: 0 };
    }
    if (conf.participants.has(call.callSid)) {
      log.warn({ conferenceSid: conf.sid }, 'the call is in this conference already');
      return { conferenceSid: conf.sid, status: 'failed', reason: 'error', durationSeconds: 0 };
    }
    conf.adopt(noun);
    const waiting = !conf.started && !noun.startConferenceOnEnter;
    let member: ConferenceMember;
    try {
      member = await conf.room.join(req.endpoint, { muted: noun.muted, hold: waiting, coaching: conf.memberOf(noun.coach) ?? null });
    } catch (err) {
      log.error({ conferenceSid: conf.sid, reason: (err as Error).message }, 'the call could not join the conference room');
      if (conf.participants.size === 0) conf.end('last-participant-left', call.callSid);
      return { conferenceSid: conf.sid, status: 'failed', reason: 'error', durationSeconds: 0 };
    }
    const p = new Participant(call.callSid, call.accountSid, conf.sid, call.control, req.endpoint, member, {
      label: noun.participantLabel,
      muted: noun.muted,
      startConferenceOnEnter: noun.startConferenceOnEnter,
      endConferenceOnExit: noun.endConferenceOnExit,
      beepOnEnter: noun.beep === 'true' || noun.beep === 'onEnter',
      beepOnExit: noun.beep === 'true' || noun.beep === 'onExit',
      callSidToCoach: noun.coach,
      waitSource: this.waitSource(noun),
    });
    const started = performance.now();
    conf.added(p, p.settings.waitSource);
    log.info({ conferenceSid: conf.sid, participants: conf.participants.size, started: conf.started }, 'joined the conference');
    const reason = await this.stayIn(p, req);
    await member.leave().catch(() => undefined);
    conf.removed(p, reason);
    return { conferenceSid: conf.sid, status: 'completed', reason, durationSeconds: Math.round((performance.now() - started) / 1000) };
  }

  /** Waits until the participant leaves: removed, hung up, redirected, * (hangupOnStar) or at timeLimit. */
  private stayIn(p: Participant, req: ConferenceJoinRequest): Promise<LeaveReason> {
    return new Promise<LeaveReason>((resolve) => {
      let timeUp = false;
      let star = false;
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        p.endpoint.off('dtmf', onDigit);
        if (p.removedFor) resolve(p.removedFor);
        else if (p.control.hangupSignal.aborted) resolve('hangup');
        else if (star) resolve('star');
        else if (timeUp) resolve('time-limit');
        else resolve('redirected');
      };
      const onDigit = (e: { digit: string }): void => {
        if (!req.hangupOnStar || e.digit !== '*') return;
        star = true;
        finish();
      };
      const signal = AbortSignal.any([req.signal, p.removedSignal]);
      const timer = setTimeout(() => {
        timeUp = true;
        finish();
      }, req.timeLimitSeconds * 1000);
      if (signal.aborted) return finish();
      signal.addEventListener('abort', finish, { once: true });
      p.endpoint.on('dtmf', onDigit);
    });
  }

  private waitSource(noun: ConferenceNoun): PromptSource | undefined {
    if (noun.waitUrl === '') return undefined;
    return noun.waitUrl !== undefined ? { url: noun.waitUrl, method: noun.waitMethod } : { url: this.deps.holdMusicUrl, method: 'GET' };
  }

  private async conferenceFor(accountSid: string, noun: ConferenceNoun, req: ConferenceJoinRequest): Promise<LiveConference> {
    const key = nameKey(accountSid, noun.name);
    const live = this.byName.get(key);
    if (live && !live.ended) return live;
    const pending = this.creating.get(key);
    if (pending) return pending;
    const making = (async () => {
      const room = await this.deps.media.createConference({ name: noun.name, near: req.endpoint });
      const now = new Date();
      const record: ConferenceRecord = {
        sid: `CF${randomBytes(16).toString('hex')}`,
        accountSid,
        friendlyName: noun.name,
        status: 'init',
        dateCreated: now,
        dateUpdated: now,
        region: noun.region ?? 'us1',
        engineId: this.deps.engineId,
      };
      const conf = new LiveConference(record, room, noun, this.sink);
      room.on('speaking', (member, speaking) => {
        const p = [...conf.participants.values()].find((x) => x.member === member);
        if (p) this.publish(conf, speaking ? 'participant-speech-start' : 'participant-speech-stop', p.snapshot());
      });
      this.bySid.set(record.sid, conf);
      this.byName.set(key, conf);
      this.deps.store.put({ ...record });
      this.deps.log.info({ conferenceSid: record.sid, name: noun.name }, 'conference created');
      return conf;
    })();
    this.creating.set(key, making);
    try {
      return await making;
    } finally {
      this.creating.delete(key);
    }
  }

  private publish(conf: LiveConference, name: ConferenceEventName, participant?: ParticipantSnapshot): void {
    conf.touch();
    this.deps.events.publish({
      type: 'conference.status',
      at: new Date(),
      accountSid: conf.record.accountSid,
      ...(participant ? { callSid: participant.callSid } : {}),
      name,
      conference: { ...conf.record },
      ...(participant ? { participant } : {}),
      ...(conf.callbacks ? { callbacks: conf.callbacks } : {}),
    });
  }

  // ---- the REST API's side ----

  live(accountSid: string, conferenceSid: string): LiveConference | undefined {
    const conf = this.bySid.get(conferenceSid);
    return conf && conf.record.accountSid === accountSid && !conf.ended ? conf : undefined;
  }

  async get(accountSid: string, conferenceSid: string): Promise<ConferenceRecord | undefined> {
    const live = this.bySid.get(conferenceSid);
    if (live && live.record.accountSid === accountSid) return { ...live.record };
    const stored = await this.deps.store.get(conferenceSid);
    return stored && stored.accountSid === accountSid ? stored : undefined;
  }

  list(accountSid: string, filter: ConferenceFilter, page: PageRequest): Promise<Page<ConferenceRecord>> {
    return this.deps.store.list(accountSid, filter, page);
  }

  /** Status=completed: the conference ends for everyone in it. */
  end(conf: LiveConference): void {
    conf.end('conference-ended-via-api');
  }

  /** AnnounceUrl on the conference: played once to the whole room. */
  announce(conf: LiveConference, source: PromptSource): void {
    const { record } = conf;
    const params = { AccountSid: record.accountSid, ConferenceSid: record.sid, FriendlyName: record.friendlyName };
    const authToken = this.deps.authTokenOf(record.accountSid);
    const fetch = async (req: PromptSource): Promise<Awaited<ReturnType<CallControl['fetchNext']>>> => {
      const r = await this.deps.webhooks.fetchInstructions({ url: req.url, method: req.method, params, ...(authToken ? { authToken } : {}) });
      return 'document' in r ? { document: r.document, url: r.url } : { error: `${r.error.code}: ${r.error.message}`, url: r.error.url };
    };
    void playPromptSource(conf.room, fetch, source, { loop: false, signal: conf.recordingSignal, log: this.deps.log }).then((end) => {
      if (end !== 'stopped') this.publish(conf, end === 'finished' ? 'announcement-end' : 'announcement-failed');
    });
  }

  participants(conf: LiveConference): ParticipantSnapshot[] {
    return [...conf.participants.values()].map((p) => p.snapshot());
  }

  /** A participant by CallSid or by label. */
  participant(conf: LiveConference, callSidOrLabel: string): Participant | undefined {
    return conf.participants.get(callSidOrLabel) ?? [...conf.participants.values()].find((p) => p.label === callSidOrLabel);
  }

  update(conf: LiveConference, p: Participant, c: ParticipantChanges): ParticipantSnapshot {
    if (c.coaching === true && (c.callSidToCoach ?? p.callSidToCoach) === undefined) throw new ParticipantUpdateError('CallSidToCoach is required to coach');
    const coachTarget = c.callSidToCoach ?? p.callSidToCoach;
    if ((c.coaching === true || c.callSidToCoach !== undefined) && coachTarget !== undefined && !conf.participants.has(coachTarget)) {
      throw new ParticipantUpdateError(`${coachTarget} is not a participant of this conference`);
    }
    p.touch();
    if (c.muted !== undefined && c.muted !== p.muted) {
      p.muted = c.muted;
      p.member.update({ muted: c.muted });
      this.publish(conf, c.muted ? 'participant-mute' : 'participant-unmute', p.snapshot());
    }
    if (c.hold !== undefined && c.hold !== p.hold) {
      p.hold = c.hold;
      p.member.update({ hold: c.hold || !conf.started });
      if (c.hold) {
        p.holdSource = c.holdUrl ?? { url: this.deps.holdMusicUrl, method: 'GET' };
        p.startMusic(p.holdSource);
      } else if (conf.started) p.stopMusic();
      else p.startMusic(p.settings.waitSource);
      this.publish(conf, c.hold ? 'participant-hold' : 'participant-unhold', p.snapshot());
    }
    let modified = false;
    if (c.coaching !== undefined || c.callSidToCoach !== undefined) {
      const coaching = c.coaching ?? p.callSidToCoach !== undefined;
      p.callSidToCoach = coaching ? coachTarget : undefined;
      p.member.update({ coaching: coaching ? (conf.memberOf(coachTarget) ?? null) : null });
      modified = true;
    }
    if (c.endConferenceOnExit !== undefined) {
      p.endConferenceOnExit = c.endConferenceOnExit;
      modified = true;
    }
    if (c.beepOnExit !== undefined) {
      p.beepOnExit = c.beepOnExit;
      modified = true;
    }
    if (modified) this.publish(conf, 'participant-modify', p.snapshot());
    if (c.announceUrl) {
      const source = c.announceUrl;
      void p.announce(source).then((end) => {
        if (end === 'stopped') return;
        this.publish(conf, end === 'finished' ? 'announcement-end' : 'announcement-failed', p.snapshot());
        if (p.hold) p.startMusic(p.holdSource);
        else if (!conf.started) p.startMusic(p.settings.waitSource);
      });
    }
    return p.snapshot();
  }

  /** DELETE of a participant: it leaves the conference, and its call goes on with the Dial's action. */
  remove(p: Participant): void {
    p.remove('kicked');
  }

  /** Ends every conference (the engine stops). */
  async close(): Promise<void> {
    const all = [...this.bySid.values()];
    for (const conf of all) conf.end('conference-ended-via-api');
    await Promise.all(all.map((c) => c.recordingDone));
  }
}

function nameKey(accountSid: string, name: string): string {
  return `${accountSid}\n${name}`;
}
