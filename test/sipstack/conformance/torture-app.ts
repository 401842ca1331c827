/**
 * The drachtio-srf application the RFC 4475 conformance test runs against the
 * server: a plain user agent and registrar. Every decision here is the
 * application's, made from what reached it through the server:
 *
 * - any request: a Request-URI scheme other than sip/sips/tel gets 416
 *   (RFC 3261 §8.2.2.1); a Require naming an extension gets 420 with
 *   Unsupported listing it, since this application supports none (§8.2.2.3);
 * - INVITE: an Accept that excludes SDP gets 406 (§21.4.7), a body that is not
 *   SDP gets 415 with Accept (§8.2.3); calls to the user `answer` are answered
 *   200 with SDP (a dialog, torn down by the caller's BYE); anyone else is busy
 *   (486);
 * - OPTIONS: 200 with Allow and Accept (§11.2);
 * - REGISTER: an address-of-record (To) that is not a sip/sips URI gets 400
 *   (§10.3 step 5); credentials it cannot verify (it has no accounts and
 *   knows only Digest) get a fresh 401 challenge (§22.4); otherwise it is an
 *   open registrar and answers 200 with the bindings (§10.3 step 8);
 * - MESSAGE and INFO: 200; SUBSCRIBE: 489, it knows no event package
 *   (RFC 6665 §4.2.1.1); NOTIFY outside a subscription: 481.
 */
import type Srf from 'drachtio-srf';
import { route, type RequestHandler, type SrfRequest, type SrfResponse } from '../../support/sip-server-harness.js';

const SCHEMES = new Set(['sip', 'sips', 'tel']);
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, MESSAGE, INFO, SUBSCRIBE, NOTIFY';

export const ANSWER_SDP = [
  'v=0',
  'o=app 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 42000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

function schemeOf(uri: string): string {
  const colon = uri.indexOf(':');
  return colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
}

/** The URI of a name-addr or addr-spec header value. */
function addressUri(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  return (angle ? angle[1] : value.split(';')[0]).trim();
}

function userOf(uri: string): string {
  return /^sips?:([^@;]+)@/i.exec(uri)?.[1] ?? '';
}

function headerOf(req: SrfRequest, name: string): string | undefined {
  return req.has(name) ? req.get(name) : undefined;
}

/** §8.2.2.1 and §8.2.2.3 checks every request goes through first. */
function guarded(handler: RequestHandler): RequestHandler {
  return (req: SrfRequest, res: SrfResponse) => {
    if (!SCHEMES.has(schemeOf(req.uri))) {
      res.send(416);
      return;
    }
    const require = headerOf(req, 'Require');
    if (require) {
      res.send(420, { headers: { Unsupported: require } });
      return;
    }
    handler(req, res);
  };
}

function acceptsSdp(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  return accept
    .split(',')
    .map((t) => t.split(';')[0].trim().toLowerCase())
    .some((t) => t === 'application/sdp' || t === 'application/*' || t === '*/*');
}

function onInvite(srf: Srf): RequestHandler {
  return (req, res) => {
    if (!acceptsSdp(headerOf(req, 'Accept'))) {
      res.send(406);
      return;
    }
    const type = headerOf(req, 'Content-Type')?.split(';')[0].trim().toLowerCase();
    if (req.body && req.body.length > 0 && type !== 'application/sdp') {
      res.send(415, { headers: { Accept: 'application/sdp' } });
      return;
    }
    if (userOf(req.uri) !== 'answer') {
      res.send(486);
      return;
    }
    srf.createUAS(req, res, { localSdp: ANSWER_SDP }).catch(() => undefined);
  };
}

const onRegister: RequestHandler = (req, res) => {
  const aor = addressUri(headerOf(req, 'To') ?? '');
  const scheme = schemeOf(aor);
  if (scheme !== 'sip' && scheme !== 'sips') {
    res.send(400, 'Unsupported Address-of-Record', {});
    return;
  }
  if (headerOf(req, 'Authorization') !== undefined) {
    res.send(401, {
      headers: { 'WWW-Authenticate': 'Digest realm="example.com", nonce="6a1c07f2d34e", algorithm=MD5, qop="auth"' },
    });
    return;
  }
  const contact = headerOf(req, 'Contact');
  res.send(200, { headers: contact ? { Contact: contact, Expires: '3600' } : {} });
};

export function installTortureApp(srf: Srf): void {
  route(srf, 'invite', guarded(onInvite(srf)));
  route(srf, 'options', guarded((_req, res) => res.send(200, { headers: { Allow: ALLOW, Accept: 'application/sdp' } })));
  route(srf, 'register', guarded(onRegister));
  route(srf, 'message', guarded((_req, res) => res.send(200)));
  route(srf, 'info', guarded((_req, res) => res.send(200)));
  route(srf, 'subscribe', guarded((_req, res) => res.send(489)));
  route(srf, 'notify', guarded((_req, res) => res.send(481)));
}
