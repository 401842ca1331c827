import type { Logger } from 'pino';
import { invalid, TaskRouterError } from './errors.js';
import type { ReservationInstruction } from './instructions.js';
import type { TaskRecord } from './records.js';
import type { TaskCalls } from './task-calls.js';
import type { TaskRouterService, WorkspaceEntry } from './taskrouter-service.js';

/** What a task made of a call knows about it (its attributes, as <Enqueue workflowSid> makes them). */
function callOf(t: TaskRecord): { callSid?: string; from?: string; to?: string } {
  try {
    const a = JSON.parse(t.attributes) as Record<string, unknown>;
    const s = (k: string): string | undefined => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
    return { ...(s('call_sid') ? { callSid: s('call_sid') } : {}), ...(s('from') ? { from: s('from') } : {}), ...(s('to') ? { to: s('to') } : {}) };
  } catch {
    return {};
  }
}

/** Listeners told when a task of a waiting call ends without a worker. */
export type TaskEndedListener = (task: TaskRecord) => void;

/**
 * Carries out reservation instructions (from the assignment callback or a
 * Reservation update): accept and reject on the workspace; dequeue, call,
 * redirect and conference through the engine's calls. A worker who does
 * not answer a dequeue or conference call has the reservation rejected.
 */
export class ReservationInstructions {
  /** Reservation sid -> the activity its worker moves to when the bridged call ends. */
  private readonly postWork = new Map<string, string>();
  /** Reservation sid -> the worker's call of its dequeue or conference instruction, until it is answered or not. */
  private readonly ringing = new Map<string, { accountSid: string; callSid: string }>();
  private readonly ended = new Set<TaskEndedListener>();

  constructor(
    private readonly service: TaskRouterService,
    private readonly calls: TaskCalls | undefined,
    private readonly log: Logger,
  ) {}

  onTaskEnded(listener: TaskEndedListener): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  taskEnded(t: TaskRecord): void {
    for (const l of this.ended) l(t);
  }

  async run(entry: WorkspaceEntry, reservationSid: string, ins: ReservationInstruction, fromRest = false): Promise<void> {
    const ws = entry.ws;
    const r = ws.state.reservations.get(reservationSid);
    if (!r) throw invalid(`Reservation ${reservationSid} is not there`);
    if (r.status !== 'pending') throw new TaskRouterError(400, 20001, `Reservation ${reservationSid} is ${r.status}, not pending`);
    const t = ws.state.tasks.get(r.taskSid);
    const w = ws.state.workers.get(r.workerSid);
    if (!t || !w) throw invalid(`Reservation ${reservationSid} has no task or worker`);
    const call = callOf(t.record);
    const contact = typeof w.attributes.contact_uri === 'string' ? w.attributes.contact_uri : undefined;
    const needCalls = (): TaskCalls => {
      if (!this.calls) throw invalid(`The ${ins.instruction} instruction needs the engine's calls, which this service has not`);
      return this.calls;
    };
    const log = this.log.child({ reservationSid, taskSid: t.record.sid, instruction: ins.instruction, fromRest });
    switch (ins.instruction) {
      case 'accept':
        ws.accept(reservationSid);
        return;
      case 'reject':
        ws.reject(reservationSid, ins.activitySid);
        return;
      case 'dequeue': {
        const to = ins.to ?? contact;
        if (to === undefined) throw invalid('The dequeue instruction needs a to, or the worker a contact_uri attribute');
        if (call.callSid === undefined) throw invalid('The dequeue instruction needs a task made by <Enqueue> (its call_sid attribute)');
        if (ins.postWorkActivitySid !== undefined) this.postWork.set(reservationSid, ins.postWorkActivitySid);
        const placed = await needCalls().dequeue({
          accountSid: r.accountSid,
          reservationSid,
          taskCallSid: call.callSid,
          to,
          from: ins.from ?? call.to ?? call.from ?? 'TaskRouter',
          timeoutSeconds: ins.timeout ?? 60,
          ...(ins.record !== undefined ? { record: ins.record } : {}),
          ...(ins.statusCallbackUrl !== undefined ? { statusCallbackUrl: ins.statusCallbackUrl } : {}),
        });
        log.info({ workerCallSid: placed.callSid, to }, 'dequeue: calling the worker');
        this.watchRinging(r.accountSid, reservationSid, placed);
        this.rejectIfUnanswered(entry, reservationSid, placed.outcome);
        return;
      }
      case 'call': {
        const to = ins.to ?? contact;
        if (to === undefined) throw invalid('The call instruction needs a to, or the worker a contact_uri attribute');
        await needCalls().call({ accountSid: r.accountSid, to, from: ins.from ?? call.to ?? 'TaskRouter', url: ins.url, timeoutSeconds: ins.timeout ?? 60, ...(ins.record !== undefined ? { record: ins.record } : {}), ...(ins.statusCallbackUrl !== undefined ? { statusCallbackUrl: ins.statusCallbackUrl } : {}) });
        if (ins.accept) ws.accept(reservationSid);
        return;
      }
      case 'redirect': {
        const callSid = ins.callSid ?? call.callSid;
        if (callSid === undefined) throw invalid('The redirect instruction needs a call_sid');
        if (ins.postWorkActivitySid !== undefined) this.postWork.set(reservationSid, ins.postWorkActivitySid);
        await needCalls().redirect({ accountSid: r.accountSid, callSid, url: ins.url });
        if (ins.accept) ws.accept(reservationSid);
        return;
      }
      case 'conference': {
        const to = ins.to ?? contact;
        if (to === undefined) throw invalid('The conference instruction needs a to, or the worker a contact_uri attribute');
        if (call.callSid === undefined) throw invalid('The conference instruction needs a task made by <Enqueue> (its call_sid attribute)');
        if (ins.postWorkActivitySid !== undefined) this.postWork.set(reservationSid, ins.postWorkActivitySid);
        const placed = await needCalls().conference({
          accountSid: r.accountSid,
          name: t.record.sid,
          taskCallSid: call.callSid,
          to,
          from: ins.from ?? call.to ?? 'TaskRouter',
          timeoutSeconds: ins.timeout ?? 60,
          ...(ins.endConferenceOnExit !== undefined ? { endConferenceOnExit: ins.endConferenceOnExit } : {}),
          ...(ins.startConferenceOnEnter !== undefined ? { startConferenceOnEnter: ins.startConferenceOnEnter } : {}),
          ...(ins.record !== undefined ? { record: ins.record } : {}),
        });
        void placed.outcome.then((o) => {
          if (o === 'answered' && ws.state.reservations.get(reservationSid)?.status === 'pending') ws.accept(reservationSid);
        });
        this.watchRinging(r.accountSid, reservationSid, placed);
        this.rejectIfUnanswered(entry, reservationSid, placed.outcome);
        return;
      }
    }
  }

