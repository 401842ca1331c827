import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The level asked for (an empty value counts as none), checked so that a typo is a clear error. */
function logLevel(asked: string | undefined): string {
  const level = (asked || process.env.DIALTONE_LOG_LEVEL || 'info').trim().toLowerCase();
  if (!LEVELS.includes(level)) throw new Error(`log level "${level}" is not one of ${LEVELS.join(', ')}`);
  return level;
}

/**
 * Structured logs, one JSON object per line (pino). The level comes from the
 * caller, or DIALTONE_LOG_LEVEL, or `info`.
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'dialtone',
    level: logLevel(opts.level),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that writes nothing (for embedding and tests that do not care). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
