import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logger.js';

describe('the log level', () => {
  const saved = process.env.DIALTONE_LOG_LEVEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DIALTONE_LOG_LEVEL;
    else process.env.DIALTONE_LOG_LEVEL = saved;
  });

  it('comes from the caller, else DIALTONE_LOG_LEVEL, else info; an empty value counts as none', () => {
    process.env.DIALTONE_LOG_LEVEL = 'debug';
    expect(createLogger({ level: 'WARN' }).level).toBe('warn');
    expect(createLogger().level).toBe('debug');
    process.env.DIALTONE_LOG_LEVEL = '';
    expect(createLogger().level).toBe('info');
    expect(createLogger({ level: '' }).level).toBe('info');
  });

  it('refuses a level that does not exist, naming the ones that do', () => {
    expect(() => createLogger({ level: 'verbose' })).toThrow('log level "verbose" is not one of trace, debug, info, warn, error, fatal, silent');
  });
});
