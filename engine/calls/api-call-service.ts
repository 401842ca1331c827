import { clientName } from '../api/call-address.js';
import { ApiError, type CallFilter, type CallRecord, type CallRedirect, type CallService, type CreateCallParams } from '../api/call-service.js';
import { DialTargetError, resolveDialTarget } from '../outbound/dial-target.js';
import { newCallSid } from '../routing/call-sid.js';
import type { CallDeps } from './call-deps.js';
import { CallSession } from './call-session.js';
import { startApiCall } from './api-call.js';

/** Twilio's error 21220: the call is not in progress, it cannot be redirected. */
const NOT_IN_PROGRESS = 21220;
/** Twilio's error 21211: invalid 'To' phone number. */
const INVALID_TO = 21211;

function matches(call: CallSession, accountSid: string, f: CallFilter): boolean {
  if (call.accountSid !== accountSid) return false;
  if (f.to !== undefined && call.to !== f.to) return false;
  if (f.from !== undefined && call.from !== f.from) return false;
  if (f.status !== undefined && call.status !== f.status) return false;
  if (f.parentCallSid !== undefined && call.parentCallSid !== f.parentCallSid) return false;
  if (f.startedAfter !== undefined && call.startTime < f.startedAfter) return false;
  if (f.startedBefore !== undefined && call.startTime >= f.startedBefore) return false;
  return true;
}

/** The engine's side of the REST API for calls. */
export class ApiCallService implements CallService {
  constructor(private readonly deps: CallDeps) {}

  async create(params: CreateCallParams): Promise<CallRecord> {
    const account = this.deps.accounts.find((a) => a.id === params.accountSid);
    if (!account) throw new ApiError(404, 20404, `no account ${params.accountSid}`);
    const client = clientName(params.to);
    try {
      if (client === undefined) resolveDialTarget(params.to, this.deps.trunks, { username: params.sipAuthUsername, password: params.sipAuthPassword });
      else if (!this.deps.registrar.user(client)) throw new DialTargetError(`there is no SIP user named ${client}`);
    } catch (err) {
      if (err instanceof DialTargetError) throw new ApiError(400, INVALID_TO, `The 'To' number ${params.to} cannot be called: ${err.message}`);
      throw err;
    }
    const session = new CallSession({
      sid: newCallSid(),
      accountSid: account.id,
      applicationId: 'api',
      from: params.from,
      to: params.to,
      direction: 'outbound-api',
      status: 'queued',
    });
    const record = session.toRecord();
    await this.deps.store.add(session);
    this.deps.live.add(startApiCall(this.deps, account, session, params));
    this.deps.log.info({ callSid: session.sid, to: params.to, from: params.from }, 'outbound call created');
    return record;
  }

  async get(accountSid: string, callSid: string): Promise<CallRecord | undefined> {
    const call = await this.deps.store.get(callSid);
    return call && call.accountSid === accountSid ? call.toRecord() : undefined;
  }

  async list(accountSid: string, filter: CallFilter): Promise<CallRecord[]> {
    const calls = (await this.deps.store.list()).filter((c) => matches(c, accountSid, filter));
    calls.sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.sid < b.sid ? 1 : a.sid > b.sid ? -1 : 0));
    return calls.map((c) => c.toRecord());
  }

  async redirect(accountSid: string, callSid: string, to: CallRedirect): Promise<CallRecord | undefined> {
    const call = await this.deps.store.get(callSid);
    if (!call || call.accountSid !== accountSid) return undefined;
    const live = this.deps.live.get(callSid);
    if (!live || call.isFinal) throw new ApiError(400, NOT_IN_PROGRESS, 'Call is not in-progress. Cannot redirect.');
    if (!live.redirect(to)) throw new ApiError(400, NOT_IN_PROGRESS, 'This call runs no instructions (it is the called party of a Dial) and cannot be redirected.');
    this.deps.log.info({ callSid, to: 'url' in to ? to.url : 'inline document' }, 'call redirected');
    return call.toRecord();
  }

  async end(accountSid: string, callSid: string, status: 'completed' | 'canceled'): Promise<CallRecord | undefined> {
    const call = await this.deps.store.get(callSid);
    if (!call || call.accountSid !== accountSid) return undefined;
    const live = this.deps.live.get(callSid);
    if (live && !call.isFinal) {
      this.deps.log.info({ callSid, status }, 'call ended by a program');
      await live.end(status);
    }
    return call.toRecord();
  }
}
