import type { Logger } from 'pino';
import type { WebhookError } from '../webhooks/error-codes.js';
import type { CallSession } from './call-session.js';
import type { CallStore } from './call-store.js';
import type { StatusEvents } from './status-events.js';

/**
 * The last steps of every call that ran documents: its final state (completed
 * when it was answered, failed when it never was and nothing else said how it
 * ended), the completed callback with SipResponseCode and the webhook error
 * that ended it, and its move to the store's history.
 */
export async function finishCall(
  session: CallSession,
  deps: { status: StatusEvents; store: CallStore; log: Logger },
  webhookError: WebhookError | undefined,
): Promise<void> {
  if (!session.isFinal) session.setStatus(session.answerTime ? 'completed' : 'failed');
  const extra: Record<string, string> = {};
  if (session.sipResponseCode !== undefined) extra.SipResponseCode = String(session.sipResponseCode);
  if (webhookError) {
    extra.ErrorCode = String(webhookError.code);
    extra.ErrorUrl = webhookError.url;
  }
  deps.status.send('completed', session, extra);
  deps.log.info({ status: session.status, duration: session.durationSeconds }, 'call ended');
  deps.store.ended(session);
}
