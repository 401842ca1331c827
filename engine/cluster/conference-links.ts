import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConferenceJoinOutcome, ConferenceJoinRequest } from '../../instructions/runtime/call-control.js';
import type { ConferenceNoun } from '../../instructions/verbs/dial-nouns.js';
import { ErrorCode } from '../api/api-errors.js';
import { ApiError } from '../api/call-service.js';
import type { Endpoint, MediaServer } from '../../media/types.js';
import type { ConferenceAnswer, ConferenceApi, ConferenceOwnerLink, ConferenceRequest } from '../conferences/conference-api.js';
import type { ConferenceService, JoiningCall, RemoteConferences } from '../conferences/conference-service.js';
import type { LeaveReason, ParticipantCall } from '../conferences/participant.js';
import { waitToLeave } from '../conferences/stay-in.js';
import { documentFetcher } from '../conferences/document-fetcher.js';
import type { Leases, MessageBus } from '../store/types.js';
import { engineLeaseName, watchIntervalMs } from './engine-liveness.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';

/**
 * Conferences across the engines of a cluster. A conference is held by one
 * engine (the one whose media server has its room). A call of another
 * engine joins it over a media link: its engine makes an RTP endpoint and
 * sends its SDP offer over the store's bus; the holder answers with an
 * endpoint of its own, which joins the room as that call's participant;
 * the caller is bridged to the link. Audio goes caller -> its engine ->
 * the room -> back. Leaving either way (the caller hangs up, is redirected,
 * presses *; or the holder removes it, or the conference ends) is one
 * message, and the link's endpoints go. REST requests about a live
 * conference made on any engine go to the holder the same way.
 */

type Message =
  | { t: 'join'; id: string; from: string; accountSid: string; callSid: string; noun: ConferenceNoun; sdp: string; params: Record<string, string> }
  | { t: 'joined'; id: string; sdp: string; conferenceSid: string }
  | { t: 'join-failed'; id: string; reason: ConferenceJoinOutcome['reason']; conferenceSid?: string }
  | { t: 'left'; callSid: string; reason: LeaveReason }
  | { t: 'leave'; callSid: string; reason: LeaveReason }
  | { t: 'ask'; id: string; from: string; req: ConferenceRequest }
  | { t: 'answer'; id: string; answer: ConferenceAnswer };

/** Longest wait for the holder to answer a join or a request. */
const ANSWER_TIMEOUT_MS = 5000;

const channelOf = (engineId: string): string => `conferences:${engineId}`;

export interface ConferenceLinkDeps {
  bus: MessageBus;
  engineId: string;
  media: MediaServer;
  webhooks: WebhookClient;
  authTokenOf: (accountSid: string) => string | undefined;
  service: ConferenceService;
  api: ConferenceApi;
  /** The engines' liveness leases: a link to an engine that is lost ends. */
  leases: Leases;
  leaseMs: number;
  log: Logger;
}

interface Pending {
  resolve: (m: Message) => void;
  timer: NodeJS.Timeout;
}

export class ConferenceLinks implements RemoteConferences, ConferenceOwnerLink {
  private readonly pending = new Map<string, Pending>();
  /** Calls of this engine in a conference elsewhere: the holder, and what it says when it takes them out. */
  private readonly away = new Map<string, { owner: string; removed: (reason: LeaveReason) => void }>();
  /** Participants here whose calls run elsewhere: their engine, and how to end their link. */
  private readonly hosted = new Map<string, { from: string; leave: AbortController; reason?: LeaveReason }>();
  private unsubscribe: (() => void) | undefined;
  private watch: NodeJS.Timeout | undefined;
  /** Peers seen without their lease at the last look (lost at the next, if still so). */
  private missing = new Set<string>();

