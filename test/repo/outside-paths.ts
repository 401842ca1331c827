/**
 * Finds references to paths outside the repository in its own files, so that
 * the suite keeps passing from a clone alone. What counts:
 *
 * - the workplace's absolute root (`/work/...`), anywhere in any file;
 * - a `../shared` path, anywhere in any file, unless it is a string literal
 *   naming a `shared` folder that exists inside the repository;
 * - in TypeScript and JavaScript, a path built with path.resolve / path.join
 *   / new URL / fileURLToPath from a base the scanner can work out (the
 *   file's own directory, import.meta.url, the repository root) that ends
 *   up outside the repository root, e.g. `path.resolve(repoRoot, '../x')`;
 * - in TypeScript and JavaScript, any other relative string literal (an
 *   import specifier, say) that leaves the repository when resolved from the
 *   file's directory.
 *
 * A line containing `outside-repo-ok` is not checked (for a string that only
 * looks like a path, such as a path-traversal attempt a test sends).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as fixtures from '../support/fixtures.js';

export interface Finding {
  file: string;
  line: number;
  reason: string;
  text: string;
}

const OPT_OUT = 'outside-repo-ok';
const WORKPLACE_ROOT = /(^|[^\w.\-/:])\/work\//g;
const SHARED = /(^|[^\w.])\.\.\/shared(?![\w.-])/g;
/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'yield', 'await', 'void', 'delete', 'throw', 'new']);
const CODE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
/** Identifiers taken to hold the repository root when the scanner cannot see their value. */
const ROOT_NAME = /^(?:repo|project)_?root(?:_?dir)?$/i;

interface Literal {
  start: number;
  end: number;
  /** The static text: the whole string, or a template's text before its first `${`. */
  text: string;
  complete: boolean;
}

interface Scan {
  literals: Literal[];
  /** Ranges of comments and literals, where code patterns are not looked for. */
  skipped: Array<[number, number]>;
}

/** Strings and comments of a JS/TS source (regex literals are stepped over). */
function tokenize(src: string): Scan {
  const literals: Literal[] = [];
  const skipped: Array<[number, number]> = [];
  let i = 0;
  let prev = ''; // last significant code character, to tell a regex from a division
  let word = ''; // the identifier or keyword that ended at `prev`
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      skipped.push([i, stop]);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      skipped.push([i, stop]);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        text += src[j] ?? '';
        j++;
      }
      literals.push({ start: i, end: j + 1, text, complete: true });
      skipped.push([i, j + 1]);
      i = j + 1;
      prev = c;
    } else if (c === '`') {
      let j = i + 1;
      let text = '';
      let complete = true;
      while (j < src.length && src[j] !== '`') {
        if (src[j] === '\\') {
          if (complete) text += src[j + 1] ?? '';
          j += 2;
        } else if (src[j] === '$' && src[j + 1] === '{') {
          complete = false;
          let depth = 1;
          j += 2;
          while (j < src.length && depth > 0) {
            if (src[j] === '{') depth++;
            else if (src[j] === '}') depth--;
            j++;
          }
        } else {
          if (complete) text += src[j];
          j++;
        }
      }
      literals.push({ start: i, end: j + 1, text, complete });
      skipped.push([i, j + 1]);
      i = j + 1;
      prev = c;
    } else if (c === '/' && (prev === '' || '(,=:[!&|?{};'.includes(prev) || (prev === 'a' && REGEX_AFTER.has(word)))) {
      // A regular expression literal.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      skipped.push([i, j + 1]);
      i = j + 1;
      prev = ')';
    } else if (/[\w$]/.test(c)) {
      const m = /^[\w$]+/.exec(src.slice(i, i + 100));
      word = m ? m[0] : c;
      prev = 'a';
      i += word.length;
    } else {
      if (!/\s/.test(c)) prev = c;
      i++;
    }
  }
  return { literals, skipped };
}

/**
 * What the scanner knows of an expression. `partial`: only a prefix of it is
 * known. `reported`: it is outside the repository and that was already
 * reported where it was made, so paths built on it are not reported again.
 */
interface Value {
  kind: 'path' | 'url' | 'string';
  value: string;
  partial?: boolean;
  reported?: boolean;
}

interface Context {
  root: string;
  src: string;
  fileDir: string;
  fileUrl: string;
  literalAt: Map<number, Literal>;
  bindings: Map<string, Value>;
  /** Literals read as arguments of a path call whose base was known. */
  consumed: Set<number>;
}

const IDENT = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/;

function skipSpace(ctx: Context, pos: number): number {
  while (pos < ctx.src.length && /\s/.test(ctx.src[pos])) pos++;
  return pos;
}

