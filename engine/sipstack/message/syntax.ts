/**
 * Character classes and small scanners shared by the header parsers
 * (RFC 3261 §25.1 basic rules).
 */
import { SipParseError } from './errors.js';

/** token chars: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" (§25.1). */
const TOKEN = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN[code] === 1;
}

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/** SP, HTAB, CR or LF: the characters of (folded) linear white space. */
export function isWs(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/** Index of the first non-whitespace character at or after `i`. */
export function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** Index just after the token starting at `i` (equal to `i` when there is none). */
export function scanToken(text: string, i: number): number {
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Index just after the quoted-string opening at `i` (which must be a DQUOTE),
 * honouring quoted-pair backslash escapes (§25.1). Throws when unterminated.
 */
export function scanQuoted(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  throw new SipParseError('unterminated quoted string');
}

/** The content of a quoted-string without its quotes and with quoted-pairs resolved. */
export function unquote(quoted: string): string {
  const inner = quoted.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '\\' && i + 1 < inner.length) out += inner[++i];
    else out += ch;
  }
  return out;
}

/** A quoted-string holding `text` (backslash-escaping '"' and '\'). */
export function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Characters allowed in an unquoted generic-param value: token chars and the host chars '[' ']' ':'. */
function isGenValueChar(code: number): boolean {
  return isTokenChar(code) || code === 0x5b || code === 0x5d || code === 0x3a;
}

/**
 * Parses `*( SEMI generic-param )` starting at `i` (RFC 3261 §25.1,
 * generic-param = token [ EQUAL gen-value ], gen-value = token / host /
 * quoted-string), with SWS allowed around ';' and '='. Names are lowercased
 * (they compare case-insensitively); values are kept as written, quoted
 * strings with their quotes. Parsing stops at the end of `text`; anything else
 * left over is an error.
 */
export function parseParams(text: string, i: number, params: Map<string, string | null>): void {
  i = skipWs(text, i);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b) throw new SipParseError(`unexpected '${text[i]}' where ';' was expected`);
    i = skipWs(text, i + 1);
    const nameEnd = scanToken(text, i);
    if (nameEnd === i) throw new SipParseError('empty parameter name');
    const name = text.slice(i, nameEnd).toLowerCase();
    i = skipWs(text, nameEnd);
    let value: string | null = null;
    if (i < text.length && text.charCodeAt(i) === 0x3d) {
      i = skipWs(text, i + 1);
      const start = i;
      if (i < text.length && text.charCodeAt(i) === 0x22) i = scanQuoted(text, i);
      else while (i < text.length && isGenValueChar(text.charCodeAt(i))) i++;
      if (i === start) throw new SipParseError(`parameter '${name}' has an empty value`);
      value = text.slice(start, i);
      i = skipWs(text, i);
    }
    params.set(name, value);
  }
}

/** `;name=value;flag` for a parameter map. */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/**
 * Removes SP and HTAB (and stray CR/LF) from both ends. Unlike String#trim it
 * keeps other Unicode white space such as U+FEFF, which is content in SIP
 * (RFC 4475 §3.1.1.2).
 */
export function trimLws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWs(text.charCodeAt(start))) start++;
  while (end > start && isWs(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
