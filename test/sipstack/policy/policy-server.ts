/**
 * The embedded SIP server on ephemeral ports of 127.0.0.1 with the policy
 * options a test gives (spammers, OPTIONS keep-alives, transports), and a
 * real drachtio-srf application connected to it.
 */
import type Srf from 'drachtio-srf';
import type { SipServerOptionsInput } from '../../../config/sip-server-options.js';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import { ADMIN_SECRET, connectSrf } from '../../support/srf-app.js';
import type { HostPort } from '../../support/sip-wire-peer.js';

export interface PolicyServer {
  server: SipServer;
  srf: Srf;
  udp?: HostPort;
  tcp?: HostPort;
  stop(): Promise<void>;
}

export async function startPolicyServer(options: Omit<SipServerOptionsInput, 'admin'> = {}): Promise<PolicyServer> {
  const server = new SipServer({
    ...options,
    sip: { address: '127.0.0.1', port: 0, ...options.sip },
    admin: { address: '127.0.0.1', port: 0, secret: ADMIN_SECRET },
    timers: { t1: 50, t2: 500, t4: 500, d: 3200 },
  });
  const info = await server.start();
  let srf: Srf;
  try {
    srf = await connectSrf(info.admin.address, info.admin.port);
  } catch (err) {
    await server.stop();
    throw err;
  }
  srf.on('error', () => undefined);
  return {
    server,
    srf,
    udp: info.sip.find((t) => t.protocol === 'udp')?.local,
    tcp: info.sip.find((t) => t.protocol === 'tcp')?.local,
    async stop() {
      srf.disconnect();
      await server.stop();
    },
  };
}
