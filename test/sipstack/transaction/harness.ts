/**
 * Test bench for the transaction layer: a sender that records every message
 * as the bytes that would go on the wire, a manual clock driving the shared
 * timer service, a logger that keeps its lines, and message builders that go
 * through the real parser.
 */
import { parseMessage } from '../../../engine/sipstack/message/parser.js';
import { serializeMessage } from '../../../engine/sipstack/message/serialize.js';
import { SipRequest, SipResponse, type SipMessage } from '../../../engine/sipstack/message/sip-message.js';
import { HeapTimerService, ManualClock } from '../../../engine/sipstack/transaction/timer-service.js';
import type { TransactionLogger } from '../../../engine/sipstack/transaction/transaction-base.js';
import { TransactionLayer } from '../../../engine/sipstack/transaction/transaction-layer.js';
import type { TransactionTimers } from '../../../engine/sipstack/transaction/transaction-timers.js';
import type {
  InboundSource,
  MessageSender,
  SendTarget,
  TransportProtocol,
} from '../../../engine/sipstack/transport/types.js';

export interface SentRecord {
  message: SipMessage;
  target: SendTarget;
  /** Manual-clock time of the send. */
  at: number;
  /** The bytes as serialized. */
  wire: string;
}

export class RecordingSender implements MessageSender {
  readonly sent: SentRecord[] = [];
  /** When set, every send fails with this error. */
  failWith: Error | undefined;

  constructor(private readonly clock: ManualClock) {}

  send(message: SipMessage, target: SendTarget): Promise<void> {
    this.sent.push({ message, target, at: this.clock.now(), wire: serializeMessage(message).toString('utf8') });
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve();
  }

  /** First lines of what was sent ("INVITE sip:..." / "SIP/2.0 100 Trying"), in order. */
  startLines(): string[] {
    return this.sent.map((s) => s.wire.slice(0, s.wire.indexOf('\r\n')));
  }

  /** Send times of messages whose start line begins with `prefix`. */
  timesOf(prefix: string): number[] {
    return this.sent.filter((s) => s.wire.startsWith(prefix)).map((s) => s.at);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export class RecordingLogger implements TransactionLogger {
  readonly lines: LogLine[] = [];
  debug(obj: object, msg: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
  messages(level: LogLine['level']): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.msg);
  }
}

export interface Bench {
  clock: ManualClock;
  timers: HeapTimerService;
  sender: RecordingSender;
  logger: RecordingLogger;
  layer: TransactionLayer;
  /** Errors thrown out of timer callbacks (there must be none). */
  timerErrors: unknown[];
}

export function makeBench(config: Partial<TransactionTimers> = {}): Bench {
  const clock = new ManualClock(0);
  const timerErrors: unknown[] = [];
  const timers = new HeapTimerService(clock, (err) => timerErrors.push(err));
  const sender = new RecordingSender(clock);
  const logger = new RecordingLogger();
  const layer = new TransactionLayer({ sender, timers, config, logger });
  return { clock, timers, sender, logger, layer, timerErrors };
}

/** Parses wire text (lines joined with CRLF) with the real parser. */
export function parse(lines: string[], body = ''): SipMessage {
  const text = lines.join('\r\n') + '\r\n\r\n' + body;
  const out = parseMessage(Buffer.from(text, 'utf8'), { datagram: true });
  if (!out.ok) throw new Error(`test message does not parse: ${out.error}`);
  return out.message;
}

export interface RequestSpec {
  method?: string;
  uri?: string;
  /** Top Via value without "Via: ". */
  via?: string;
  branch?: string;
  transport?: string;
  sentBy?: string;
  fromTag?: string;
  toTag?: string;
  callId?: string;
  seq?: number;
  cseqMethod?: string;
  extra?: string[];
}

export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const via =
    spec.via ??
    `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '192.0.2.1:5060'};branch=${spec.branch ?? 'z9hG4bK-abc'}`;
  const msg = parse([
    `${method} ${spec.uri ?? 'sip:bob@example.com'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.org>;tag=${spec.fromTag ?? 'from1'}`,
    `To: <sip:bob@example.com>${spec.toTag ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId ?? 'call-1@example.org'}`,
    `CSeq: ${spec.seq ?? 1} ${spec.cseqMethod ?? method}`,
    'Contact: <sip:alice@192.0.2.1>',
    ...(spec.extra ?? []),
  ]);
  if (!(msg instanceof SipRequest)) throw new Error('not a request');
  return msg;
}

/** A response to `req` as the far end would send it (Via, From, Call-ID, CSeq copied). */
export function responseTo(req: SipRequest, status: number, reason = 'Whatever', toTag?: string): SipResponse {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const v of req.headers.lines('via')) lines.push(`Via: ${v}`);
  const to = req.headers.get('to') ?? '';
  lines.push(`From: ${req.headers.get('from') ?? ''}`);
  lines.push(`To: ${toTag && !/;tag=/.test(to) ? `${to};tag=${toTag}` : to}`);
  lines.push(`Call-ID: ${req.headers.get('call-id') ?? ''}`);
  lines.push(`CSeq: ${req.headers.get('cseq') ?? ''}`);
  const msg = parse(lines);
  if (!(msg instanceof SipResponse)) throw new Error('not a response');
  return msg;
}

export function source(protocol: TransportProtocol = 'udp', address = '192.0.2.1', port = 5060): InboundSource {
  return {
    protocol,
    remote: { address, port },
    local: { address: '127.0.0.1', port: 5060 },
    connectionId: protocol === 'udp' ? undefined : 'conn-1',
  };
}

export function target(protocol: TransportProtocol = 'udp'): SendTarget {
  return { protocol, remote: { address: '192.0.2.99', port: 5060 } };
}

/** Lets rejected send promises reach their handlers. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A header value from wire text. */
export function wireHeader(wire: string, name: string): string[] {
  const out: string[] = [];
  for (const line of wire.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) out.push(line.slice(colon + 1).trim());
  }
  return out;
}
