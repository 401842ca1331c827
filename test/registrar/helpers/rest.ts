/** GETs on the engine's REST API with the test account's Basic credentials. */
import { ACCOUNT_SID, AUTH_TOKEN } from './registrar-harness.js';

export interface RegistrationJson {
  account_sid: string;
  username: string;
  status: 'online' | 'offline';
  application: string | null;
  contacts: Array<{ uri: string; expires: number; protocol: string; received: string; user_agent: string | null }>;
  uri: string;
}

export async function apiGet(apiBase: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
    headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') },
  });
  return { status: res.status, body: await res.json() };
}

export async function registrationOf(apiBase: string, username: string): Promise<RegistrationJson> {
  const { status, body } = await apiGet(apiBase, `/SIP/Registrations/${username}.json`);
  if (status !== 200) throw new Error(`GET registration of ${username}: ${status} ${JSON.stringify(body)}`);
  return body as RegistrationJson;
}
