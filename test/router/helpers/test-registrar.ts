/**
 * A registrar the test fills in by hand: SIP users and their bindings, as
 * the call router reads them (engine/registrar/registrar.ts), for tests of
 * what the engine does with registered contacts independently of REGISTER.
 */
import type { Binding, Registrar, SipUser } from '../../../engine/registrar/registrar.js';
import { ACCOUNT_SID } from './router-harness.js';

export class TestRegistrar implements Registrar {
  private readonly users = new Map<string, SipUser>();
  private readonly bindings = new Map<string, Binding[]>();

  addUser(username: string): this {
    this.users.set(username, { username, accountSid: ACCOUNT_SID });
    return this;
  }

  /**
   * Registers a contact reached at `source` (host:port, UDP). The Contact
   * URI names `contactHost` (by default the source itself), as a softphone
   * behind NAT registers its private address.
   */
  bind(username: string, source: string, contactHost = source): this {
    const [address = '', port = ''] = source.split(':');
    const list = this.bindings.get(username) ?? [];
    list.push({
      username,
      contactUri: `sip:${username}@${contactHost};transport=udp`,
      source: { protocol: 'udp', address, port: Number(port) },
      expiresAt: Date.now() + 3600_000,
      callId: `reg-${username}-${list.length}`,
      cseq: 1,
    });
    this.bindings.set(username, list);
    return this;
  }

  user(username: string): SipUser | undefined {
    return this.users.get(username);
  }

  contactsOf(username: string): Binding[] {
    return [...(this.bindings.get(username) ?? [])];
  }
}
