/**
 * Parses SIPp's -trace_msg log into one entry per SIP message, with the time
 * SIPp stamped on it, so tests can assert on what crossed the wire and when.
 *
 * An entry in the log looks like:
 *   ----------------------------------------------- 2026-11-21 05:23:21.531120
 *   UDP message sent (511 bytes):
 *   <blank line>
 *   <the SIP message>
 */

export interface SippMessage {
  /** SIPp's timestamp, milliseconds (local clock, good for differences). */
  time: number;
  direction: 'sent' | 'received';
  transport: string;
  /** The whole message as logged, with CRLF line ends. */
  text: string;
  firstLine: string;
  /** Request method, when a request. */
  method?: string;
  /** Status code, when a response. */
  status?: number;
  /** Method in the CSeq header. */
  cseqMethod?: string;
  body: string;
  /** First value of a header (name case-insensitive, compact forms understood). */
  header(name: string): string | undefined;
  /** Every value of a header, in order. */
  headers(name: string): string[];
}

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via',
};

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

function parseTimestamp(stamp: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)$/.exec(stamp.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = m;
  const whole = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
  return whole + Number(`0.${frac}`) * 1000;
}

/** Splits one message off the front of `text`; returns it and the rest (TCP reads may hold several). */
function splitOne(text: string): { head: string[]; body: string; rest: string } {
  const normalized = text.replace(/\r?\n/g, '\r\n');
  const end = normalized.indexOf('\r\n\r\n');
  const headPart = end === -1 ? normalized : normalized.slice(0, end);
  const afterHead = end === -1 ? '' : normalized.slice(end + 4);
  // Unfold continuation lines (RFC 3261 §7.3.1) before splitting into headers.
  const head = headPart.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  let length = afterHead.length;
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && canonical(line.slice(0, colon)) === 'content-length') {
      const n = Number.parseInt(line.slice(colon + 1).trim(), 10);
      if (Number.isFinite(n)) length = Math.min(n, afterHead.length);
    }
  }
  return { head, body: afterHead.slice(0, length), rest: afterHead.slice(length) };
}

function makeMessage(time: number, direction: 'sent' | 'received', transport: string, head: string[], body: string): SippMessage {
  const firstLine = head[0] ?? '';
  const fields: Array<[string, string]> = [];
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push([canonical(line.slice(0, colon)), line.slice(colon + 1).trim()]);
  }
  const headers = (name: string): string[] => {
    const key = canonical(name);
    return fields.filter(([n]) => n === key).map(([, v]) => v);
  };
  const statusMatch = /^SIP\/2\.0 (\d{3})\b/.exec(firstLine);
  const requestMatch = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(firstLine);
  const cseq = headers('cseq')[0];
  return {
    time,
    direction,
    transport,
    text: `${head.join('\r\n')}\r\n\r\n${body}`,
    firstLine,
    method: requestMatch?.[1],
    status: statusMatch ? Number(statusMatch[1]) : undefined,
    cseqMethod: cseq?.split(/\s+/)[1],
    body,
    header: (name) => headers(name)[0],
    headers,
  };
}

export function parseSippMessages(log: string): SippMessage[] {
  const out: SippMessage[] = [];
  const entries = log.split(/^-{10,} (?=\d{4}-\d\d-\d\d )/m);
  for (const entry of entries) {
    const lines = entry.split(/\r?\n/);
    const time = parseTimestamp(lines[0] ?? '');
    const kind = /^(\w+) message (sent|received)\b/.exec(lines[1] ?? '');
    if (Number.isNaN(time) || !kind) continue;
    const transport = kind[1] ?? '';
    const direction = kind[2] === 'sent' ? 'sent' : 'received';
    // Skip the blank line after the entry header; what remains is the message(s).
    let rest = lines.slice(2).join('\n').replace(/^\r?\n/, '');
    while (/^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(rest)) {
      const { head, body, rest: more } = splitOne(rest);
      out.push(makeMessage(time, direction, transport, head, body));
      rest = more.replace(/^(\r?\n)+/, '');
    }
  }
  return out;
}

/** Messages matching a predicate, e.g. received 200s to INVITE. */
export function findMessages(trace: SippMessage[], where: Partial<Pick<SippMessage, 'direction' | 'method' | 'status' | 'cseqMethod'>>): SippMessage[] {
  return trace.filter((m) =>
    (where.direction === undefined || m.direction === where.direction) &&
    (where.method === undefined || m.method === where.method) &&
    (where.status === undefined || m.status === where.status) &&
    (where.cseqMethod === undefined || m.cseqMethod === where.cseqMethod));
}
