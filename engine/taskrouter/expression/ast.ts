/** The parsed form of a TaskRouter expression: plain, immutable data, shared by every evaluation. */

/** A constant as written in an expression. */
export type Scalar = string | number | boolean | null;

/** A constant operand: a scalar or an array of scalars (`["en", 'es', 1, true]`). */
export type LiteralValue = Scalar | readonly Scalar[];

/** Where a name is read from: `task.x`, `worker.x`, or a bare `x` (the scope's `bare` side, or `extra`). */
export type NameRoot = 'task' | 'worker' | 'bare';

export interface LiteralOperand {
  readonly kind: 'literal';
  readonly value: LiteralValue;
}

/** A JSON key reference, precompiled so that evaluation only walks arrays. */
export interface NameOperand {
  readonly kind: 'name';
  readonly root: NameRoot;
  /** The keys to follow from the root: for `task.a.b` that is `["a", "b"]`; for a bare `a.b`, `["a", "b"]`. */
  readonly path: readonly string[];
  /** For each key of `path`, its value as an array index, or -1 when it is not a whole number. */
  readonly indices: readonly number[];
  /** The name as written, split into keys, prefix included (`["task", "a", "b"]`). */
  readonly written: readonly string[];
  readonly position: number;
}

export type Operand = LiteralOperand | NameOperand;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'has' | 'contains';

export interface Comparison {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Operand;
  readonly right: Operand;
}

export interface AndExpression {
  readonly kind: 'and';
  readonly items: readonly Expression[];
}

export interface OrExpression {
  readonly kind: 'or';
  readonly items: readonly Expression[];
}

export interface NotExpression {
  readonly kind: 'not';
  readonly item: Expression;
}

export type Expression = Comparison | AndExpression | OrExpression | NotExpression;
