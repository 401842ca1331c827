import type Database from 'better-sqlite3';
import type { ScanRequest } from '../ordered-pages.js';
import type { Db } from './sqlite-database.js';

type Statement = Database.Statement<unknown[]>;

/** A column condition of a list and its value; conditions whose value is undefined are left out. */
export type Condition = readonly [sql: string, value: string | number | undefined];

/** Prepared statements, one per distinct SQL text (a list's filters make a handful). */
export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}

/**
 * The `data` column of the rows of `table` that meet `conditions`, scanned
 * by (created_ms, sid) from the request's position in its direction.
 */
export function scanRows(statements: Statements, table: string, conditions: readonly Condition[], req: ScanRequest): string[] {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  for (const [sql, value] of conditions) {
    if (value === undefined) continue;
    clauses.push(sql);
    params.push(value);
  }
  const older = req.direction === 'older';
  if (req.from) {
    const op = older ? (req.from.inclusive ? '<=' : '<') : req.from.inclusive ? '>=' : '>';
    clauses.push(`(created_ms, sid) ${op} (?, ?)`);
    params.push(req.from.key.time, req.from.key.sid);
  }
  const dir = older ? 'DESC' : 'ASC';
  const sql = `SELECT data FROM ${table} WHERE ${clauses.join(' AND ')} ORDER BY created_ms ${dir}, sid ${dir} LIMIT ? OFFSET ?`;
  return statements.get(sql).pluck().all(...params, req.limit, req.offset ?? 0) as string[];
}
