import type { NextDocumentOutcome, NextDocumentRequest } from '../../instructions/runtime/call-control.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';

/**
 * Fetches wait, hold and announcement documents for what has no call of
 * this engine to fetch them (a whole conference room, a participant whose
 * call runs on another engine): with the given parameters, signed with the
 * account's token.
 */
export function documentFetcher(
  webhooks: WebhookClient,
  params: Readonly<Record<string, string>>,
  authToken: string | undefined,
  signal?: AbortSignal,
): (req: NextDocumentRequest) => Promise<NextDocumentOutcome> {
  return async (req) => {
    const r = await webhooks.fetchInstructions({ url: req.url, method: req.method, params: { ...params, ...req.params }, ...(authToken ? { authToken } : {}) }, signal);
    return 'document' in r ? { document: r.document, url: r.url } : { error: `${r.error.code}: ${r.error.message}`, url: r.error.url };
  };
}
