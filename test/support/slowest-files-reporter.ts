/**
 * A vitest reporter that closes the run with its wall time and the slowest
 * test files. It sits beside vitest's default reporter (vitest.config.ts),
 * whose output, the "Tests  N passed" summary included, is unchanged.
 *
 * A file's time is the sum of what vitest measured for it: preparing the
 * worker, the environment, setup files, importing the module (collect) and
 * running its tests and hooks.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

const SHOWN = 10;

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${((ms - minutes * 60_000) / 1000).toFixed(1)}s`;
}

export interface FileTime {
  file: string;
  total: number;
  tests: number;
  collect: number;
}

export function fileTime(testModule: TestModule): FileTime {
  const d = testModule.diagnostic();
  return {
    file: testModule.relativeModuleId,
    total: d.prepareDuration + d.environmentSetupDuration + d.setupDuration + d.collectDuration + d.duration,
    tests: d.duration,
    collect: d.collectDuration,
  };
}

/** The closing lines: the slowest `shown` files, then the wall time. */
export function slowestFilesSummary(times: readonly FileTime[], wallMs: number, shown = SHOWN): string[] {
  const lines: string[] = [];
  const slowest = [...times].sort((a, b) => b.total - a.total).slice(0, shown);
  if (slowest.length > 0) {
    lines.push('', ` Slowest files (${slowest.length} of ${times.length}):`);
    const width = Math.max(...slowest.map((t) => formatDuration(t.total).length));
    for (const t of slowest) {
      const detail = `tests ${formatDuration(t.tests)}, import ${formatDuration(t.collect)}`;
      lines.push(`   ${formatDuration(t.total).padStart(width)}  ${t.file}  (${detail})`);
    }
  }
  lines.push('', ` Wall time  ${formatDuration(wallMs)}`, '');
  return lines;
}

export default class SlowestFilesReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines = slowestFilesSummary(testModules.map(fileTime), process.uptime() * 1000);
    const log = (line: string): void => (this.vitest ? this.vitest.logger.log(line) : console.log(line));
    for (const line of lines) log(line);
  }
}
