import { ExpressionError } from './expression-error.js';

/** The longest source the parser accepts, in characters. */
export const MAX_SOURCE_LENGTH = 4096;

/** Case-insensitive words of the language; a name cannot be one of them. */
export type Keyword = 'and' | 'or' | 'not' | 'in' | 'has' | 'contains' | 'true' | 'false' | 'null';

export type SymbolText =
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '!' | '->' | '~'
  | '(' | ')' | '[' | ']' | ',';

interface TokenBase {
  readonly position: number;
  /** The token's source text, for error messages. */
  readonly text: string;
}

export type Token =
  | (TokenBase & { readonly kind: 'string'; readonly value: string })
  | (TokenBase & { readonly kind: 'number'; readonly value: number })
  | (TokenBase & { readonly kind: 'name'; readonly keys: readonly string[] })
  | (TokenBase & { readonly kind: 'keyword'; readonly keyword: Keyword })
  | (TokenBase & { readonly kind: 'symbol'; readonly symbol: SymbolText })
  | (TokenBase & { readonly kind: 'end' });

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['and', 'or', 'not', 'in', 'has', 'contains', 'true', 'false', 'null']);

const TAB = 9, LF = 10, CR = 13, SPACE = 32;
const DQUOTE = 34, SQUOTE = 39, BACKSLASH = 92;
const DOT = 46, MINUS = 45, PLUS = 43, LBRACKET = 91, RBRACKET = 93;
const DIGIT_0 = 48, DIGIT_9 = 57;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // A-Z a-z _
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** A character as a message shows it. */
export function showChar(source: string, at: number): string {
  const cp = source.codePointAt(at);
  return cp === undefined ? 'the end of the expression' : `'${String.fromCodePoint(cp)}'`;
}

/** Splits an expression into tokens, ending with one `end` token; throws ExpressionError. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(MAX_SOURCE_LENGTH, `the expression is ${source.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === DQUOTE || c === SQUOTE) {
      i = readString(source, i, tokens);
    } else if (isDigit(c) || (c === MINUS && isDigit(source.charCodeAt(i + 1)))) {
      i = readNumber(source, i, tokens);
    } else if (isNameStart(c)) {
      i = readName(source, i, tokens);
    } else {
      i = readSymbol(source, i, tokens);
    }
  }
  tokens.push({ kind: 'end', position: source.length, text: '' });
  return tokens;
}

function readString(source: string, start: number, tokens: Token[]): number {
  const quote = source.charCodeAt(start);
  let value = '';
  let i = start + 1;
  let runStart = i;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === quote) {
      value += source.slice(runStart, i);
      tokens.push({ kind: 'string', value, position: start, text: source.slice(start, i + 1) });
      return i + 1;
    }
    if (c === BACKSLASH) {
      const next = source.charCodeAt(i + 1);
      if (next === DQUOTE || next === SQUOTE || next === BACKSLASH) {
        value += source.slice(runStart, i) + source[i + 1];
        i += 2;
        runStart = i;
        continue;
      }
    }
    i++;
  }
  const closing = quote === SQUOTE ? "single quote (')" : 'double quote (")';
  throw new ExpressionError(start, `the string that starts here is not closed; expected a closing ${closing}`);
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  if (source.charCodeAt(i) === MINUS) i++;
  while (isDigit(source.charCodeAt(i))) i++;
  if (source.charCodeAt(i) === DOT) {
    i++;
    if (!isDigit(source.charCodeAt(i))) {
      throw new ExpressionError(i, `expected a digit after the decimal point, found ${showChar(source, i)}`);
    }
    while (isDigit(source.charCodeAt(i))) i++;
  }
  const e = source.charCodeAt(i);
  if (e === 69 || e === 101) { // E e
    i++;
    const sign = source.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(source.charCodeAt(i))) {
      throw new ExpressionError(i, `expected the digits of an exponent, found ${showChar(source, i)}`);
    }
    while (isDigit(source.charCodeAt(i))) i++;
  }
  const after = source.charCodeAt(i);
  if (isNameChar(after) || after === DOT) {
    throw new ExpressionError(i, `a number cannot be followed by ${showChar(source, i)}; names start with a letter or '_'`);
  }
  const text = source.slice(start, i);
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new ExpressionError(start, `the number ${text} is out of range`);
  }
  tokens.push({ kind: 'number', value, position: start, text });
  return i;
}

/**
 * A name: keys of letters, digits and `_` joined by dots, each optionally followed by array
 * indices in brackets (`object.array[2]`). A single key that is a keyword becomes a keyword.
 */
