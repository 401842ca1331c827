import type { NextDocumentRequest } from '../../instructions/runtime/call-control.js';
import { MAX_QUEUE_NAME_LENGTH, MAX_QUEUE_SIZE, type QueueChanges } from '../queues/queue-record.js';
import { badParameter, ErrorCode } from './api-errors.js';
import { httpUrl, method } from './param-readers.js';
import { nonEmpty, single, type RequestParams } from './request-params.js';

/** The parameters of the Queues and Members resources (Twilio's names). */

function friendlyName(params: RequestParams): string | undefined {
  const name = nonEmpty(params, 'FriendlyName');
  if (name !== undefined && name.length > MAX_QUEUE_NAME_LENGTH) throw badParameter(`FriendlyName can be up to ${MAX_QUEUE_NAME_LENGTH} characters long`);
  return name;
}

/** MaxSize: an integer from 1 to 5000 (Twilio's maximum). */
function maxSize(params: RequestParams): number | undefined {
  const text = single(params, 'MaxSize');
  if (text === undefined) return undefined;
  const value = /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_QUEUE_SIZE)) throw badParameter(`MaxSize must be an integer from 1 to ${MAX_QUEUE_SIZE}, not "${text.slice(0, 20)}"`);
  return value;
}

/** POST /Queues.json: FriendlyName (required), MaxSize. */
export function parseCreateQueue(params: RequestParams): { friendlyName: string; maxSize?: number } {
  const name = friendlyName(params);
  if (name === undefined) throw badParameter('Missing required parameter FriendlyName in the post body');
  const size = maxSize(params);
  return { friendlyName: name, ...(size !== undefined ? { maxSize: size } : {}) };
}

/** POST /Queues/{QueueSid}.json: FriendlyName, MaxSize. */
export function parseQueueUpdate(params: RequestParams): QueueChanges {
  const name = friendlyName(params);
  const size = maxSize(params);
  return { ...(name !== undefined ? { friendlyName: name } : {}), ...(size !== undefined ? { maxSize: size } : {}) };
}

/** POST /Queues/{QueueSid}/Members/{CallSid}.json: Url (required, absolute), Method (POST by default). */
export function parseMemberUpdate(params: RequestParams): NextDocumentRequest {
  const url = httpUrl(params, 'Url', ErrorCode.InvalidUrl);
  if (url === undefined) throw badParameter('Missing required parameter Url in the post body');
  return { url, method: method(params, 'Method') };
}
