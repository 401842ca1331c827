import { evaluate, ExpressionError, parseExpression, type Expression } from './expression/index.js';
import { invalid } from './errors.js';

/** One ordering key of a target's order_by: a worker attribute path, descending or ascending. */
export interface OrderKey {
  path: string[];
  descending: boolean;
}

/** A routing step: a TaskQueue, the workers of it that may take the task, and how long the task stays. */
export interface CompiledTarget {
  queueSid: string;
  /** Which of the queue's workers (worker. and task. names; bare names are the worker's). */
  expression?: Expression;
  /** Priority the task is routed with while in this target. */
  priority?: number;
  /** Seconds in this target before the next (counted together with the earlier targets' from entering the filter). */
  timeout?: number;
  orderBy: OrderKey[];
  /** When no reservation is made on entering the target and this holds (workers.available == 0), the next target at once. */
  skipIf?: Expression;
  /** A worker SID, or `task.<path>` naming the attribute that holds one: only that worker. */
  knownWorkerSid?: string;
}

export interface CompiledFilter {
  name: string;
  /** Which tasks (task names; bare names are the task's). */
  expression: Expression;
  targets: CompiledTarget[];
}

export interface CompiledWorkflow {
  filters: CompiledFilter[];
  /** Where a task no filter takes goes, and where it ends up after its last target's timeout. */
  defaultQueueSid?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function compileExpression(text: unknown, where: string): Expression {
  if (typeof text !== 'string' || text.trim() === '') throw invalid(`Configuration ${where} must be an expression string`);
  try {
    return parseExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) throw invalid(`Configuration ${where}: ${err.message}`);
    throw err;
  }
}

function numberField(value: unknown, where: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw invalid(`Configuration ${where} must be an integer from ${min} to ${max}`);
  return n;
}

function parseOrderBy(value: unknown, where: string): OrderKey[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw invalid(`Configuration ${where} must be a string such as "worker.level DESC"`);
  return value.split(',').map((part) => {
    const m = /^\s*(?:worker\.)?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(ASC|DESC)?\s*$/i.exec(part);
    if (!m) throw invalid(`Configuration ${where}: "${part.trim()}" is not a worker attribute with ASC or DESC`);
    return { path: (m[1] as string).split('.'), descending: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}

/**
 * Reads a Workflow's Configuration JSON (Twilio's task_routing: filters with
 * an expression and targets, and a default_filter), checks every queue
 * against the workspace and compiles every expression once. A bad
 * configuration is a 400 that says where.
 */
export function compileWorkflow(configuration: string, queueExists: (sid: string) => boolean): CompiledWorkflow {
  let doc: unknown;
  try {
    doc = JSON.parse(configuration);
  } catch (err) {
    throw invalid(`Configuration is not JSON: ${(err as Error).message}`);
  }
  const routing = isObject(doc) ? doc.task_routing : undefined;
  if (!isObject(routing)) throw invalid('Configuration must be an object with task_routing');
  const queue = (value: unknown, where: string): string => {
    if (typeof value !== 'string' || !queueExists(value)) throw invalid(`Configuration ${where}: ${JSON.stringify(value)} is not a TaskQueue of this workspace`);
    return value;
  };
  const rawFilters = routing.filters ?? [];
  if (!Array.isArray(rawFilters)) throw invalid('Configuration task_routing.filters must be an array');
  const filters = rawFilters.map((f: unknown, i): CompiledFilter => {
    const at = `task_routing.filters[${i}]`;
    if (!isObject(f)) throw invalid(`Configuration ${at} must be an object`);
    const rawTargets = f.targets;
    if (!Array.isArray(rawTargets) || rawTargets.length === 0) throw invalid(`Configuration ${at}.targets must be a non-empty array`);
    let previousQueue: string | undefined;
    const targets = rawTargets.map((t: unknown, j): CompiledTarget => {
      const tat = `${at}.targets[${j}]`;
      if (!isObject(t)) throw invalid(`Configuration ${tat} must be an object`);
      const queueSid = t.queue === undefined && previousQueue !== undefined ? previousQueue : queue(t.queue, `${tat}.queue`);
      previousQueue = queueSid;
      const target: CompiledTarget = { queueSid, orderBy: parseOrderBy(t.order_by, `${tat}.order_by`) };
      if (t.expression !== undefined) target.expression = compileExpression(t.expression, `${tat}.expression`);
      const priority = numberField(t.priority, `${tat}.priority`, 0, 2 ** 31 - 1);
      if (priority !== undefined) target.priority = priority;
      const timeout = numberField(t.timeout, `${tat}.timeout`, 0, 86_400 * 365);
      if (timeout !== undefined) target.timeout = timeout;
      if (t.skip_if !== undefined) target.skipIf = compileExpression(t.skip_if, `${tat}.skip_if`);
      if (t.known_worker_sid !== undefined) {
        if (typeof t.known_worker_sid !== 'string' || t.known_worker_sid === '') throw invalid(`Configuration ${tat}.known_worker_sid must be a string`);
        target.knownWorkerSid = t.known_worker_sid;
      }
      return target;
    });
    const name = typeof f.filter_friendly_name === 'string' ? f.filter_friendly_name : `filter ${i + 1}`;
    return { name, expression: compileExpression(f.expression ?? '1==1', `${at}.expression`), targets };
  });
  const def = routing.default_filter;
  let defaultQueueSid: string | undefined;
  if (def !== undefined) {
    if (!isObject(def)) throw invalid('Configuration task_routing.default_filter must be an object with a queue');
    defaultQueueSid = queue(def.queue, 'task_routing.default_filter.queue');
  }
  if (filters.length === 0 && defaultQueueSid === undefined) throw invalid('Configuration task_routing needs filters or a default_filter');
  return { filters, ...(defaultQueueSid !== undefined ? { defaultQueueSid } : {}) };
}

/** The first filter whose expression the task's attributes meet; -1 for none. */
export function matchFilter(workflow: CompiledWorkflow, task: Record<string, unknown>): number {
  return workflow.filters.findIndex((f) => evaluate(f.expression, { task, bare: 'task' }));
}
