import { randomBytes } from 'node:crypto';

/** Twilio's SID prefixes of TaskRouter's resources. */
export const SidPrefix = {
  workspace: 'WS',
  activity: 'WA',
  channel: 'TC',
  worker: 'WK',
  queue: 'WQ',
  workflow: 'WW',
  task: 'WT',
  reservation: 'WR',
  event: 'EV',
} as const;

/** Random bytes drawn 4 KiB at a time: one system call for 256 SIDs. */
let pool = Buffer.alloc(0);
let used = 0;

export function newSid(kind: keyof typeof SidPrefix): string {
  if (used + 16 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += 16;
  return SidPrefix[kind] + pool.toString('hex', used - 16, used);
}

/** Whether `text` looks like a SID of that kind (prefix and 32 hex digits). */
export function isSid(kind: keyof typeof SidPrefix, text: string): boolean {
  return text.length === 34 && text.startsWith(SidPrefix[kind]) && /^[0-9a-fA-F]{32}$/.test(text.slice(2));
}
