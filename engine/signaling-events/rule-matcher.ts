import {
  compileHeaderCondition,
  parseStatusCondition,
  type HeaderTest,
  type SignalingEventRule,
  type SignalingMatch,
  type StatusRange,
} from '../../config/signaling-events.js';
import { canonicalHeaderName, type SignalingMessage } from './signaling-message.js';

/** A rule's match, compiled once: header regexes built, the status turned into a range. */
export interface CompiledMatch {
  direction: SignalingMatch['direction'];
  method?: string;
  status?: StatusRange;
  headers: ReadonlyArray<{ name: string; test: HeaderTest }>;
}

/** Compiles a rule's match (the config loader has already checked that it compiles). */
export function compileMatch(match: SignalingMatch): CompiledMatch {
  const status = match.status === undefined ? undefined : parseStatusCondition(match.status);
  if (match.status !== undefined && status === undefined) throw new Error(`bad status condition ${String(match.status)}`);
  return {
    direction: match.direction,
    method: match.method?.toUpperCase(),
    status,
    headers: Object.entries(match.headers).map(([name, condition]) => ({ name: canonicalHeaderName(name), test: compileHeaderCondition(condition) })),
  };
}

function headerHolds(value: string | undefined, test: HeaderTest): boolean {
  if ('present' in test) return (value !== undefined) === test.present;
  if (value === undefined) return false;
  if ('regex' in test) return test.regex.test(value);
  return value.toLowerCase().includes(test.substring);
}

/**
 * Whether a message is one the rule reports. A rule with a status matches
 * responses only (and, with a method, responses to that method); a rule
 * without one matches requests only (of its method, when it names one).
 * Every header condition must hold.
 */
export function matchesCompiled(match: CompiledMatch, msg: SignalingMessage): boolean {
  if (match.direction !== 'any' && match.direction !== msg.direction) return false;
  if (match.method !== undefined && match.method !== msg.method) return false;
  if (match.status !== undefined) {
    if (msg.status === undefined || msg.status < match.status.min || msg.status > match.status.max) return false;
  } else if (msg.status !== undefined) {
    return false;
  }
  return match.headers.every(({ name, test }) => headerHolds(msg.headers[name], test));
}

const compiled = new WeakMap<SignalingMatch, CompiledMatch>();

/** Whether `rule` reports `msg` (its match compiled on first use and kept). */
export function matchesRule(rule: Pick<SignalingEventRule, 'match'>, msg: SignalingMessage): boolean {
  let c = compiled.get(rule.match);
  if (!c) {
    c = compileMatch(rule.match);
    compiled.set(rule.match, c);
  }
  return matchesCompiled(c, msg);
}