/** The end of the expression starting at `pos`: the next `,` `)` `]` `}` or `;` outside brackets. */
function skipExpression(ctx: Context, pos: number): number {
  let depth = 0;
  while (pos < ctx.src.length) {
    const lit = ctx.literalAt.get(pos);
    if (lit) {
      pos = lit.end;
      continue;
    }
    const c = ctx.src[pos];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return pos;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) return pos;
    pos++;
  }
  return pos;
}

/** The arguments of a call whose `(` is at `open`: their values (undefined when unknown) and the end. */
function parseArguments(ctx: Context, open: number): { args: Array<{ value?: Value; start: number }>; end: number } {
  const args: Array<{ value?: Value; start: number }> = [];
  let pos = skipSpace(ctx, open + 1);
  if (ctx.src[pos] === ')') return { args, end: pos + 1 };
  while (pos < ctx.src.length) {
    const start = pos;
    const parsed = parseExpression(ctx, pos);
    let after = skipSpace(ctx, parsed.end);
    let value = parsed.value;
    if (ctx.src[after] !== ',' && ctx.src[after] !== ')') {
      value = undefined; // part of a larger expression
      after = skipExpression(ctx, after);
    }
    args.push({ value, start });
    if (ctx.src[after] === ',') {
      pos = skipSpace(ctx, after + 1);
      if (ctx.src[pos] === ')') return { args, end: pos + 1 };
      continue;
    }
    return { args, end: after + 1 };
  }
  return { args, end: pos };
}

/** path.resolve / path.join over arguments whose first one is a known absolute path. */
function joinPaths(
  ctx: Context,
  how: 'resolve' | 'join',
  args: Array<{ value?: Value; start: number }>,
): Value | undefined {
  const [first, ...rest] = args;
  if (first?.value?.kind !== 'path' || !path.isAbsolute(first.value.value)) return undefined;
  let result = first.value.value;
  let partial = first.value.partial ?? false;
  const reported = first.value.reported ?? !inside(ctx.root, result);
  for (const arg of rest) {
    if (partial) break;
    const v = arg.value;
    if (v === undefined || v.kind === 'url') {
      partial = true;
      break;
    }
    if (ctx.literalAt.has(arg.start)) ctx.consumed.add(arg.start);
    result = how === 'resolve' ? path.resolve(result, v.value) : path.join(result, v.value);
    partial = v.partial ?? false;
  }
  return { kind: 'path', value: result, partial, reported };
}

