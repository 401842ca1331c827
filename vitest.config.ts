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
    // computing: one file more than there are cores keeps them busy. (vitest's own default on
    // a 2-core machine is one worker: the suite took 10 min there. Four workers took 3.5 to
    // 4.3 min, but starved SIPp peers past the tests' 50 ms T1 now and then.)
    maxWorkers: availableParallelism() + 1,
    // vitest's own output, then the run's wall time and its slowest test files.
    reporters: ['default', new SlowestFilesReporter()],
  },
});
