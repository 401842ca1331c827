import { randomBytes } from 'node:crypto';

/** A new call id: `CA` followed by 32 lower-case hex digits (128 random bits). */
export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function isCallSid(value: string): boolean {
  return /^CA[0-9a-f]{32}$/.test(value);
}
