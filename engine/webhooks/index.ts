export { twilioSignature, validateTwilioSignature } from './signature.js';
export { WebhookErrorCode, classifyNetworkError, type WebhookError, type WebhookErrorCodeValue, type RetryableFailure } from './error-codes.js';
export {
  WebhookTransport,
  DEFAULT_WEBHOOK_TIMEOUTS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  type WebhookTimeouts,
  type WebhookTransportOptions,
  type SignedRequest,
  type HttpResponse,
  type HttpOutcome,
} from './http-transport.js';
export { isInstructionsContentType } from './content-type.js';
export {
  WebhookClient,
  readInstructions,
  type WebhookClientOptions,
  type FetchInstructionsRequest,
  type FetchInstructionsResult,
  type RetryPolicy,
} from './webhook-client.js';
export { StatusCallbackSender, callbackTimestamp, type StatusCallback, type StatusCallbackSenderOptions } from './status-callback.js';
export { defaultUserAgent } from './user-agent.js';
