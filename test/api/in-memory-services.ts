/**
 * CallService and RecordingService kept in memory for the API tests: they
 * record what the HTTP layer asked of them and answer with records the test
 * controls.
 */
import { isFinalStatus } from '../../engine/calls/call-status.js';
import {
  ApiError,
  type CallbackChanges,
  type CallFilter,
  type CallRecord,
  type CallRedirect,
  type CallService,
  type CreateCallParams,
  type RecordingFilter,
  type RecordingRecord,
  type RecordingService,
} from '../../engine/api/call-service.js';
import { cutPage, type Page, type PageKey, type PageRequest } from '../../engine/api/paging.js';

export const ACCOUNT = 'AC' + '0123456789abcdef'.repeat(2);
export const OTHER_ACCOUNT = 'AC' + 'fedcba9876543210'.repeat(2);

let counter = 0;
/** A sid with the given two-letter prefix and 32 hex digits, unique in this process. */
export function newSid(prefix: 'CA' | 'RE'): string {
  counter += 1;
  return prefix + counter.toString(16).padStart(32, '0');
}

/** Lists run newest first, then by sid (engine/api/paging.ts). */
const byCreation = (item: { dateCreated: Date; sid: string }): PageKey => ({ time: item.dateCreated.getTime(), sid: item.sid });

export class InMemoryCallService implements CallService {
  readonly calls = new Map<string, CallRecord>();
  readonly created: CreateCallParams[] = [];
  readonly listed: { accountSid: string; filter: CallFilter }[] = [];
  readonly redirects: { accountSid: string; callSid: string; to: CallRedirect }[] = [];
  readonly ends: { accountSid: string; callSid: string; status: 'completed' | 'canceled' }[] = [];
  readonly callbackChanges: { accountSid: string; callSid: string; changes: CallbackChanges }[] = [];
  /** What was asked of the service, in order (to see that callbacks change before a redirect or an end). */
  readonly order: string[] = [];
  /** Thrown by the next create, then cleared. */
  failNextCreate: Error | undefined;
  /** The time given to calls created through the API. */
  now = (): Date => new Date();

  /** Puts a call in the store; fields not given take plain defaults. */
  add(fields: Partial<CallRecord> = {}): CallRecord {
    const created = fields.dateCreated ?? this.now();
    const call: CallRecord = {
      sid: newSid('CA'),
      accountSid: ACCOUNT,
      from: '+15550001111',
      to: '+15550002222',
      status: 'in-progress',
      direction: 'inbound',
      dateCreated: created,
      dateUpdated: created,
      startTime: created,
      ...fields,
    };
    this.calls.set(call.sid, call);
    return call;
  }

  async create(params: CreateCallParams): Promise<CallRecord> {
    this.created.push(params);
    const failure = this.failNextCreate;
    this.failNextCreate = undefined;
    if (failure) throw failure;
    return this.add({ accountSid: params.accountSid, to: params.to, from: params.from, status: 'queued', direction: 'outbound-api', startTime: undefined });
  }

  async get(accountSid: string, callSid: string): Promise<CallRecord | undefined> {
    const call = this.calls.get(callSid);
    return call && call.accountSid === accountSid ? call : undefined;
  }

  async list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<CallRecord>> {
    this.listed.push({ accountSid, filter });
    const matches = [...this.calls.values()].filter(
      (c) =>
        c.accountSid === accountSid &&
        (filter.to === undefined || c.to === filter.to) &&
        (filter.from === undefined || c.from === filter.from) &&
        (filter.status === undefined || c.status === filter.status) &&
        (filter.parentCallSid === undefined || c.parentCallSid === filter.parentCallSid) &&
        (filter.startedAfter === undefined || (c.startTime !== undefined && c.startTime >= filter.startedAfter)) &&
        (filter.startedBefore === undefined || (c.startTime !== undefined && c.startTime < filter.startedBefore)) &&
        (filter.endedAfter === undefined || (c.endTime !== undefined && c.endTime >= filter.endedAfter)) &&
        (filter.endedBefore === undefined || (c.endTime !== undefined && c.endTime < filter.endedBefore)),
    );
    return cutPage(matches, page, byCreation);
  }

