import { API_VERSION, callsPath } from './api-paths.js';
import type { CallDirection, CallRecord } from './call-service.js';
import { toRfc2822 } from './rfc2822.js';

/** A call as Twilio's API writes it (Call resource, 2010-04-01), snake_case. */
export interface CallJson {
  sid: string;
  date_created: string | null;
  date_updated: string | null;
  parent_call_sid: string | null;
  account_sid: string;
  to: string;
  to_formatted: string;
  from: string;
  from_formatted: string;
  phone_number_sid: null;
  status: string;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  price: null;
  price_unit: 'USD';
  direction: CallDirection;
  answered_by: null;
  annotation: null;
  api_version: typeof API_VERSION;
  forwarded_from: null;
  group_sid: null;
  caller_name: string | null;
  queue_time: '0';
  trunk_sid: null;
  uri: string;
  subresource_uris: { recordings: string };
}

export function callJson(call: CallRecord): CallJson {
  const base = `${callsPath(call.accountSid)}/${encodeURIComponent(call.sid)}`;
  return {
    sid: call.sid,
    date_created: toRfc2822(call.dateCreated),
    date_updated: toRfc2822(call.dateUpdated),
    parent_call_sid: call.parentCallSid ?? null,
    account_sid: call.accountSid,
    to: call.to,
    // Twilio formats national numbers for display; dialtone shows them as given.
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    start_time: toRfc2822(call.startTime),
    end_time: toRfc2822(call.endTime),
    duration: call.durationSeconds === undefined ? null : String(Math.round(call.durationSeconds)),
    price: null,
    price_unit: 'USD',
    direction: call.direction,
    answered_by: null,
    annotation: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: call.callerName ?? null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    // Only the subresources this API serves are listed.
    subresource_uris: { recordings: `${base}/Recordings.json` },
  };
}
