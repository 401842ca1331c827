/**
 * Outbound calls: what to dial (a SIP URI, or a phone number through a
 * configured trunk) and placing the call through drachtio-srf.
 */
export { resolveDialTarget, normalizeNumber, DialTargetError, type DialTarget } from './dial-target.js';
export { placeCall, type CallOutcome, type PlaceCallOptions } from './place-call.js';
export { kindOfFinalStatus, type UnansweredKind } from './call-outcome.js';
export type { FromParty } from './from-header.js';