function parseExpression(ctx: Context, pos: number): { value?: Value; end: number } {
  pos = skipSpace(ctx, pos);
  const lit = ctx.literalAt.get(pos);
  if (lit) return { value: { kind: 'string', value: lit.text, partial: !lit.complete }, end: lit.end };
  const rest = ctx.src.slice(pos, pos + 200);
  const isNew = /^new\s+URL\s*\(/.exec(rest);
  if (isNew) {
    const { args, end } = parseArguments(ctx, pos + isNew[0].length - 1);
    const [input, base] = args.map((a) => a.value);
    if (input?.kind !== 'string' || base?.kind !== 'url') return { end };
    if (ctx.literalAt.has(args[0].start)) ctx.consumed.add(args[0].start);
    try {
      const href = new URL(input.value, base.value).href;
      return { value: { kind: 'url', value: href, partial: input.partial, reported: base.reported }, end };
    } catch {
      return { end };
    }
  }
  const name = IDENT.exec(rest)?.[0];
  if (name === undefined) return { end: pos };
  const after = skipSpace(ctx, pos + name.length);
  if (ctx.src[after] !== '(') {
    if (name === 'import.meta.url') return { value: { kind: 'url', value: ctx.fileUrl }, end: after };
    if (name === 'import.meta.dirname' || name === '__dirname') {
      return { value: { kind: 'path', value: ctx.fileDir }, end: after };
    }
    const bound = ctx.bindings.get(name);
    if (bound) return { value: bound, end: after };
    if (ROOT_NAME.test(name)) return { value: { kind: 'path', value: fixtures.REPO_ROOT }, end: after };
    return { end: after };
  }
  const fn = name.replace(/^(?:path|url|posix|node_path)\./, '');
  const { args, end } = parseArguments(ctx, after);
  const first = args[0]?.value;
  switch (fn) {
    case 'resolve':
    case 'join':
      return { value: joinPaths(ctx, fn, args), end };
    case 'dirname':
      return first?.kind === 'path' && !first.partial ? { value: { ...first, value: path.dirname(first.value) }, end } : { end };
    case 'fileURLToPath':
      if (first?.kind !== 'url') return { end };
      try {
        return { value: { ...first, kind: 'path', value: fileURLToPath(first.value) }, end };
      } catch {
        return { end };
      }
    case 'pathToFileURL':
      return first?.kind === 'path' ? { value: { ...first, kind: 'url', value: pathToFileURL(first.value).href }, end } : { end };
    default:
      return { end };
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function lineOf(src: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * References in one file (`relPath`, relative to `root`, with text `src`)
 * to paths outside `root`. `exists` tells whether a path inside the repository exists.
 */
export function findOutsidePaths(
  root: string,
  relPath: string,
  src: string,
  exists: (absolutePath: string) => boolean,
): Finding[] {
  const file = path.join(root, relPath);
  const fileDir = path.dirname(file);
  const lines = src.split('\n');
  const found = new Map<string, Finding>();
  const report = (offset: number, reason: string): void => {
    const line = lineOf(src, offset);
    const text = lines[line - 1] ?? '';
    if (text.includes(OPT_OUT)) return;
    const key = `${line}:${reason}`;
    if (!found.has(key)) found.set(key, { file: relPath, line, reason, text: text.trim() });
  };

  const code = CODE_FILE.test(relPath);
  const scan = code ? tokenize(src) : { literals: [], skipped: [] };
  const literalAround = (offset: number): Literal | undefined =>
    scan.literals.find((l) => l.start < offset && offset < l.end);

  for (const m of src.matchAll(WORKPLACE_ROOT)) report(m.index + m[1].length, 'absolute path under /work');
  for (const m of src.matchAll(SHARED)) {
    const at = m.index + m[1].length;
    // A relative literal naming a shared folder that the repository has is fine.
    const lit = literalAround(at);
    const upToShared = lit?.text.slice(0, at - lit.start - 1 + '../shared'.length);
    if (upToShared !== undefined && /^\.\.?\//.test(upToShared)) {
      const target = path.resolve(fileDir, upToShared);
      if (inside(root, target) && exists(target)) continue;
    }
    report(at, 'a ../shared path');
  }
  if (!code) return [...found.values()];

  const ctx: Context = {
    root,
    src,
    fileDir,
    fileUrl: pathToFileURL(file).href,
    literalAt: new Map(scan.literals.map((l) => [l.start, l])),
    bindings: new Map(),
    consumed: new Set(),
  };
  const inSkipped = (offset: number): boolean => scan.skipped.some(([a, b]) => a <= offset && offset < b);
  const check = (value: Value | undefined, offset: number): void => {
    if (value === undefined || value.kind === 'string' || value.reported) return;
    const p = value.kind === 'url' ? (value.value.startsWith('file:') ? fileURLToPath(value.value) : undefined) : value.value;
    if (p !== undefined && !inside(root, p)) {
      report(offset, `resolves outside the repository (${p})`);
      value.reported = true;
    }
  };

  // Names imported from test/support/fixtures hold its values.
  const fixturesFile = path.join(root, 'test', 'support', 'fixtures');
  for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/g)) {
    const target = path.resolve(fileDir, m[3]).replace(/\.[jt]s$/, '');
    if (target !== fixturesFile) continue;
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().split(/\s+as\s+/);
      const v: unknown = (fixtures as Record<string, unknown>)[orig];
      if (typeof v === 'string') ctx.bindings.set(alias ?? orig, { kind: 'path', value: v });
    }
  }
  // Then every construct the evaluator understands, in source order; a `const x = ...` binds x.
  const STARTS =
    /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=(?!=)|(?<![\w$.])(?:path\.|posix\.|url\.)?(?:resolve|join|dirname|fileURLToPath)\s*\(|\bnew\s+URL\s*\(/g;
  for (const m of src.matchAll(STARTS)) {
    if (inSkipped(m.index)) continue;
    if (m[1] !== undefined) {
      const { value } = parseExpression(ctx, m.index + m[0].length);
      if (value) {
        ctx.bindings.set(m[1], value);
        check(value, m.index);
      }
      continue;
    }
    check(parseExpression(ctx, m.index).value, m.index);
  }
  // Any other relative literal, from the file's own directory.
  for (const lit of scan.literals) {
    if (ctx.consumed.has(lit.start) || !/^(?:\.\.?\/|\.\.$)/.test(lit.text)) continue;
    const target = path.resolve(fileDir, lit.text);
    if (!inside(root, target)) report(lit.start, `relative path leaves the repository (${lit.text})`);
  }
  return [...found.values()].sort((a, b) => a.line - b.line);
}
