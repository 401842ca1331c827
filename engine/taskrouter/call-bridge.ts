import type { CallRecordingParams, CallService, CreateCallParams } from '../api/call-service.js';
import type { EventStream } from '../events/event-stream.js';
import type { TaskCalls } from './task-calls.js';

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Twilio's Dial record values an instruction may give; anything else records nothing. */
const DIAL_RECORD = new Set(['do-not-record', 'record-from-answer', 'record-from-ringing', 'record-from-answer-dual', 'record-from-ringing-dual']);

/** A call instruction's Record: the whole call from answer, as Calls.json records it by default. */
const ANSWER_RECORDING: CallRecordingParams = { channels: 1, track: 'both', trim: true, statusCallbackMethod: 'POST', statusCallbackEvents: ['completed'] };

/**
 * The reservation instructions' calls, made with the engine's own REST
 * call service and watched on its event stream: dequeue calls the worker
 * with `<Dial><Queue reservationSid>` (answered, that takes the task's
 * call from its queue), conference puts both calls in a conference named
 * after the task once the worker answers, call and redirect are plain
 * REST calls and redirects.
 */
export class CallBridge implements TaskCalls {
  constructor(
    private readonly calls: CallService,
    private readonly events: EventStream,
  ) {}

  private base(accountSid: string, to: string, from: string, timeoutSeconds: number, statusCallbackUrl?: string): Omit<CreateCallParams, 'url' | 'twiml'> {
    return {
      accountSid,
      to,
      from,
      method: 'POST',
      fallbackMethod: 'POST',
      ...(statusCallbackUrl !== undefined ? { statusCallback: statusCallbackUrl } : {}),
      statusCallbackMethod: 'POST',
      statusCallbackEvents: ['completed'],
      timeoutSeconds: Math.min(600, Math.max(1, timeoutSeconds)),
    };
  }

  /** Resolves with whether the call was answered, from its progress events. */
  private watch(callSid: string): Promise<'answered' | 'not-answered'> {
    return new Promise((resolve) => {
      const stop = this.events.subscribe((e) => {
        if (e.callSid !== callSid) return;
        if (e.type === 'call.answered') {
          stop();
          resolve('answered');
        } else if (e.type === 'call.completed') {
          stop();
          resolve('not-answered');
        }
      });
    });
  }

  async dequeue(req: Parameters<TaskCalls['dequeue']>[0]): Promise<{ callSid: string; outcome: Promise<'answered' | 'not-answered'> }> {
    const record = req.record !== undefined && DIAL_RECORD.has(req.record) ? ` record="${req.record}"` : '';
    const twiml = `<Response><Dial${record}><Queue reservationSid="${escapeXml(req.reservationSid)}"/></Dial></Response>`;
    return this.place({ ...this.base(req.accountSid, req.to, req.from, req.timeoutSeconds, req.statusCallbackUrl), twiml });
  }

  async call(req: Parameters<TaskCalls['call']>[0]): Promise<{ callSid: string }> {
    const made = await this.calls.create({ ...this.base(req.accountSid, req.to, req.from, req.timeoutSeconds, req.statusCallbackUrl), url: req.url, ...(req.record === 'true' || req.record === 'record-from-answer' ? { recording: ANSWER_RECORDING } : {}) });
    return { callSid: made.sid };
  }

  async cancel(req: Parameters<TaskCalls['cancel']>[0]): Promise<void> {
    await this.calls.end(req.accountSid, req.callSid, 'canceled');
  }

  async redirect(req: Parameters<TaskCalls['redirect']>[0]): Promise<void> {
    const done = await this.calls.redirect(req.accountSid, req.callSid, { url: req.url, method: 'POST' });
    if (!done) throw new Error(`call ${req.callSid} is not in progress`);
  }

  async conference(req: Parameters<TaskCalls['conference']>[0]): Promise<{ callSid: string; outcome: Promise<'answered' | 'not-answered'> }> {
    const record = req.record === 'true' || req.record === 'record-from-start' ? ' record="record-from-start"' : '';
    const room = (start: boolean, end: boolean): string =>
      `<Response><Dial><Conference startConferenceOnEnter="${start}" endConferenceOnExit="${end}"${record}>${escapeXml(req.name)}</Conference></Dial></Response>`;
    const placed = await this.place({ ...this.base(req.accountSid, req.to, req.from, req.timeoutSeconds), twiml: room(req.startConferenceOnEnter ?? true, req.endConferenceOnExit ?? false) });
    // The caller leaves its queue for the conference once the worker is there.
    void placed.outcome.then(async (o) => {
      if (o === 'answered') await this.calls.redirect(req.accountSid, req.taskCallSid, { twiml: room(true, false) });
    });
    return placed;
  }

  private async place(params: CreateCallParams): Promise<{ callSid: string; outcome: Promise<'answered' | 'not-answered'> }> {
    // Watch from before the call exists: its first events may come before create() returns.
    let sid: string | undefined;
    const early: { callSid: string; type: string }[] = [];
    const stopEarly = this.events.subscribe((e) => {
      if (sid === undefined && e.callSid !== undefined && (e.type === 'call.answered' || e.type === 'call.completed')) early.push({ callSid: e.callSid, type: e.type });
    });
    try {
      const made = await this.calls.create(params);
      sid = made.sid;
      const seen = early.find((e) => e.callSid === made.sid);
      const outcome = seen ? Promise.resolve(seen.type === 'call.answered' ? ('answered' as const) : ('not-answered' as const)) : this.watch(made.sid);
      return { callSid: made.sid, outcome };
    } finally {
      stopEarly();
    }
  }
}
