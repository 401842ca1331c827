/**
 * A SIP user agent for registrar tests on a raw UDP socket: builds REGISTER
 * and INVITE requests byte by byte, reads the challenges that come back and
 * answers them with digest credentials computed here (MD5 or SHA-256,
 * qop=auth), independently of the engine's own code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { headers as headerValues, header, UdpPeer, type HostPort, type WireMessage } from '../../support/sip-wire-peer.js';

export type Algorithm = 'MD5' | 'SHA-256';

export interface Challenge {
  realm: string;
  nonce: string;
  algorithm: string;
  qop?: string;
  stale: boolean;
}

/** Reads `Digest k=v, k="v"` (test side: no escapes in what the engine sends). */
export function parseChallenge(value: string): Challenge {
  const params = new Map<string, string>();
  for (const m of value.replace(/^Digest\s+/i, '').matchAll(/([A-Za-z-]+)=("([^"]*)"|[^,\s]+)/g)) {
    params.set(m[1].toLowerCase(), m[3] ?? m[2]);
  }
  return {
    realm: params.get('realm') ?? '',
    nonce: params.get('nonce') ?? '',
    algorithm: params.get('algorithm') ?? 'MD5',
    qop: params.get('qop'),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

export function challengesOf(msg: WireMessage): Challenge[] {
  return [...headerValues(msg, 'WWW-Authenticate'), ...headerValues(msg, 'Proxy-Authenticate')].map(parseChallenge);
}

function h(algorithm: Algorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
}

export interface DigestParams {
  username: string;
  password: string;
  method: string;
  uri: string;
  challenge: Challenge;
  algorithm: Algorithm;
  nc?: number;
  cnonce?: string;
  /** Leave qop out (RFC 2069 style). */
  noQop?: boolean;
}

/** The Authorization header value answering `challenge`. */
export function digestAuthorization(p: DigestParams): string {
  const ha1 = h(p.algorithm, `${p.username}:${p.challenge.realm}:${p.password}`);
  const ha2 = h(p.algorithm, `${p.method}:${p.uri}`);
  const nc = (p.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = p.cnonce ?? randomBytes(8).toString('hex');
  if (p.noQop) {
    const response = h(p.algorithm, `${ha1}:${p.challenge.nonce}:${ha2}`);
    return `Digest username="${p.username}", realm="${p.challenge.realm}", nonce="${p.challenge.nonce}", uri="${p.uri}", response="${response}", algorithm=${p.algorithm}`;
  }
  const response = h(p.algorithm, `${ha1}:${p.challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${p.username}", realm="${p.challenge.realm}", nonce="${p.challenge.nonce}", uri="${p.uri}", ` +
    `response="${response}", algorithm=${p.algorithm}, cnonce="${cnonce}", qop=auth, nc=${nc}`
  );
}

export interface RegisterOptions {
  username: string;
  /** Contact header value(s); omitted: a query. */
  contact?: string;
  expires?: number;
  authorization?: string;
  callId?: string;
  cseq?: number;
  /** Extra header lines, e.g. ['User-Agent: x']. */
  extra?: string[];
}

/** A SIP user agent on its own UDP socket, talking to the engine. */
export class SipClient {
  private cseq = 0;
  readonly callId = `${randomBytes(6).toString('hex')}@test`;

  private constructor(
    readonly peer: UdpPeer,
    readonly server: HostPort,
  ) {}

  static async open(server: HostPort): Promise<SipClient> {
    return new SipClient(await UdpPeer.open(server), server);
  }

  get local(): HostPort {
    return this.peer.local;
  }

  get registrarUri(): string {
    return `sip:${this.server.address}:${this.server.port}`;
  }

  /** Sends a REGISTER and resolves with its final response. */
  async register(o: RegisterOptions): Promise<WireMessage> {
    const cseq = o.cseq ?? ++this.cseq;
    if (o.cseq !== undefined) this.cseq = Math.max(this.cseq, o.cseq);
    const callId = o.callId ?? this.callId;
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const aor = `sip:${o.username}@${this.server.address}`;
    const lines = [
      `REGISTER ${this.registrarUri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.local.address}:${this.local.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <${aor}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <${aor}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      ...(o.contact === undefined ? [] : [`Contact: ${o.contact}`]),
      ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
      ...(o.authorization === undefined ? [] : [`Authorization: ${o.authorization}`]),
      ...(o.extra ?? []),
      'Content-Length: 0',
    ];
    return this.exchange(lines.join('\r\n') + '\r\n\r\n', branch);
  }

  /** REGISTER, answer the 401 with credentials, return the final response and the challenge used. */
  async registerWithAuth(
    o: RegisterOptions & { password: string; algorithm?: Algorithm },
  ): Promise<{ challenge: WireMessage; response: WireMessage; used: Challenge }> {
    const first = await this.register(o);
    if (first.status !== 401) throw new Error(`expected 401, got ${first.startLine}`);
    const algorithm = o.algorithm ?? 'MD5';
    const used = challengesOf(first).find((c) => c.algorithm === algorithm);
    if (!used) throw new Error(`no ${algorithm} challenge in ${first.startLine}`);
    const authorization = digestAuthorization({ username: o.username, password: o.password, method: 'REGISTER', uri: this.registrarUri, challenge: used, algorithm });
    const response = await this.register({ ...o, authorization });
    return { challenge: first, response, used };
  }

  /** Sends raw bytes and waits for the final response of the transaction `branch`. */
  async exchange(text: string, branch: string, timeoutMs = 5000): Promise<WireMessage> {
    const from = this.peer.received.length;
    this.peer.send(text);
    return this.peer.waitFor((m) => m.status !== undefined && m.status >= 200 && (header(m, 'via') ?? '').includes(branch), timeoutMs, from);
  }

  close(): Promise<void> {
    return this.peer.close();
  }
}
