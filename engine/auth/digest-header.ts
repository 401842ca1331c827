/**
 * The Authorization / Proxy-Authorization header of digest authentication
 * (RFC 3261 §25.1 and §22.4, RFC 2617 §3.2.2, RFC 7616 §3.4):
 *
 *   credentials = auth-scheme LWS auth-param *(COMMA auth-param)
 *   auth-param  = token EQUAL ( token / quoted-string )
 *
 * drachtio-srf joins repeated header lines with a comma, so one value can hold
 * several credentials (`Digest a=1, b=2, Digest c=3`): a token followed by
 * white space and another token, instead of by `=`, starts the next one.
 */

export interface Credentials {
  /** Auth scheme as sent, e.g. `Digest`. */
  scheme: string;
  /** Parameters by lower-cased name; quoted values unescaped. */
  params: Map<string, string>;
}

export class DigestHeaderError extends Error {
  override readonly name = 'DigestHeaderError';
}

/** Longest header value parsed; longer is refused as malformed. */
export const MAX_CREDENTIALS_LENGTH = 8192;
const MAX_PARAMS = 32;

/** RFC 3261 §25.1 token characters. */
const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  /** LWS: spaces, tabs, and folded line breaks (already unfolded by most parsers). */
  skipSpace(): void {
    while (!this.done && /[ \t\r\n]/.test(this.peek())) this.i++;
  }

  token(): string {
    const start = this.i;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  /** RFC 3261 §25.1 quoted-string: `\` escapes the next character (quoted-pair). */
  quoted(): string {
    this.i++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        this.i++;
        if (this.done) break;
        out += this.peek();
        this.i++;
        continue;
      }
      out += c;
      this.i++;
    }
    throw new DigestHeaderError('unterminated quoted string');
  }
}

/** Parses every credentials set in the header value; throws DigestHeaderError saying what is wrong. */
export function parseCredentials(value: string): Credentials[] {
  if (value.length > MAX_CREDENTIALS_LENGTH) throw new DigestHeaderError('header too long');
  const c = new Cursor(value);
  const out: Credentials[] = [];
  c.skipSpace();
  if (c.done) throw new DigestHeaderError('empty header');
  let scheme = c.token();
  while (scheme !== '') {
    const params = new Map<string, string>();
    out.push({ scheme, params });
    // Another scheme's credentials (Basic's token68, ...) are not read: only Digest is understood here.
    if (scheme.toLowerCase() !== 'digest') break;
    scheme = '';
    c.skipSpace();
    if (c.done) break;
    for (;;) {
      const name = c.token();
      if (name === '') throw new DigestHeaderError(`unexpected character ${JSON.stringify(c.peek())} at ${c.i}`);
      c.skipSpace();
      if (c.peek() !== '=') {
        // A token that is not a parameter name begins the next credentials (`, Digest ...`).
        if (params.size === 0) throw new DigestHeaderError(`parameter ${name} has no value`);
        scheme = name;
        break;
      }
      c.i++;
      c.skipSpace();
      const paramValue = c.peek() === '"' ? c.quoted() : c.token();
      const key = name.toLowerCase();
      if (params.has(key)) throw new DigestHeaderError(`parameter ${key} given twice`);
      if (params.size >= MAX_PARAMS) throw new DigestHeaderError('too many parameters');
      params.set(key, paramValue);
      c.skipSpace();
      if (c.done) break;
      if (c.peek() !== ',') throw new DigestHeaderError(`expected "," at ${c.i}`);
      c.i++;
      c.skipSpace();
      if (c.done) throw new DigestHeaderError('trailing comma');
    }
    if (scheme === '' && !c.done) throw new DigestHeaderError(`unexpected character ${JSON.stringify(c.peek())} at ${c.i}`);
  }
  if (out.length === 0) throw new DigestHeaderError('no auth scheme');
  return out;
}

/** A quoted-string with `"` and `\` escaped (RFC 3261 §25.1). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}
