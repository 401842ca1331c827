import type { CallFilter, CallRecord, RecordingFilter, RecordingRecord } from '../api/call-service.js';

export type { RecordingFilter };
import type { Page, PageRequest } from '../api/paging.js';
import type { StatusEvent } from '../calls/status-events.js';
import type { HttpMethod } from '../../instructions/attributes.js';
import type { NonceCountStore } from '../auth/nonce-counts.js';
import type { Binding } from '../registrar/registrar.js';
import type { ConferenceFilter, ConferenceRecord } from '../conferences/conference-record.js';
import type { QueueRecord, QueueUpdateResult } from '../queues/queue-record.js';
import type { TaskRouterStore } from './taskrouter-store.js';
import type { CallLogEntry } from '../call-log/call-log-record.js';

/**
 * The engine's state, one asynchronous interface per kind, each with two
 * implementations: the embedded store (a database file under dataDir) and
 * Redis (shared by the engines of a cluster). Features are written against
 * these interfaces only.
 *
 * Writes (`put`) return at once and never throw: the store applies them in
 * order behind the call path (batched into the database, or pipelined to
 * Redis) and a read made afterwards by the same engine sees them. A write
 * the store cannot apply yet (Redis away) is kept and applied when it can,
 * and the outage is logged.
 */

/** A call as the store keeps it: what the REST API shows, plus who runs it. */
export interface StoredCall extends CallRecord {
  /** The application whose documents the call runs ('api' for REST-created calls). */
  applicationId: string;
  /** The engine that holds the call's SIP dialog and media. */
  engineId: string;
  /** When the call was answered, for its duration once it ends. */
  answerTime?: Date;
  /**
   * Where the call's status callbacks go, so that another engine can send
   * its completed callback when the one that ran it is lost.
   */
  statusCallback?: { url: string; method: HttpMethod; events: StatusEvent[] };
}

export interface CallRecordStore {
  /** Writes the call's latest state (a new call, or a change). */
  put(call: StoredCall): void;
  get(callSid: string): Promise<StoredCall | undefined>;
  /** One page of the account's calls matching `filter`, newest first (dateCreated, then sid). */
  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<StoredCall>>;
  /** Removes the call's record at once (a REST DELETE of an ended call); false when there was none. */
  delete(callSid: string): Promise<boolean>;
  /** Calls not in a final state that `engineId` runs (or, for a store of one engine, ran before a restart). */
  unfinished(engineId?: string): Promise<StoredCall[]>;
  /** The engines that may have unfinished calls. */
  unfinishedEngines(): Promise<string[]>;
  /** `engineId` has no unfinished calls left (it was lost and its calls ended). */
  forgetEngine(engineId: string): void;
}

export interface RecordingRecordStore {
  put(recording: RecordingRecord): void;
  get(recordingSid: string): Promise<RecordingRecord | undefined>;
  /** One page of the account's recordings matching `filter`, newest first. */
  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>>;
  /** Removes the recording's record at once; false when there was none. */
  delete(recordingSid: string): Promise<boolean>;
}

/** Conference records, live and ended (the participants of a live one are with the engine that holds its room). */
export interface ConferenceRecordStore {
  put(conference: ConferenceRecord): void;
  get(conferenceSid: string): Promise<ConferenceRecord | undefined>;
  /** One page of the account's conferences matching `filter`, newest first. */
  list(accountSid: string, filter: ConferenceFilter, page: PageRequest): Promise<Page<ConferenceRecord>>;
  /** Conferences not ended that `engineId` holds (or, for a store of one engine, held before a restart). */
  unfinished(engineId?: string): Promise<ConferenceRecord[]>;
}

/**
 * Call queue definitions, per account and unique by friendly name within
 * it (the callers waiting in a queue are with the engine whose calls they
 * are). Unlike `put`, each operation is applied at once and answers, so
 * that two engines making the queue of one name agree on one sid. Queues
 * persist until deleted, as Twilio's do.
 */
