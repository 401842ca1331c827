/**
 * X-Twilio-Signature checks with the `twilio` library itself, as an
 * application would make them.
 */
import twilio from 'twilio';
import type { AppRequest } from './app-server.js';

/** True when the `twilio` library accepts the request's signature for `authToken`. */
export function twilioAccepts(req: AppRequest, authToken: string): boolean {
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || signature === '') return false;
  // A GET is signed over its URL with the query; a POST over URL + sorted body parameters.
  return twilio.validateRequest(authToken, signature, req.url, req.method === 'GET' ? {} : req.params);
}
