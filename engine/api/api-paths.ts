/** The API's paths, as Twilio's 2010-04-01 API names them. */
export const API_VERSION = '2010-04-01';

export function accountPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${encodeURIComponent(accountSid)}`;
}

export function callsPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Calls`;
}

export function recordingsPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Recordings`;
}

export function conferencesPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Conferences`;
}

export function queuesPath(accountSid: string): string {
  return `${accountPath(accountSid)}/Queues`;
}
