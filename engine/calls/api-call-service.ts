import { clientName } from '../api/call-address.js';
import { ErrorCode } from '../api/api-errors.js';
import {
  ApiError,
  type CallbackChanges,
  type CallFilter,
  type CallRecord,
  type CallRedirect,
  type CallService,
  type CreateCallParams,
} from '../api/call-service.js';
import type { Application } from '../../config/engine-config.js';
import { DialTargetError, resolveDialTarget } from '../outbound/dial-target.js';
import { newCallSid } from '../routing/call-sid.js';
import type { CallDeps } from './call-deps.js';
import { CallSession } from './call-session.js';
import { startApiCall } from './api-call.js';
import { resolveApiCall } from './api-call-application.js';
import { publicRecord } from './call-store.js';
import { isFinalStatus } from './call-status.js';
import type { CallCommand, CallCommands } from '../cluster/call-commands.js';
import type { StoredCall } from '../store/types.js';
import type { LiveCall } from './live-calls.js';
import type { Page, PageRequest } from '../api/paging.js';

/** Twilio's error 21220: the call is not in progress, it cannot be redirected. */
const NOT_IN_PROGRESS = 21220;
/** Twilio's error 21211: invalid 'To' phone number. */
const INVALID_TO = 21211;

const notOver = (): ApiError => new ApiError(400, ErrorCode.DeleteBeforeComplete, 'Cannot delete this resource before it is complete');

/** The engine's side of the REST API for calls. */
export class ApiCallService implements CallService {
  /** `commands`: how updates reach calls that other engines of a cluster run; `applications`: what ApplicationSid may name. */
  constructor(
    private readonly deps: CallDeps,
    private readonly commands?: CallCommands,
    private readonly applications: readonly Application[] = [],
  ) {}

