import type { Logger } from 'pino';
import type { Endpoint } from '../../media/types.js';
import { contactTarget } from '../outbound/contact-target.js';
import type { DialTarget } from '../outbound/dial-target.js';
import { placeCall, type CallOutcome } from '../outbound/place-call.js';
import type { Binding, Registrar } from '../registrar/registrar.js';
import { combinedForkStatus, type ForkFailure } from './fork-outcome.js';
import type { OutboundAttempt, OutboundAttemptDeps, OutboundAttemptOptions } from './outbound-attempt.js';

export interface ClientAttemptOptions extends Omit<OutboundAttemptOptions, 'to' | 'auth'> {
  /** The SIP user being called (for logs). */
  username: string;
  /** The user's registered contacts; every one is rung. */
  contacts: readonly Binding[];
}

/** One INVITE of the fork: a contact, its own media endpoint, its own CANCEL switch. */
interface Branch {
  index: number;
  contact: string;
  target: DialTarget;
  endpoint: Endpoint;
  cancel: AbortController;
}

/**
 * Calls a registered user on every contact at once, as one call (one
 * CallSid, one set of status callbacks). This is the forking of RFC 3261
 * §16.7 done by a B2BUA: one INVITE per contact, each with an SDP offer
 * of its own media endpoint; the first 2xx wins and the other branches
 * get CANCEL (§16.7 step 10), or BYE when their 2xx crosses it (§15,
 * placeCall does that); a 6xx ends the whole search (§16.7 step 5).
 * Ringing is reported once, on the first 18x of any branch; the early
 * media of the first branch that sends some reaches the caller.
 *
 * With no contact the call ends at once as no-answer, as Twilio reports a
 * <Client> that is not connected. The caller of this function sends the
 * completed callback, as with attemptOutbound.
 */
export async function attemptContacts(deps: OutboundAttemptDeps, opts: ClientAttemptOptions): Promise<OutboundAttempt> {
  const { session, status, log } = opts;
  if (opts.contacts.length === 0) {
    const reason = `client ${opts.username} has no registered contact`;
    session.setStatus('no-answer');
    log.info({ client: opts.username }, `${reason}: the call ends as no-answer`);
    return { status: 'no-answer', reason };
  }
  status.send('initiated', session);
  const branches = await openBranches(deps, opts);
  if (branches.length === 0) {
    session.setStatus('failed');
    return { status: 'failed', reason: `media: no endpoint for the contacts of ${opts.username}` };
  }
  return new Fork(deps, opts, branches).run();
}

/** The registered contacts of a <Client>; [] (logged) for a name that is no SIP user. */
export function clientContacts(deps: { registrar: Registrar }, username: string, log: Logger): Binding[] {
  if (!deps.registrar.user(username)) {
    log.info({ client: username }, `no SIP user named ${username}: nobody to ring`);
    return [];
  }
  return deps.registrar.contactsOf(username);
}

/** A media endpoint for each contact; a contact whose endpoint cannot be made is left out (and logged). */
async function openBranches(deps: OutboundAttemptDeps, opts: ClientAttemptOptions): Promise<Branch[]> {
  const made = await Promise.all(
    opts.contacts.map(async (binding, index): Promise<Branch | undefined> => {
      try {
        const endpoint = await deps.media.createEndpoint({ callId: `${opts.session.sid}-${index}`, near: opts.near });
        return { index, contact: binding.contactUri, target: contactTarget(binding), endpoint, cancel: new AbortController() };
      } catch (err) {
        opts.log.warn({ contact: binding.contactUri, reason: (err as Error).message }, 'no media endpoint for a contact; it is not rung');
        return undefined;
      }
    }),
  );
  return made.filter((b): b is Branch => b !== undefined);
}

type Answered = Extract<CallOutcome, { kind: 'answered' }>;

class Fork {
  private winner: Branch | undefined;
  private earlyMediaFrom: number | undefined;
  private readonly failures: ForkFailure[] = [];
  private announce: (won: { branch: Branch; outcome: Answered }) => void = () => undefined;
  private readonly won = new Promise<{ branch: Branch; outcome: Answered }>((resolve) => (this.announce = resolve));

  constructor(
    private readonly deps: OutboundAttemptDeps,
    private readonly opts: ClientAttemptOptions,
    private readonly branches: readonly Branch[],
  ) {}

