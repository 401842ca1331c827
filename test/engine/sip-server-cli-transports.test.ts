/**
 * `dialtone sip-server` flags for drachtio parity: --transports with tls,
 * ws and wss, drachtio's -c/--contact with --external-ip and --local-net
 * after it, and the TLS files as drachtio names them (--key-file,
 * --cert-file, --chain-file, DRACHTIO_TLS_*).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { contactsFromArgs, sipServerOptionsFrom } from '../../engine/sip-server-cli-options.js';
import { resolveSipServerOptions } from '../../config/sip-server-options.js';
import { selfSignedCertificate } from '../sipstack/websocket/ws-fixture.js';
import { TlsClientPeer } from '../sipstack/tls/tls-peer.js';
import { buildRequest, isFinalFor, token } from '../support/sip-test-calls.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('flags', () => {
  test('--contact, each followed by its own --external-ip and --local-net, in order', () => {
    const contacts = contactsFromArgs([
      '--admin-port', '0',
      '-c', 'sip:10.0.0.5;transport=udp', '--external-ip', '203.0.113.5', '--local-net', '10.0.0.0/8',
      '--contact', 'sips:10.0.0.5',
      '-c', 'sip:*:5080;transport=udp,tcp', '--local-net', '192.168.0.0/16',
    ]);
    expect(contacts).toEqual([
      { address: '10.0.0.5', port: 5060, transports: ['udp'], externalAddress: '203.0.113.5', localNet: '10.0.0.0/8' },
      { address: '10.0.0.5', port: 5061, transports: ['tls'] },
      { address: '0.0.0.0', port: 5080, transports: ['udp', 'tcp'], localNet: '192.168.0.0/16' },
    ]);
    expect(contactsFromArgs(['--sip-port', '5070'])).toBeUndefined();
  });

  test.each([
    [['--external-ip', '1.2.3.4', '-c', 'sip:*'], '--external-ip must follow a --contact'],
    [['-c', 'sip:*', '--local-net', '10.0.0.0/8', '--local-net', '11.0.0.0/8'], '--local-net is given twice for the contact before it'],
    [['-c', 'tel:+1555'], '--contact tel:+1555 is not a SIP URI'],
    [['-c', 'sip:*;transport=sctp'], '--contact sip:*;transport=sctp: transport sctp is not supported'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => contactsFromArgs(args)).toThrow(message);
  });

  test('command-line contacts replace the file\'s; a bad --local-net is named', () => {
    const file = { sip: { contacts: [{ address: '10.9.9.9', port: 5060, transports: ['udp' as const] }] } };
    const o = sipServerOptionsFrom({}, {}, file, contactsFromArgs(['-c', 'sip:127.0.0.1:5070;transport=tcp']));
    expect(o.sip?.contacts).toEqual([{ address: '127.0.0.1', port: 5070, transports: ['tcp'] }]);
    const bad = sipServerOptionsFrom({}, {}, {}, contactsFromArgs(['-c', 'sip:*', '--local-net', '10.0.0.0']));
    expect(() => resolveSipServerOptions(bad)).toThrow('sip.contacts.0.localNet: must be an IPv4 network in CIDR form');
  });

  test('--transports takes tls, ws and wss; anything else is named', () => {
    const o = sipServerOptionsFrom({ transports: 'udp,tls,ws,wss', 'key-file': '/k.pem', 'cert-file': '/c.pem' }, {});
    expect(o.sip?.transports).toEqual(['udp', 'tls', 'ws', 'wss']);
    expect(o.sip?.tls).toEqual({ keyFile: '/k.pem', certFile: '/c.pem' });
    expect(() => sipServerOptionsFrom({ transports: 'udp,sctp' }, {})).toThrow("transports must be a list of udp, tcp, tls, ws, wss, got 'udp,sctp'");
    expect(() => resolveSipServerOptions(sipServerOptionsFrom({ transports: 'tls' }, {}))).toThrow('sip.tls: a tls transport needs tls.certFile and tls.keyFile');
  });

  test('TLS files from flags, then DIALTONE_TLS_*, then DRACHTIO_TLS_*, then the file; verification from DRACHTIO_TLS_VERIFY_CLIENT_CERT', () => {
    const env = { DRACHTIO_TLS_KEY_FILE: '/d-key.pem', DRACHTIO_TLS_CERT_FILE: '/d-cert.pem', DRACHTIO_TLS_CHAIN_FILE: '/d-chain.pem', DRACHTIO_TLS_VERIFY_CLIENT_CERT: '1' };
    expect(sipServerOptionsFrom({}, env).sip?.tls).toEqual({ keyFile: '/d-key.pem', certFile: '/d-cert.pem', chainFile: '/d-chain.pem', verifyPeer: true });
    expect(sipServerOptionsFrom({ 'key-file': '/f-key.pem' }, { ...env, DIALTONE_TLS_CERT_FILE: '/t-cert.pem' }).sip?.tls)
      .toMatchObject({ keyFile: '/f-key.pem', certFile: '/t-cert.pem' });
    const file = { sip: { tls: { keyFile: '/x-key.pem', certFile: '/x-cert.pem' } } };
    expect(sipServerOptionsFrom({ 'tls-verify-peer': true }, {}, file).sip?.tls).toEqual({ keyFile: '/x-key.pem', certFile: '/x-cert.pem', verifyPeer: true });
    expect(sipServerOptionsFrom({}, {}, file).sip?.tls).toEqual(file.sip.tls);
    expect(() => sipServerOptionsFrom({ 'key-file': '/k.pem' }, {})).toThrow('TLS needs both --key-file and --cert-file');
  });
});

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
});

function runCli(args: string[]): Promise<string[]> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', ...args], { cwd: root, env: { ...process.env, DIALTONE_LOG_LEVEL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; sip?: string[] };
        if (entry.msg?.startsWith('dialtone SIP server started') && entry.sip) resolve(entry.sip);
      } catch {
        // not a log line
      }
    });
    proc.on('exit', (code) => reject(new Error(`dialtone exited with ${code}: ${stderr}`)));
  });
}

test('dialtone sip-server -c ...;transport=tls --key-file --cert-file takes SIP over TLS', { timeout: 30_000 }, async () => {
  const cert = selfSignedCertificate();
  try {
    const sip = await runCli(['sip-server', '-c', 'sip:127.0.0.1:0;transport=udp', '--external-ip', '203.0.113.5',
      '-c', 'sip:127.0.0.1:0;transport=tls', '--key-file', cert.keyFile, '--cert-file', cert.certFile, '--admin-port', '0', '--log-level', 'info']);
    const tls = sip.find((s) => s.startsWith('tls/'));
    expect(tls).toMatch(/^tls\/127\.0\.0\.1:\d+$/);
    expect(sip.find((s) => s.startsWith('udp/'))).toMatch(/^udp\/127\.0\.0\.1:\d+$/);
    const port = Number(tls!.split(':')[1]);
    const peer = await TlsClientPeer.connect({ address: '127.0.0.1', port }, cert.certFile);
    try {
      expect(peer.authorized).toBe(true);
      const callId = `cli-${token()}`;
      peer.send(buildRequest(peer, { method: 'OPTIONS', uri: `sip:127.0.0.1:${port};transport=tls`, callId, cseq: 1, fromTag: token(4) }));
      // No application is connected: the server itself answers, over TLS.
      expect((await peer.waitFor(isFinalFor(callId), 5000)).status).toBeGreaterThanOrEqual(200);
    } finally {
      await peer.close();
    }
  } finally {
    cert.cleanup();
  }
});

test('dialtone sip-server refuses --local-net with no --contact before it, naming the flag', { timeout: 30_000 }, async () => {
  await expect(runCli(['sip-server', '--local-net', '10.0.0.0/8', '--admin-port', '0', '--log-level', 'info'])).rejects.toThrow(/exited with 2: dialtone: --local-net must follow a --contact/);
});
