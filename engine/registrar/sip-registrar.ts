import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import type { RegistrarOptions, SipUserConfig } from '../../config/sip-users.js';
import type { CallerAuthenticator } from '../auth/caller-authenticator.js';
import { DigestAuthenticator, type DigestOutcome, type DigestRequest } from '../auth/digest-authenticator.js';
import type { NonceCountStore } from '../auth/nonce-counts.js';
import { EventStream } from '../events/event-stream.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import { MemoryBindingStore, type BindingStore } from './binding-store.js';
import { applyRegister, type RegisterUpdate, type UpdateResult } from './binding-update.js';
import { PresenceNotifier, type PresenceEvent } from './presence-notifier.js';
import type { Binding, Registrar, SipUser } from './registrar.js';
import { MemoryUserDirectory, type UserDirectory } from './user-directory.js';

export interface SipRegistrarOptions {
  users: readonly SipUserConfig[];
  options: RegistrarOptions;
  accounts: readonly Account[];
  log: Logger;
  /** For presence callbacks; without one no callbacks are sent. */
  transport?: WebhookTransport;
  directory?: UserDirectory;
  store?: BindingStore;
  /** How often lapsed bindings are swept out (and reported); 1 s by default. */
  sweepIntervalMs?: number;
  /** Nonces whose nonce-count is tracked (replay protection); 10,000 by default. */
  maxTrackedNonces?: number;
  /** Nonce-counts and the nonce key shared with the other engines of a cluster. */
  nonceCounts?: NonceCountStore;
  nonceSecret?: Buffer;
  /** Told of every change a REGISTER made to a user's bindings (to share it with other engines). */
  onUpdate?: (username: string, bindings: readonly Binding[]) => void;
  /** Whether this engine reports expired registrations to the presence callback (one engine of a cluster does). */
  reportsExpiry?: () => boolean;
  /** Where registration changes are published (registration.changed). */
  events?: EventStream;
  now?: () => number;
}

/** One user's registration state, as the REST API shows it. */
export interface RegistrationState {
  user: SipUser;
  /** Unexpired bindings, most recently registered first. */
  bindings: Binding[];
}

/**
 * The registrar (RFC 3261 §10.3) of the engine's SIP users: digest
 * authentication of their REGISTERs and INVITEs, their bindings with expiry
 * (a periodic sweep plus a check on every read, no timer per binding), and
 * presence callbacks when a user's bindings change.
 */
export class SipRegistrar implements Registrar, CallerAuthenticator {
  readonly directory: UserDirectory;
  readonly store: BindingStore;
  readonly auth: DigestAuthenticator;
  readonly options: RegistrarOptions;
  private readonly presence: PresenceNotifier | undefined;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly onUpdate: SipRegistrarOptions['onUpdate'];
  private readonly reportsExpiry: () => boolean;
  private readonly events: EventStream;
  private readonly unsubscribePresence: (() => void) | undefined;

