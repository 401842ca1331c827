import type { Comparison, Expression, NameOperand, Operand } from './ast.js';
import { contains, has, isIn, valuesEqual, valuesOrder } from './values.js';

/** The documents an expression reads. */
export interface ExpressionScope {
  /** Task attributes, read by `task.x` (and by bare names when `bare` is 'task'). */
  task?: Record<string, unknown>;
  /** Worker attributes, read by `worker.x` (and by bare names when `bare` is 'worker'). */
  worker?: Record<string, unknown>;
  /** Which document a name without a `task.`/`worker.` prefix reads. */
  bare: 'task' | 'worker';
  /** Other top-level names, looked up before the bare document (`workers.available`). */
  extra?: Record<string, unknown>;
}

/** Evaluates a parsed expression against a scope. Never throws for any attribute values. */
export function evaluate(expr: Expression, scope: ExpressionScope): boolean {
  switch (expr.kind) {
    case 'compare':
      return compare(expr, scope);
    case 'and':
      for (let i = 0; i < expr.items.length; i++) if (!evaluate(expr.items[i], scope)) return false;
      return true;
    case 'or':
      for (let i = 0; i < expr.items.length; i++) if (evaluate(expr.items[i], scope)) return true;
      return false;
    case 'not':
      return !evaluate(expr.item, scope);
  }
}

function compare(c: Comparison, scope: ExpressionScope): boolean {
  const left = valueOf(c.left, scope);
  const right = valueOf(c.right, scope);
  switch (c.op) {
    case '==': return valuesEqual(left, right);
    case '!=': return !valuesEqual(left, right);
    case '<': return valuesOrder(left, right) < 0;
    case '<=': return valuesOrder(left, right) <= 0;
    case '>': return valuesOrder(left, right) > 0;
    case '>=': return valuesOrder(left, right) >= 0;
    case 'in': return isIn(left, right);
    case 'not in': return !isIn(left, right);
    case 'has': return has(left, right);
    case 'contains': return contains(left, right);
  }
}

function valueOf(operand: Operand, scope: ExpressionScope): unknown {
  return operand.kind === 'literal' ? operand.value : resolve(operand, scope);
}

/** Follows a precompiled name through the scope; a missing key (at any level) is null. */
function resolve(name: NameOperand, scope: ExpressionScope): unknown {
  const path = name.path;
  let current: unknown;
  if (name.root === 'task') current = scope.task;
  else if (name.root === 'worker') current = scope.worker;
  else if (scope.extra !== undefined && Object.hasOwn(scope.extra, path[0])) current = scope.extra;
  else current = scope.bare === 'task' ? scope.task : scope.worker;
  for (let i = 0; i < path.length; i++) {
    if (current === null || typeof current !== 'object') return null;
    if (Array.isArray(current)) {
      const index = name.indices[i];
      if (index < 0 || index >= current.length) return null;
      current = current[index];
    } else {
      const key = path[i];
      if (!Object.hasOwn(current, key)) return null;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current === undefined ? null : current;
}
