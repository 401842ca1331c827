/**
 * A short check of one FreeSWITCH event socket before drachtio-fsmrf is let
 * near it: connect, authenticate, ask `sofia status`, hang up. It turns the
 * failures drachtio-fsmrf handles badly (a wrong password makes it reconnect
 * forever; a missing SIP profile throws inside a socket callback) into one
 * clear error each.
 *
 * Event socket framing (FreeSWITCH mod_event_socket): a block of
 * `Name: value` header lines ended by an empty line, then Content-Length
 * bytes of body when that header is present.
 */
import { connect, type Socket } from 'node:net';

export type EslProbeFailure =
  | 'unreachable' // no TCP connection (refused, timed out, no route)
  | 'auth' // the password was refused
  | 'acl' // the event socket's ACL rejected this address
  | 'no-profile' // the SIP profile is not running, or not on an IPv4 address
  | 'protocol'; // something that does not speak the event socket protocol

export class EslProbeError extends Error {
  constructor(
    readonly failure: EslProbeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EslProbeError';
  }
}

interface EslMessage {
  headers: Map<string, string>;
  body: string;
}

/** Splits the byte stream into event socket messages. */
class EslReader {
  private buf = Buffer.alloc(0);
  private waiting: ((m: EslMessage) => void) | undefined;
  private readonly ready: EslMessage[] = [];

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > 1_000_000) throw new EslProbeError('protocol', 'the event socket sent an oversized message');
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end < 0) return;
      const headers = new Map<string, string>();
      for (const line of this.buf.subarray(0, end).toString('utf8').split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? 0);
      if (this.buf.length < end + 2 + length) return;
      const body = this.buf.subarray(end + 2, end + 2 + length).toString('utf8');
      this.buf = this.buf.subarray(end + 2 + length);
      const msg = { headers, body };
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w(msg);
      else this.ready.push(msg);
    }
  }

  next(): Promise<EslMessage> {
    const m = this.ready.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

export interface EslProbeResult {
  /** host:port of the SIP profile, as `sofia status` lists it. */
  sipAddress: string;
}

/** Escapes a profile name for a regular expression. */
function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Checks that FreeSWITCH's event socket at address:port accepts `secret` and
 * runs the SIP profile `profile` on an IPv4 address (what drachtio-fsmrf
 * requires). Rejects with an EslProbeError.
 */
export async function probeEventSocket(
  target: { address: string; port: number; secret: string; profile: string },
  timeoutMs = 3000,
): Promise<EslProbeResult> {
  const name = `${target.address}:${target.port}`;
  const socket: Socket = connect({ host: target.address, port: target.port });
  const reader = new EslReader();
  let timer: NodeJS.Timeout | undefined;
  try {
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EslProbeError('unreachable', `no answer from the event socket at ${name} within ${timeoutMs} ms`)), timeoutMs);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message);
        reject(new EslProbeError('unreachable', `cannot reach the event socket at ${name}: ${why}`));
      });
      socket.on('close', () => reject(new EslProbeError('unreachable', `the event socket at ${name} closed the connection`)));
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (err) {
          reject(err);
        }
      });
    });
    failed.catch(() => undefined);
    const next = (): Promise<EslMessage> => Promise.race([reader.next(), failed]);

    const hello = await next();
    const helloType = hello.headers.get('content-type');
    if (helloType === 'text/rude-rejection') {
      throw new EslProbeError('acl', `the event socket at ${name} rejected this address (its apply-inbound-acl): ${hello.body.trim()}`);
    }
    if (helloType !== 'auth/request') throw new EslProbeError('protocol', `${name} does not look like a FreeSWITCH event socket`);
    socket.write(`auth ${target.secret}\n\n`);
    const auth = await next();
    const reply = auth.headers.get('reply-text') ?? '';
    if (!reply.startsWith('+OK')) {
      throw new EslProbeError('auth', `the event socket at ${name} refused the password (${reply || 'no reply'})`);
    }
    socket.write('api sofia status\n\n');
    const status = await next();
    const re = new RegExp(`^\\s*${escapeRe(target.profile)}\\s.*sip:mod_sofia@((?:\\d{1,3}\\.){3}\\d{1,3}:\\d+)`, 'm');
    const m = re.exec(status.body);
    if (!m) {
      throw new EslProbeError('no-profile', `FreeSWITCH at ${name} has no SIP profile "${target.profile}" running on an IPv4 address (sofia status)`);
    }
    socket.write('exit\n\n');
    return { sipAddress: m[1] as string };
  } finally {
    clearTimeout(timer);
    socket.removeAllListeners('close');
    socket.on('error', () => undefined);
    socket.destroy();
  }
}
