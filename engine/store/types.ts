import type { CallFilter, CallRecord, RecordingFilter, RecordingRecord } from '../api/call-service.js';

export type { RecordingFilter };
import type { Page, PageRequest } from '../api/paging.js';

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
}

export interface CallRecordStore {
  /** Writes the call's latest state (a new call, or a change). */
  put(call: StoredCall): void;
  get(callSid: string): Promise<StoredCall | undefined>;
  /** One page of the account's calls matching `filter`, newest first (dateCreated, then sid). */
  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<StoredCall>>;
  /** Calls not in a final state that `engineId` runs (or, for a store of one engine, ran before a restart). */
  unfinished(engineId?: string): Promise<StoredCall[]>;
}

export interface RecordingRecordStore {
  put(recording: RecordingRecord): void;
  get(recordingSid: string): Promise<RecordingRecord | undefined>;
  /** One page of the account's recordings matching `filter`, newest first. */
  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>>;
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

/** Every kind of state, opened together from the configuration (engine/store/open-store.ts). */
export interface StateStore {
  /** 'embedded' (a database under dataDir) or 'redis'. */
  readonly kind: 'embedded' | 'redis';
  readonly calls: CallRecordStore;
  readonly recordings: RecordingRecordStore;
  readonly bus: MessageBus;
  /** Resolves once every write made so far has been applied. */
  flush(): Promise<void>;
  /** Flushes, then closes; the store is not used afterwards. */
  close(): Promise<void>;
}

/** The store did not answer in time (Redis away): the REST API answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
