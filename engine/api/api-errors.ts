import { ApiError } from './call-service.js';

/** Twilio's error codes used by the API (https://www.twilio.com/docs/errors/<code>). */
export const ErrorCode = {
  /** Invalid parameter (any parameter without a code of its own). */
  InvalidParameter: 20001,
  /** Authentication failed, or the credentials do not match the account in the path. */
  Authenticate: 20003,
  MethodNotAllowed: 20004,
  /** A call (or recording) that has not ended cannot be deleted. */
  DeleteBeforeComplete: 20009,
  NotFound: 20404,
  Internal: 20500,
  /** Service unavailable: the store (Redis) or the engine that runs a call did not answer. */
  ServiceUnavailable: 20503,
  MissingTo: 21201,
  InvalidUrl: 21205,
  InvalidTo: 21211,
  InvalidFrom: 21212,
  MissingFrom: 21213,
  InvalidApplicationSid: 21218,
  CallNotInProgress: 21220,
} as const;

/** The JSON body of every error answer, as Twilio writes it. */
export interface ApiErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function errorBody(err: ApiError): ApiErrorBody {
  return { code: err.code, message: err.message, more_info: `https://www.twilio.com/docs/errors/${err.code}`, status: err.status };
}

/** 400 for a bad request parameter; the message names the parameter. */
export function badParameter(message: string, code: number = ErrorCode.InvalidParameter): ApiError {
  return new ApiError(400, code, message);
}

export function notFound(what: string): ApiError {
  return new ApiError(404, ErrorCode.NotFound, `The requested resource ${what} was not found`);
}
