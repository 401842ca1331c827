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

export function newSid(kind: keyof typeof SidPrefix): string {
  return SidPrefix[kind] + randomBytes(16).toString('hex');
}

/** Whether `text` looks like a SID of that kind (prefix and 32 hex digits). */
export function isSid(kind: keyof typeof SidPrefix, text: string): boolean {
  return text.length === 34 && text.startsWith(SidPrefix[kind]) && /^[0-9a-fA-F]{32}$/.test(text.slice(2));
}
