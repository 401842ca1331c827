import type { Expression, Operand } from './ast.js';

/**
 * The names an expression reads, as written and split into keys (`["worker", "languages"]`,
 * `["skills"]`), each distinct name once, in order of first appearance. A caller can tell from
 * it whether a target expression mentions `worker.` names.
 */
export function namesIn(expr: Expression): string[][] {
  const seen = new Set<string>();
  const names: string[][] = [];
  const add = (operand: Operand): void => {
    if (operand.kind !== 'name') return;
    const key = operand.written.join('.');
    if (seen.has(key)) return;
    seen.add(key);
    names.push([...operand.written]);
  };
  const visit = (e: Expression): void => {
    switch (e.kind) {
      case 'compare': add(e.left); add(e.right); break;
      case 'and': case 'or': e.items.forEach(visit); break;
      case 'not': visit(e.item); break;
    }
  };
  visit(expr);
  return names;
}
