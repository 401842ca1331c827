/**
 * Escaped characters in URIs (RFC 3261 §19.1.2, §25.1: escaped = "%" HEXDIG
 * HEXDIG). Decoding accepts invalid escapes literally; encoding escapes
 * every character outside the component's allowed set.
 */

const UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()";

function charSet(extra: string): Uint8Array {
  const set = new Uint8Array(128);
  for (const ch of UNRESERVED + extra) set[ch.charCodeAt(0)] = 1;
  return set;
}

/** user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? / */
export const USER_SAFE = charSet('&=+$,;?/');
/** password = *( unreserved / escaped / & = + $ , ) */
export const PASSWORD_SAFE = charSet('&=+$,');
/** paramchar = param-unreserved / unreserved / escaped, param-unreserved = [ ] / : & + $ */
export const PARAM_SAFE = charSet('[]/:&+$');
/** hnv-unreserved = [ ] / ? : + $ */
export const HEADER_SAFE = charSet('[]/?:+$');

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Resolves %XX escapes; the bytes are read as UTF-8, or as Latin-1 when they are not valid UTF-8. */
export function percentDecode(text: string): string {
  if (text.indexOf('%') < 0) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    if (c < 0x80) {
      bytes.push(c);
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
  }
  const buf = Uint8Array.from(bytes);
  try {
    return strictUtf8.decode(buf);
  } catch {
    return Buffer.from(buf).toString('latin1');
  }
}

/** Escapes every character not in `safe` as %XX of its UTF-8 bytes. */
export function percentEncode(text: string, safe: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || safe[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c < 128 && safe[c] === 1) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
