/**
 * Regular expressions from the configuration run against header values that
 * anyone on the network can send. JavaScript's engine backtracks, so a
 * pattern that repeats something already repeated (`(a+)+`, `(\w*\s?)*`), or
 * repeats a group of alternatives (`(a|ab)*`), can take exponential time on a
 * crafted value and hold up every call. Such patterns, and backreferences,
 * are refused when the configuration is loaded.
 */

interface Frame {
  /** Holds a repeating quantifier (directly or in a nested group). */
  repeats: boolean;
  /** Holds a `|` at its own level. */
  alternatives: boolean;
}

/** What the last atom before a quantifier was. */
type Atom = { kind: 'none' } | { kind: 'single' } | { kind: 'group'; repeats: boolean; alternatives: boolean };

/** The length of a `{n}`, `{n,}` or `{n,m}` quantifier at `i`, and whether it repeats (allows more than one). */
function braceQuantifier(source: string, i: number): { length: number; repeats: boolean } | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
  if (!m) return undefined;
  const repeats = m[2] === undefined ? Number(m[1]) > 1 : m[3] === '' || Number(m[3]) > 1;
  return { length: m[0].length, repeats };
}

/**
 * Why the pattern could backtrack exponentially, or undefined when it has
 * none of the shapes that do.
 */
export function backtrackingHazard(source: string): string | undefined {
  const stack: Frame[] = [{ repeats: false, alternatives: false }];
  let atom: Atom = { kind: 'none' };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const frame = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) return 'backreferences are not allowed';
      i++;
      atom = { kind: 'single' };
      continue;
    }
    if (c === '[') {
      // A character class is one atom; `\]` and a leading `]` do not close it.
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      atom = { kind: 'single' };
      continue;
    }
    if (c === '(') {
      stack.push({ repeats: false, alternatives: false });
      // Skip the group's prefix: ?: ?= ?! ?<= ?<! ?<name>
      if (source[i + 1] === '?') {
        const named = /^\?(<[A-Za-z_$][\w$]*>|<=|<!|[:=!])/.exec(source.slice(i + 1));
        if (named) i += named[0].length;
      }
      atom = { kind: 'none' };
      continue;
    }
    if (c === ')') {
      const closed = stack.length > 1 ? stack.pop()! : frame;
      const parent = stack[stack.length - 1]!;
      if (closed.repeats) parent.repeats = true;
      atom = { kind: 'group', repeats: closed.repeats, alternatives: closed.alternatives };
      continue;
    }
    if (c === '|') {
      frame.alternatives = true;
      atom = { kind: 'none' };
      continue;
    }
    let repeats: boolean | undefined;
    let length = 1;
    if (c === '*' || c === '+') repeats = true;
    else if (c === '?') repeats = false;
    else if (c === '{') {
      const brace = braceQuantifier(source, i);
      if (brace) {
        repeats = brace.repeats;
        length = brace.length;
      }
    }
    if (repeats === undefined) {
      atom = { kind: 'single' };
      continue;
    }
    if (repeats) {
      if (atom.kind === 'group' && atom.repeats) return 'a repeated group holds a repetition itself, as in (a+)+';
      if (atom.kind === 'group' && atom.alternatives) return 'a group of alternatives is repeated, as in (a|ab)*';
      frame.repeats = true;
    }
    i += length - 1;
    // A lazy or possessive-looking `?` after a quantifier belongs to it.
    if (source[i + 1] === '?') i++;
    atom = { kind: 'none' };
  }
  return undefined;
}
