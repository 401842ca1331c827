import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowestFilesReporter from './test/support/slowest-files-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files spend their time waiting on the network and on SIP and media timers, not
    // computing: two files a core keep the cores busy. (vitest's own default on a 2-core
    // machine is a single worker: the suite took 10 min there, and 3.5 min with 4.)
    maxWorkers: Math.max(2, availableParallelism() * 2),
    // vitest's own output, then the run's wall time and its slowest test files.
    reporters: ['default', new SlowestFilesReporter()],
  },
});
