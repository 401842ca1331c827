import type { NextDocumentRequest } from '../../instructions/runtime/call-control.js';
import type { Page, PageRequest } from '../api/paging.js';
import type { QueueRecordStore } from '../store/types.js';
import type { MemberSnapshot, QueueStats } from './live-queue.js';
import { DEFAULT_MAX_QUEUE_SIZE, newQueueRecord, type QueueChanges, type QueueRecord } from './queue-record.js';
import type { QueueService } from './queue-service.js';

/** A queue as the REST API shows it: its record and, live, its size and average wait. */
export type QueueView = QueueRecord & QueueStats;

/** A request the queue refuses (answered 400, the message naming the parameter). */
export class QueueRefusal extends Error {
  override readonly name = 'QueueRefusal';
}

/**
 * The Queues and Members resources as the REST API sees them: records from
 * the store, CurrentSize, AverageWaitTime and members from this engine's
 * live queues (the callers of other engines of a cluster are theirs).
 */
export class QueueApi {
  constructor(
    private readonly store: QueueRecordStore,
    private readonly live: QueueService,
  ) {}

  private view(record: QueueRecord): QueueView {
    return { ...record, ...this.live.stats(record.sid) };
  }

  /** A new queue; a name the account already has is refused (Twilio: a queue's friendly name is unique within an account). */
  async create(accountSid: string, friendlyName: string, maxSize = DEFAULT_MAX_QUEUE_SIZE): Promise<QueueView> {
    const made = newQueueRecord(accountSid, friendlyName, maxSize);
    const record = await this.store.create(made);
    if (record.sid !== made.sid) throw new QueueRefusal(`FriendlyName "${friendlyName}" is the name of another queue of this account (${record.sid})`);
    return this.view(record);
  }

  async list(accountSid: string, page: PageRequest): Promise<Page<QueueView>> {
    const records = await this.store.list(accountSid, page);
    return { ...records, items: records.items.map((r) => this.view(r)) };
  }

  async get(accountSid: string, queueSid: string): Promise<QueueView | undefined> {
    const record = await this.store.get(accountSid, queueSid);
    return record ? this.view(record) : undefined;
  }

  /** FriendlyName and MaxSize; undefined when there is no such queue. */
  async update(accountSid: string, queueSid: string, changes: QueueChanges): Promise<QueueView | undefined> {
    const record = await this.store.get(accountSid, queueSid);
    if (!record) return undefined;
    if (changes.friendlyName === undefined && changes.maxSize === undefined) return this.view(record);
    const changed: QueueRecord = { ...record, ...changes, dateUpdated: new Date() };
    const result = await this.store.update(changed);
    if (result === 'missing') return undefined;
    if (result === 'name-taken') throw new QueueRefusal(`FriendlyName "${changes.friendlyName ?? ''}" is the name of another queue of this account`);
    this.live.recordChanged(changed);
    return this.view(changed);
  }

  /** Deletes an empty queue (Twilio: "Remove an empty queue"); false when there is no such queue. */
  async delete(accountSid: string, queueSid: string): Promise<boolean> {
    const record = await this.store.get(accountSid, queueSid);
    if (!record) return false;
    const { currentSize } = this.live.stats(queueSid);
    if (currentSize > 0) throw new QueueRefusal(`The queue has ${currentSize} call${currentSize === 1 ? '' : 's'} in it: only an empty queue can be deleted`);
    const deleted = await this.store.delete(accountSid, queueSid);
    this.live.forget(queueSid);
    return deleted;
  }

  /** The queue's callers in order; undefined when there is no such queue. */
  async members(accountSid: string, queueSid: string): Promise<MemberSnapshot[] | undefined> {
    if (!(await this.store.get(accountSid, queueSid))) return undefined;
    return this.live.members(queueSid);
  }

  /** `Front` or a CallSid; undefined when there is no such queue or the call is not in it. */
  async member(accountSid: string, queueSid: string, who: string): Promise<MemberSnapshot | undefined> {
    if (!(await this.store.get(accountSid, queueSid))) return undefined;
    return this.live.member(queueSid, who);
  }

  /** Takes the member out of the queue and sends its call to the document at `to`; the member as it was. */
  async dequeueMember(accountSid: string, queueSid: string, who: string, to: NextDocumentRequest): Promise<MemberSnapshot | undefined> {
    if (!(await this.store.get(accountSid, queueSid))) return undefined;
    return this.live.redirectMember(queueSid, who, to);
  }
}