  constructor(private readonly deps: ConferenceLinkDeps) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.bus.subscribe(channelOf(this.deps.engineId), (text) => {
      let m: Message;
      try {
        m = JSON.parse(text) as Message;
      } catch {
        this.deps.log.warn('a conference message that is not JSON was ignored');
        return;
      }
      this.received(m);
    });
    this.watch = setInterval(() => void this.lookForLostPeers(), watchIntervalMs(this.deps.leaseMs)).unref();
  }

  /**
   * The engines at the other end of this engine's links that have lost
   * their lease at two looks in a row are gone (killed, cut off): their
   * participants leave the conferences here, and this engine's calls in
   * their conferences leave them (the Dial goes on to its action).
   */
  private async lookForLostPeers(): Promise<void> {
    const peers = new Set([...this.away.values()].map((a) => a.owner).concat([...this.hosted.values()].map((h) => h.from)));
    const missing = new Set<string>();
    for (const peer of peers) {
      try {
        if ((await this.deps.leases.holder(engineLeaseName(peer))) !== undefined) continue;
      } catch {
        return; // the store is away: nobody is taken for lost
      }
      if (!this.missing.has(peer)) {
        missing.add(peer);
        continue;
      }
      this.deps.log.warn({ engine: peer }, 'an engine at the other end of conference links was lost: its links end');
      for (const h of this.hosted.values()) {
        if (h.from !== peer) continue;
        h.reason = 'hangup';
        h.leave.abort();
      }
      for (const a of this.away.values()) if (a.owner === peer) a.removed('conference-ended');
    }
    this.missing = missing;
  }

  close(): void {
    clearInterval(this.watch);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ t: 'join-failed', id, reason: 'error' });
    }
    this.pending.clear();
    for (const h of this.hosted.values()) h.leave.abort();
  }

  private send(engineId: string, m: Message): void {
    this.deps.bus.publish(channelOf(engineId), JSON.stringify(m));
  }

  private request(owner: string, m: Extract<Message, { id: string; from: string }>): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(m.id);
        resolve(undefined);
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(m.id, { resolve, timer });
      this.send(owner, m);
    });
  }

  private received(m: Message): void {
    switch (m.t) {
      case 'joined':
      case 'join-failed':
      case 'answer': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m);
        return;
      }
      case 'left':
        this.away.get(m.callSid)?.removed(m.reason);
        return;
      case 'leave': {
        const h = this.hosted.get(m.callSid);
        if (!h) return;
        h.reason = m.reason;
        h.leave.abort();
        return;
      }
      case 'join':
        void this.host(m).catch((err: unknown) => this.deps.log.error({ err, callSid: m.callSid }, 'a participant from another engine could not be taken'));
        return;
      case 'ask':
        void this.answer(m);
        return;
    }
  }

  // ---- the engine of the call ----

  /** Puts a call of this engine in a conference held by `owner`; resolves when it has left. */
  async joinRemote(owner: string, call: JoiningCall, req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome> {
    const log = call.control.log.child({ conference: req.noun.name, holder: owner });
    let link: Endpoint;
    try {
      link = await this.deps.media.createEndpoint({ callId: `conference-link-${call.callSid}`, near: req.endpoint });
    } catch (err) {
      log.error({ reason: (err as Error).message }, 'no media for the link to the engine that holds the conference');
      return { status: 'failed', reason: 'error', durationSeconds: 0 };
    }
    let removedFor: LeaveReason | undefined;
    const removed = new AbortController();
    this.away.set(call.callSid, {
      owner,
      removed: (reason) => {
        removedFor = reason;
        removed.abort();
      },
    });
    try {
      const id = randomBytes(8).toString('hex');
      const params = { ...(call.params?.() ?? {}) };
      const reply = await this.request(owner, { t: 'join', id, from: this.deps.engineId, accountSid: call.accountSid, callSid: call.callSid, noun: req.noun, sdp: link.localSdp, params });
      if (!reply || reply.t !== 'joined') {
        const reason = reply?.t === 'join-failed' ? reply.reason : 'error';
        log.warn({ reason: reply ? reason : 'no answer' }, 'the engine that holds the conference did not take the call');
        return { ...(reply?.t === 'join-failed' && reply.conferenceSid ? { conferenceSid: reply.conferenceSid } : {}), status: 'failed', reason, durationSeconds: 0 };
      }
      await link.modify(reply.sdp);
      await req.endpoint.bridge(link);
      log.info({ conferenceSid: reply.conferenceSid }, 'joined the conference on another engine');
      const started = performance.now();
      const reason = await waitToLeave(req, call.control.hangupSignal, { signal: removed.signal, reason: () => removedFor });
      if (!removedFor) this.send(owner, { t: 'leave', callSid: call.callSid, reason });
      return { conferenceSid: reply.conferenceSid, status: 'completed', reason, durationSeconds: Math.round((performance.now() - started) / 1000) };
    } finally {
      this.away.delete(call.callSid);
      await req.endpoint.unbridge().catch(() => undefined);
      await link.destroy().catch(() => undefined);
    }
  }

  /** A REST request about a live conference that `owner` holds. */
  async ask(owner: string, req: ConferenceRequest): Promise<ConferenceAnswer> {
    const reply = await this.request(owner, { t: 'ask', id: randomBytes(8).toString('hex'), from: this.deps.engineId, req });
    if (!reply || reply.t !== 'answer') throw new ApiError(503, ErrorCode.ServiceUnavailable, `The engine that holds conference ${req.conferenceSid} did not answer; try again`);
    return reply.answer;
  }

  // ---- the engine that holds the conference ----

  private async host(m: Extract<Message, { t: 'join' }>): Promise<void> {
    let link: Endpoint;
    try {
      link = await this.deps.media.createEndpoint({ remoteSdp: m.sdp, callId: `conference-link-${m.callSid}` });
    } catch (err) {
      this.deps.log.warn({ callSid: m.callSid, reason: (err as Error).message }, 'no media for a participant from another engine');
      this.send(m.from, { t: 'join-failed', id: m.id, reason: 'error' });
      return;
    }
    const leave = new AbortController();
    const entry: { from: string; leave: AbortController; reason?: LeaveReason } = { from: m.from, leave };
    this.hosted.set(m.callSid, entry);
    const call = this.proxy(m, leave.signal);
    let joined = false;
    try {
      const out = await this.deps.service.joinHere(
        { callSid: m.callSid, accountSid: m.accountSid, control: call },
        // The call's own engine watches for *, the time limit and redirects.
        { noun: m.noun, endpoint: link, signal: leave.signal, hangupOnStar: false, timeLimitSeconds: 7 * 86_400 },
        {
          onJoined: (conferenceSid) => {
            joined = true;
            this.send(m.from, { t: 'joined', id: m.id, sdp: link.localSdp, conferenceSid });
          },
        },
      );
      if (!joined) this.send(m.from, { t: 'join-failed', id: m.id, reason: out.reason, ...(out.conferenceSid ? { conferenceSid: out.conferenceSid } : {}) });
      else if (entry.reason === undefined) this.send(m.from, { t: 'left', callSid: m.callSid, reason: out.reason as LeaveReason });
    } finally {
      this.hosted.delete(m.callSid);
      await link.destroy().catch(() => undefined);
    }
  }

  /** The participant's call as the holder sees it: it ends when its engine says so; its documents are fetched with its parameters. */
  private proxy(m: Extract<Message, { t: 'join' }>, ended: AbortSignal): ParticipantCall {
    return {
      log: this.deps.log.child({ callSid: m.callSid, conference: m.noun.name }),
      // A leave from the call's engine is its end here (a hangup there, or a redirect).
      hangupSignal: ended,
      fetchNext: documentFetcher(this.deps.webhooks, m.params, this.deps.authTokenOf(m.accountSid), ended),
    };
  }

  private async answer(m: Extract<Message, { t: 'ask' }>): Promise<void> {
    let answer: ConferenceAnswer;
    try {
      answer = this.deps.api.runHere(m.req);
    } catch (err) {
      this.deps.log.error({ err, conferenceSid: m.req.conferenceSid }, 'a conference request from another engine failed');
      answer = { missing: true };
    }
    this.send(m.from, { t: 'answer', id: m.id, answer });
  }
}
