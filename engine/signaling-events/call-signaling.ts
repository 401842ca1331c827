import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import type { SignalingEventRule } from '../../config/signaling-events.js';
import { callbackTimestamp } from '../webhooks/status-callback.js';
import { silentLogger } from '../logger.js';
import { eventParams } from './event-params.js';
import type { DeliveryOutcome, SignalingEventSender } from './event-sender.js';
import { checkReferTo } from './refer-to.js';
import { matchesRule } from './rule-matcher.js';
import { describeRequest, describeResponse, type SignalingMessage, type SipMessageLike } from './signaling-message.js';

/** What a call is, as far as its signaling events go. */
export interface SignalingCall {
  readonly sid: string;
  readonly accountSid: string;
  readonly applicationId: string;
  readonly parentCallSid: string | undefined;
}

/** A rule with the id it is reported under. */
export interface NamedRule {
  id: string;
  rule: SignalingEventRule;
}

export interface SignalingEventsOptions {
  /** Rules of every call. */
  global: readonly SignalingEventRule[];
  /** Rules by application id. */
  byApplication: ReadonlyMap<string, readonly SignalingEventRule[]>;
  accounts: readonly Pick<Account, 'id' | 'authToken'>[];
  sender: SignalingEventSender;
  logger?: Logger;
}

/**
 * What became of one SIP message: how many events were queued for it (one
 * per rule that reports it and whose queue took it), and what their
 * callbacks answered.
 */
export interface SignalingReport {
  readonly queued: number;
  /**
   * `instructions` as soon as one of its callbacks answered with
   * instructions that the call took; `none` once every one ended otherwise
   * (answered without instructions, failed, dropped), at once when none was
   * queued. Never rejects.
   */
  readonly outcome: Promise<'instructions' | 'none'>;
}

const NOTHING_QUEUED: SignalingReport = { queued: 0, outcome: Promise.resolve('none') };

/** drachtio-srf calls this on a Dialog for each request inside it (Srf#dialog middleware). */
type DialogHandle = (req: Srf.SrfRequest, res: Srf.SrfResponse, next?: unknown) => void;

interface CallState {
  sequence: number;
}

const named = (prefix: string, rules: readonly SignalingEventRule[]): NamedRule[] => rules.map((rule, i) => ({ id: rule.id ?? `${prefix}#${i}`, rule }));

/**
 * The engine's signaling-event callbacks: which calls have rules, what a SIP
 * message inside a call matches, and the events queued for sending. Every
 * entry point only copies the message, matches and queues: nothing here
 * sends, delays or changes a SIP response.
 */
export class SignalingEvents {
  private readonly global: NamedRule[];
  private readonly byApplication = new Map<string, NamedRule[]>();
  private readonly tokens = new Map<string, string>();
  private readonly state = new WeakMap<SignalingCall, CallState>();
  /** Reports of the requests received in watched dialogs, by drachtio-srf request. */
  private readonly received = new WeakMap<object, SignalingReport>();
  private readonly log: Logger;

  constructor(private readonly opts: SignalingEventsOptions) {
    this.global = named('global', opts.global);
    for (const [app, rules] of opts.byApplication) this.byApplication.set(app, named(app, rules));
    for (const a of opts.accounts) this.tokens.set(a.id, a.authToken);
    this.log = opts.logger ?? silentLogger();
  }

  /** The rules that apply to a call of this application: its own, then the global ones. */
  rulesFor(applicationId: string): NamedRule[] {
    return [...(this.byApplication.get(applicationId) ?? []), ...this.global];
  }

  /** True when some rule could report something of this application's calls. */
  watches(applicationId: string): boolean {
    return this.global.length > 0 || (this.byApplication.get(applicationId)?.length ?? 0) > 0;
  }

