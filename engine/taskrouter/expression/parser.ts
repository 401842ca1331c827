import type { CompareOp, Expression, LiteralOperand, NameOperand, Operand, Scalar } from './ast.js';
import { ExpressionError } from './expression-error.js';
import { clip, tokenize, type Token } from './lexer.js';

/** The deepest nesting of parentheses and NOT the parser accepts. */
export const MAX_DEPTH = 64;

const OPERATORS_HINT = '==, !=, <, >, <=, >=, IN, NOT IN, HAS or CONTAINS';

/**
 * Parses a TaskRouter expression once, for evaluating many times.
 *
 *   or         := and ( (OR | '||') and )*
 *   and        := not ( (AND | '&&') not )*
 *   not        := (NOT | '!') not | '(' or ')' | comparison
 *   comparison := operand operator operand
 *   operand    := string | number | true | false | null | name | '[' constants ']'
 *
 * Throws ExpressionError, and nothing else, for any input.
 */
export function parseExpression(source: string): Expression {
  if (typeof source !== 'string') throw new ExpressionError(0, 'the expression must be a string');
  const parser = new Parser(source, tokenize(source));
  return parser.parseWhole();
}

class Parser {
  private at = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseWhole(): Expression {
    if (this.peek().kind === 'end') {
      throw new ExpressionError(0, 'the expression is empty; expected a comparison such as 1 == 1');
    }
    const expr = this.parseOr(0);
    const tok = this.peek();
    if (tok.kind === 'symbol' && tok.symbol === ')') {
      throw new ExpressionError(tok.position, "unexpected ')' with no matching '('");
    }
    if (tok.kind !== 'end') {
      throw new ExpressionError(tok.position, `expected AND, OR or the end of the expression, found ${describe(tok)}`);
    }
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const tok = this.tokens[this.at];
    if (tok.kind !== 'end') this.at++;
    return tok;
  }

