import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Node.js flags the engine runs with (`npm start`, and the Docker
 * image's ENTRYPOINT, which test/config/docker-stack.test.ts holds to the
 * same): read from package.json's start script, so that the benchmarks
 * measure the engine as it ships. BENCH_NODE_FLAGS adds to them.
 */
export function engineNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.start ?? '').split(/\s+/);
  const shipped = words.slice(1, words.findIndex((w) => w.endsWith('cli.js'))).filter((w) => w.startsWith('--'));
  return [...shipped, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
}
