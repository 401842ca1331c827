import { describe, expect, it } from 'vitest';
import { slowestFilesSummary, type FileTime } from './slowest-files-reporter.js';

const file = (name: string, total: number): FileTime => ({ file: name, total, tests: total - 50, collect: 50 });

describe('slowest files summary', () => {
  it('lists the ten slowest files, slowest first, then the wall time', () => {
    const times = Array.from({ length: 12 }, (_, i) => file(`test/f${i}.test.ts`, (i + 1) * 1000));
    const lines = slowestFilesSummary(times, 125_400);
    expect(lines).toContain(' Slowest files (10 of 12):');
    const listed = lines.filter((l) => l.includes('.test.ts')).map((l) => /test\/f\d+/.exec(l)?.[0]);
    expect(listed).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `test/f${i}`));
    expect(lines).toContain('   12.00s  test/f11.test.ts  (tests 11.95s, import 50ms)');
    expect(lines).toContain('    3.00s  test/f2.test.ts  (tests 2.95s, import 50ms)');
    expect(lines.filter((l) => l.trim() !== '').at(-1)).toBe(' Wall time  2m 5.4s');
  });

  it('has no line that reads as vitest\'s "Tests" summary, which .ci/run picks up', () => {
    const lines = slowestFilesSummary([file('Tests.test.ts', 900)], 900);
    expect(lines.filter((l) => /^\s*Tests\s/.test(l))).toEqual([]);
  });

  it('gives only the wall time when no file ran', () => {
    expect(slowestFilesSummary([], 800).filter((l) => l !== '')).toEqual([' Wall time  800ms']);
  });
});
