import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing as Twilio does it (X-Twilio-Signature): HMAC-SHA1 keyed
 * with the account's auth token over the full URL the request goes to
 * (query string included), followed by each POST parameter's name and value,
 * the parameters taken in order of name; the digest is base64-encoded.
 * A GET request carries its parameters in the URL and signs no others.
 */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>> = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** True when `signature` is what twilioSignature gives for this request (constant-time comparison). */
export function validateTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: Readonly<Record<string, string>> = {},
): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
