import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConferenceJoinOutcome, ConferenceJoinRequest } from '../../instructions/runtime/call-control.js';
import { playPromptSource, type PromptSource } from '../../instructions/runtime/prompt-source.js';
import type { ConferenceNoun } from '../../instructions/verbs/dial-nouns.js';
import type { ConferenceMember, MediaServer } from '../../media/types.js';
import type { Page, PageRequest } from '../api/paging.js';
import type { ConferenceEventName } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';
import type { ConferenceRecordStore, Leases } from '../store/types.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import type { ConferenceFilter, ConferenceRecord } from './conference-record.js';
import { ConferenceRecorder, type RecordingPlace } from './conference-recorder.js';
import { LiveConference, type ConferenceSink } from './live-conference.js';
import { Participant, type ParticipantCall, type ParticipantSnapshot } from './participant.js';
import { applyParticipantChanges, type ParticipantChanges } from './participant-changes.js';
import { waitToLeave } from './stay-in.js';
import { documentFetcher } from './document-fetcher.js';

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
  /** Who holds each conference name, when several engines share a store; without them every conference is this engine's. */
  leases?: Leases;
  leaseMs: number;
  log: Logger;
}

/** Joins a conference that another engine holds (engine/cluster/conference-links.ts). */
export interface RemoteConferences {
  joinRemote(owner: string, call: JoiningCall, req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome>;
}

/** The call joining a conference, as the service needs it. */
export interface JoiningCall {
  callSid: string;
  accountSid: string;
  control: ParticipantCall;
  /** The call's webhook parameters (for another engine to fetch its wait music with). */
  params?: () => Readonly<Record<string, string>>;
}

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
  private readonly renewals = new Map<LiveConference, NodeJS.Timeout>();
  /** Set in a cluster: how calls join conferences held by other engines. */
  remote: RemoteConferences | undefined;

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
        this.giveUp(conf);
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

  /**
   * Puts a call in a conference and resolves when it has left. The
   * conference is held by one engine (a lease on its name); when that is
   * another engine, the call joins it over a media link to it (engine/cluster/conference-links.ts).
   */
  async join(call: JoiningCall, req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome> {
    const owner = await this.ownerOf(call.accountSid, req.noun.name, call.control.log);
    if (owner !== this.deps.engineId && this.remote) return this.remote.joinRemote(owner, call, req);
    return this.joinHere(call, req);
  }

  /** Who holds the conference of this name: this engine when it is free (it takes it), or the engine that has it. */
  private async ownerOf(accountSid: string, name: string, log: Logger): Promise<string> {
    const live = this.byName.get(nameKey(accountSid, name));
    if ((live && !live.ended) || !this.deps.leases) return this.deps.engineId;
    const lease = leaseName(accountSid, name);
    try {
      if (await this.deps.leases.acquire(lease, this.deps.engineId, this.deps.leaseMs)) return this.deps.engineId;
      return (await this.deps.leases.holder(lease)) ?? this.deps.engineId;
    } catch (err) {
      log.warn({ conference: name, reason: (err as Error).message }, 'the store cannot tell who holds the conference: it is held here');
      return this.deps.engineId;
    }
  }

  /** Joins a conference of this engine; `onJoined` is told once the call is in it. */
  async joinHere(call: JoiningCall, req: ConferenceJoinRequest, opts: { onJoined?: (conferenceSid: string) => void } = {}): Promise<ConferenceJoinOutcome> {
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
    opts.onJoined?.(conf.sid);
    const reason = await waitToLeave(req, call.control.hangupSignal, { signal: p.removedSignal, reason: () => p.removedFor });
    await member.leave().catch(() => undefined);
    conf.removed(p, reason);
    return { conferenceSid: conf.sid, status: 'completed', reason, durationSeconds: Math.round((performance.now() - started) / 1000) };
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
      this.hold(conf);
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

  /** Keeps the conference's name leased to this engine while it is live. */
  private hold(conf: LiveConference): void {
    const { leases, leaseMs, engineId } = this.deps;
    if (!leases) return;
    const lease = leaseName(conf.record.accountSid, conf.record.friendlyName);
    const renew = (): void => {
      leases.acquire(lease, engineId, leaseMs).then(
        (held) => held || this.deps.log.error({ conferenceSid: conf.sid }, 'another engine took the lease of a live conference'),
        (err: unknown) => this.deps.log.warn({ conferenceSid: conf.sid, reason: (err as Error).message }, 'the conference lease could not be renewed'),
      );
    };
    this.renewals.set(conf, setInterval(renew, Math.max(500, leaseMs / 3)).unref());
  }

  private giveUp(conf: LiveConference): void {
    clearInterval(this.renewals.get(conf));
    this.renewals.delete(conf);
    const lease = leaseName(conf.record.accountSid, conf.record.friendlyName);
    this.deps.leases?.release(lease, this.deps.engineId).catch(() => undefined);
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
    const fetch = documentFetcher(this.deps.webhooks, params, authToken);
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
    return applyParticipantChanges(conf, p, c, {
      holdMusic: { url: this.deps.holdMusicUrl, method: 'GET' },
      publish: (name, snapshot) => this.publish(conf, name, snapshot),
    });
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

/** The lease that says which engine holds the live conference of a name. */
function leaseName(accountSid: string, name: string): string {
  return `conference:${accountSid}:${encodeURIComponent(name)}`;
}

function nameKey(accountSid: string, name: string): string {
  return `${accountSid}\n${name}`;
}