  constructor(opts: SipRegistrarOptions) {
    this.events = opts.events ?? new EventStream(opts.log);
    this.onUpdate = opts.onUpdate;
    this.reportsExpiry = opts.reportsExpiry ?? (() => true);
    this.options = opts.options;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.directory = opts.directory ?? new MemoryUserDirectory(opts.users, opts.accounts);
    this.store = opts.store ?? new MemoryBindingStore();
    this.auth = new DigestAuthenticator({
      realm: opts.options.realm,
      algorithms: opts.options.algorithms,
      nonceTtlSeconds: opts.options.nonceTtlSeconds,
      maxTrackedNonces: opts.maxTrackedNonces,
      ...(opts.nonceCounts ? { nonceCounts: opts.nonceCounts } : {}),
      ...(opts.nonceSecret ? { nonceSecret: opts.nonceSecret } : {}),
      now: this.now,
    });
    const tokens = new Map(opts.accounts.map((a) => [a.id, a.authToken]));
    if (opts.options.presenceCallback !== undefined && opts.transport) {
      const presence = new PresenceNotifier({
        url: opts.options.presenceCallback,
        method: opts.options.presenceCallbackMethod,
        transport: opts.transport,
        authTokenOf: (sid) => tokens.get(sid),
        log: opts.log,
      });
      this.presence = presence;
      // Presence callbacks are a subscriber of the registration events.
      this.unsubscribePresence = this.events.subscribe((e) => {
        if (e.type !== 'registration.changed') return;
        presence.notify({ accountSid: e.accountSid, username: e.username, event: e.change, bindings: e.bindings, changed: e.changed, at: e.at.getTime() });
      });
    }
    this.sweeper = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 1000);
    this.sweeper.unref();
  }

  /** The registrar's clock, ms since the epoch. */
  time(): number {
    return this.now();
  }

  /** Whether any SIP user is configured (without, REGISTER is refused and INVITEs are not challenged). */
  get active(): boolean {
    return this.directory.size > 0;
  }

  get callers(): CallerAuthenticator | undefined {
    return this.active ? this : undefined;
  }

  user(username: string): SipUser | undefined {
    const record = this.directory.get(username);
    if (!record) return undefined;
    return { username: record.username, accountSid: record.accountSid, ...(record.application !== undefined ? { application: record.application } : {}) };
  }

  contactsOf(username: string): Binding[] {
    const now = this.now();
    return this.store
      .list(username)
      .filter((b) => b.expiresAt > now)
      .reverse();
  }

  authenticate(req: DigestRequest): Promise<DigestOutcome> {
    return this.auth.authenticate(req, (username) => this.directory.get(username)?.secrets);
  }

  challenges(stale: boolean): string[] {
    return this.auth.challenges(stale);
  }

  /** Applies an authenticated REGISTER of `req.username`'s bindings; commits and reports only on success. */
  update(req: RegisterUpdate): UpdateResult {
    const user = this.directory.get(req.username);
    if (!user) return { kind: 'error', status: 403, reason: 'Forbidden' };
    this.sweepUser(req.username, this.now());
    const result = applyRegister(this.store.list(req.username), req, this.options);
    if (result.kind !== 'ok') return result;
    const changed = result.added.length + result.refreshed.length + result.removed.length > 0;
    if (!changed) return result;
    this.store.replace(req.username, result.bindings);
    this.onUpdate?.(req.username, result.bindings);
    const event: PresenceEvent = result.added.length > 0 ? 'registered' : result.removed.length > 0 ? 'unregistered' : 'refreshed';
    const about = event === 'registered' ? result.added : event === 'unregistered' ? result.removed : result.refreshed;
    this.report(user.accountSid, req.username, event, result.bindings, about);
    return result;
  }

  /** Registration state of one user of the account; undefined for a user that does not exist there. */
  registration(accountSid: string, username: string): RegistrationState | undefined {
    const user = this.user(username);
    if (!user || user.accountSid !== accountSid) return undefined;
    return { user, bindings: this.contactsOf(username) };
  }

  registrations(accountSid: string): RegistrationState[] {
    return this.directory.list(accountSid).map((u) => ({ user: this.user(u.username) as SipUser, bindings: this.contactsOf(u.username) }));
  }

  /** A user's bindings as another engine of the cluster changed them (no report: that engine made it). */
  applyShared(username: string, bindings: readonly Binding[]): void {
    if (!this.directory.get(username)) return;
    this.store.replace(username, bindings);
  }

  /** Drops lapsed bindings (reported as `expired`) and stale nonce counts. */
  sweep(): void {
    const now = this.now();
    for (const username of this.store.usernames()) this.sweepUser(username, now);
    this.auth.sweep();
  }

  private sweepUser(username: string, now: number): void {
    const all = this.store.list(username);
    const lapsed = all.filter((b) => b.expiresAt <= now);
    if (lapsed.length === 0) return;
    const kept = all.filter((b) => b.expiresAt > now);
    this.store.replace(username, kept);
    // Every engine of a cluster drops lapsed bindings by itself; one of them reports it.
    if (!this.reportsExpiry()) return;
    const accountSid = this.directory.get(username)?.accountSid ?? '';
    this.log.info({ username, contacts: lapsed.map((b) => b.contactUri) }, 'registration expired');
    this.report(accountSid, username, 'expired', kept, lapsed);
  }

  /** Sizes of what the registrar holds, for monitoring and tests. */
  stats(): { users: number; bindings: number; trackedNonces: number; queuedPresence: number } {
    return { users: this.directory.size, bindings: this.store.size, trackedNonces: this.auth.trackedNonces, queuedPresence: this.presence?.queued ?? 0 };
  }

  /** Resolves when every presence callback queued so far has been sent or given up. */
  whenIdle(): Promise<void> {
    return this.presence?.whenIdle() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.unsubscribePresence?.();
    await this.presence?.close();
  }

  private report(accountSid: string, username: string, event: PresenceEvent, bindings: readonly Binding[], changed: readonly Binding[]): void {
    this.events.publish({ type: 'registration.changed', at: new Date(this.now()), accountSid, username, change: event, bindings: [...bindings].reverse(), changed });
  }
}