  async create(params: CreateCallParams): Promise<CallRecord> {
    if (this.deps.live.draining) throw new ApiError(503, ErrorCode.ServiceUnavailable, 'This engine is shutting down and takes no new calls; try another');
    const account = this.deps.accounts.find((a) => a.id === params.accountSid);
    if (!account) throw new ApiError(404, 20404, `no account ${params.accountSid}`);
    const resolved = resolveApiCall(params, this.applications, this.deps.accounts);
    const call = resolved.params;
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
      applicationId: resolved.applicationId,
      from: params.from,
      to: params.to,
      direction: 'outbound-api',
      status: 'queued',
    });
    const record = session.toRecord();
    this.deps.store.add(session, { statusCallback: call.statusCallback, statusCallbackMethod: call.statusCallbackMethod, statusCallbackEvents: call.statusCallbackEvents });
    this.deps.live.add(startApiCall(this.deps, account, session, call, resolved.documents));
    this.deps.log.info({ callSid: session.sid, to: params.to, from: params.from, application: resolved.applicationId }, 'outbound call created');
    return record;
  }

  async get(accountSid: string, callSid: string): Promise<CallRecord | undefined> {
    const live = this.ownLive(accountSid, callSid);
    if (live) return live.session.toRecord();
    const call = await this.deps.store.get(accountSid, callSid);
    return call && publicRecord(call);
  }

  async list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<CallRecord>> {
    const found = await this.deps.store.list(accountSid, filter, page);
    return { ...found, items: found.items.map((c) => this.ownLive(accountSid, c.sid)?.session.toRecord() ?? publicRecord(c)) };
  }

  async redirect(accountSid: string, callSid: string, to: CallRedirect): Promise<CallRecord | undefined> {
    const here = this.redirectHere(accountSid, callSid, to);
    if (here) return here;
    const call = await this.deps.store.get(accountSid, callSid);
    if (!call) return undefined;
    const owner = this.remoteOwner(call);
    const moved = owner === undefined ? undefined : await this.commands?.send(owner, { kind: 'redirect', accountSid, callSid, to });
    if (!moved) throw new ApiError(400, NOT_IN_PROGRESS, 'Call is not in-progress. Cannot redirect.');
    return moved;
  }

  async end(accountSid: string, callSid: string, status: 'completed' | 'canceled'): Promise<CallRecord | undefined> {
    const here = await this.endHere(accountSid, callSid, status);
    if (here) return here;
    const call = await this.deps.store.get(accountSid, callSid);
    if (!call) return undefined;
    const owner = this.remoteOwner(call);
    const ended = owner === undefined ? undefined : await this.commands?.send(owner, { kind: 'end', accountSid, callSid, status });
    return ended ?? publicRecord((await this.deps.store.get(accountSid, callSid)) ?? call);
  }

  async updateCallbacks(accountSid: string, callSid: string, changes: CallbackChanges): Promise<CallRecord | undefined> {
    const here = this.callbacksHere(accountSid, callSid, changes);
    if (here) return here;
    const call = await this.deps.store.get(accountSid, callSid);
    if (!call) return undefined;
    const owner = this.remoteOwner(call);
    const changed = owner === undefined ? undefined : await this.commands?.send(owner, { kind: 'callbacks', accountSid, callSid, changes });
    if (!changed) throw new ApiError(400, NOT_IN_PROGRESS, 'Call is not in-progress. Cannot change its callbacks.');
    return changed;
  }

  async delete(accountSid: string, callSid: string): Promise<boolean> {
    const live = this.ownLive(accountSid, callSid);
    if (live) {
      if (!live.session.isFinal) throw notOver();
      // Ended, but its last writes (the completed state) may still be on their way to the store.
      await live.done;
    }
    const call = await this.deps.store.get(accountSid, callSid);
    if (!call) return false;
    if (!isFinalStatus(call.status)) throw notOver();
    const deleted = await this.deps.store.delete(accountSid, callSid);
    if (deleted) this.deps.log.info({ callSid }, 'call record deleted');
    return deleted;
  }

  /** Runs a command from another engine on a call of this one (undefined when the call is not here). */
  runCommand(command: CallCommand): Promise<CallRecord | undefined> {
    switch (command.kind) {
      case 'redirect':
        return Promise.resolve(this.redirectHere(command.accountSid, command.callSid, command.to));
      case 'callbacks':
        return Promise.resolve(this.callbacksHere(command.accountSid, command.callSid, command.changes));
      case 'end':
        return this.endHere(command.accountSid, command.callSid, command.status);
    }
  }

  private callbacksHere(accountSid: string, callSid: string, changes: CallbackChanges): CallRecord | undefined {
    const live = this.ownLive(accountSid, callSid);
    if (!live) return undefined;
    if (live.session.isFinal) throw new ApiError(400, NOT_IN_PROGRESS, 'Call is not in-progress. Cannot change its callbacks.');
    if (!live.updateCallbacks) throw new ApiError(400, NOT_IN_PROGRESS, 'This call runs no instructions (it is the called party of a Dial); its callbacks cannot be changed.');
    live.updateCallbacks(changes);
    return live.session.toRecord();
  }

  private redirectHere(accountSid: string, callSid: string, to: CallRedirect): CallRecord | undefined {
    const live = this.ownLive(accountSid, callSid);
    if (!live) return undefined;
    if (live.session.isFinal) throw new ApiError(400, NOT_IN_PROGRESS, 'Call is not in-progress. Cannot redirect.');
    if (!live.redirect(to)) throw new ApiError(400, NOT_IN_PROGRESS, 'This call runs no instructions (it is the called party of a Dial) and cannot be redirected.');
    this.deps.log.info({ callSid, to: 'url' in to ? to.url : 'inline document' }, 'call redirected');
    return live.session.toRecord();
  }

  private async endHere(accountSid: string, callSid: string, status: 'completed' | 'canceled'): Promise<CallRecord | undefined> {
    const live = this.ownLive(accountSid, callSid);
    if (!live) return undefined;
    if (!live.session.isFinal) {
      this.deps.log.info({ callSid, status }, 'call ended by a program');
      await live.end(status);
    }
    return live.session.toRecord();
  }

  /** The engine that runs a stored call that is still going, when it is another one. */
  private remoteOwner(call: StoredCall): string | undefined {
    if (isFinalStatus(call.status) || call.engineId === this.deps.store.engineId) return undefined;
    return call.engineId;
  }

  /** A call of the account that runs in this engine. */
  private ownLive(accountSid: string, callSid: string): LiveCall | undefined {
    const live = this.deps.live.get(callSid);
    return live && live.session.accountSid === accountSid ? live : undefined;
  }
}
