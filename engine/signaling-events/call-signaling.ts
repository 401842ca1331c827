import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import type { SignalingEventRule } from '../../config/signaling-events.js';
import { callbackTimestamp } from '../webhooks/status-callback.js';
import { silentLogger } from '../logger.js';
import { eventParams } from './event-params.js';
import type { SignalingEventSender } from './event-sender.js';
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
          this.observe(call, describeRequest(req as SipMessageLike, 'received'));
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

  /** Matches a described message against the call's rules and queues an event per rule that matches. */
  observe(call: SignalingCall, msg: SignalingMessage): void {
    const rules = this.rulesFor(call.applicationId).filter(({ rule }) => matchesRule(rule, msg));
    if (rules.length === 0) return;
    const authToken = this.tokens.get(call.accountSid);
    if (authToken === undefined) {
      this.log.warn({ callSid: call.sid, accountSid: call.accountSid }, 'signaling event not sent: unknown account');
      return;
    }
    let state = this.state.get(call);
    if (!state) {
      state = { sequence: 0 };
      this.state.set(call, state);
    }
    for (const { id, rule } of rules) {
      const params = {
        ...eventParams(rule, id, msg, { callSid: call.sid, accountSid: call.accountSid, parentCallSid: call.parentCallSid }),
        Timestamp: callbackTimestamp(msg.at),
        SequenceNumber: String(state.sequence++),
      };
      this.opts.sender.send(call.sid, { url: rule.url, ruleId: id, params, authToken });
    }
  }
}
