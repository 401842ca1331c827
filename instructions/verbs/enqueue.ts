import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';

/** <Task> in an <Enqueue workflowSid>: the task's attributes (a JSON object), priority and timeout. */
export interface EnqueueTask {
  readonly attributes: string;
  readonly priority?: number;
  readonly timeout?: number;
}

/** <Enqueue>: put the caller in a named queue, or, with workflowSid, make a TaskRouter task of the call. */
export interface EnqueueVerb {
  readonly verb: 'Enqueue';
  readonly queueName: string;
  readonly action?: string;
  readonly method: HttpMethod;
  /** Document run in a loop for the waiting caller (hold music). */
  readonly waitUrl?: string;
  readonly waitUrlMethod: HttpMethod;
  readonly maxQueueSize?: number;
  /** A TaskRouter Workflow: the call becomes a task routed by it and waits until a worker takes it. */
  readonly workflowSid?: string;
  readonly task?: EnqueueTask;
}

function parseTask(el: XmlElement, ctx: ParseContext): EnqueueTask {
  const attrs = new AttributeReader(el, ctx);
  const priority = attrs.integer('priority', { min: 0, max: 2 ** 31 - 1 });
  const timeout = attrs.integer('timeout', { min: 1, max: 2_592_000 });
  attrs.finish();
  ctx.expectNoChildren(el);
  const text = ownText(el).trim() || '{}';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw ctx.fail(el, 'the task attributes must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw ctx.fail(el, 'the task attributes must be a JSON object');
  return { attributes: text, ...(priority !== undefined ? { priority } : {}), ...(timeout !== undefined ? { timeout } : {}) };
}

export function parseEnqueue(el: XmlElement, ctx: ParseContext): EnqueueVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? 'POST';
  const waitUrl = attrs.url('waitUrl');
  const waitUrlMethod = attrs.method('waitUrlMethod') ?? 'POST';
  const maxQueueSize = attrs.integer('maxQueueSize', { min: 1, max: 5000 });
  const workflowSid = attrs.string('workflowSid');
  attrs.finish();
  if (workflowSid !== undefined && !/^WW[0-9a-fA-F]{32}$/.test(workflowSid)) throw ctx.fail(el, `"${workflowSid}" is not a Workflow SID`, 'workflowSid');
  const children = childElements(el);
  const extra = children.find((c) => c.name !== 'Task') ?? children[1];
  if (extra) throw ctx.fail(extra, `<${extra.name}> is not allowed inside <Enqueue>${extra.name === 'Task' ? ' more than once' : ''}`);
  const taskEl = children[0];
  if (taskEl && workflowSid === undefined) throw ctx.fail(taskEl, '<Task> needs the workflowSid attribute of <Enqueue>');
  const task = taskEl ? parseTask(taskEl, ctx) : undefined;
  // With a workflow, the queue's name is optional: the call waits in the workflow's own queue.
  const queueName = workflowSid !== undefined ? (taskEl ? '' : ownText(el).trim()) || workflowSid : ctx.requiredText(el, 'the queue name');
  return { verb: 'Enqueue', queueName, action, method, waitUrl, waitUrlMethod, maxQueueSize, ...(workflowSid !== undefined ? { workflowSid, task: task ?? { attributes: '{}' } } : {}) };
}