export interface QueueRecordStore {
  /** Writes `queue` unless the account has a queue of its name: the account's queue of that name (`queue`, or the one it had). */
  create(queue: QueueRecord): Promise<QueueRecord>;
  get(accountSid: string, queueSid: string): Promise<QueueRecord | undefined>;
  byName(accountSid: string, friendlyName: string): Promise<QueueRecord | undefined>;
  /** One page of the account's queues, newest first (dateCreated, then sid). */
  list(accountSid: string, page: PageRequest): Promise<Page<QueueRecord>>;
  /** Writes a queue's new name, size and dateUpdated (dateCreated stays). */
  update(queue: QueueRecord): Promise<QueueUpdateResult>;
  /** Removes the queue's record; false when there was none. */
  delete(accountSid: string, queueSid: string): Promise<boolean>;
}

/**
 * Short-lived leases: a name held by one holder until its time runs out,
 * unless renewed (an engine's liveness, the one engine that cleans up after
 * a lost one, the owner of a conference room).
 */
export interface Leases {
  /** Takes `name` for `holder` for `ttlMs` when it is free or lapsed, or renews it when `holder` has it; whether `holder` now has it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Who has `name` now; undefined when nobody does. */
  holder(name: string): Promise<string | undefined>;
  /** Gives `name` up, when `holder` has it. */
  release(name: string, holder: string): Promise<void>;
}

/** Counters that several engines increment at once (usage, limits). */
export interface Counters {
  /** Adds `by` (1 by default) and gives the new value. */
  increment(name: string, by?: number): Promise<number>;
  /** The value, 0 for a counter never incremented. */
  get(name: string): Promise<number>;
}

/**
 * Messages between the engines that share a store (fire and forget; a
 * subscriber that is not listening when a message goes out does not get
 * it). Channel names are the caller's; the store namespaces them.
 */
export interface MessageBus {
  publish(channel: string, message: string): void;
  /** Resolves once the subscription is in place; the function it gives ends it. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => void>;
}

/** Registered contacts (RFC 3261 §10.3's location service), by SIP user, shared by a cluster's engines. */
export interface RegistrationStore {
  /** Every user's bindings as last written (lapsed ones may be among them). */
  all(): Promise<Map<string, Binding[]>>;
  get(username: string): Promise<Binding[]>;
  /** Writes the user's whole set of bindings (empty removes the user). */
  put(username: string, bindings: readonly Binding[]): void;
}

/** Each call's debugging log (engine/call-log/): the requests made to its application and their answers, its warnings and errors. */
export interface CallLogStore {
  add(entry: CallLogEntry): void;
  /** The call's entries, oldest first (the last MAX_ENTRIES_PER_CALL of them). */
  entries(callSid: string): Promise<CallLogEntry[]>;
}

/** Values made once and then the same for every engine (the key nonces are signed with). */
export interface SharedSecrets {
  /** The secret called `name`: made now (32 random bytes) when there is none yet. */
  get(name: string): Promise<Buffer>;
}

/** Every kind of state, opened together from the configuration (engine/store/open-store.ts). */
export interface StateStore {
  /** 'embedded' (a database under dataDir) or 'redis'. */
  readonly kind: 'embedded' | 'redis';
  readonly calls: CallRecordStore;
  readonly recordings: RecordingRecordStore;
  readonly conferences: ConferenceRecordStore;
  readonly queues: QueueRecordStore;
  readonly taskRouter: TaskRouterStore;
  readonly callLog: CallLogStore;
  readonly bus: MessageBus;
  readonly leases: Leases;
  readonly counters: Counters;
  readonly registrations: RegistrationStore;
  readonly nonceCounts: NonceCountStore;
  readonly secrets: SharedSecrets;
  /** Resolves once the store can be used (Redis reached: the engine waits for it at start). */
  ready(): Promise<void>;
  /** Resolves once every write made so far has been applied. */
  flush(): Promise<void>;
  /** Flushes, then closes; the store is not used afterwards. */
  close(): Promise<void>;
}

/** The store did not answer in time (Redis away): the REST API answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
