/**
 * Call states as Twilio names them (CallStatus). A call starts queued or
 * ringing, becomes in-progress when answered and ends in exactly one of the
 * final states.
 */
export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

const NEXT: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  queued: ['ringing', 'in-progress', 'busy', 'failed', 'no-answer', 'canceled'],
  ringing: ['in-progress', 'busy', 'failed', 'no-answer', 'canceled'],
  // An answered call can only end as completed (or failed when the media breaks down).
  'in-progress': ['completed', 'failed'],
  completed: [],
  busy: [],
  failed: [],
  'no-answer': [],
  canceled: [],
};

export function isFinalStatus(status: CallStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export function canMoveTo(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}