  async run(): Promise<OutboundAttempt> {
    const { session, status, log } = this.opts;
    const all = Promise.all(this.branches.map((b) => this.ring(b)));
    const first = await Promise.race([this.won, all.then(() => undefined)]);
    if (!first) return this.unanswered();
    const { branch, outcome } = first;
    try {
      await branch.endpoint.modify(outcome.remoteSdp);
    } catch (err) {
      // RFC 3264 §6.1 leaves no way to refuse an answer: the only way out is to end the call.
      outcome.dialog.destroy();
      await branch.endpoint.destroy().catch(() => undefined);
      session.sipResponseCode = 488;
      session.setStatus('failed');
      const reason = `the answer's SDP is not usable: ${(err as Error).message}`;
      log.warn({ contact: branch.contact, reason }, 'outbound call failed');
      return { status: 'failed', sipStatus: 488, reason };
    }
    session.callId = outcome.callId;
    session.sipResponseCode = 200;
    session.setStatus('in-progress');
    status.send('answered', session);
    log.info({ client: this.opts.username, contact: branch.contact, callId: outcome.callId }, 'client answered');
    return { answered: { dialog: outcome.dialog, endpoint: branch.endpoint }, sip: { callId: outcome.callId, headers: {} } };
  }

  /** One branch, from INVITE to its outcome; only the winner keeps its endpoint. */
  private async ring(branch: Branch): Promise<void> {
    const { opts } = this;
    const log = opts.log.child({ contact: branch.contact });
    const outcome = await placeCall({
      srf: this.deps.srf,
      target: branch.target,
      from: opts.from,
      localSdp: branch.endpoint.localSdp,
      timeoutSeconds: opts.timeoutSeconds,
      ...(opts.headers ? { headers: { ...opts.headers } } : {}),
      signal: opts.signal ? AbortSignal.any([opts.signal, branch.cancel.signal]) : branch.cancel.signal,
      log,
      onRequestSent: (callId) => {
        if (opts.session.callId === undefined) opts.session.callId = callId;
      },
      onProvisional: (sipStatus) => {
        if (!opts.session.setStatus('ringing')) return;
        opts.status.send('ringing', opts.session);
        opts.onRinging?.(sipStatus);
      },
      onEarlyMedia: (sdp) => this.earlyMedia(branch, sdp, log),
    });
    if (outcome.kind === 'answered' && !this.winner) {
      this.winner = branch;
      // RFC 3261 §16.7 step 10: a 2xx ends the search; the pending branches are cancelled.
      this.cancelOthers(branch, 'another contact answered');
      this.announce({ branch, outcome });
      return;
    }
    if (outcome.kind === 'answered') {
      log.info({ callId: outcome.callId }, 'a second contact answered; releasing it with BYE');
      outcome.dialog.destroy(undefined, () => undefined);
    } else {
      this.failures.push({ kind: outcome.kind, sipStatus: outcome.sipStatus, reason: outcome.reason });
      // RFC 3261 §16.7 step 5: a 6xx means the user refuses everywhere; the other branches are cancelled.
      if (outcome.sipStatus !== undefined && outcome.sipStatus >= 600) this.cancelOthers(branch, `${outcome.sipStatus} from a contact`);
    }
    await branch.endpoint.destroy().catch(() => undefined);
  }

  private earlyMedia(branch: Branch, sdp: string, log: Logger): void {
    if (this.winner || (this.earlyMediaFrom !== undefined && this.earlyMediaFrom !== branch.index)) return;
    this.earlyMediaFrom = branch.index;
    branch.endpoint.modify(sdp).then(
      () => {
        if (!this.winner || this.winner === branch) this.opts.onEarlyMedia?.(branch.endpoint);
      },
      (err: unknown) => log.warn({ reason: (err as Error).message }, 'early media SDP refused'),
    );
  }

  private cancelOthers(except: Branch, why: string): void {
    for (const b of this.branches) if (b !== except) b.cancel.abort(new Error(why));
  }

  private unanswered(): OutboundAttempt {
    const { session, log } = this.opts;
    const chosen = combinedForkStatus(this.failures, this.opts.signal?.aborted === true);
    session.sipResponseCode = chosen.sipStatus;
    session.setStatus(chosen.kind);
    log.info({ client: this.opts.username, status: chosen.kind, sipStatus: chosen.sipStatus, branches: this.failures.length }, 'client not answered');
    return { status: chosen.kind, sipStatus: chosen.sipStatus, reason: chosen.reason };
  }
}
