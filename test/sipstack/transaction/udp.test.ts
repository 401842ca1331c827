/**
 * Two transaction layers talking over real UDP sockets on 127.0.0.1, with the
 * system clock: requests, responses, a lost INVITE recovered by Timer A, and
 * the ACK for a non-2xx going back over the wire.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../engine/sipstack/message/parser.js';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import { serializeMessage } from '../../../engine/sipstack/message/serialize.js';
import { SipRequest, type SipMessage } from '../../../engine/sipstack/message/sip-message.js';
import { newBranch, TransactionLayer, type ReceiveRequestResult } from '../../../engine/sipstack/transaction/transaction-layer.js';
import type { InboundSource, MessageSender, SendTarget } from '../../../engine/sipstack/transport/types.js';
import { RecordingLogger } from './harness.js';

interface Peer {
  socket: Socket;
  port: number;
  layer: TransactionLayer;
  /** Datagrams arrived (start lines), including dropped ones. */
  arrived: { line: string; at: number }[];
  /** How many more incoming datagrams to drop (simulated loss). */
  drop: number;
  requests: ((r: ReceiveRequestResult, req: SipRequest) => void)[];
}

const peers: Peer[] = [];

async function peer(t1: number): Promise<Peer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const sender: MessageSender = {
    send(message: SipMessage, target: SendTarget) {
      return new Promise((resolve, reject) =>
        socket.send(serializeMessage(message), target.remote.port, target.remote.address, (err) => (err ? reject(err) : resolve())),
      );
    },
  };
  const p: Peer = {
    socket,
    port,
    layer: new TransactionLayer({ sender, config: { t1, t2: 8 * t1, t4: 10 * t1, d: 64 * t1 }, logger: new RecordingLogger() }),
    arrived: [],
    drop: 0,
    requests: [],
  };
  socket.on('message', (data, rinfo) => {
    p.arrived.push({ line: data.toString('utf8', 0, data.indexOf('\r\n')), at: performance.now() });
    if (p.drop > 0) {
      p.drop--;
      return;
    }
    const parsed = parseMessage(data, { datagram: true });
    if (!parsed.ok) return;
    const source: InboundSource = {
      protocol: 'udp',
      remote: { address: rinfo.address, port: rinfo.port },
      local: { address: '127.0.0.1', port },
    };
    if (parsed.message.kind === 'response') p.layer.receiveResponse(parsed.message, source);
    else {
      const req = parsed.message;
      const r = p.layer.receiveRequest(req, source);
      for (const fn of p.requests) fn(r, req);
    }
  });
  peers.push(p);
  return p;
}

function outgoing(method: string, from: Peer, to: Peer): SipRequest {
  const req = new SipRequest(method, `sip:uas@127.0.0.1:${to.port}`);
  req.headers
    .append('Via', `SIP/2.0/UDP 127.0.0.1:${from.port};branch=${newBranch()}`)
    .append('Max-Forwards', '70')
    .append('From', `<sip:uac@127.0.0.1:${from.port}>;tag=uac1`)
    .append('To', `<sip:uas@127.0.0.1:${to.port}>`)
    .append('Call-ID', `udp-${Math.random()}`)
    .append('CSeq', `1 ${method}`)
    .append('Contact', `<sip:uac@127.0.0.1:${from.port}>`);
  return req;
}

afterEach(() => {
  for (const p of peers.splice(0)) {
    p.layer.destroy();
    p.socket.close();
  }
});

describe('transactions over real UDP', () => {
  it('OPTIONS answered with 200 by the peer', async () => {
    const uac = await peer(100);
    const uas = await peer(100);
    uas.requests.push((r, req) => {
      if (r.kind === 'new') r.tx.respond(createResponse(req, 200, undefined, { toTag: 'uas1' }));
    });
    const status = await new Promise<number>((resolve, reject) => {
      uac.layer.sendRequest(outgoing('OPTIONS', uac, uas), { protocol: 'udp', remote: { address: '127.0.0.1', port: uas.port } }, {
        onFinal: (res) => resolve(res.status),
        onTimeout: () => reject(new Error('timeout')),
      });
    });
    expect(status).toBe(200);
    expect(uas.arrived.map((a) => a.line)).toEqual([`OPTIONS sip:uas@127.0.0.1:${uas.port} SIP/2.0`]);
  });

  it('a lost INVITE is retransmitted by Timer A; the 486 is acknowledged over the wire', async () => {
    const t1 = 40;
    const uac = await peer(t1);
    const uas = await peer(t1);
    uas.drop = 1; // the first INVITE is lost
    const confirmed = new Promise<string>((resolve) => {
      uas.requests.push((r, req) => {
        if (r.kind === 'new') {
          r.tx.respond(createResponse(req, 486, undefined, { toTag: 'busy' }));
        } else if (req.method === 'ACK' && r.kind === 'absorbed') {
          resolve(r.tx.state);
        }
      });
    });
    const events: string[] = [];
    const final = new Promise<void>((resolve, reject) => {
      uac.layer.sendRequest(outgoing('INVITE', uac, uas), { protocol: 'udp', remote: { address: '127.0.0.1', port: uas.port } }, {
        onProvisional: (res) => events.push(String(res.status)),
        onFinal: (res) => {
          events.push(String(res.status));
          resolve();
        },
        onTimeout: () => reject(new Error('timeout')),
      });
    });
    await final;
    expect(await confirmed).toBe('confirmed');
    expect(events).toEqual(['100', '486']);
    const invites = uas.arrived.filter((a) => a.line.startsWith('INVITE '));
    expect(invites).toHaveLength(2);
    // The retransmission came about T1 after the lost original.
    expect(invites[1].at - invites[0].at).toBeGreaterThanOrEqual(t1 - 5);
    expect(uas.arrived.filter((a) => a.line.startsWith('ACK ')).length).toBeGreaterThanOrEqual(1);
  });
});
