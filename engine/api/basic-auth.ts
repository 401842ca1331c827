import { createHash, timingSafeEqual } from 'node:crypto';

/** An account as the API authenticates it: the id is the user name, the auth token the password. */
export interface ApiAccount {
  readonly id: string;
  readonly authToken: string;
}

export interface BasicCredentials {
  user: string;
  password: string;
}

/**
 * Reads `Authorization: Basic <base64(user:password)>` (RFC 7617 section 2):
 * the scheme is case-insensitive, the user id ends at the first colon.
 * Undefined when the header is absent or not well formed.
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks credentials against the accounts. The token is compared in constant
 * time (over SHA-256 digests, so that its length does not show either), and
 * an unknown user costs the same comparison as a known one.
 */
export class AccountAuthenticator {
  private readonly byId: ReadonlyMap<string, ApiAccount>;
  private readonly decoy = digest('no such account');

  constructor(accounts: readonly ApiAccount[]) {
    this.byId = new Map(accounts.map((a) => [a.id, a]));
  }

  authenticate(header: string | undefined): ApiAccount | undefined {
    const creds = parseBasicAuth(header);
    if (!creds) return undefined;
    const account = this.byId.get(creds.user);
    const expected = account ? digest(account.authToken) : this.decoy;
    const same = timingSafeEqual(expected, digest(creds.password));
    return account && same ? account : undefined;
  }
}
