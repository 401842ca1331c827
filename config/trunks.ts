import { z } from 'zod';

/**
 * Outbound trunks: SIP peers (carriers, PBXs) that carry calls to phone
 * numbers. A dialled number goes to the trunk whose prefix matches it best
 * (engine/outbound/dial-target.ts), rewritten by that trunk's strip and
 * prepend rules, with that trunk's digest credentials.
 */

/** A host name, an IPv4 address, or an IPv6 address (bare or in brackets). */
const HostSchema = z
  .string()
  .min(1)
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, 'must be a host name or an IP address');

/** What a dialled number may start with: an optional + and digits ('' matches every number). */
const PrefixSchema = z.string().regex(/^\+?[0-9]*$/, 'must be an optional + followed by digits, e.g. "+1", "+44" or ""');

export const TrunkSchema = z
  .object({
    id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'may hold only letters, digits, . _ -'),
    host: HostSchema,
    port: z.number().int().min(1).max(65_535).default(5060),
    transport: z.enum(['udp', 'tcp'], { error: 'must be "udp" or "tcp"' }).default('udp'),
    /** Digest credentials answering 401/407 challenges (RFC 3261 §22.2, §22.3). */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Dialled-number prefixes this trunk carries; the longest match wins. */
    prefixes: z.array(PrefixSchema).min(1, 'at least one prefix ("" carries every number)').default(['']),
    /** Characters removed from the front of the normalised number ("+" counts as one). */
    strip: z.number().int().min(0).max(32).default(0),
    /** Then put in front of what is left, e.g. "00" or "+". */
    prepend: z.string().regex(/^[0-9+*#]*$/, 'may hold only digits, +, * and #').default(''),
    /** Host part of the From URI on this trunk (default: the trunk's host). */
    fromDomain: HostSchema.optional(),
  })
  .refine((t) => (t.username === undefined) === (t.password === undefined), {
    error: 'username and password go together: give both or neither',
    path: ['password'],
  });

export const TrunksSchema = z
  .array(TrunkSchema)
  .superRefine((trunks, ctx) => {
    const seen = new Set<string>();
    trunks.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate trunk id ${t.id}` });
      seen.add(t.id);
    });
  })
  .default([]);

export type Trunk = z.infer<typeof TrunkSchema>;
export type TrunkInput = z.input<typeof TrunkSchema>;
