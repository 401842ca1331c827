/**
 * The suite passes from a clone alone: no tracked file refers to a path
 * outside the repository (a folder beside it, the workplace's absolute
 * paths). See outside-paths.ts for what is looked for. This file and
 * outside-paths.ts are not scanned themselves: they name such paths on
 * purpose, as samples and as what to look for.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { findOutsidePaths, type Finding } from './outside-paths.js';

const SCANNED = ['test', 'bench', 'scripts', 'engine', 'media', 'instructions', 'config', '.ci', 'docker'];
const ROOT_FILES = /^[^/]+\.(?:ts|js|mjs|cjs|json)$/;
const NOT_SCANNED = new Set(['package-lock.json', 'test/repo/self-contained.test.ts', 'test/repo/outside-paths.ts']);
const BINARY = /\.(?:dat|wav|mp3|ogg|png|jpe?g|gz|zip|pcap)$/i;
const NOT_WALKED = new Set(['node_modules', '.git', 'dist', 'coverage', 'results']);

/** The tracked files, relative to the root; a walk of the folders where there is no git checkout. */
function repoFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' });
    return out.split('\0').filter((f) => f !== '');
  } catch {
    const files: string[] = readdirSync(REPO_ROOT, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    const walk = (dir: string): void => {
      for (const e of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory() && !NOT_WALKED.has(e.name)) walk(rel);
        else if (e.isFile()) files.push(rel);
      }
    };
    for (const dir of SCANNED) if (existsSync(path.join(REPO_ROOT, dir))) walk(dir);
    return files;
  }
}

function scanned(): string[] {
  return repoFiles().filter(
    (f) =>
      (SCANNED.some((dir) => f.startsWith(`${dir}/`)) || ROOT_FILES.test(f)) &&
      !NOT_SCANNED.has(f) &&
      !BINARY.test(f),
  );
}

function scan(relPath: string, src: string): Finding[] {
  return findOutsidePaths(REPO_ROOT, relPath, src, existsSync);
}

const show = (f: Finding): string => `${f.file}:${f.line}: ${f.reason}: ${f.text}`;

describe('the repository is self-contained', () => {
  it('no tracked file refers to a path outside the repository', () => {
    const files = scanned();
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('test/sipstack/message/fuzz.test.ts');
    const findings: string[] = [];
    for (const f of files) {
      const buf = readFileSync(path.join(REPO_ROOT, f));
      if (buf.includes(0)) continue;
      findings.push(...scan(f, buf.toString('utf8')).map(show));
    }
    expect(findings).toEqual([]);
  });
});

describe('the outside-path scanner', () => {
  const lines = (relPath: string, src: string): number[] => scan(relPath, src).map((f) => f.line);

  it('finds a folder beside the repository resolved from the repository root', () => {
    const src = [
      "import path from 'node:path';",
      "import { fileURLToPath } from 'node:url';",
      "const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');",
      "const dir = path.resolve(repoRoot, '../elsewhere/conformance');",
      "const ok = path.resolve(repoRoot, 'test/fixtures');",
    ].join('\n');
    expect(lines('test/sipstack/message/x.test.ts', src)).toEqual([4]);
  });

  it("finds '..' past the root in path.join, from an imported root or a name that says so", () => {
    expect(lines('test/a/x.ts', "import { REPO_ROOT } from '../support/fixtures.js';\nconst p = path.join(REPO_ROOT, '..', 'x');")).toEqual([2]);
    expect(lines('test/support/x.ts', "import { RFC4475_DIR as d } from './fixtures.js';\nconst p = join(d, '../../../..');")).toEqual([2]);
    expect(lines('bench/x.ts', "const p = resolve(projectRoot, '..');")).toEqual([1]);
    expect(lines('bench/x.ts', "const here = dirname(fileURLToPath(import.meta.url));\nconst p = join(here, '..', '..', 'x');")).toEqual([2]);
  });

  it('finds ../shared and /work/ paths, in code and in comments, in any kind of file', () => {
    expect(lines('test/a/x.test.ts', "const t = '/work/shared/conformance';")).toEqual([1]);
    expect(lines('test/a/x.test.ts', '/**\n * Read from ../shared/conformance at test time.\n */')).toEqual([2]);
    expect(lines('test/a/x.test.ts', "readFileSync('../shared/x.dat');")).toEqual([1]);
    expect(lines('.ci/run', 'cd "$(dirname "$0")/.."\ncp -r ../shared/x test/')).toEqual([2]);
    expect(lines('docker/compose.yaml', 'volumes:\n  - /work/shared:/data:ro')).toEqual([2]);
  });

  it('finds imports and file URLs that climb out of the repository', () => {
    expect(lines('test/a/x.test.ts', "import { x } from '../../../outside.js';")).toEqual([1]);
    expect(lines('test/a/x.test.ts', "const u = new URL('../../../x/', import.meta.url);")).toEqual([1]);
    expect(lines('test/a/x.test.ts', "const r = fileURLToPath(new URL('../../..', import.meta.url));")).toEqual([1]);
  });

  it('leaves paths inside the repository alone', () => {
    const src = [
      "import { parseMessage } from '../../../engine/sipstack/message/parser.js';",
      "const { x } = await import('../../support/test-variants.js');",
      "const root = fileURLToPath(new URL('../../../', import.meta.url));",
      "const s = fileURLToPath(new URL(`../../scenarios/${name}.xml`, import.meta.url));",
      "const here = path.dirname(fileURLToPath(import.meta.url));",
      "const up = path.join(here, '..', '..', '..', 'test', 'scenarios');",
      "const deep = path.resolve(here, 'a/b/c', '../../../../..');",
      "const csv = parts.join('..');",
      "const url = 'http://example.com/work/x';",
      "const re = /'\\.\\.\\/\\.\\.\\/\\.\\.\\/\\.\\.\\/x'/;",
      "r.redirect({}, '../other?step=2');",
      "const evil = '../../../../../etc/passwd'; // outside-repo-ok: sent as an attack",
      "resolve(value);",
    ].join('\n');
    expect(scan('test/sipstack/message/x.test.ts', src).map(show)).toEqual([]);
    expect(lines('bench/x.ts', "const SCENARIO = path.join(here, '..', 'test', 'scenarios', 'a.xml');")).toEqual([]);
    expect(lines('.ci/run', 'cd "$(dirname "$0")/.."')).toEqual([]);
  });

  it('accepts a ../shared folder that the repository has', () => {
    const has = (p: string): boolean => p === path.join(REPO_ROOT, 'test', 'shared');
    const src = "import { x } from '../shared/x.js';";
    expect(findOutsidePaths(REPO_ROOT, 'test/a/x.ts', src, has)).toEqual([]);
    expect(findOutsidePaths(REPO_ROOT, 'test/a/x.ts', src, () => false).map((f) => f.line)).toEqual([1]);
  });
});
