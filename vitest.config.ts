import { defineConfig } from 'vitest/config';
import SlowestFilesReporter from './test/support/slowest-files-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's own output, then the run's wall time and its slowest test files.
    reporters: ['default', new SlowestFilesReporter()],
  },
});
