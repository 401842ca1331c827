/**
 * Finding where a message's header section ends (RFC 3261 §7: "an empty line
 * (CRLF) indicating the end of the header fields"). Bare LF line endings are
 * tolerated, so the blank line is LF, optionally preceded by CR, right after
 * another LF.
 */

export interface HeaderEnd {
  /** Index of the first byte of the line break that ends the last header line. */
  headEnd: number;
  /** Index of the first body byte. */
  bodyStart: number;
}

/** Searches `buf[from, to)`; null when the blank line is not there (yet). */
export function findHeaderEnd(buf: Uint8Array, from: number, to: number = buf.length): HeaderEnd | null {
  let i = from;
  while (i < to) {
    const lf = buf.indexOf(0x0a, i);
    if (lf < 0 || lf >= to) return null;
    const next = lf + 1;
    if (next < to && buf[next] === 0x0a) {
      return { headEnd: lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf, bodyStart: next + 1 };
    }
    if (next + 1 < to && buf[next] === 0x0d && buf[next + 1] === 0x0a) {
      return { headEnd: lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf, bodyStart: next + 2 };
    }
    i = next;
  }
  return null;
}

/** Number of CR and LF bytes at `from` (§7.5: CRLFs before the start-line are ignored). */
export function leadingLineBreaks(buf: Uint8Array, from: number, to: number = buf.length): number {
  let i = from;
  while (i < to && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i - from;
}
