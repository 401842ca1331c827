/** TaskRouter expressions: parse once, evaluate against task and worker attributes many times. */
export type {
  CompareOp, Comparison, AndExpression, OrExpression, NotExpression, Expression,
  LiteralOperand, LiteralValue, NameOperand, NameRoot, Operand, Scalar,
} from './ast.js';
export { ExpressionError } from './expression-error.js';
export { MAX_SOURCE_LENGTH } from './lexer.js';
export { MAX_DEPTH, parseExpression } from './parser.js';
export { evaluate, type ExpressionScope } from './evaluate.js';
export { namesIn } from './names.js';
