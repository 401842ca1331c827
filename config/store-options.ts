import { z } from 'zod';

/**
 * Where the engine keeps its state (engine/store/): by default a database
 * file under dataDir; a Redis server (or Sentinel group, or Cluster) shared
 * by several engines when `redis` is set.
 */

const HostPortSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(6379),
});

const RedisUrlSchema = z
  .string()
  .refine((s) => /^rediss?:\/\/[^\s]+$/.test(s), { error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0' });

/** A Redis URL, a Sentinel group, or the nodes of a Redis Cluster, as ioredis takes them. */
export const RedisTargetSchema = z.union([
  RedisUrlSchema,
  z.object({
    sentinels: z.array(HostPortSchema).min(1),
    /** The master's name in the Sentinel configuration. */
    name: z.string().min(1),
    password: z.string().optional(),
    sentinelPassword: z.string().optional(),
    db: z.number().int().min(0).max(15).default(0),
  }),
  z.object({
    cluster: z.array(HostPortSchema).min(1),
    password: z.string().optional(),
  }),
]);

export const StoreOptionsSchema = z.object({
  /** Redis shared by the engines of a cluster (DIALTONE_REDIS_URL); the embedded store under dataDir when unset. */
  redis: RedisTargetSchema.optional(),
  /** First part of every Redis key (engine/store/README.md lists them). */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'may hold only letters, digits, . _ - (at most 64)')
    .default('dialtone'),
  /** How long ended calls and recordings are kept, and how many at most. */
  retention: z
    .object({
      days: z.number().min(0.001).max(3650).default(30),
      calls: z.number().int().min(1).max(100_000_000).default(100_000),
      recordings: z.number().int().min(1).max(100_000_000).default(100_000),
    })
    .prefault({}),
  /** Longest time a change waits before the embedded store writes it (writes are batched off the call path). */
  flushIntervalMs: z.number().int().min(1).max(1000).default(25),
});

export type StoreOptions = z.infer<typeof StoreOptionsSchema>;
export type RedisTarget = z.infer<typeof RedisTargetSchema>;
