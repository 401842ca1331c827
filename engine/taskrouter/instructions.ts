import { invalid } from './errors.js';

/**
 * What an assignment callback may answer (JSON), or a Reservation update
 * may say with Instruction: Twilio's reservation instructions.
 */
export type ReservationInstruction =
  | { instruction: 'accept' }
  | { instruction: 'reject'; activitySid?: string }
  | { instruction: 'dequeue'; from?: string; to?: string; timeout?: number; record?: string; postWorkActivitySid?: string; statusCallbackUrl?: string }
  | { instruction: 'call'; url: string; from?: string; to?: string; accept: boolean; record?: string; statusCallbackUrl?: string; timeout?: number }
  | { instruction: 'redirect'; callSid?: string; url: string; accept: boolean; postWorkActivitySid?: string }
  | { instruction: 'conference'; from?: string; to?: string; timeout?: number; postWorkActivitySid?: string; endConferenceOnExit?: boolean; startConferenceOnEnter?: boolean; record?: string };

const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : typeof o[k] === 'number' ? String(o[k]) : undefined);
const bool = (o: Record<string, unknown>, k: string): boolean | undefined => (o[k] === true || o[k] === 'true' ? true : o[k] === false || o[k] === 'false' ? false : undefined);
function int(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

const only = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * Reads an instruction from its JSON keys (snake case, the assignment
 * callback's answer) or the Reservation update's parameters mapped to them.
 */
export function readInstruction(o: Record<string, unknown>): ReservationInstruction {
  const name = str(o, 'instruction');
  switch (name) {
    case 'accept':
      return { instruction: 'accept' };
    case 'reject':
      return only({ instruction: 'reject' as const, activitySid: str(o, 'activity_sid') });
    case 'dequeue':
      return only({
        instruction: 'dequeue' as const,
        from: str(o, 'from'),
        to: str(o, 'to'),
        timeout: int(o, 'timeout'),
        record: str(o, 'record'),
        postWorkActivitySid: str(o, 'post_work_activity_sid'),
        statusCallbackUrl: str(o, 'status_callback_url'),
      });
    case 'call': {
      const url = str(o, 'url');
      if (url === undefined) throw invalid('The call instruction needs a url');
      return only({ instruction: 'call' as const, url, from: str(o, 'from'), to: str(o, 'to'), accept: bool(o, 'accept') ?? false, record: str(o, 'record'), statusCallbackUrl: str(o, 'status_callback_url'), timeout: int(o, 'timeout') });
    }
    case 'redirect': {
      const url = str(o, 'url');
      if (url === undefined) throw invalid('The redirect instruction needs a url');
      return only({ instruction: 'redirect' as const, url, callSid: str(o, 'call_sid'), accept: bool(o, 'accept') ?? false, postWorkActivitySid: str(o, 'post_work_activity_sid') });
    }
    case 'conference':
      return only({
        instruction: 'conference' as const,
        from: str(o, 'from'),
        to: str(o, 'to'),
        timeout: int(o, 'timeout'),
        postWorkActivitySid: str(o, 'post_work_activity_sid'),
        endConferenceOnExit: bool(o, 'end_conference_on_exit'),
        startConferenceOnEnter: bool(o, 'start_conference_on_enter'),
        record: str(o, 'record'),
      });
    default:
      throw invalid(`instruction ${name === undefined ? '(none)' : JSON.stringify(name)} is not one of accept, reject, dequeue, call, redirect, conference`);
  }
}

/** The Reservation update parameters of an Instruction (Twilio's names) as the JSON keys readInstruction takes. */
export function instructionFromParams(p: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const keys: Record<string, string> = {
    Instruction: 'instruction',
    DequeueFrom: 'from',
    DequeueTo: 'to',
    DequeueTimeout: 'timeout',
    DequeueRecord: 'record',
    DequeuePostWorkActivitySid: 'post_work_activity_sid',
    DequeueStatusCallbackUrl: 'status_callback_url',
    CallFrom: 'from',
    CallTo: 'to',
    CallUrl: 'url',
    CallAccept: 'accept',
    CallRecord: 'record',
    CallTimeout: 'timeout',
    CallStatusCallbackUrl: 'status_callback_url',
    RedirectCallSid: 'call_sid',
    RedirectUrl: 'url',
    RedirectAccept: 'accept',
    PostWorkActivitySid: 'post_work_activity_sid',
    From: 'from',
    To: 'to',
    Timeout: 'timeout',
    EndConferenceOnExit: 'end_conference_on_exit',
    StartConferenceOnEnter: 'start_conference_on_enter',
    ConferenceRecord: 'record',
  };
  const out: Record<string, unknown> = {};
  for (const [param, key] of Object.entries(keys)) {
    const v = p[param];
    if (v !== undefined && out[key] === undefined) out[key] = v;
  }
  return out;
}
