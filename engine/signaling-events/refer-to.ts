/**
 * The Refer-To header of a REFER (RFC 3515 2.1): one value, a name-addr
 * (`"Bob" <sip:bob@example.com?Replaces=...>;param`) or an addr-spec
 * (`sip:bob@example.com`).
 */

/**
 * Splits a header value at its top-level commas: those outside quoted
 * strings and outside `<...>` (RFC 3261 7.3.1, how repeated headers are
 * joined). A URI holding a comma, `?` or `;` must sit in angle brackets
 * (RFC 3261 20), so a comma outside them separates two values.
 * Empty parts are left out.
 */
export function splitHeaderValues(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"' && !angle) quoted = true;
    else if (ch === '<') angle = true;
    else if (ch === '>') angle = false;
    else if (ch === ',' && !angle) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * The URI of one Refer-To value without display name, angle brackets or
 * header parameters: `<sip:bob@example.com?Replaces=x>;p=1` gives
 * `sip:bob@example.com?Replaces=x`. In an addr-spec, a `;` starts the
 * header parameters (RFC 3261 20). Undefined when no URI is there.
 */
export function referToUri(value: string): string | undefined {
  const open = value.indexOf('<');
  if (open !== -1) {
    const close = value.indexOf('>', open + 1);
    if (close === -1) return undefined;
    const uri = value.slice(open + 1, close).trim();
    return uri === '' ? undefined : uri;
  }
  const uri = value.split(';')[0]!.trim();
  return uri === '' || /\s/.test(uri) ? undefined : uri;
}

/** What a REFER's Refer-To holds: exactly one target (RFC 3515 2.4.1), or why it is refused. */
export type ReferToCheck = { ok: true; value: string; uri: string } | { ok: false; reason: string };

/** Checks the (joined) Refer-To header of a REFER: present, one value, a URI in it. */
export function checkReferTo(header: string | undefined): ReferToCheck {
  const values = header === undefined ? [] : splitHeaderValues(header);
  if (values.length === 0) return { ok: false, reason: 'Missing Refer-To' };
  if (values.length > 1) return { ok: false, reason: 'More than one Refer-To' };
  const value = values[0]!;
  const uri = referToUri(value);
  if (uri === undefined) return { ok: false, reason: 'Bad Refer-To' };
  return { ok: true, value, uri };
}
