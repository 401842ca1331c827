import type { CallControl, EnqueueRequest, NextDocumentRequest, QueueResult } from '../../instructions/runtime/call-control.js';

/** How a member's time in the queue ends: its Enqueue's QueueResult, and the document it was sent to (REST dequeue). */
export interface MemberEnd {
  result: QueueResult;
  redirectTo?: NextDocumentRequest;
}

/** A call waiting in a queue on this engine. */
export interface Member {
  callSid: string;
  control: CallControl;
  req: EnqueueRequest;
  /** performance.now() when it joined (for its wait time). */
  enqueuedAt: number;
  /** The wall clock when it joined (the REST API's DateEnqueued). */
  dateEnqueued: Date;
  /** Taken by a dialler, sent elsewhere or gone: the wait music stops. */
  taken: AbortController;
  /** How its Enqueue ends, once known. */
  finish: (end: MemberEnd) => void;
}

/** A queue's live part on this engine: its callers in order, and the dialers waiting for one. */
export interface LiveQueue {
  sid: string;
  accountSid: string;
  /** As last read from the queue's record. */
  name: string;
  maxSize: number;
  members: Member[];
  /** Dialers waiting for a caller, first come first served. */
  waiting: ((m: Member) => void)[];
  /** Seconds the callers that left it waited, for AvgQueueTime. */
  waitedSeconds: number;
  left: number;
}

/** A member as the REST API shows it (Twilio's Member resource). */
export interface MemberSnapshot {
  callSid: string;
  accountSid: string;
  queueSid: string;
  /** 1 for the front of the queue. */
  position: number;
  /** Seconds in the queue so far. */
  waitTime: number;
  dateEnqueued: Date;
}

/** What the REST API shows of a queue beside its record. */
export interface QueueStats {
  currentSize: number;
  /** The average wait of the callers in the queue now, in seconds (Twilio: "calculated at the time of the request"). */
  averageWaitTime: number;
}

export const secondsSince = (performanceMs: number, now = performance.now()): number => Math.round((now - performanceMs) / 1000);

export function memberSnapshot(q: LiveQueue, m: Member, now = performance.now()): MemberSnapshot {
  return { callSid: m.callSid, accountSid: q.accountSid, queueSid: q.sid, position: q.members.indexOf(m) + 1, waitTime: secondsSince(m.enqueuedAt, now), dateEnqueued: m.dateEnqueued };
}

export function queueStats(q: LiveQueue | undefined, now = performance.now()): QueueStats {
  if (!q || q.members.length === 0) return { currentSize: 0, averageWaitTime: 0 };
  const total = q.members.reduce((sum, m) => sum + (now - m.enqueuedAt) / 1000, 0);
  return { currentSize: q.members.length, averageWaitTime: Math.round(total / q.members.length) };
}

/** The member a REST path names: `Front` (the first in line) or a CallSid. */
export function findMember(q: LiveQueue, who: string): Member | undefined {
  return who === 'Front' ? q.members[0] : q.members.find((m) => m.callSid === who);
}
