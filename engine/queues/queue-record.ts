import { randomBytes } from 'node:crypto';

/**
 * A call queue's definition as the REST API shows it and the stores keep it
 * (Twilio's Queue resource). Its callers are not here: they are with the
 * engine whose calls they are (engine/queues/queue-service.ts).
 */
export interface QueueRecord {
  /** QU + 32 hex digits. */
  sid: string;
  accountSid: string;
  /** Unique within the account: the name <Enqueue> and <Dial><Queue> use. */
  friendlyName: string;
  /** Callers it takes at most; <Enqueue> past it ends with QueueResult queue-full. */
  maxSize: number;
  dateCreated: Date;
  dateUpdated: Date;
}

/**
 * Twilio's default size of a queue, whether <Enqueue> makes it on first use
 * or the REST API does without a MaxSize ("The default is 1000. The maximum
 * is 5000.": docs/voice/api/queue-resource and docs/voice/twiml/enqueue).
 */
export const DEFAULT_MAX_QUEUE_SIZE = 1000;
/** The largest MaxSize Twilio allows. */
export const MAX_QUEUE_SIZE = 5000;
/** Twilio: "It can be up to 64 characters long." (FriendlyName, and the queue name of <Enqueue>). */
export const MAX_QUEUE_NAME_LENGTH = 64;

export function newQueueSid(): string {
  return `QU${randomBytes(16).toString('hex')}`;
}

export function newQueueRecord(accountSid: string, friendlyName: string, maxSize = DEFAULT_MAX_QUEUE_SIZE, now = new Date()): QueueRecord {
  return { sid: newQueueSid(), accountSid, friendlyName, maxSize, dateCreated: now, dateUpdated: now };
}

/** What an update of a queue may change (the REST API's FriendlyName and MaxSize). */
export interface QueueChanges {
  friendlyName?: string;
  maxSize?: number;
}

/** The outcome of writing a changed queue: `name-taken` when another queue of the account has the new name. */
export type QueueUpdateResult = 'updated' | 'missing' | 'name-taken';
