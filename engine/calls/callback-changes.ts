import type { Logger } from 'pino';
import type { CallbackChanges } from '../api/call-service.js';
import type { CallSession } from './call-session.js';
import type { CallStore } from './call-store.js';
import type { CallDocumentSettings } from './sip-call-base.js';
import type { StatusEvents } from './status-events.js';

/** What a running call's callbacks are made of: the settings its documents are fetched with, its status events. */
export interface ChangeableCallbacks {
  /** The very object the call's fetches read (changed in place). */
  documents: CallDocumentSettings;
  status: StatusEvents;
  session: CallSession;
  store: CallStore;
  log: Logger;
}

/** The call's documents as the call fetches them: a copy of its own, so that a change stays with this call. */
export function callDocuments(settings: CallDocumentSettings): CallDocumentSettings {
  const { fallbackUrl, fallbackMethod, retry, timeouts } = settings;
  return { fallbackUrl, fallbackMethod, ...(retry ? { retry } : {}), ...(timeouts ? { timeouts } : {}) };
}

/**
 * Applies a REST update's FallbackUrl / FallbackMethod (the next document
 * fetch falls back there) and StatusCallback / StatusCallbackMethod (the
 * next status callback goes there, and the store keeps them for the
 * completed callback of a call whose engine is lost).
 */
export function changeCallbacks(call: ChangeableCallbacks, changes: CallbackChanges): void {
  const { documents, status } = call;
  if (changes.fallbackUrl !== undefined) documents.fallbackUrl = changes.fallbackUrl;
  if (changes.fallbackMethod !== undefined) documents.fallbackMethod = changes.fallbackMethod;
  if (changes.statusCallback !== undefined || changes.statusCallbackMethod !== undefined) {
    status.retarget({
      ...(changes.statusCallback !== undefined ? { statusCallback: changes.statusCallback } : {}),
      ...(changes.statusCallbackMethod !== undefined ? { statusCallbackMethod: changes.statusCallbackMethod } : {}),
    });
    call.store.callbacksChanged(call.session, status.settings);
  }
  call.log.info({ ...changes }, 'call callbacks changed by a program');
}
