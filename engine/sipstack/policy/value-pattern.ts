/**
 * A configured header value to look for: a case-insensitive substring, or,
 * written `/pattern/flags`, a regular expression.
 */
export type ValueMatcher = (value: string) => boolean;

export function compileValuePattern(pattern: string): ValueMatcher {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    // A global or sticky regex keeps state between tests; neither is wanted here.
    const re = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
    return (value) => re.test(value);
  }
  const needle = pattern.toLowerCase();
  return (value) => value.toLowerCase().includes(needle);
}

/** The first pattern that matches `value`, or undefined. */
export function firstMatch(patterns: Array<{ text: string; test: ValueMatcher }>, value: string): string | undefined {
  return patterns.find((p) => p.test(value))?.text;
}
