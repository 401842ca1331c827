import type { SipRequest } from '../message/sip-message.js';
import { parseUri } from '../message/uri.js';

export interface CheckFailure {
  status: number;
  reason?: string;
  headers?: Array<[string, string]>;
}

/** Option tags the server (with its applications) handles (RFC 3261 §8.2.2.3). */
export const SUPPORTED_OPTION_TAGS = ['timer', '100rel', 'replaces', 'path', 'outbound', 'gruu', 'norefersub', 'tdialog', 'join'];
const SUPPORTED_EXTENSIONS = new Set(SUPPORTED_OPTION_TAGS);

const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);

/** Body types an INVITE's session description may have (§8.2.3). */
const SESSION_TYPES = new Set(['application/sdp', 'multipart/mixed', 'multipart/alternative']);

const SESSION_METHODS = new Set(['INVITE', 'UPDATE', 'PRACK']);

/**
 * The checks RFC 3261 §8.2.1-§8.2.3 asks of a UAS before the request goes
 * to the application: the Request-URI scheme (416), required extensions
 * (420 with Unsupported), the body's type and encoding for requests that
 * carry a session description (415 with Accept), and whether the caller can
 * accept the session description we would answer with (406).
 */
export function checkNewRequest(req: SipRequest): CheckFailure | null {
  let scheme: string;
  try {
    scheme = parseUri(req.uri).scheme;
  } catch {
    return { status: 400, reason: 'Bad Request-URI' };
  }
  if (!URI_SCHEMES.has(scheme)) return { status: 416 };

  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = req.headers
      .values('require')
      .map((t) => t.trim())
      .filter((t) => t !== '' && !SUPPORTED_EXTENSIONS.has(t.toLowerCase()));
    if (unsupported.length > 0) return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
  }

  if (SESSION_METHODS.has(req.method)) {
    const accept: Array<[string, string]> = [['Accept', 'application/sdp, multipart/mixed']];
    if (req.body.length > 0) {
      const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!SESSION_TYPES.has(type)) return { status: 415, headers: accept };
    }
    const encodings = req.headers.values('content-encoding').map((e) => e.trim().toLowerCase());
    if (encodings.some((e) => e !== 'identity' && e !== '')) {
      return { status: 415, headers: [['Accept-Encoding', 'identity'], ...accept] };
    }
    if (req.method === 'INVITE' && req.headers.has('accept') && !acceptsSdp(req.headers.values('accept'))) {
      return { status: 406, headers: accept };
    }
  }
  return null;
}

function acceptsSdp(accepted: string[]): boolean {
  return accepted.some((a) => {
    const type = a.split(';')[0].trim().toLowerCase();
    return type === '' || type === 'application/sdp' || type === 'application/*' || type === '*/*';
  });
}
