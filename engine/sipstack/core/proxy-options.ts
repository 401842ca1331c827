import type { WirePayload } from '../wire/wire-message.js';

/** What drachtio-srf's proxyRequest asks for on the wire. */
export interface ProxyOptions {
  transactionId: string;
  recordRoute: boolean;
  fullResponse: boolean;
  followRedirects: boolean;
  simultaneous: boolean;
  provisionalTimeoutMs?: number;
  finalTimeoutMs?: number;
  destinations: string[];
}

/**
 * `proxy|<txnId>|<remainInDialog>|<fullResponse>|<followRedirects>|
 * <simultaneous|serial>|<provisionalTimeout>|<finalTimeout>|<dest>...`
 */
export function parseProxyOptions(msg: WirePayload): ProxyOptions | string {
  const a = msg.args;
  if (a.length < 8) return 'Invalid proxy request: not enough information provided';
  const destinations = a.slice(7).filter((d) => d.trim() !== '');
  if (destinations.length === 0) return 'Invalid proxy request: no destination';
  return {
    transactionId: a[0],
    recordRoute: a[1] === 'remainInDialog',
    fullResponse: a[2] === 'fullResponse',
    followRedirects: a[3] === 'followRedirects',
    simultaneous: a[4] === 'simultaneous',
    provisionalTimeoutMs: parseDuration(a[5]),
    finalTimeoutMs: parseDuration(a[6]),
    destinations,
  };
}

/** drachtio's timeout syntax: `2s`, `1500ms`, or a plain number of milliseconds. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 's' ? n * 1000 : n;
}
