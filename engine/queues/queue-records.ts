import type { Logger } from 'pino';
import type { QueueRecordStore } from '../store/types.js';
import { newQueueRecord, type QueueRecord } from './queue-record.js';

/** The record of a queue by name, or word that the store could not say (it is away). */
export type NamedQueue = { record: QueueRecord | undefined } | { unavailable: true };

/**
 * The queue records that <Enqueue> and <Dial><Queue> use: the account's
 * queue of a name, made on first use by <Enqueue> with Twilio's default
 * size (so that the REST API lists it), or the one the REST API made
 * (with its MaxSize). When the store does not answer, the caller goes on
 * from this engine's memory; the outage is logged once, and its end.
 */
export class QueueRecords {
  private down = false;

  constructor(
    private readonly store: QueueRecordStore,
    private readonly log: Logger,
  ) {}

  async named(accountSid: string, name: string, create: boolean): Promise<NamedQueue> {
    try {
      let record = await this.store.byName(accountSid, name);
      if (!record && create) {
        const made = newQueueRecord(accountSid, name);
        record = await this.store.create(made);
        if (record.sid === made.sid) this.log.info({ queueSid: record.sid, name }, 'queue created');
      }
      if (this.down) this.log.info('queue records can be read again');
      this.down = false;
      return { record };
    } catch (err) {
      if (!this.down) this.log.warn({ queue: name, reason: (err as Error).message }, 'queue records cannot be read: queues run from this engine’s memory');
      this.down = true;
      return { unavailable: true };
    }
  }
}
