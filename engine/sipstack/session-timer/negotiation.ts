import type { SipHeaders } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import {
  addOptionTag,
  formatSessionExpires,
  readSessionExpires,
  SessionTimerHeaderError,
  supportsTimer,
  type Refresher,
  type SessionExpires,
} from './session-timer-headers.js';

/** Session timer settings of the server (drachtio-server's `<session-timers>` and RFC 4028 values). */
export interface SessionTimerOptions {
  /** Our Min-SE in seconds (RFC 4028 §5: at least 90; lower values exist for tests only). */
  minSE: number;
  /** Session-Expires put on outgoing INVITEs when `requestOnOutgoing` is set (RFC 4028 §4 recommends 1800). */
  defaultInterval: number;
  /**
   * The refresher chosen when a UAC offers Session-Expires without a
   * refresher parameter (RFC 4028 §9 leaves it to the UAS); `none` runs no
   * timer for such calls, as drachtio-server does by default.
   */
  defaultRefresher: 'none' | Refresher;
  /** Add Session-Expires, Min-SE and Supported: timer to the applications' INVITEs that carry none (off in drachtio-server). */
  requestOnOutgoing: boolean;
}

export const DEFAULT_SESSION_TIMER_OPTIONS: Readonly<SessionTimerOptions> = Object.freeze({
  minSE: 90,
  defaultInterval: 1800,
  defaultRefresher: 'none',
  requestOnOutgoing: false,
});

/** A running session timer: its interval, and whether we send the refreshes. */
export interface Negotiated {
  interval: number;
  weRefresh: boolean;
}

/** The Session-Expires of a message, or undefined when it has none or a malformed one. */
export function sessionExpiresOf(headers: SipHeaders): SessionExpires | undefined {
  try {
    return readSessionExpires(headers);
  } catch (err) {
    if (err instanceof SessionTimerHeaderError) return undefined;
    throw err;
  }
}

/**
 * RFC 4028 §9: "If the value of the Session-Expires header field is lower
 * than the Min-SE value ... the UAS MUST reject the request with a 422". The
 * Min-SE to put in the 422 (§6: it MUST carry one), or undefined when the
 * request may go on.
 */
export function intervalTooSmall(req: SipRequest, minSE: number): number | undefined {
  if (req.method !== 'INVITE' && req.method !== 'UPDATE') return undefined;
  const se = sessionExpiresOf(req.headers);
  return se !== undefined && se.interval < minSE ? minSE : undefined;
}

/**
 * The UAS side (RFC 4028 §9) of a 2xx to an INVITE or UPDATE: completes the
 * response's Session-Expires (with the refresher) and Require: timer, and
 * says what timer the dialog runs from now on. `current` is the timer of the
 * dialog for a refresh inside one. undefined: no session timer.
 */
export function negotiateAsUas(req: SipRequest, res: SipResponse, opts: SessionTimerOptions, current?: Negotiated): Negotiated | undefined {
  const uacSupports = supportsTimer(req.headers);
  const requireTimer = (refresher: Refresher): void => {
    // §9: "If the refresher parameter in the Session-Expires header field in
    // the 2xx response has a value of 'uac', the UAS MUST place a Require
    // header field into the response with the value 'timer'"; with a UAC
    // that supports the extension we do it for 'uas' too.
    if (refresher === 'uac' || uacSupports) addOptionTag(res.headers, 'Require', 'timer');
  };

  // The application chose: drachtio-server takes its Session-Expires as it is,
  // a missing refresher meaning the UAC.
  const fromApp = sessionExpiresOf(res.headers);
  if (fromApp) {
    const refresher = fromApp.refresher ?? 'uac';
    if (uacSupports) requireTimer(refresher);
    return { interval: Math.max(opts.minSE, fromApp.interval), weRefresh: refresher === 'uas' };
  }
  if (res.headers.has('session-expires')) return current; // malformed and the application's own: left alone

  const asked = sessionExpiresOf(req.headers);
  let interval: number;
  let refresher: Refresher;
  if (asked) {
    interval = Math.max(opts.minSE, asked.interval);
    if (asked.refresher) refresher = asked.refresher;
    else if (current) refresher = current.weRefresh ? 'uas' : 'uac';
    else if (opts.defaultRefresher === 'none') return undefined;
    // §9: "If the UAC did not support the extension ... the refresher MUST be 'uas'".
    else refresher = uacSupports ? opts.defaultRefresher : 'uas';
  } else if (current && (uacSupports || current.weRefresh)) {
    // §9: a refresh without Session-Expires from a UAC that supports timers
    // keeps the session interval; one from a UAC that does not leaves us the refresher.
    interval = current.interval;
    refresher = current.weRefresh ? 'uas' : 'uac';
  } else {
    return undefined;
  }
  res.headers.set('Session-Expires', formatSessionExpires({ interval, refresher }));
  requireTimer(refresher);
  return { interval, weRefresh: refresher === 'uas' };
}

/**
 * The UAC side (RFC 4028 §7.2) of a 2xx to an INVITE or UPDATE we (or the
 * application) sent: with Session-Expires, a timer runs with the refresher it
 * names, the UAC (us) when it names none, as drachtio-server does. Without
 * one, a refresh keeps the timer it had; a first answer starts none.
 */
export function negotiateAsUac(res: SipResponse, opts: SessionTimerOptions, current?: Negotiated): Negotiated | undefined {
  const se = sessionExpiresOf(res.headers);
  if (!se) return current;
  return { interval: Math.max(opts.minSE, se.interval), weRefresh: (se.refresher ?? 'uac') === 'uac' };
}

/**
 * RFC 4028 §7.1 / §7.4: what an INVITE or UPDATE we send carries. A new
 * INVITE: Supported: timer when it asks for a session timer (the
 * application's Session-Expires, or ours when `requestOnOutgoing`). A
 * request inside a dialog with a timer: our current Session-Expires and
 * refresher, so that the refresh keeps the session timer going.
 */
export function decorateRequest(req: SipRequest, opts: SessionTimerOptions, current?: Negotiated): void {
  const h = req.headers;
  if (req.method !== 'INVITE' && req.method !== 'UPDATE') return;
  if (!h.has('session-expires')) {
    if (current) {
      h.append('Session-Expires', formatSessionExpires({ interval: current.interval, refresher: current.weRefresh ? 'uac' : 'uas' }));
    } else if (req.method === 'INVITE' && opts.requestOnOutgoing) {
      h.append('Session-Expires', String(opts.defaultInterval));
    } else {
      return;
    }
  }
  if (!h.has('min-se')) h.append('Min-SE', String(opts.minSE));
  addOptionTag(h, 'Supported', 'timer');
}
