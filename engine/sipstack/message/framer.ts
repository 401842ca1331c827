/**
 * Cutting a stream transport's bytes (TCP, TLS) into SIP messages: the
 * header section ends at the first empty line and the body is exactly
 * Content-Length octets (RFC 3261 §18.3, §20.14). Leading CRLFs are skipped
 * (§7.5) and a CRLFCRLF between messages is a keep-alive ping (RFC 5626
 * §4.4.1). Once framing is lost nothing more can be trusted on the
 * connection, so the framer reports one error and then ignores its input.
 */
import { findHeaderEnd } from './boundary.js';
import { DEFAULT_MAX_BYTES } from './parser.js';
import { parseContentLength } from './validate.js';

export type FramedItem =
  | { kind: 'message'; data: Buffer }
  | { kind: 'keepalive' }
  /** Framing is lost; `head` is the header section of the message that broke it, when it was read. */
  | { kind: 'error'; error: string; head?: Buffer };

export interface StreamFramerOptions {
  /** Largest message accepted, header section and body (default 65535). */
  maxBytes?: number;
}

/**
 * The Content-Length of a header section: its value, 'missing', or an error.
 * Recognises the compact form `l` and white space before the colon.
 */
function contentLengthOf(head: string, maxBytes: number): number | 'missing' | { error: string } {
  let found: string | undefined;
  let pos = 0;
  while (pos < head.length) {
    let eol = head.indexOf('\n', pos);
    if (eol < 0) eol = head.length;
    const colon = head.indexOf(':', pos);
    if (colon > pos && colon < eol) {
      const name = head.slice(pos, colon).trimEnd().toLowerCase();
      if (name === 'content-length' || name === 'l') {
        let value = head.slice(colon + 1, eol);
        // Folded continuation lines belong to the value (§7.3.1).
        while (eol + 1 < head.length && (head[eol + 1] === ' ' || head[eol + 1] === '\t')) {
          const next = head.indexOf('\n', eol + 1);
          const end = next < 0 ? head.length : next;
          value += ` ${head.slice(eol + 1, end)}`;
          eol = end;
        }
        value = value.trim();
        if (found !== undefined && found !== value) return { error: 'conflicting Content-Length headers' };
        found = value;
      }
    }
    pos = eol + 1;
  }
  if (found === undefined) return 'missing';
  const length = parseContentLength(found, maxBytes);
  return Number.isNaN(length) ? { error: `bad Content-Length '${found}'` } : length;
}

export class StreamFramer {
  private readonly maxBytes: number;
  /** Received bytes not yet framed live in buf[start, end). */
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** How far the search for the empty line has already looked. */
  private scanned = 0;
  /** Total size of the message being received, once its header section is complete. */
  private expected: number | undefined;
  private failed = false;

  constructor(opts: StreamFramerOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Feeds bytes in; returns the messages, keep-alives and (at most once) the error they complete. */
  push(chunk: Buffer): FramedItem[] {
    if (this.failed) return [];
    this.append(chunk);
    const out: FramedItem[] = [];
    while (true) {
      const item = this.next();
      if (item === undefined) break;
      out.push(item);
      if (item.kind === 'error') {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        this.start = this.end = 0;
        break;
      }
    }
    return out;
  }

  /** Bytes received and not yet returned as part of a message. */
  get pending(): number {
    return this.end - this.start;
  }

  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const needed = live + chunk.length;
      if (needed <= this.buf.length) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2, 4096));
        this.buf.copy(grown, 0, this.start, this.end);
        this.buf = grown;
      }
      // Positions move with the bytes: the scan resumes where it was.
      this.scanned = Math.max(0, this.scanned - this.start);
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  private next(): FramedItem | undefined {
    if (this.expected === undefined) {
      const skipped = this.skipLineBreaks();
      if (skipped === 'wait') return undefined;
      if (skipped !== undefined) return skipped;
      if (this.start === this.end) return undefined;
      const from = Math.max(this.start, this.scanned);
      const boundary = findHeaderEnd(this.buf, from, this.end);
      if (!boundary) {
        // Resume a few bytes back: the empty line may straddle two chunks.
        this.scanned = Math.max(this.start, this.end - 3);
        if (this.end - this.start > this.maxBytes) return { kind: 'error', error: `header section larger than ${this.maxBytes} bytes` };
        return undefined;
      }
      const length = contentLengthOf(this.buf.toString('latin1', this.start, boundary.headEnd), this.maxBytes);
      const head = (): Buffer => Buffer.from(this.buf.subarray(this.start, boundary.bodyStart));
      // §18.3: over a stream, a message without Content-Length cannot be framed.
      if (length === 'missing') return { kind: 'error', error: 'message without Content-Length on a stream', head: head() };
      if (typeof length !== 'number') return { kind: 'error', error: length.error, head: head() };
      this.expected = boundary.bodyStart - this.start + length;
      if (this.expected > this.maxBytes) return { kind: 'error', error: `message larger than ${this.maxBytes} bytes`, head: head() };
    }
    if (this.end - this.start < this.expected) return undefined;
    const data = Buffer.from(this.buf.subarray(this.start, this.start + this.expected));
    this.start += this.expected;
    this.scanned = this.start;
    this.expected = undefined;
    return { kind: 'message', data };
  }

  /**
   * Between messages: CRLFCRLF is a keep-alive ping (RFC 5626 §4.4.1); other
   * CRs and LFs are skipped (§7.5, and the CRLF pong). Waits when what is
   * there could still become a ping.
   */
  private skipLineBreaks(): FramedItem | 'wait' | undefined {
    const b = this.buf;
    while (this.start < this.end && (b[this.start] === 0x0d || b[this.start] === 0x0a)) {
      const avail = this.end - this.start;
      if (b[this.start] === 0x0d && b[this.start + 1] === 0x0a && avail >= 4 && b[this.start + 2] === 0x0d && b[this.start + 3] === 0x0a) {
        this.start += 4;
        this.scanned = this.start;
        return { kind: 'keepalive' };
      }
      if (avail < 4 && isPrefixOfPing(b, this.start, this.end)) {
        // Could be the start of a ping; a lone CRLF pong followed by a message
        // is resolved as soon as the message's first byte arrives.
        return 'wait';
      }
      this.start++;
    }
    this.scanned = Math.max(this.scanned, this.start);
    return undefined;
  }
}

function isPrefixOfPing(b: Buffer, from: number, to: number): boolean {
  const ping = [0x0d, 0x0a, 0x0d, 0x0a];
  for (let i = from; i < to; i++) if (b[i] !== ping[i - from]) return false;
  return true;
}
