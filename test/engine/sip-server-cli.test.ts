/**
 * `dialtone sip-server`: options from flags, the environment and a
 * drachtio-server XML file (flags > env > file > defaults), and the real
 * command started with -f, serving a drachtio-srf application.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sipServerConfigFile, sipServerLogLevel, sipServerOptionsFrom } from '../../engine/sip-server-cli-options.js';
import { parseDrachtioXmlConfig } from '../../config/drachtio-xml-config.js';
import { connectSrf } from '../support/srf-app.js';
import { buildRequest, isFinalFor, token } from '../support/sip-test-calls.js';
import { openPeer, type HostPort, type SipPeer } from '../support/sip-wire-peer.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('../config/fixtures/drachtio-cli.conf.xml', import.meta.url));

const FILE = parseDrachtioXmlConfig(`<drachtio><admin port="9100" secret="from-file">10.0.0.1</admin><sip><contacts>
  <contact>sip:10.0.0.1:5070;transport=udp,tcp</contact><contact>sip:10.0.0.2:5080;transport=udp</contact></contacts>
  <user-agent-options-auto-respond>pbx</user-agent-options-auto-respond></sip><logging><loglevel>warning</loglevel></logging></drachtio>`);

describe('precedence: flags > env > file > defaults', () => {
  test('the file alone', () => {
    const o = sipServerOptionsFrom({}, {}, FILE.options);
    expect(o.admin).toEqual({ address: '10.0.0.1', port: 9100, secret: 'from-file' });
    expect(o.sip?.contacts).toEqual([
      { address: '10.0.0.1', port: 5070, transports: ['udp', 'tcp'] },
      { address: '10.0.0.2', port: 5080, transports: ['udp'] },
    ]);
    expect(o.optionsAutoRespond).toEqual({ userAgents: ['pbx'] });
    expect(sipServerLogLevel({}, {}, FILE.logLevel)).toBe('warn');
  });

  test('the environment over the file, DRACHTIO_SECRET among it', () => {
    const env = { DRACHTIO_SECRET: 'from-env', DIALTONE_SIP_PORT: '6000', DIALTONE_LOG_LEVEL: 'debug', DRACHTIO_USER_AGENT_OPTIONS_AUTO_RESPOND: 'trunk-a,trunk-b' };
    const o = sipServerOptionsFrom({}, env, FILE.options);
    expect(o.admin?.secret).toBe('from-env');
    expect(o.sip?.contacts?.map((c) => c.port)).toEqual([6000, 6000]);
    expect(o.sip?.contacts?.map((c) => c.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(o.optionsAutoRespond).toEqual({ userAgents: ['trunk-a', 'trunk-b'] });
    expect(sipServerLogLevel({}, env, FILE.logLevel)).toBe('debug');
  });

  test('flags over the environment', () => {
    const env = { DRACHTIO_SECRET: 'from-env', DIALTONE_SECRET: 'dialtone-env', DIALTONE_ADMIN_PORT: '9200' };
    const o = sipServerOptionsFrom({ secret: 'from-flag', 'sip-address': '127.0.0.1', transports: 'tcp' }, env, FILE.options);
    expect(o.admin).toEqual({ address: '10.0.0.1', port: 9200, secret: 'from-flag' });
    expect(o.sip?.contacts).toEqual([
      { address: '127.0.0.1', port: 5070, transports: ['tcp'] },
      { address: '127.0.0.1', port: 5080, transports: ['tcp'] },
    ]);
    expect(sipServerLogLevel({ 'log-level': 'error' }, { DIALTONE_LOG_LEVEL: 'debug' }, 'warn')).toBe('error');
  });

  test('no file: defaults stay the server\'s own', () => {
    expect(sipServerOptionsFrom({}, {})).toEqual({ sip: {}, admin: {} });
  });

  test('the file comes from --file, else DIALTONE_SIP_CONFIG_FILE, else DRACHTIO_CONFIG_FILE_PATH', () => {
    expect(sipServerConfigFile({ file: 'a.xml' }, { DIALTONE_SIP_CONFIG_FILE: 'b.xml' })).toBe('a.xml');
    expect(sipServerConfigFile({}, { DIALTONE_SIP_CONFIG_FILE: 'b.xml', DRACHTIO_CONFIG_FILE_PATH: 'c.xml' })).toBe('b.xml');
    expect(sipServerConfigFile({}, { DRACHTIO_CONFIG_FILE_PATH: 'c.xml' })).toBe('c.xml');
    expect(sipServerConfigFile({}, {})).toBeUndefined();
  });
});

let child: ChildProcess | undefined;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
});

interface Started {
  sip: string[];
  admin: string;
}

/** Runs the CLI and resolves with its "started" log line, or rejects with its stderr when it exits first. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string } & Partial<Started>;
        if (entry.msg?.startsWith('dialtone SIP server started') && entry.sip && entry.admin) resolve({ sip: entry.sip, admin: entry.admin });
      } catch {
        // not a log line
      }
    });
    proc.on('exit', (code) => reject(new Error(`dialtone exited with ${code}: ${stderr}`)));
  });
}

function hostPort(text: string): HostPort {
  const at = text.lastIndexOf(':');
  return { address: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

async function options(peer: SipPeer, to: HostPort, userAgent: string): Promise<number> {
  const callId = `cli-${token()}`;
  peer.send(buildRequest(peer, { method: 'OPTIONS', uri: `sip:x@${to.address}:${to.port}`, callId, cseq: 1, fromTag: 'a', extraHeaders: [`User-Agent: ${userAgent}`] }));
  return (await peer.waitFor(isFinalFor(callId), 5000)).status ?? 0;
}

test('dialtone sip-server -f FILE listens on each contact, answers the trunk, declines the scanner, takes DRACHTIO_SECRET over the file', { timeout: 30_000 }, async () => {
  const started = await runCli(['sip-server', '-f', fixture], { DRACHTIO_SECRET: 'from-env', DIALTONE_LOG_LEVEL: '' });
  const udp = started.sip.find((s) => s.startsWith('udp/'));
  const tcp = started.sip.find((s) => s.startsWith('tcp/'));
  expect(started.sip).toHaveLength(2);
  const admin = hostPort(started.admin);
  const udpAt = hostPort(udp!.slice(4));
  const tcpAt = hostPort(tcp!.slice(4));
  expect(udpAt.port).not.toBe(tcpAt.port);

  const srf = await connectSrf(admin.address, admin.port, 'from-env');
  srf.on('error', () => undefined);
  cleanup.push(async () => srf.disconnect());

  const overUdp = await openPeer('udp', udpAt);
  cleanup.push(() => overUdp.close());
  const overTcp = await openPeer('tcp', tcpAt);
  cleanup.push(() => overTcp.close());
  expect(await options(overUdp, udpAt, 'trunk-pinger/1.0')).toBe(200);
  expect(await options(overTcp, tcpAt, 'trunk-pinger/1.0')).toBe(200);
  expect(await options(overUdp, udpAt, 'evil-scanner')).toBe(603);
  expect(await options(overUdp, udpAt, 'softphone')).toBe(503);
});

test('dialtone sip-server -f with malformed XML exits 2 naming the file', { timeout: 30_000 }, async () => {
  const bad = fileURLToPath(new URL('../config/fixtures/drachtio-malformed.conf.xml', import.meta.url));
  const failure = await runCli(['sip-server', '--file', bad], {}).then(() => new Error('started'), (err: Error) => err);
  expect(failure.message).toContain('dialtone exited with 2');
  expect(failure.message).toContain(`dialtone: ${bad}: malformed XML at line`);
});
