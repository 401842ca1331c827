/**
 * A stand-in for FreeSWITCH's event socket (password ClueCon) on a real TCP
 * port, enough for the driver's probe and drachtio-fsmrf's connect: auth
 * (a wrong password gets -ERR and a disconnect notice), `api sofia status`
 * naming the drachtio_mrf profile, other api questions answered "false",
 * and +OK to any other command. Tests bend it per connection: their own
 * greeting, a late auth reply, or their own answer to a command.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const SOFIA_STATUS = '             drachtio_mrf\tprofile\t            sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)\n';

export interface FakeConnection {
  /** 0 for the first connection made to the fake, then 1, 2, ... */
  index: number;
  socket: Socket;
  openedAt: number;
  closedAt?: number;
}

export interface FakeEventSocketOptions {
  /** The body of `api sofia status`. */
  sofiaStatus?: string;
  /** Sees each new connection first; true when it has dealt with it (no greeting, no commands). */
  onConnect?: (conn: FakeConnection) => boolean;
  /** How long the auth reply of each connection waits (default: none). */
  authDelayMs?: (index: number) => number;
  /** Sees each command first; true when it has dealt with it. */
  onCommand?: (cmd: string, conn: FakeConnection) => boolean;
}

export interface FakeEventSocket {
  port: number;
  connections: FakeConnection[];
  close: () => Promise<void>;
}

export async function startFakeEventSocket(opts: FakeEventSocketOptions = {}): Promise<FakeEventSocket> {
  const connections: FakeConnection[] = [];
  const timers: NodeJS.Timeout[] = [];
  const server: Server = createServer((socket: Socket) => {
    const conn: FakeConnection = { index: connections.length, socket, openedAt: performance.now() };
    connections.push(conn);
    socket.on('error', () => undefined);
    socket.on('close', () => (conn.closedAt = performance.now()));
    if (opts.onConnect?.(conn)) return;
    socket.write('Content-Type: auth/request\n\n');
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const cmd = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (opts.onCommand?.(cmd, conn)) continue;
        if (cmd.startsWith('auth ') && cmd !== 'auth ClueCon') {
          socket.write('Content-Type: command/reply\nReply-Text: -ERR invalid\n\n');
          socket.end('Content-Type: text/disconnect-notice\nContent-Length: 0\n\n');
        } else if (cmd.startsWith('auth ')) {
          const ok = (): void => void socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
          const delay = opts.authDelayMs?.(conn.index) ?? 0;
          if (delay > 0) timers.push(setTimeout(ok, delay));
          else ok();
        } else if (cmd.startsWith('api ')) {
          const body = cmd === 'api sofia status' ? (opts.sofiaStatus ?? SOFIA_STATUS) : 'false';
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
        } else if (cmd === 'exit') socket.end();
        else socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => {
      for (const t of timers) clearTimeout(t);
      for (const c of connections) c.socket.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
