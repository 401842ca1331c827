/**
 * Twilio's error codes for webhook failures, used in logs and as the
 * ErrorCode parameter sent to a fallback URL.
 */
export const WebhookErrorCode = {
  /** HTTP retrieval failure: the server answered with a status of 400 or more, or the exchange failed otherwise. */
  HttpRetrievalFailure: 11200,
  /** HTTP connection failure: refused, reset, or timed out. */
  HttpConnectionFailure: 11205,
  /** HTTP bad host name: the name did not resolve. */
  HttpBadHostName: 11210,
  /** HTTP too many redirects. */
  HttpTooManyRedirects: 11215,
  /** SSL/TLS handshake error. */
  SslHandshakeError: 11220,
  /** The server's certificate could not be verified. */
  CertificateInvalid: 11237,
  /** The response body is larger than allowed. */
  ResponseBodyTooLarge: 11750,
  /** The body is not an XML document with a <Response> root. */
  DocumentParseFailure: 12100,
  /** The document is XML but not valid instructions. */
  SchemaValidationFailure: 12200,
  /** The response's Content-Type is not one that holds instructions. */
  InvalidContentType: 12300,
} as const;

export type WebhookErrorCodeValue = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/** Kinds of failure a retry policy can name. */
export type RetryableFailure = 'connect' | 'timeout' | '5xx';

/** A failed webhook request, as reported to the caller and to a fallback URL. */
export interface WebhookError {
  code: WebhookErrorCodeValue;
  message: string;
  url: string;
  /** HTTP status when the server answered. */
  status?: number;
  /** Which retry class this failure belongs to, if any. */
  retryable?: RetryableFailure;
}

const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The `code` of an error or of the errors it wraps (cause, AggregateError). */
function errorCodes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return [];
  const out: string[] = [];
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.push(code);
  out.push(...errorCodes((err as { cause?: unknown }).cause, depth + 1));
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const e of errors) out.push(...errorCodes(e, depth + 1));
  return out;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Maps a network-level failure (no HTTP response) to Twilio's code. */
export function classifyNetworkError(err: unknown, url: string): WebhookError {
  const codes = errorCodes(err);
  const has = (pred: (c: string) => boolean): boolean => codes.some(pred);
  const detail = `${describe(err)}${codes.length ? ` (${codes[0]})` : ''}`;
  if (has((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_FAIL' || c === 'EAI_NONAME')) {
    return { code: WebhookErrorCode.HttpBadHostName, message: `bad host name: ${detail}`, url };
  }
  if (has((c) => CERTIFICATE_CODES.has(c))) {
    return { code: WebhookErrorCode.CertificateInvalid, message: `certificate invalid: ${detail}`, url };
  }
  if (has((c) => c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS') || c === 'EPROTO')) {
    return { code: WebhookErrorCode.SslHandshakeError, message: `TLS handshake failed: ${detail}`, url };
  }
  if (has((c) => CONNECTION_CODES.has(c))) {
    return { code: WebhookErrorCode.HttpConnectionFailure, message: `connection failed: ${detail}`, url, retryable: 'connect' };
  }
  return { code: WebhookErrorCode.HttpRetrievalFailure, message: `request failed: ${detail}`, url };
}

export function isConnectTimeout(err: unknown): boolean {
  return errorCodes(err).includes('UND_ERR_CONNECT_TIMEOUT');
}
