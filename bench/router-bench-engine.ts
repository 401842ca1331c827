/**
 * The engine under test in the router benchmark, run in a child process so
 * that the benchmark's application server and RTP receiver do not share its
 * event loop. Driven over IPC by bench/router-bench.ts:
 *   parent -> { type: 'start', config }   child -> { type: 'ready', info }
 *   parent -> { type: 'stats', gc? }      child -> { type: 'stats', stats, memory, cpu }
 *                                         (after a full gc when asked and node runs with --expose-gc)
 *   parent -> { type: 'stop' }            child exits
 */
import { parseEngineConfig } from '../config/load-engine-config.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../engine/logger.js';

type Command = { type: 'start'; config: unknown } | { type: 'stats'; gc?: boolean } | { type: 'stop' };

let engine: Engine | undefined;

function reply(message: Record<string, unknown>): void {
  process.send?.(message);
}

process.on('message', (raw: unknown) => {
  const m = raw as Command;
  void (async () => {
    try {
      if (m.type === 'start') {
        const config = parseEngineConfig(m.config, { env: {} });
        const logger = createLogger({ level: process.env.DIALTONE_LOG_LEVEL ?? 'error', name: 'router-bench' });
        engine = new Engine(config, { logger });
        reply({ type: 'ready', info: await engine.start() });
      } else if (m.type === 'stats') {
        if (m.gc) globalThis.gc?.();
        reply({ type: 'stats', stats: engine?.stats(), memory: process.memoryUsage(), cpu: process.cpuUsage() });
      } else if (m.type === 'stop') {
        await engine?.stop();
        process.exit(0);
      }
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  })();
});
