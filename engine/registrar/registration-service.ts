import type { RegistrationRecord, RegistrationService } from '../api/registrations-routes.js';
import type { RegistrationState, SipRegistrar } from './sip-registrar.js';

function record(state: RegistrationState): RegistrationRecord {
  return {
    username: state.user.username,
    accountSid: state.user.accountSid,
    ...(state.user.application !== undefined ? { application: state.user.application } : {}),
    contacts: state.bindings,
  };
}

/** The registrar as the REST API's Registrations resource reads it. */
export function registrationService(registrar: SipRegistrar): RegistrationService {
  return {
    list: (accountSid) => registrar.registrations(accountSid).map(record),
    get: (accountSid, username) => {
      const state = registrar.registration(accountSid, username);
      return state ? record(state) : undefined;
    },
    now: () => registrar.time(),
  };
}
