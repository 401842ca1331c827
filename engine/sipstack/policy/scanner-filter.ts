import { parseNameAddr } from '../message/name-addr.js';
import type { SipRequest } from '../message/sip-message.js';
import { parseUri } from '../message/uri.js';
import type { TransportProtocol } from '../transport/types.js';
import { compileValuePattern, firstMatch, type ValueMatcher } from './value-pattern.js';

export type ScannerAction = 'reject' | 'discard';

export interface ScannerRules {
  action: ScannerAction;
  tcpAction?: ScannerAction;
  /** Header name -> values; see SipServerOptions.spammers. */
  headers: Record<string, string[]>;
}

export interface ScannerVerdict {
  action: ScannerAction;
  header: string;
  value: string;
  pattern: string;
}

/** Headers whose URI user part is matched, as drachtio-server does, rather than the whole value. */
const USER_PART_HEADERS = new Set(['to', 'from']);

/**
 * Scanner blocking, after drachtio-server's `<spammers>` rules: a request
 * whose User-Agent (or another configured header) names a known scanner is
 * answered 603 or dropped before any application hears of it. Counts what it
 * blocked.
 */
export class ScannerFilter {
  private readonly rules: Array<{ header: string; patterns: Array<{ text: string; test: ValueMatcher }> }>;
  rejected = 0;
  discarded = 0;

  constructor(private readonly config: ScannerRules) {
    this.rules = Object.entries(config.headers)
      .filter(([, values]) => values.length > 0)
      .map(([header, values]) => ({
        header: header.toLowerCase(),
        patterns: values.map((text) => ({ text, test: compileValuePattern(text) })),
      }));
  }

  /** What to do with a request from the network, or null when it is not from a scanner. */
  check(req: SipRequest, protocol: TransportProtocol): ScannerVerdict | null {
    for (const rule of this.rules) {
      for (const raw of req.headers.values(rule.header)) {
        const value = USER_PART_HEADERS.has(rule.header) ? userPart(raw) : raw;
        if (value === undefined) continue;
        const pattern = firstMatch(rule.patterns, value);
        if (pattern === undefined) continue;
        const action = protocol !== 'udp' && this.config.tcpAction ? this.config.tcpAction : this.config.action;
        return { action, header: rule.header, value: raw, pattern };
      }
    }
    return null;
  }

  count(action: ScannerAction): void {
    if (action === 'reject') this.rejected++;
    else this.discarded++;
  }
}

function userPart(nameAddr: string): string | undefined {
  try {
    return parseUri(parseNameAddr(nameAddr).uri).user;
  } catch {
    return undefined;
  }
}
