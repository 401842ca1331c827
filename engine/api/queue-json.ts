import type { MemberSnapshot } from '../queues/live-queue.js';
import type { QueueView } from '../queues/queue-api.js';
import { queuesPath } from './api-paths.js';
import { toRfc2822 } from './rfc2822.js';

/** A queue as Twilio's API writes it (Queue resource, 2010-04-01: the keys the twilio library reads). */
export interface QueueJson {
  sid: string;
  account_sid: string;
  friendly_name: string;
  current_size: number;
  max_size: number;
  average_wait_time: number;
  date_created: string | null;
  date_updated: string | null;
  uri: string;
}

const queueUri = (accountSid: string, queueSid: string): string => `${queuesPath(accountSid)}/${encodeURIComponent(queueSid)}`;

export function queueJson(q: QueueView): QueueJson {
  return {
    sid: q.sid,
    account_sid: q.accountSid,
    friendly_name: q.friendlyName,
    current_size: q.currentSize,
    max_size: q.maxSize,
    average_wait_time: q.averageWaitTime,
    date_created: toRfc2822(q.dateCreated),
    date_updated: toRfc2822(q.dateUpdated),
    uri: `${queueUri(q.accountSid, q.sid)}.json`,
  };
}

/** A member as Twilio's API writes it (Member resource). */
export interface MemberJson {
  call_sid: string;
  queue_sid: string;
  date_enqueued: string | null;
  position: number;
  wait_time: number;
  uri: string;
}

export function memberJson(m: MemberSnapshot): MemberJson {
  return {
    call_sid: m.callSid,
    queue_sid: m.queueSid,
    date_enqueued: toRfc2822(m.dateEnqueued),
    position: m.position,
    wait_time: m.waitTime,
    uri: `${queueUri(m.accountSid, m.queueSid)}/Members/${encodeURIComponent(m.callSid)}.json`,
  };
}
