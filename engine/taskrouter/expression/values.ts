/**
 * How attribute values and constants compare. Values come from JSON (string, number, boolean,
 * null, array, object); a missing key has already become null. Nothing here recurses, so a deeply
 * nested attribute cannot overflow the stack.
 */

/** The number a string spells in JSON number syntax (`"5"`, `"-1.5e3"`), or NaN. */
export function numericString(s: string): number {
  let i = 0;
  const n = s.length;
  if (i < n && s.charCodeAt(i) === 45) i++; // -
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === intStart) return NaN;
  if (i < n && s.charCodeAt(i) === 46) { // .
    i++;
    const fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === fracStart) return NaN;
  }
  if (i < n && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) { // e E
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const expStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return NaN;
  }
  return i === n ? Number(s) : NaN;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Equality of two scalars: same type and value, or a number and a string that spells it. */
export function scalarEqual(a: unknown, b: unknown): boolean {
  switch (typeof a) {
    case 'string':
      return typeof b === 'string' ? a === b : typeof b === 'number' && numericString(a) === b;
    case 'number':
      return typeof b === 'number' ? a === b : typeof b === 'string' && numericString(b) === a;
    case 'boolean':
      return a === b;
    case 'object':
      return a === null && b === null;
    default:
      return false;
  }
}

/** `==`: scalar equality; two arrays are equal when their elements are, pair by pair (as scalars). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!scalarEqual(a[i], b[i])) return false;
    return true;
  }
  return !Array.isArray(b) && scalarEqual(a, b);
}

/**
 * The order of two values for `<`, `<=`, `>`, `>=`: negative, zero or positive, or NaN when they
 * cannot be ordered (null, booleans, arrays, objects, or a string that is not a number against a
 * number). Two strings compare as strings; a number and a numeric string compare as numbers.
 */
export function valuesOrder(a: unknown, b: unknown): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    if (typeof b === 'string') return a - numericString(b);
    return NaN;
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof b === 'number') return numericString(a) - b;
  }
  return NaN;
}

/** Whether `value` equals `list` (a scalar) or one of its elements (an array). */
export function memberOf(value: unknown, list: unknown): boolean {
  if (!Array.isArray(list)) return scalarEqual(value, list);
  for (let i = 0; i < list.length; i++) if (scalarEqual(value, list[i])) return true;
  return false;
}

/** `IN`: the left value is in the right list; a left array is in it when any of its elements is. */
export function isIn(left: unknown, right: unknown): boolean {
  if (!Array.isArray(left)) return memberOf(left, right);
  for (let i = 0; i < left.length; i++) if (memberOf(left[i], right)) return true;
  return false;
}

/** `HAS`: the left array holds the right value; a left scalar must equal it. */
export function has(left: unknown, right: unknown): boolean {
  return Array.isArray(left) ? memberOf(right, left) : scalarEqual(left, right);
}

/** `CONTAINS`: the left string holds the right string (case-sensitive); for a left array, any element does. */
export function contains(left: unknown, right: unknown): boolean {
  if (typeof right !== 'string') return false;
  if (typeof left === 'string') return left.includes(right);
  if (!Array.isArray(left)) return false;
  for (let i = 0; i < left.length; i++) {
    const el: unknown = left[i];
    if (typeof el === 'string' && el.includes(right)) return true;
  }
  return false;
}
