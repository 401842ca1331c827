import { z } from 'zod';
import { backtrackingHazard } from './regex-hazard.js';

/**
 * Signaling-event rules: which SIP messages inside a call are reported to
 * an application's URL (engine/signaling-events/), and how those reports
 * are queued and retried.
 */

/** A header condition: present (true), absent (false), a `/regex/flags`, or a case-insensitive substring. */
export type HeaderCondition = true | false | string;

/** A compiled header condition. */
export type HeaderTest = { present: boolean } | { regex: RegExp } | { substring: string };

const REGEX_FORM = /^\/(.*)\/([a-z]*)$/s;

/**
 * Compiles a header condition; throws with the reason when a `/regex/flags`
 * does not compile. A string that does not have the slash form is a substring.
 */
export function compileHeaderCondition(condition: HeaderCondition): HeaderTest {
  if (typeof condition === 'boolean') return { present: condition };
  const m = REGEX_FORM.exec(condition);
  if (!m) return { substring: condition.toLowerCase() };
  const [, source = '', flags = ''] = m;
  if (flags.includes('g') || flags.includes('y')) throw new Error(`flags g and y are not allowed (got "${flags}")`);
  const hazard = backtrackingHazard(source);
  if (hazard !== undefined) throw new Error(`${hazard}: it can take exponential time on a hostile header value`);
  return { regex: new RegExp(source, flags) };
}

/** A status condition: one code, a class such as `18x` / `4xx`, or a range `400-499`. */
export type StatusRange = { min: number; max: number };

/** Parses a status condition into an inclusive range; undefined when it is not one. */
export function parseStatusCondition(status: number | string): StatusRange | undefined {
  if (typeof status === 'number') return Number.isInteger(status) && status >= 100 && status <= 699 ? { min: status, max: status } : undefined;
  const s = status.trim().toLowerCase();
  let m = /^([1-6])xx$/.exec(s);
  if (m) return { min: Number(m[1]) * 100, max: Number(m[1]) * 100 + 99 };
  m = /^([1-6]\d)x$/.exec(s);
  if (m) return { min: Number(m[1]) * 10, max: Number(m[1]) * 10 + 9 };
  m = /^([1-6]\d\d)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  m = /^([1-6]\d\d)\s*-\s*([1-6]\d\d)$/.exec(s);
  if (m && Number(m[1]) <= Number(m[2])) return { min: Number(m[1]), max: Number(m[2]) };
  return undefined;
}

const HeaderNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a SIP header name');

const HeaderConditionSchema = z.union([z.boolean(), z.string()]).superRefine((value, ctx) => {
  try {
    compileHeaderCondition(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

export const SignalingMatchSchema = z.object({
  /** received: from the far end (default); sent: by the engine; any: both. */
  direction: z.enum(['received', 'sent', 'any']).default('received'),
  /** Request method (INFO, INVITE for re-INVITEs, BYE, REFER, ...); with `status`, the method the response answers. */
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'must be a SIP method such as INFO or REFER')
    .transform((m) => m.toUpperCase())
    .optional(),
  /** Responses only: 183, '18x', '4xx', '400-499'. Without it the rule matches requests only. */
  status: z
    .union([z.number(), z.string()])
    .refine((s) => parseStatusCondition(s) !== undefined, { error: "must be a status (183), a class ('18x', '4xx') or a range ('400-499')" })
    .optional(),
  /** Header name -> condition; every one must hold. */
  headers: z.record(HeaderNameSchema, HeaderConditionSchema).default({}),
});

export const SignalingEventRuleSchema = z.object({
  /** Sent as RuleId; defaults to the rule's place, e.g. `app1#0` or `global#2`. */
  id: z.string().min(1).max(100).optional(),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  method: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.literal('POST', { error: 'only POST is supported' }))
    .default('POST'),
  match: SignalingMatchSchema.prefault({}),
  include: z
    .object({
      /** Headers sent as SipHeader_<Name> when present. */
      headers: z.array(HeaderNameSchema).default([]),
      /** The body is sent as SipBody when it is at most this long (bytes, UTF-8); 0 never sends it. */
      bodyMaxBytes: z.number().int().min(0).max(65_536).default(4096),
    })
    .prefault({}),
});

export const SignalingEventDeliverySchema = z.object({
  /** Time allowed for each try (connect, send, complete answer). */
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Tries after the first, on connection failures, timeouts and 5xx only. */
  retries: z.number().int().min(0).max(10).default(2),
  retryDelayMs: z.number().int().min(0).max(30_000).default(500),
  /** Events waiting per call; a new event beyond this is dropped (and logged). */
  perCallQueue: z.number().int().min(1).max(1024).default(32),
  /** After the call ended, what is still queued may go out for this long; then it is dropped. */
  endGraceMs: z.number().int().min(0).max(60_000).default(5000),
});

export const SignalingEventRulesSchema = z.array(SignalingEventRuleSchema);

export type SignalingEventRule = z.infer<typeof SignalingEventRuleSchema>;
export type SignalingEventRuleInput = z.input<typeof SignalingEventRuleSchema>;
export type SignalingMatch = z.infer<typeof SignalingMatchSchema>;
export type SignalingEventDelivery = z.infer<typeof SignalingEventDeliverySchema>;
