import type { CallLogNotification, CallLogWebhook } from '../call-log/call-log-record.js';
import { API_VERSION, callsPath } from './api-paths.js';
import { toRfc2822 } from './rfc2822.js';

/** Twilio's Notification resource (a call's warning or error). */
export interface NotificationJson {
  account_sid: string;
  api_version: string;
  call_sid: string;
  date_created: string;
  date_updated: string;
  error_code: string;
  /** '0' an error, '1' a warning. */
  log: string;
  message_date: string;
  message_text: string;
  more_info: string;
  request_method: string | null;
  request_url: string | null;
  request_variables: string | null;
  response_body: string | null;
  response_headers: string | null;
  sid: string;
  uri: string;
}

const form = (params: Readonly<Record<string, string>>): string => new URLSearchParams(params as Record<string, string>).toString();

export function notificationsPath(accountSid: string, callSid: string): string {
  return `${callsPath(accountSid)}/${encodeURIComponent(callSid)}/Notifications`;
}

export function notificationJson(n: CallLogNotification): NotificationJson {
  const date = toRfc2822(n.at) as string;
  return {
    account_sid: n.accountSid,
    api_version: API_VERSION,
    call_sid: n.callSid,
    date_created: date,
    date_updated: date,
    error_code: String(n.code),
    log: n.level === 'error' ? '0' : '1',
    message_date: date,
    // Twilio's message text is form-encoded: the message, and where it was met.
    message_text: form({ Msg: n.message, ...(n.request ? { url: n.request.url } : {}) }),
    more_info: `https://www.twilio.com/docs/errors/${n.code}`,
    request_method: n.request?.method ?? null,
    request_url: n.request?.url ?? null,
    request_variables: n.request?.parameters ? form(n.request.parameters) : null,
    response_body: n.responseBody ?? null,
    response_headers: null,
    sid: n.sid,
    uri: `${notificationsPath(n.accountSid, n.callSid)}/${n.sid}.json`,
  };
}

/** Twilio's parameter names in an Event's request: snake_case, lower case (CallSid -> call_sid). */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Twilio's Call Event: a request made to the application and its answer. */
export function callEventJson(e: CallLogWebhook): { request: object; response: object } {
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.request.parameters)) parameters[snakeCase(k)] = v;
  return {
    request: { method: e.request.method, url: e.request.url, parameters },
    response: {
      date_created: toRfc2822(e.at),
      request_duration: Math.round(e.response.durationMs),
      response_code: e.response.status ?? null,
      content_type: e.response.contentType ?? null,
      response_body: e.response.body ?? null,
    },
  };
}
