import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs, one JSON object per line (pino). The level comes from the
 * caller, or DIALTONE_LOG_LEVEL, or `info`.
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'dialtone',
    level: opts.level ?? process.env.DIALTONE_LOG_LEVEL ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that writes nothing (for embedding and tests that do not care). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
