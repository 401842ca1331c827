import { cutPage, type Page, type PageRequest } from '../../api/paging.js';
import type { QueueRecord, QueueUpdateResult } from '../../queues/queue-record.js';
import { decodeQueue, encodeQueue } from '../record-codec.js';
import type { QueueRecordStore } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/*
 * One hash per account, `queues:{AccountSid}`: field `sid:{QueueSid}` holds
 * a queue's record (JSON), field `name:{FriendlyName}` the sid of the queue
 * of that name. One key, so each script below is atomic on a Redis Cluster
 * too: two engines making the queue of one name get one sid.
 */

/** KEYS[1]: the hash; ARGV: name, sid, record. The record of the queue of that name, written now when there was none. */
const CREATE = `
local holder = redis.call('HGET', KEYS[1], 'name:' .. ARGV[1])
if holder then
  local existing = redis.call('HGET', KEYS[1], 'sid:' .. holder)
  if existing then return existing end
end
redis.call('HSET', KEYS[1], 'name:' .. ARGV[1], ARGV[2], 'sid:' .. ARGV[2], ARGV[3])
return ARGV[3]`;

/** KEYS[1]: the hash; ARGV: sid, (new) name, record. */
const UPDATE = `
local old = redis.call('HGET', KEYS[1], 'sid:' .. ARGV[1])
if not old then return 'missing' end
local holder = redis.call('HGET', KEYS[1], 'name:' .. ARGV[2])
if holder and holder ~= ARGV[1] and redis.call('HEXISTS', KEYS[1], 'sid:' .. holder) == 1 then return 'name-taken' end
local oldName = cjson.decode(old).friendlyName
if oldName ~= ARGV[2] and redis.call('HGET', KEYS[1], 'name:' .. oldName) == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'name:' .. oldName)
end
redis.call('HSET', KEYS[1], 'name:' .. ARGV[2], ARGV[1], 'sid:' .. ARGV[1], ARGV[3])
return 'updated'`;

/** KEYS[1]: the hash; ARGV: sid. 1 when the queue was there. */
const DELETE = `
local old = redis.call('HGET', KEYS[1], 'sid:' .. ARGV[1])
if not old then return 0 end
local name = cjson.decode(old).friendlyName
if redis.call('HGET', KEYS[1], 'name:' .. name) == ARGV[1] then redis.call('HDEL', KEYS[1], 'name:' .. name) end
redis.call('HDEL', KEYS[1], 'sid:' .. ARGV[1])
return 1`;

const SID_FIELD = 'sid:';

/** Queue definitions in Redis (they persist: no expiry, as Twilio's queues persist until deleted). */
export class RedisQueueStore implements QueueRecordStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  create(queue: QueueRecord): Promise<QueueRecord> {
    return this.r.read('queue create', async () =>
      decodeQueue(String(await this.r.client.eval(CREATE, 1, this.keys.accountQueues(queue.accountSid), queue.friendlyName, queue.sid, encodeQueue(queue)))),
    );
  }

  get(accountSid: string, queueSid: string): Promise<QueueRecord | undefined> {
    return this.r.read('queue', async () => {
      const data = await this.r.client.hget(this.keys.accountQueues(accountSid), SID_FIELD + queueSid);
      return data === null ? undefined : decodeQueue(data);
    });
  }

  byName(accountSid: string, friendlyName: string): Promise<QueueRecord | undefined> {
    return this.r.read('queue by name', async () => {
      const key = this.keys.accountQueues(accountSid);
      const sid = await this.r.client.hget(key, `name:${friendlyName}`);
      const data = sid === null ? null : await this.r.client.hget(key, SID_FIELD + sid);
      return data === null ? undefined : decodeQueue(data);
    });
  }

  /** An account has few queues: the page is cut from all of them. */
  list(accountSid: string, page: PageRequest): Promise<Page<QueueRecord>> {
    return this.r.read('queue list', async () => {
      const all = await this.r.client.hgetall(this.keys.accountQueues(accountSid));
      const queues = Object.entries(all).flatMap(([field, value]) => (field.startsWith(SID_FIELD) ? [decodeQueue(value)] : []));
      return cutPage(queues, page, (q) => ({ time: q.dateCreated.getTime(), sid: q.sid }));
    });
  }

  update(queue: QueueRecord): Promise<QueueUpdateResult> {
    return this.r.read('queue update', async () =>
      String(await this.r.client.eval(UPDATE, 1, this.keys.accountQueues(queue.accountSid), queue.sid, queue.friendlyName, encodeQueue(queue))) as QueueUpdateResult,
    );
  }

  delete(accountSid: string, queueSid: string): Promise<boolean> {
    return this.r.read('queue delete', async () => Number(await this.r.client.eval(DELETE, 1, this.keys.accountQueues(accountSid), queueSid)) === 1);
  }
}
