/** What a task is made and changed with, and the checks of its values. */
import { invalid } from './errors.js';
import type { AssignmentStatus } from './records.js';

export interface NewTask {
  attributes?: string;
  priority?: number;
  timeout?: number;
  /** A TaskChannel's sid or unique name; `default` when absent. */
  taskChannel?: string;
  workflowSid?: string;
}

export interface TaskChange {
  attributes?: string;
  priority?: number;
  assignmentStatus?: AssignmentStatus;
  reason?: string;
  timeout?: number;
}

/** Twilio's default time a task may wait for a worker: one day; at most 30 days. */
export const DEFAULT_TASK_TIMEOUT = 86_400;
export const MAX_TASK_TIMEOUT = 2_592_000;
export const MAX_PRIORITY = 2 ** 31 - 1;

/** Parses and checks an Attributes value: a JSON object. */
export function checkAttributes(text: string, name = 'Attributes'): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw invalid(`${name} is not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${name} must be a JSON object`);
  return text;
}

/** Checks a task's Priority: an integer from 0 to MAX_PRIORITY. */
export function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) throw invalid(`Priority must be an integer from 0 to ${MAX_PRIORITY}`);
  return priority;
}
