import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { EngineConfigSchema, type EngineConfig } from './engine-config.js';

export interface ConfigIssue {
  /** Dotted key, e.g. `applications.0.voiceUrl`, or the environment variable at fault. */
  key: string;
  message: string;
}

/** The configuration cannot be used; every problem is listed with its key. */
export class EngineConfigError extends Error {
  override readonly name = 'EngineConfigError';
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid configuration (${source}): ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `path` inside `root`, created when missing. */
function objectAt(root: JsonObject, path: readonly string[]): JsonObject {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (isObject(next)) {
      node = next;
    } else {
      const created: JsonObject = {};
      node[key] = created;
      node = created;
    }
  }
  return node;
}

interface Override {
  variable: string;
  path: readonly string[];
  kind: 'port' | 'string';
}

/** Environment variables that override keys of the file (ports, addresses and secrets). */
export const ENV_OVERRIDES: readonly Override[] = [
  { variable: 'DIALTONE_HTTP_PORT', path: ['http', 'port'], kind: 'port' },
  { variable: 'DIALTONE_HTTP_ADDRESS', path: ['http', 'address'], kind: 'string' },
  { variable: 'DIALTONE_METRICS_TOKEN', path: ['http', 'metricsToken'], kind: 'string' },
  { variable: 'DIALTONE_SIP_PORT', path: ['sipServer', 'sip', 'port'], kind: 'port' },
  { variable: 'DIALTONE_SIP_ADDRESS', path: ['sipServer', 'sip', 'address'], kind: 'string' },
  { variable: 'DIALTONE_ADMIN_PORT', path: ['sipServer', 'admin', 'port'], kind: 'port' },
  { variable: 'DIALTONE_ADMIN_SECRET', path: ['sipServer', 'admin', 'secret'], kind: 'string' },
  { variable: 'DIALTONE_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { variable: 'DIALTONE_REDIS_URL', path: ['store', 'redis'], kind: 'string' },
  { variable: 'DIALTONE_ENGINE_ID', path: ['engineId'], kind: 'string' },
];

/**
 * Applies DIALTONE_* variables to the raw (unvalidated) configuration, so
 * that their values are checked like the file's. Auth tokens:
 * DIALTONE_AUTH_TOKEN_<ACCOUNT ID> sets that account's token;
 * DIALTONE_AUTH_TOKEN sets it when there is exactly one account.
 */
export function applyEnvOverrides(raw: JsonObject, env: Env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const o of ENV_OVERRIDES) {
    const value = env[o.variable];
    if (value === undefined || value === '') continue;
    const parent = objectAt(raw, o.path.slice(0, -1));
    const key = o.path[o.path.length - 1] as string;
    if (o.kind === 'port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
        issues.push({ key: o.variable, message: `"${value}" is not a port number (0-65535)` });
        continue;
      }
      parent[key] = Number(value);
    } else {
      parent[key] = value;
    }
  }
  const accounts = Array.isArray(raw.accounts) ? raw.accounts.filter(isObject) : [];
  for (const account of accounts) {
    const id = typeof account.id === 'string' ? account.id : undefined;
    const token = id === undefined ? undefined : (env[`DIALTONE_AUTH_TOKEN_${id}`] ?? env[`DIALTONE_AUTH_TOKEN_${id.toUpperCase()}`]);
    if (token) account.authToken = token;
  }
  const shared = env.DIALTONE_AUTH_TOKEN;
  if (shared) {
    const only = accounts[0];
    if (accounts.length === 1 && only) only.authToken = shared;
    else issues.push({ key: 'DIALTONE_AUTH_TOKEN', message: 'applies only when there is exactly one account; use DIALTONE_AUTH_TOKEN_<account id>' });
  }
  return issues;
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ key: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Validates an already-read configuration object (after environment overrides). */
export function parseEngineConfig(raw: unknown, opts: { source?: string; env?: Env } = {}): EngineConfig {
  const source = opts.source ?? 'configuration';
  if (!isObject(raw)) throw new EngineConfigError(source, [{ key: '(root)', message: 'must be a JSON object' }]);
  const copy = structuredClone(raw);
  const envIssues = applyEnvOverrides(copy, opts.env ?? {});
  const result = EngineConfigSchema.safeParse(copy);
  const issues = [...envIssues, ...(result.success ? [] : toIssues(result.error))];
  if (issues.length > 0 || !result.success) throw new EngineConfigError(source, issues);
  return result.data;
}

/**
 * Reads the configuration file (JSON) at `path`, or at DIALTONE_CONFIG when
 * no path is given, applies DIALTONE_* overrides and validates it. Throws
 * EngineConfigError naming every bad key.
 */
export async function loadEngineConfig(path?: string, env: Env = process.env): Promise<EngineConfig> {
  const file = path ?? env.DIALTONE_CONFIG;
  if (file === undefined || file === '') {
    throw new EngineConfigError('(none)', [{ key: 'DIALTONE_CONFIG', message: 'no configuration file given (--config FILE or DIALTONE_CONFIG)' }]);
  }
  const source = resolve(file);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new EngineConfigError(source, [{ key: '(file)', message: `cannot be read: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new EngineConfigError(source, [{ key: '(file)', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
  return parseEngineConfig(raw, { source, env });
}