  private watchRinging(accountSid: string, reservationSid: string, placed: { callSid: string; outcome: Promise<'answered' | 'not-answered'> }): void {
    this.ringing.set(reservationSid, { accountSid, callSid: placed.callSid });
    void placed.outcome.finally(() => this.ringing.delete(reservationSid));
  }

  /**
   * A reservation ended without its worker (timed out, rejected, canceled
   * with its task, rescinded): a call to the worker that still rings is
   * cancelled, so that the phone stops ringing for a caller another worker
   * may now have.
   */
  reservationEnded(reservationSid: string, eventType: string): void {
    const call = this.ringing.get(reservationSid);
    if (!call) return;
    this.ringing.delete(reservationSid);
    this.log.info({ reservationSid, workerCallSid: call.callSid, eventType }, "the reservation ended while the worker's phone rang: call cancelled");
    void this.calls?.cancel(call).catch((err: Error) => this.log.warn({ reservationSid, reason: err.message }, "the worker's call could not be cancelled"));
  }

  private rejectIfUnanswered(entry: WorkspaceEntry, reservationSid: string, outcome: Promise<'answered' | 'not-answered'>): void {
    void outcome.then((o) => {
      if (o === 'not-answered' && entry.ws.state.reservations.get(reservationSid)?.status === 'pending') {
        this.log.info({ reservationSid }, 'the worker did not answer: reservation rejected');
        entry.ws.endReservation(reservationSid, 'rejected');
      }
    });
  }

  /**
   * A worker's call runs <Dial><Queue reservationSid>: the reservation is
   * accepted (when still pending) and the task's call is the one to bridge.
   */
  takeReservation(accountSid: string, reservationSid: string): { callSid: string; taskSid: string } | { error: string } {
    const entry = this.service.findReservation(accountSid, reservationSid);
    const r = entry?.ws.state.reservations.get(reservationSid);
    const t = r ? entry?.ws.state.tasks.get(r.taskSid) : undefined;
    if (!entry || !r || !t) return { error: `reservation ${reservationSid} is not known` };
    if (r.status === 'pending') entry.ws.accept(reservationSid);
    else if (r.status !== 'accepted') return { error: `reservation ${reservationSid} is ${r.status}` };
    const callSid = callOf(t.record).callSid;
    if (callSid === undefined) return { error: `the task of reservation ${reservationSid} has no call` };
    return { callSid, taskSid: t.record.sid };
  }

  /** The bridge of a task's call with its worker ended: the task wraps up, the worker moves to its post-work activity. */
  bridgeEnded(accountSid: string, reservationSid: string, postWorkActivitySid?: string): void {
    const entry = this.service.findReservation(accountSid, reservationSid);
    const r = entry?.ws.state.reservations.get(reservationSid);
    if (!entry || !r) return;
    const t = entry.ws.state.tasks.get(r.taskSid);
    if (t && t.record.assignmentStatus === 'assigned') entry.ws.updateTask(t.record.sid, { assignmentStatus: 'wrapping', reason: 'call ended' });
    const activity = postWorkActivitySid ?? this.postWork.get(reservationSid);
    this.postWork.delete(reservationSid);
    const w = entry.ws.state.workers.get(r.workerSid);
    if (w && activity !== undefined && entry.ws.state.activities.has(activity)) entry.ws.setActivity(w, activity);
  }
}
