import type { Account } from '../../config/engine-config.js';
import type { SipUserConfig } from '../../config/sip-users.js';
import type { UserSecrets } from '../auth/digest-authenticator.js';
import type { SipUser } from './registrar.js';

/** A SIP user with the secrets digest authentication checks. */
export interface UserRecord extends SipUser {
  secrets: UserSecrets;
}

/** Where SIP users live: the configuration today, a shared store later. */
export interface UserDirectory {
  get(username: string): UserRecord | undefined;
  /** Every user of the account, by username. */
  list(accountSid: string): UserRecord[];
  readonly size: number;
}

/** The users of the configuration file, in memory. */
export class MemoryUserDirectory implements UserDirectory {
  private readonly users = new Map<string, UserRecord>();

  /** `accounts[0]` is the account of users that name none (the config schema allows that with one account). */
  constructor(users: readonly SipUserConfig[], accounts: readonly Account[]) {
    const fallback = accounts[0]?.id ?? '';
    for (const u of users) {
      const secrets: UserSecrets = {};
      if (u.password !== undefined) secrets.password = u.password;
      if (u.ha1 !== undefined) secrets.ha1 = u.ha1.toLowerCase();
      if (u.ha1Sha256 !== undefined) secrets.ha1Sha256 = u.ha1Sha256.toLowerCase();
      this.users.set(u.username, {
        username: u.username,
        accountSid: u.account ?? fallback,
        ...(u.application !== undefined ? { application: u.application } : {}),
        secrets,
      });
    }
  }

  get(username: string): UserRecord | undefined {
    return this.users.get(username);
  }

  list(accountSid: string): UserRecord[] {
    return [...this.users.values()].filter((u) => u.accountSid === accountSid).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  get size(): number {
    return this.users.size;
  }
}
