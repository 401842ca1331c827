/**
 * The embedded SIP server with UDP, TCP and WebSocket listeners on
 * ephemeral ports of 127.0.0.1, a drachtio-srf application connected to it,
 * and helpers a browser-like client needs (register, answer an INVITE).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Srf from 'drachtio-srf';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import type { SipServerOptionsInput } from '../../../config/sip-server-options.js';
import { connectSrf } from '../../../engine/srf-connect.js';
import { route, type RequestHandler } from '../../support/sip-server-harness.js';
import { WsSipClient, responseTo, SDP } from './ws-sip-client.js';
import type { SipRequest } from '../../../engine/sipstack/message/sip-message.js';

export interface WsServer {
  server: SipServer;
  srf: Srf;
  url: { ws: string; wss?: string };
  stop(): Promise<void>;
}

export interface WsServerOptions {
  wss?: { certFile: string; keyFile: string };
  maxMessageBytes?: number;
  /** Routes to install before the application connects. */
  routes?: (srf: Srf) => void;
  /** RFC 4028 session timer options of the server. */
  sessionTimers?: SipServerOptionsInput['sessionTimers'];
}

const SECRET = 'cymru';

export async function startWsServer(opts: WsServerOptions = {}): Promise<WsServer> {
  const input: SipServerOptionsInput = {
    sip: {
      contacts: [
        { address: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] },
        { address: '127.0.0.1', port: 0, transports: opts.wss ? ['ws', 'wss'] : ['ws'] },
      ],
      ...(opts.wss ? { tls: opts.wss } : {}),
      ...(opts.maxMessageBytes ? { maxMessageBytes: opts.maxMessageBytes } : {}),
    },
    admin: { address: '127.0.0.1', port: 0, secret: SECRET },
    timers: { t1: 100, t2: 500, t4: 500, d: 500 },
    ...(opts.sessionTimers ? { sessionTimers: opts.sessionTimers } : {}),
  };
  const server = new SipServer(input);
  const info = await server.start();
  const ws = info.sip.find((s) => s.protocol === 'ws')?.local;
  const wss = info.sip.find((s) => s.protocol === 'wss')?.local;
  if (!ws) throw new Error('no ws listener');
  const srf = new Srf();
  srf.on('error', () => undefined);
  route(srf, 'options', (_req, res) => res.send(200));
  opts.routes?.(srf);
  await connectSrf(srf, info.admin.address, info.admin.port, SECRET);
  const url = { ws: `ws://127.0.0.1:${ws.port}`, wss: wss ? `wss://127.0.0.1:${wss.port}` : undefined };
  await untilAppAnswers(url.ws);
  return {
    server,
    srf,
    url,
    async stop() {
      srf.disconnect();
      await server.stop();
    },
  };
}

/** Route messages travel apart from SIP: probe with OPTIONS over ws until the application answers. */
async function untilAppAnswers(url: string): Promise<void> {
  const client = await WsSipClient.connect(url);
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const callId = `probe-${attempt}-${client.host}`;
      client.send(options(client, callId));
      const res = await client.finalResponse(callId, 'OPTIONS');
      if (res.status === 200) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the application never answered OPTIONS');
  } finally {
    client.close();
  }
}

export function options(client: WsSipClient, callId: string): string {
  return [
    'OPTIONS sip:server SIP/2.0',
    `Via: ${client.via()}`,
    'Max-Forwards: 70',
    `From: <sip:${client.user}@${client.host}>;tag=${callId.slice(-6)}`,
    'To: <sip:server>',
    `Call-ID: ${callId}`,
    `CSeq: ${client.nextCSeq()} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** REGISTER as JsSIP sends it: To/From the AOR, Contact the made-up `.invalid` host with transport=ws. */
export function register(client: WsSipClient, callId: string, expires = 600): string {
  return [
    'REGISTER sip:example.com SIP/2.0',
    `Via: ${client.via()}`,
    'Max-Forwards: 69',
    `To: <sip:${client.user}@example.com>`,
    `From: <sip:${client.user}@example.com>;tag=r${callId.slice(0, 6)}`,
    `Call-ID: ${callId}`,
    `CSeq: ${client.nextCSeq()} REGISTER`,
    `Contact: <${client.contact}>;expires=${expires}`,
    `Expires: ${expires}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** An application route answering REGISTER 200 with the contact and its expiry, as a registrar does. */
export function registrar(onRegister?: (req: Parameters<RequestHandler>[0]) => void): (srf: Srf) => void {
  return (srf) =>
    route(srf, 'register', (req, res) => {
      onRegister?.(req);
      const expires = req.get('Expires') ?? '600';
      const contact = req.get('Contact').replace(/>.*$/, '>');
      res.send(200, { headers: { Contact: `${contact};expires=${expires}` } });
    });
}

export async function registerClient(client: WsSipClient, expires = 600): Promise<number> {
  const callId = `reg-${client.host}-${client.nextCSeq()}`;
  client.send(register(client, callId, expires));
  const res = await client.finalResponse(callId, 'REGISTER');
  return res.status;
}

/** Answers the next INVITE 200 with SDP and a Contact on our made-up host; returns the INVITE. */
export async function answerInvite(client: WsSipClient): Promise<SipRequest> {
  const invite = await client.request('INVITE');
  client.send(responseTo(invite, 200, 'OK', [`Contact: <${client.contact}>`, 'Content-Type: application/sdp'], SDP));
  return invite;
}

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI; `cleanup` removes it. */
export function selfSignedCertificate(): { certFile: string; keyFile: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dialtone-wss-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