  async redirect(accountSid: string, callSid: string, to: CallRedirect): Promise<CallRecord | undefined> {
    const call = await this.get(accountSid, callSid);
    if (!call) return undefined;
    if (isFinalStatus(call.status)) throw new ApiError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    this.redirects.push({ accountSid, callSid, to });
    this.order.push('redirect');
    return this.update(call, {});
  }

  async end(accountSid: string, callSid: string, status: 'completed' | 'canceled'): Promise<CallRecord | undefined> {
    const call = await this.get(accountSid, callSid);
    if (!call) return undefined;
    this.ends.push({ accountSid, callSid, status });
    this.order.push('end');
    if (isFinalStatus(call.status)) return call;
    if (status === 'canceled' && call.status === 'in-progress') return call;
    const endTime = this.now();
    return this.update(call, { status, endTime, durationSeconds: call.status === 'in-progress' && call.startTime ? Math.round((endTime.getTime() - call.startTime.getTime()) / 1000) : 0 });
  }

  async updateCallbacks(accountSid: string, callSid: string, changes: CallbackChanges): Promise<CallRecord | undefined> {
    const call = await this.get(accountSid, callSid);
    if (!call) return undefined;
    if (isFinalStatus(call.status)) throw new ApiError(400, 21220, 'Call is not in-progress. Cannot change its callbacks.');
    this.callbackChanges.push({ accountSid, callSid, changes });
    this.order.push('callbacks');
    return call;
  }

  async delete(accountSid: string, callSid: string): Promise<boolean> {
    const call = await this.get(accountSid, callSid);
    if (!call) return false;
    if (!isFinalStatus(call.status)) throw new ApiError(400, 20009, 'Cannot delete this resource before it is complete');
    return this.calls.delete(callSid);
  }

  private update(call: CallRecord, fields: Partial<CallRecord>): CallRecord {
    const next = { ...call, ...fields, dateUpdated: this.now() };
    this.calls.set(call.sid, next);
    return next;
  }
}

export class InMemoryRecordingService implements RecordingService {
  readonly recordings = new Map<string, RecordingRecord>();
  readonly files = new Map<string, string>();
  readonly listed: { accountSid: string; filter: { callSid?: string; createdAfter?: Date; createdBefore?: Date } }[] = [];

  add(fields: Partial<RecordingRecord> & { callSid: string }, file?: string): RecordingRecord {
    const created = fields.dateCreated ?? new Date();
    const sid = fields.sid ?? newSid('RE');
    const recording: RecordingRecord = {
      sid,
      accountSid: ACCOUNT,
      dateCreated: created,
      dateUpdated: created,
      startTime: created,
      durationSeconds: 7,
      channels: 1,
      source: 'RecordVerb',
      status: 'completed',
      mediaUrl: `http://127.0.0.1:8089/recordings/${sid}`,
      ...fields,
    };
    this.recordings.set(sid, recording);
    if (file !== undefined) this.files.set(sid, file);
    return recording;
  }

  async list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>> {
    this.listed.push({ accountSid, filter });
    const matches = [...this.recordings.values()].filter(
      (r) =>
        r.accountSid === accountSid &&
        (filter.callSid === undefined || r.callSid === filter.callSid) &&
        (filter.createdAfter === undefined || r.dateCreated >= filter.createdAfter) &&
        (filter.createdBefore === undefined || r.dateCreated < filter.createdBefore),
    );
    return cutPage(matches, page, byCreation);
  }

  async get(accountSid: string, recordingSid: string): Promise<RecordingRecord | undefined> {
    const r = this.recordings.get(recordingSid);
    return r && r.accountSid === accountSid ? r : undefined;
  }

  audioPath(recordingSid: string): string | undefined {
    return this.files.get(recordingSid);
  }

  async delete(accountSid: string, recordingSid: string): Promise<boolean> {
    const r = await this.get(accountSid, recordingSid);
    if (!r) return false;
    if (r.status === 'in-progress' || r.status === 'paused' || r.status === 'stopped') throw new ApiError(400, 20009, 'Cannot delete this resource before it is complete');
    this.files.delete(recordingSid);
    return this.recordings.delete(recordingSid);
  }
}
