/**
 * Starts the embedded SIP server on ephemeral ports of 127.0.0.1 with UDP and
 * TCP, and connects a drachtio-srf application to it. The caller installs the
 * application's routes through `routes` before the connection is made.
 */
import Srf from 'drachtio-srf';
import { SipServer } from '../../engine/sipstack/sip-server.js';
import { probeOptions } from './sip-test-calls.js';
import { UdpPeer, type HostPort } from './sip-wire-peer.js';

export type SrfRequest = Srf.SrfRequest;
export type SrfResponse = Srf.SrfResponse;
export type RequestHandler = (req: SrfRequest, res: SrfResponse) => void;

/** drachtio-srf routes a method with `srf.<method>(handler)`; its typings declare only `invite`. */
export type MethodRoute = 'invite' | 'options' | 'register' | 'message' | 'subscribe' | 'notify' | 'info' | 'bye' | 'update' | 'refer' | 'publish' | 'prack';

export function route(srf: Srf, method: MethodRoute, handler: RequestHandler): void {
  const table = srf as unknown as Record<MethodRoute, (h: RequestHandler) => void>;
  table[method].call(srf, handler);
}

export interface ServerLimits {
  maxMessageBytes?: number;
  maxHeaders?: number;
  timers?: { t1: number; t2: number; t4: number };
}

export interface RunningServer {
  server: SipServer;
  srf: Srf;
  udp: HostPort;
  tcp: HostPort;
  stop(): Promise<void>;
}

function connectApp(srf: Srf, admin: HostPort, secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()));
    srf.connect({ host: admin.address, port: admin.port, secret });
  });
}

/** Starts server + app; resolves once an OPTIONS probe is answered 200 by the app (its routes are in place). */
export async function startServerWithApp(install: (srf: Srf) => void, limits: ServerLimits = {}): Promise<RunningServer> {
  const secret = 'cymru';
  const server = new SipServer({
    sip: {
      address: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      ...(limits.maxMessageBytes ? { maxMessageBytes: limits.maxMessageBytes } : {}),
      ...(limits.maxHeaders ? { maxHeaders: limits.maxHeaders } : {}),
    },
    admin: { address: '127.0.0.1', port: 0, secret },
    ...(limits.timers ? { timers: limits.timers } : {}),
  });
  const info = await server.start();
  const udp = info.sip.find((s) => s.protocol === 'udp')?.local;
  const tcp = info.sip.find((s) => s.protocol === 'tcp')?.local;
  if (!udp || !tcp) throw new Error('server did not report both a UDP and a TCP listener');
  const srf = new Srf();
  srf.on('error', () => undefined);
  install(srf);
  await connectApp(srf, info.admin, secret);
  await untilAppAnswers(udp);
  return {
    server,
    srf,
    udp,
    tcp,
    async stop() {
      srf.disconnect();
      await server.stop();
    },
  };
}

/** Polls with OPTIONS until the application answers 200 (route messages travel apart from SIP). */
async function untilAppAnswers(udp: HostPort): Promise<void> {
  const peer = await UdpPeer.open(udp);
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const status = await probeOptions(peer, udp, 2000).catch(() => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the application never answered OPTIONS 200');
  } finally {
    await peer.close();
  }
}
