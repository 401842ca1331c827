import { z } from 'zod';

/**
 * SIP users (softphones that register and call in with digest credentials)
 * and the registrar's options. The cross-checks against applications and
 * accounts live in engine-config.ts, which knows both lists.
 */

const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });

const HttpMethodSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['GET', 'POST']));

const HexDigest = (length: number, what: string): z.ZodString =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${length}}$`), `must be ${length} hex digits (${what})`);

/** Digest algorithms the registrar can challenge with (RFC 7616 §3.7; RFC 2617). */
export const DIGEST_ALGORITHMS = ['SHA-256', 'MD5'] as const;
export type DigestAlgorithmName = (typeof DIGEST_ALGORITHMS)[number];

export const SipUserSchema = z
  .object({
    /** The user part a softphone registers and authenticates with. */
    username: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._~!$&'()*+=;?/%-]+$/, 'may hold only the characters of a SIP user part (no spaces, quotes, @ or :)'),
    /** Plain password; or give ha1 / ha1Sha256 instead. */
    password: z.string().min(1).optional(),
    /** MD5(username:realm:password) as hex (RFC 2617 §3.2.2.2), for the MD5 algorithm. */
    ha1: HexDigest(32, 'MD5 of username:realm:password').optional(),
    /** SHA-256(username:realm:password) as hex (RFC 7616 §3.4.2), for the SHA-256 algorithm. */
    ha1Sha256: HexDigest(64, 'SHA-256 of username:realm:password').optional(),
    /** Application the user's own calls go to; without one they are routed like any call. */
    application: z.string().min(1).optional(),
    /** Account the user belongs to; may be left out when there is one account. */
    account: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
  })
  .refine((u) => u.password !== undefined || u.ha1 !== undefined || u.ha1Sha256 !== undefined, {
    error: 'one of password, ha1 or ha1Sha256 is required',
    path: ['password'],
  });

export const RegistrarOptionsSchema = z
  .object({
    /** Digest realm of the challenges (and of ha1 / ha1Sha256). */
    realm: z
      .string()
      .min(1)
      .regex(/^[^"\\\r\n]+$/, 'may not hold quotes, backslashes or line breaks')
      .default('dialtone'),
    /** Shortest registration accepted, in seconds; shorter gets 423 (RFC 3261 §10.3 step 7). */
    minExpires: z.number().int().min(1).max(86_400).default(60),
    /** Longest registration granted, in seconds; longer requests are cut to it. */
    maxExpires: z.number().int().min(1).max(604_800).default(3600),
    /** Registration time when the REGISTER asks for none. */
    defaultExpires: z.number().int().min(1).max(604_800).default(3600),
    /** How long a nonce is good for, in seconds; an older one gets a fresh challenge with stale=true. */
    nonceTtlSeconds: z.number().int().min(1).max(86_400).default(300),
    /**
     * Algorithms offered, one challenge each, most preferred first (RFC 7616
     * §3.7). MD5 alone by default: many phones (baresip 1.0, SIPp, older
     * firmware) know only MD5, and some of them fail on a SHA-256 challenge
     * even when an MD5 one is offered beside it.
     */
    algorithms: z
      .array(z.enum(DIGEST_ALGORITHMS, { error: 'must be "SHA-256" or "MD5"' }))
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'may not name an algorithm twice')
      .default(['MD5']),
    /** Contacts kept per user; a REGISTER that would add more gets 403. */
    maxBindingsPerUser: z.number().int().min(1).max(1000).default(10),
    /** Where presence changes (online, offline, contacts changed, expired) are sent. */
    presenceCallback: HttpUrlSchema.optional(),
    presenceCallbackMethod: HttpMethodSchema.default('POST'),
  })
  .refine((r) => r.minExpires <= r.maxExpires, { error: 'minExpires must not exceed maxExpires', path: ['minExpires'] })
  .refine((r) => r.defaultExpires >= r.minExpires && r.defaultExpires <= r.maxExpires, {
    error: 'defaultExpires must lie between minExpires and maxExpires',
    path: ['defaultExpires'],
  });

export const SipUsersSchema = z.array(SipUserSchema).default([]);

export type SipUserConfig = z.infer<typeof SipUserSchema>;
export type RegistrarOptions = z.infer<typeof RegistrarOptionsSchema>;
