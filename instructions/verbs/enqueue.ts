import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Enqueue>: put the caller in a named queue (parsed now, executed in a later version). */
export interface EnqueueVerb {
  readonly verb: 'Enqueue';
  readonly queueName: string;
  readonly action?: string;
  readonly method: HttpMethod;
  /** Document run in a loop for the waiting caller (hold music). */
  readonly waitUrl?: string;
  readonly waitUrlMethod: HttpMethod;
  readonly maxQueueSize?: number;
}

export function parseEnqueue(el: XmlElement, ctx: ParseContext): EnqueueVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? 'POST';
  const waitUrl = attrs.url('waitUrl');
  const waitUrlMethod = attrs.method('waitUrlMethod') ?? 'POST';
  const maxQueueSize = attrs.integer('maxQueueSize', { min: 1, max: 5000 });
  attrs.finish();
  const queueName = ctx.requiredText(el, 'the queue name');
  return { verb: 'Enqueue', queueName, action, method, waitUrl, waitUrlMethod, maxQueueSize };
}
