import type { Account, Application } from '../../config/engine-config.js';
import { ErrorCode } from '../api/api-errors.js';
import { ApiError, type CreateCallParams } from '../api/call-service.js';
import type { CallDocumentSettings } from './sip-call-base.js';

/** A REST-created call as it runs: its parameters, the application it belongs to, how its documents are fetched. */
export interface ResolvedApiCall {
  params: CreateCallParams;
  /** The configured application named by ApplicationSid; 'api' for a call given Url or Twiml. */
  applicationId: string;
  documents: CallDocumentSettings;
}

/**
 * ApplicationSid: one of the configured applications of the account, by its
 * id (an `AP` sid when the configuration names its applications so). Its
 * voice URL and method, fallback, status callback and events replace the
 * request's, which Twilio ignores when ApplicationSid is given; its webhook
 * timeouts and retry policy apply to the call's documents. An unknown
 * application is Twilio's 21218.
 */
export function resolveApiCall(params: CreateCallParams, applications: readonly Application[], accounts: readonly Account[]): ResolvedApiCall {
  const sid = params.applicationSid;
  if (sid === undefined) {
    return { params, applicationId: 'api', documents: { fallbackUrl: params.fallbackUrl, fallbackMethod: params.fallbackMethod } };
  }
  const ownerOf = (app: Application): string | undefined => app.account ?? accounts[0]?.id;
  const app = applications.find((a) => a.id === sid && ownerOf(a) === params.accountSid);
  if (!app) throw new ApiError(400, ErrorCode.InvalidApplicationSid, `Invalid ApplicationSid: ${sid.slice(0, 64)} is not an application of this account`);
  const { url: _url, twiml: _twiml, fallbackUrl: _fallback, statusCallback: _status, ...rest } = params;
  const resolved: CreateCallParams = {
    ...rest,
    url: app.voiceUrl,
    method: app.voiceMethod,
    ...(app.fallbackUrl !== undefined ? { fallbackUrl: app.fallbackUrl } : {}),
    fallbackMethod: app.fallbackMethod,
    ...(app.statusCallback !== undefined ? { statusCallback: app.statusCallback } : {}),
    statusCallbackMethod: app.statusCallbackMethod,
    statusCallbackEvents: [...app.statusCallbackEvents],
  };
  return {
    params: resolved,
    applicationId: app.id,
    documents: { fallbackUrl: app.fallbackUrl, fallbackMethod: app.fallbackMethod, timeouts: app.timeouts, ...(app.retry ? { retry: app.retry } : {}) },
  };
}
