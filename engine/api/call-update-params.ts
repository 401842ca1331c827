import { badParameter } from './api-errors.js';
import { urlOrTwiml } from './call-params.js';
import type { CallbackChanges, CallRedirect } from './call-service.js';
import { httpUrl, method } from './param-readers.js';
import { nonEmpty, type RequestParams } from './request-params.js';

/**
 * What POST /Calls/{CallSid}.json asks for: new instructions (Url or Twiml),
 * or an end (Status), or neither; and, with any of them, new callbacks
 * (FallbackUrl, FallbackMethod, StatusCallback, StatusCallbackMethod),
 * applied first, so that the call's completed callback after a Status
 * already goes to the new StatusCallback.
 */
export type CallUpdate = ({ kind: 'redirect'; to: CallRedirect } | { kind: 'end'; status: 'completed' | 'canceled' } | { kind: 'none' }) & {
  callbacks?: CallbackChanges;
};

/** A URL given comes with its method (POST when not given); a method alone changes the method only. */
function callbackChanges(params: RequestParams): CallbackChanges | undefined {
  const fallbackUrl = httpUrl(params, 'FallbackUrl');
  const statusCallback = httpUrl(params, 'StatusCallback');
  const given = (name: string): boolean => nonEmpty(params, name) !== undefined;
  const changes: CallbackChanges = {
    ...(fallbackUrl !== undefined ? { fallbackUrl } : {}),
    ...(fallbackUrl !== undefined || given('FallbackMethod') ? { fallbackMethod: method(params, 'FallbackMethod') } : {}),
    ...(statusCallback !== undefined ? { statusCallback } : {}),
    ...(statusCallback !== undefined || given('StatusCallbackMethod') ? { statusCallbackMethod: method(params, 'StatusCallbackMethod') } : {}),
  };
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/** POST /Calls/{CallSid}.json */
export function parseUpdateCall(params: RequestParams): CallUpdate {
  const status = nonEmpty(params, 'Status');
  const what = urlOrTwiml(params);
  const callbacks = callbackChanges(params);
  const changed = callbacks !== undefined ? { callbacks } : {};
  if (status !== undefined) {
    if (status !== 'completed' && status !== 'canceled') throw badParameter(`Status must be completed or canceled, not "${status.slice(0, 20)}"`);
    if (what !== undefined) throw badParameter('Give either Status or Url/Twiml, not both');
    return { kind: 'end', status, ...changed };
  }
  if (what === undefined) return { kind: 'none', ...changed };
  if ('url' in what) return { kind: 'redirect', to: { url: what.url, method: method(params, 'Method') }, ...changed };
  return { kind: 'redirect', to: { twiml: what.twiml }, ...changed };
}
