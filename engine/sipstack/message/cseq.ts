/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16, §25.1). */
import { SipParseError } from './errors.js';
import { isToken } from './syntax.js';

/** "The sequence number MUST be expressible as a 32-bit unsigned integer" (§8.1.1.5). */
const MAX_SEQ = 0xffffffff;

export function parseCSeq(value: string): { seq: number; method: string } {
  const text = value.trim();
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  if (i === 0) throw new SipParseError(`CSeq: bad sequence number in '${value}'`);
  // Leading zeros are allowed (RFC 4475 §3.1.1.1), so the digit count alone
  // cannot bound the value; strip them before converting.
  const digits = text.slice(0, i).replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_SEQ) throw new SipParseError(`CSeq: sequence number out of range in '${value}'`);
  const method = text.slice(i).trim();
  if (i === text.length || !/^\s/.test(text.slice(i)) || !isToken(method)) {
    throw new SipParseError(`CSeq: bad method in '${value}'`);
  }
  return { seq: Number(digits), method };
}