  /**
   * Observes every request the far end sends inside `dialog` (INFO,
   * re-INVITE, UPDATE, REFER, NOTIFY, MESSAGE, OPTIONS, BYE): each is
   * described and matched before drachtio-srf handles it exactly as it
   * would have (its own automatic answers, or the call's listeners). No
   * listener is added, so no automatic answer is lost. `ended` marks the
   * end of the call.
   */
  watchDialog(call: SignalingCall, dialog: Srf.Dialog, ended: AbortSignal): void {
    if (!this.watches(call.applicationId)) return;
    const target = dialog as unknown as { handle: DialogHandle };
    const handle = target.handle;
    if (typeof handle !== 'function') {
      this.log.warn({ callSid: call.sid }, 'this drachtio-srf Dialog has no handle(); requests in the call are not reported');
      return;
    }
    // A request queued by the dialog (queueRequests) passes through handle() twice: report it once.
    const seen = new WeakSet<object>();
    target.handle = (req, res, next) => {
      try {
        if (req.method !== 'ACK' && !seen.has(req)) {
          seen.add(req);
          const msg = describeRequest(req as SipMessageLike, 'received');
          // A REFER without exactly one Refer-To is refused with 400 (RFC 3515 2.4.1): nothing to report or decide.
          if (msg.method !== 'REFER' || checkReferTo(msg.headers['refer-to']).ok) this.received.set(req, this.observe(call, msg));
        }
      } catch (err) {
        this.log.error({ callSid: call.sid, err: (err as Error).message }, 'signaling event not made');
      }
      handle.call(dialog, req, res, next);
    };
    const stop = (): void => this.opts.sender.end(call.sid);
    if (ended.aborted) stop();
    else ended.addEventListener('abort', stop, { once: true });
  }

  /**
   * The report of a request received in a dialog given to `watchDialog`,
   * from the moment drachtio-srf passes it on to the dialog's listeners;
   * undefined when the dialog is not watched (no rule could report it).
   */
  reportOf(req: object): SignalingReport | undefined {
    return this.received.get(req);
  }

  /** A response the far end sent to a request of the engine (18x and final responses to its INVITE). */
  responseReceived(call: SignalingCall, res: SipMessageLike): void {
    this.safely(call, () => describeResponse(res, 'received'));
  }

  /** A request the engine sent inside the call (BYE, re-INVITE). */
  requestSent(call: SignalingCall, req: SipMessageLike | undefined): void {
    if (req) this.safely(call, () => describeRequest(req, 'sent'));
  }

  private safely(call: SignalingCall, describe: () => SignalingMessage): void {
    if (!this.watches(call.applicationId)) return;
    try {
      this.observe(call, describe());
    } catch (err) {
      this.log.error({ callSid: call.sid, err: (err as Error).message }, 'signaling event not made');
    }
  }

  /**
   * Matches a described message against the call's rules and queues an
   * event per rule that matches; tells how many were queued and what their
   * callbacks answer.
   */
  observe(call: SignalingCall, msg: SignalingMessage): SignalingReport {
    const rules = this.rulesFor(call.applicationId).filter(({ rule }) => matchesRule(rule, msg));
    if (rules.length === 0) return NOTHING_QUEUED;
    const authToken = this.tokens.get(call.accountSid);
    if (authToken === undefined) {
      this.log.warn({ callSid: call.sid, accountSid: call.accountSid }, 'signaling event not sent: unknown account');
      return NOTHING_QUEUED;
    }
    let state = this.state.get(call);
    if (!state) {
      state = { sequence: 0 };
      this.state.set(call, state);
    }
    const outcomes: Promise<DeliveryOutcome>[] = [];
    for (const { id, rule } of rules) {
      const params = {
        ...eventParams(rule, id, msg, { callSid: call.sid, accountSid: call.accountSid, parentCallSid: call.parentCallSid }),
        Timestamp: callbackTimestamp(msg.at),
        SequenceNumber: String(state.sequence++),
      };
      let settle: (o: DeliveryOutcome) => void = () => undefined;
      const outcome = new Promise<DeliveryOutcome>((resolve) => (settle = resolve));
      if (this.opts.sender.send(call.sid, { url: rule.url, ruleId: id, params, authToken }, settle)) outcomes.push(outcome);
    }
    return outcomes.length === 0 ? NOTHING_QUEUED : { queued: outcomes.length, outcome: firstInstructions(outcomes) };
  }
}

/** `instructions` as soon as one outcome is, else `none` once all are in. */
function firstInstructions(outcomes: readonly Promise<DeliveryOutcome>[]): Promise<'instructions' | 'none'> {
  return new Promise((resolve) => {
    let left = outcomes.length;
    for (const o of outcomes) {
      void o.then((outcome) => {
        if (outcome === 'instructions') resolve('instructions');
        else if (--left === 0) resolve('none');
      });
    }
  });
}