  private parseOr(depth: number): Expression {
    const items = [this.parseAnd(depth)];
    while (isWord(this.peek(), 'or', '||')) {
      this.next();
      items.push(this.parseAnd(depth));
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(depth: number): Expression {
    const items = [this.parseNot(depth)];
    while (isWord(this.peek(), 'and', '&&')) {
      this.next();
      items.push(this.parseNot(depth));
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parseNot(depth: number): Expression {
    const tok = this.peek();
    if (isWord(tok, 'not', '!')) {
      this.enter(tok, depth);
      this.next();
      return { kind: 'not', item: this.parseNot(depth + 1) };
    }
    if (tok.kind === 'symbol' && tok.symbol === '(') {
      this.enter(tok, depth);
      this.next();
      const inner = this.parseOr(depth + 1);
      const close = this.peek();
      if (!(close.kind === 'symbol' && close.symbol === ')')) {
        throw new ExpressionError(close.position, `expected ')' to close the '(' at character ${tok.position + 1}, found ${describe(close)}`);
      }
      this.next();
      return inner;
    }
    return this.parseComparison();
  }

  private enter(tok: Token, depth: number): void {
    if (depth >= MAX_DEPTH) {
      throw new ExpressionError(tok.position, `the expression nests parentheses and NOT more than ${MAX_DEPTH} levels deep`);
    }
  }

  private parseComparison(): Expression {
    const leftStart = this.peek().position;
    const left = this.parseOperand(null);
    const leftText = clip(this.source.slice(leftStart, this.tokens[this.at - 1].position + this.tokens[this.at - 1].text.length));
    const opTok = this.next();
    const op = this.operatorOf(opTok, leftText);
    const opText = op === 'not in' ? `${opTok.text} ${this.tokens[this.at - 1].text}` : opTok.text;
    const right = this.parseOperand(opText);
    return { kind: 'compare', op, left, right };
  }

  /** Reads the operator at `tok` (already consumed); NOT must be followed by IN. */
  private operatorOf(tok: Token, leftText: string): CompareOp {
    if (tok.kind === 'symbol') {
      switch (tok.symbol) {
        case '==': case '!=': case '<': case '<=': case '>': case '>=':
          return tok.symbol;
        case '->':
          return 'has';
        case '~':
          return 'contains';
        default:
          break;
      }
    } else if (tok.kind === 'keyword') {
      switch (tok.keyword) {
        case 'in': case 'has': case 'contains':
          return tok.keyword;
        case 'not': {
          const following = this.next();
          if (following.kind === 'keyword' && following.keyword === 'in') return 'not in';
          throw new ExpressionError(following.position, `expected IN after '${tok.text}' (NOT IN), found ${describe(following)}`);
        }
        default:
          break;
      }
    }
    throw new ExpressionError(tok.position, `expected an operator (${OPERATORS_HINT}) after '${leftText}', found ${describe(tok)}`);
  }

  /** An operand; `after` names the operator before it, for the message when it is missing. */
  private parseOperand(after: string | null): Operand {
    const tok = this.next();
    if (tok.kind === 'name') return nameOperand(tok.keys, tok.position);
    if (tok.kind === 'symbol' && tok.symbol === '[') return { kind: 'literal', value: this.parseArray(tok) };
    const scalar = scalarOf(tok);
    if (scalar !== undefined) return { kind: 'literal', value: scalar.value } satisfies LiteralOperand;
    const where = after === null ? '' : ` after '${after}'`;
    throw new ExpressionError(tok.position, `expected a value (a string, number, true, false, null, array or name)${where}, found ${describe(tok)}`);
  }

  /** The constants of an array literal; `open` (already consumed) is its '['. */
  private parseArray(open: Token): Scalar[] {
    const values: Scalar[] = [];
    if (isSymbol(this.peek(), ']')) {
      this.next();
      return values;
    }
    for (;;) {
      const tok = this.next();
      const scalar = scalarOf(tok);
      if (scalar === undefined) {
        const reason = tok.kind === 'name'
          ? `an array may hold only constants, not the name '${clip(tok.text)}'`
          : `expected a constant (a string, number, true, false or null) in the array, found ${describe(tok)}`;
        throw new ExpressionError(tok.position, reason);
      }
      values.push(scalar.value);
      const sep = this.next();
      if (isSymbol(sep, ']')) return values;
      if (!isSymbol(sep, ',')) {
        throw new ExpressionError(sep.position, `expected ',' or ']' in the array opened at character ${open.position + 1}, found ${describe(sep)}`);
      }
    }
  }
}

function isWord(tok: Token, keyword: 'and' | 'or' | 'not', symbol: '&&' | '||' | '!'): boolean {
  return (tok.kind === 'keyword' && tok.keyword === keyword) || (tok.kind === 'symbol' && tok.symbol === symbol);
}

function isSymbol(tok: Token, symbol: ']' | ','): boolean {
  return tok.kind === 'symbol' && tok.symbol === symbol;
}

function scalarOf(tok: Token): { value: Scalar } | undefined {
  switch (tok.kind) {
    case 'string': case 'number':
      return { value: tok.value };
    case 'keyword':
      if (tok.keyword === 'true') return { value: true };
      if (tok.keyword === 'false') return { value: false };
      if (tok.keyword === 'null') return { value: null };
      return undefined;
    default:
      return undefined;
  }
}

function describe(tok: Token): string {
  return tok.kind === 'end' ? 'the end of the expression' : `'${clip(tok.text)}'`;
}

/** Precompiles a name: which document it reads, the keys to follow and their array indices. */
function nameOperand(keys: readonly string[], position: number): NameOperand {
  const first = keys[0];
  const prefixed = keys.length > 1 && (first === 'task' || first === 'worker');
  const path = prefixed ? keys.slice(1) : keys.slice();
  return {
    kind: 'name',
    root: prefixed ? (first as 'task' | 'worker') : 'bare',
    path,
    indices: path.map(arrayIndex),
    written: keys.slice(),
    position,
  };
}

function arrayIndex(key: string): number {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  const n = Number(key);
  return Number.isSafeInteger(n) ? n : -1;
}