function readName(source: string, start: number, tokens: Token[]): number {
  const keys: string[] = [];
  let i = start;
  for (;;) {
    const keyStart = i;
    while (isNameChar(source.charCodeAt(i))) i++;
    if (i === keyStart) {
      throw new ExpressionError(i, `expected a key after '.' in a name, found ${showChar(source, i)}`);
    }
    keys.push(source.slice(keyStart, i));
    if (keys.length === 1 && KEYWORDS.has(keys[0].toLowerCase())) {
      const c = source.charCodeAt(i);
      if (c !== DOT && c !== MINUS) {
        tokens.push({ kind: 'keyword', keyword: keys[0].toLowerCase() as Keyword, position: start, text: keys[0] });
        return i;
      }
    }
    while (source.charCodeAt(i) === LBRACKET) i = readIndex(source, i, keys);
    const c = source.charCodeAt(i);
    if (c === DOT) {
      i++;
    } else if (c === MINUS && source.charCodeAt(i + 1) !== 62) { // not '->'
      throw new ExpressionError(i, `hyphens are not allowed in names ('${hyphenatedWord(source, start)}'); use letters, digits and '_'`);
    } else {
      break;
    }
  }
  tokens.push({ kind: 'name', keys, position: start, text: source.slice(start, i) });
  return i;
}

/** The word around a hyphen, for the message: `skill-level` from `skill-level == 1`. */
function hyphenatedWord(source: string, start: number): string {
  let i = start;
  for (;;) {
    const c = source.charCodeAt(i);
    if (!(isNameChar(c) || c === DOT || c === MINUS)) break;
    i++;
  }
  return clip(source.slice(start, i));
}

/** Shortens text quoted in a message. */
export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `[digits]` right after a key; returns the index after `]`. */
function readIndex(source: string, open: number, keys: string[]): number {
  let i = open + 1;
  while (isDigit(source.charCodeAt(i))) i++;
  if (i === open + 1 || source.charCodeAt(i) !== RBRACKET) {
    throw new ExpressionError(open, "expected an array index such as [0] after a name (quoted keys in brackets are not supported; use dot notation)");
  }
  keys.push(source.slice(open + 1, i));
  return i + 1;
}

const TWO_CHAR: Readonly<Record<string, SymbolText>> = {
  '==': '==', '!=': '!=', '<>': '!=', '<=': '<=', '>=': '>=', '&&': '&&', '||': '||', '->': '->',
};

const ONE_CHAR: Readonly<Record<string, SymbolText>> = {
  '=': '==', '<': '<', '>': '>', '!': '!', '~': '~', '(': '(', ')': ')', '[': '[', ']': ']', ',': ',',
};

function readSymbol(source: string, start: number, tokens: Token[]): number {
  const two = source.slice(start, start + 2);
  const twoSymbol = Object.hasOwn(TWO_CHAR, two) ? TWO_CHAR[two] : undefined;
  if (twoSymbol !== undefined) {
    tokens.push({ kind: 'symbol', symbol: twoSymbol, position: start, text: two });
    return start + 2;
  }
  const one = source[start];
  const oneSymbol = Object.hasOwn(ONE_CHAR, one) ? ONE_CHAR[one] : undefined;
  if (oneSymbol !== undefined) {
    tokens.push({ kind: 'symbol', symbol: oneSymbol, position: start, text: one });
    return start + 1;
  }
  if (one === '&' || one === '|') {
    throw new ExpressionError(start, `unexpected character '${one}'; did you mean '${one}${one}'?`);
  }
  if (one === '-') {
    throw new ExpressionError(start, "expected a digit after '-' (hyphens are not allowed in names)");
  }
  throw new ExpressionError(start, `unexpected character ${showChar(source, start)}`);
}
