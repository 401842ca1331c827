/**
 * Free ports for test peers, and waiting until another process has bound one.
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A UDP port that was free a moment ago (bound to port 0, read, closed). */
export function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** A TCP port that was free a moment ago. */
export function freeTcpPort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** "0100007F:3AE2" style local address of /proc/net/{udp,tcp} for an IPv4 address and port. */
function procAddress(address: string, port: number): string {
  const octets = address.split('.').map((o) => Number(o));
  const hexIp = octets
    .reverse()
    .map((o) => o.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return `${hexIp}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** TCP state 0A is LISTEN; UDP sockets are listed as soon as they are bound. */
async function boundPerProc(protocol: 'udp' | 'tcp', address: string, port: number): Promise<boolean | undefined> {
  let table: string;
  try {
    table = await readFile(`/proc/net/${protocol}`, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = procAddress(address, port);
  const anyAddress = procAddress('0.0.0.0', port);
  return table.split('\n').slice(1).some((line) => {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    if (local !== wanted && local !== anyAddress) return false;
    return protocol === 'udp' || state === '0A';
  });
}

/** Fallback where /proc is not available: the port is taken if we cannot bind it. */
function boundPerProbe(protocol: 'udp' | 'tcp', address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(true));
      socket.bind(port, address, () => socket.close(() => resolve(false)));
    } else {
      const server = createServer();
      server.once('error', () => resolve(true));
      server.listen(port, address, () => server.close(() => resolve(false)));
    }
  });
}

/**
 * Resolves once something is bound to address:port (UDP) or listening on it
 * (TCP); rejects after `timeoutMs`. Polls without holding the port itself
 * where /proc/net is readable.
 */
export async function waitForListening(
  protocol: 'udp' | 'tcp',
  address: string,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const viaProc = await boundPerProc(protocol, address, port);
    const bound = viaProc ?? (await boundPerProbe(protocol, address, port));
    if (bound) return;
    await delay(10);
  }
  throw new Error(`nothing ${protocol === 'tcp' ? 'listening' : 'bound'} on ${protocol} ${address}:${port} after ${timeoutMs} ms`);
}

/** Polls `check` until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
