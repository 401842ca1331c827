import type { Logger } from 'pino';
import type { HttpOutcome, WebhookTransport } from '../webhooks/http-transport.js';
import { ageSeconds } from './event-params.js';
import { readInstruction, type ReservationInstruction } from './instructions.js';
import type { ReservationRecord } from './records.js';
import type { WorkspaceEntry } from './taskrouter-service.js';
import type { LiveTask, LiveWorker } from './workspace-state.js';

type Run = (entry: WorkspaceEntry, reservationSid: string, instruction: ReservationInstruction) => Promise<void>;

/**
 * The assignment callback: each new reservation is POSTed to its
 * workflow's AssignmentCallbackUrl (the fallback URL when that fails) with
 * Twilio's parameters, signed; a JSON answer with an `instruction` is run
 * (accept, reject, dequeue, call, redirect, conference), an empty one
 * leaves the reservation pending for the REST API or its timeout.
 */
export class AssignmentCallback {
  constructor(
    private readonly transport: WebhookTransport,
    private readonly authTokenFor: (accountSid: string) => string | undefined,
    private readonly log: Logger,
    private readonly run: Run,
  ) {}

  send(entry: WorkspaceEntry, r: ReservationRecord, t: LiveTask, w: LiveWorker): void {
    const wf = entry.ws.state.workflows.get(t.record.workflowSid)?.record;
    const url = wf?.assignmentCallbackUrl;
    const authToken = this.authTokenFor(r.accountSid);
    if (!wf || url === undefined || authToken === undefined) return;
    const params = {
      AccountSid: r.accountSid,
      WorkspaceSid: r.workspaceSid,
      WorkflowSid: wf.sid,
      TaskQueueSid: r.taskQueueSid,
      TaskSid: t.record.sid,
      TaskAttributes: t.record.attributes,
      TaskAge: String(ageSeconds(t.record.dateCreated)),
      TaskPriority: String(t.record.priority),
      WorkerSid: w.record.sid,
      WorkerAttributes: w.record.attributes,
      ReservationSid: r.sid,
    };
    const log = this.log.child({ workspaceSid: r.workspaceSid, taskSid: t.record.sid, reservationSid: r.sid });
    void (async () => {
      let outcome = await this.transport.send({ url, method: 'POST', params, authToken });
      if (failed(outcome) && wf.fallbackAssignmentCallbackUrl !== undefined) {
        log.warn({ url, reason: describe(outcome) }, 'assignment callback failed: trying the fallback');
        outcome = await this.transport.send({ url: wf.fallbackAssignmentCallbackUrl, method: 'POST', params, authToken });
      }
      if (failed(outcome)) {
        log.warn({ url, reason: describe(outcome) }, 'assignment callback failed: the reservation waits for the REST API or its timeout');
        return;
      }
      const body = 'response' in outcome ? outcome.response.body.toString('utf8').trim() : '';
      if (body === '') return;
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        log.warn({ url }, 'assignment callback answered something that is not JSON: no instruction taken');
        return;
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return;
      try {
        await this.run(entry, r.sid, readInstruction(json as Record<string, unknown>));
      } catch (err) {
        log.warn({ url, reason: (err as Error).message }, 'the assignment callback instruction could not be carried out');
      }
    })();
  }
}

const failed = (o: HttpOutcome): boolean => 'error' in o || o.response.status >= 400;
const describe = (o: HttpOutcome): string => ('error' in o ? o.error.message : `HTTP status ${o.response.status}`);
