/**
 * The SIP server the integration tests run against: the embedded one
 * (startSrfHarness), or, in the drachtio variant (DIALTONE_TEST_VARIANT=drachtio,
 * DIALTONE_TEST_DRACHTIO=host:port:secret; scripts/test-variants.sh), a real
 * drachtio-server. That server must take UDP and TCP on one address and
 * port and run with the tests' FAST_TIMERS (its <sip><timers>); its SIP
 * listeners are read from the connect reply.
 */
import type Srf from 'drachtio-srf';
import type { SipServer } from '../../../engine/sipstack/sip-server.js';
import { connectSrf as connectToServer } from '../../../engine/srf-connect.js';
import { startSrfHarness, type SrfHarnessOptions } from '../../support/srf-app.js';
import { drachtioUnderTest, type ExternalServer } from '../../support/test-variants.js';

export interface IntegrationHarness {
  /** The embedded server; undefined against drachtio-server. */
  server?: SipServer;
  srf: Srf;
  sip: Partial<Record<'udp' | 'tcp', { address: string; port: number }>>;
  sipTarget(transport?: 'udp' | 'tcp'): string;
  connectApp(): Promise<Srf>;
  /**
   * Waits until the embedded server holds no transaction and no dialog (and
   * fails if that does not happen in time). drachtio-server reports no such
   * counts to applications, so against it this only returns.
   */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The drachtio-server of this run, when it is the drachtio variant. */
export const drachtio: ExternalServer | undefined = drachtioUnderTest();

export async function startIntegrationHarness(opts: SrfHarnessOptions = {}): Promise<IntegrationHarness> {
  if (!drachtio) return startSrfHarness(opts);
  const apps: Srf[] = [];
  let hostports = '';
  const connectApp = async (): Promise<Srf> => {
    const { default: SrfClass } = await import('drachtio-srf');
    const app = new SrfClass();
    hostports = (await connectToServer(app, drachtio.host, drachtio.port, drachtio.secret)) ?? hostports;
    app.on('error', () => undefined);
    apps.push(app);
    return app;
  };
  const srf = await connectApp();
  const sip = listenersOf(hostports);
  if (!sip.udp || !sip.tcp) throw new Error(`drachtio-server at ${drachtio.host}:${drachtio.port} must listen on UDP and TCP (it reported "${hostports}")`);
  return {
    srf,
    sip,
    sipTarget(transport = 'udp') {
      const l = sip[transport];
      if (!l) throw new Error(`drachtio-server has no ${transport} listener`);
      return `${l.address}:${l.port}`;
    },
    connectApp,
    async waitForIdle() {
      // drachtio-server has no transaction or dialog counts for applications.
    },
    async stop() {
      for (const app of apps) app.disconnect();
    },
  };
}

/** `udp/127.0.0.1:5200,tcp/127.0.0.1:5200` as listeners by protocol. */
function listenersOf(hostports: string): IntegrationHarness['sip'] {
  const sip: IntegrationHarness['sip'] = {};
  for (const entry of hostports.split(',')) {
    const m = /^(udp|tcp)\/\[?([^\]]+?)\]?:(\d+)$/.exec(entry.trim());
    if (m && !sip[m[1] as 'udp' | 'tcp']) sip[m[1] as 'udp' | 'tcp'] = { address: m[2]!, port: Number(m[3]) };
  }
  return sip;
}
