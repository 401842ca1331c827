import { randomBytes } from 'node:crypto';
import type { HttpMethod } from '../../instructions/attributes.js';

/**
 * What a call's debugging resources show (Twilio's Calls/{sid}/Events and
 * Calls/{sid}/Notifications): each request made to the application about
 * the call with its answer, and each warning or error the call met.
 */

/** A request to the application (instructions or a status callback) and what came back. */
export interface CallLogWebhook {
  kind: 'webhook';
  sid: string;
  accountSid: string;
  callSid: string;
  at: Date;
  request: { url: string; method: HttpMethod; parameters: Readonly<Record<string, string>> };
  response: {
    /** HTTP status; absent when no response came (timeout, refused connection). */
    status?: number;
    contentType?: string;
    /** The body as text, cut at MAX_BODY characters. */
    body?: string;
    durationMs: number;
  };
}

/** A warning (an element left out of a document) or an error (no document) of a call, with Twilio's code. */
export interface CallLogNotification {
  kind: 'notification';
  /** NO + 32 hex, as Twilio's Notification sid. */
  sid: string;
  accountSid: string;
  callSid: string;
  at: Date;
  level: 'error' | 'warning';
  code: number;
  message: string;
  request?: { url: string; method: HttpMethod; parameters?: Readonly<Record<string, string>> };
  responseBody?: string;
}

export type CallLogEntry = CallLogWebhook | CallLogNotification;

/** The longest response body kept (characters); longer ones are cut. */
export const MAX_BODY = 65_536;
/** The most entries kept for one call; past it the call's entries stop being kept (a loop of redirects). */
export const MAX_ENTRIES_PER_CALL = 1000;

export function newEntrySid(kind: CallLogEntry['kind']): string {
  return (kind === 'notification' ? 'NO' : 'EV') + randomBytes(16).toString('hex');
}

export function encodeEntry(e: CallLogEntry): string {
  return JSON.stringify({ ...e, at: e.at.getTime() });
}

export function decodeEntry(text: string): CallLogEntry {
  const raw = JSON.parse(text) as Omit<CallLogEntry, 'at'> & { at: number };
  return { ...raw, at: new Date(raw.at) } as CallLogEntry;
}
