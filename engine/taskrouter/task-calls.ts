/** A worker called for a task's caller (`taskCallSid`), by the dequeue instruction. */
export interface DequeueCall {
  accountSid: string;
  reservationSid: string;
  taskCallSid: string;
  to: string;
  from: string;
  timeoutSeconds: number;
  record?: string;
  statusCallbackUrl?: string;
}

/**
 * What TaskRouter asks of the call side of the engine when an instruction
 * puts a task's call together with a worker (engine/taskrouter/call-bridge.ts
 * does it with the engine's calls and queues).
 */
export interface TaskCalls {
  /**
   * Calls the worker at `to`; answered, that call takes the task's call out
   * of its queue and the two are bridged (the reservation is accepted then).
   * `outcome` tells whether the worker answered.
   */
  dequeue(req: DequeueCall): Promise<{ callSid: string; outcome: Promise<'answered' | 'not-answered'> }>;
  /** Calls the worker with a document of the application's. */
  call(req: { accountSid: string; to: string; from: string; url: string; timeoutSeconds: number; record?: string; statusCallbackUrl?: string }): Promise<{ callSid: string }>;
  /** Cancels a worker's call that still rings (its reservation ended first: timed out, canceled, rescinded). */
  cancel(req: { accountSid: string; callSid: string }): Promise<void>;
  /** Runs the document at `url` on a live call (the task's caller). */
  redirect(req: { accountSid: string; callSid: string; url: string }): Promise<void>;
  /** Puts the task's call and a call to the worker in the conference `name`. */
  conference(req: { accountSid: string; name: string; taskCallSid: string; to: string; from: string; timeoutSeconds: number; endConferenceOnExit?: boolean; startConferenceOnEnter?: boolean; record?: string }): Promise<{ callSid: string; outcome: Promise<'answered' | 'not-answered'> }>;
}
