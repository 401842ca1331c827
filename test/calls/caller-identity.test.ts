/**
 * Twilio's caller parameters from an inbound INVITE's headers: CallerName
 * (P-Asserted-Identity's display name before From's), ForwardedFrom
 * (Diversion's newest entry, else History-Info's entry before the last)
 * and StirVerstat (the verstat URI parameter, with the PASSporT's
 * attestation appended).
 */
import { describe, expect, test } from 'vitest';
import { callerIdentityParams } from '../../engine/calls/caller-identity.js';

const passport = (claims: object): string =>
  [{ alg: 'ES256', ppt: 'shaken', typ: 'passport', x5u: 'https://cert.example.org/a.pem' }, claims].map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')).join('.') + '.c2ln';

describe('caller identity parameters', () => {
  test("CallerName: the asserted identity's display name wins over From's", () => {
    expect(callerIdentityParams({ 'P-Asserted-Identity': '"ACME Support" <sip:+15551230000@trunk.example.com>' }, 'Anonymous <sip:anonymous@anonymous.invalid>;tag=1')).toEqual({ CallerName: 'ACME Support' });
    expect(callerIdentityParams({ 'p-asserted-identity': '<sip:+15551230000@trunk.example.com>, <tel:+15551230000>' }, '"Alice" <sip:alice@example.com>;tag=1')).toEqual({ CallerName: 'Alice' });
    expect(callerIdentityParams({}, '<sip:alice@example.com>;tag=1')).toEqual({});
  });

  test('ForwardedFrom: the newest Diversion entry, else the History-Info entry retargeted from', () => {
    const diversion = '<sip:+15550002222@carrier.example.net;user=phone>;reason=unconditional;counter=1, <tel:+15550001111>;reason=no-answer';
    expect(callerIdentityParams({ Diversion: diversion }, '<sip:a@b>')).toEqual({ ForwardedFrom: '+15550002222' });
    expect(callerIdentityParams({ diversion: '<tel:+15550001111>;reason=user-busy' }, '<sip:a@b>')).toEqual({ ForwardedFrom: '+15550001111' });
    const history = '<sip:+15550003333@pbx.example.com>;index=1, <sip:+15550004444@pbx.example.com;cause=302>;index=1.1';
    expect(callerIdentityParams({ 'History-Info': history }, '<sip:a@b>')).toEqual({ ForwardedFrom: '+15550003333' });
    expect(callerIdentityParams({ 'History-Info': '<sip:+15550003333@pbx.example.com>;index=1' }, '<sip:a@b>')).toEqual({});
  });

  test('StirVerstat: the verstat parameter, with the attestation of the Identity header', () => {
    const pai = '<sip:+15551230000@trunk.example.com;user=phone;verstat=TN-Validation-Passed>';
    expect(callerIdentityParams({ 'P-Asserted-Identity': pai, Identity: `${passport({ attest: 'A', orig: { tn: '15551230000' } })};info=<https://cert.example.org/a.pem>;alg=ES256;ppt=shaken` }, '<sip:a@b>')).toEqual({
      StirVerstat: 'TN-Validation-Passed-A',
    });
    expect(callerIdentityParams({ 'P-Asserted-Identity': pai }, '<sip:a@b>')).toEqual({ StirVerstat: 'TN-Validation-Passed' });
    expect(callerIdentityParams({}, '<sip:+15551230000@trunk.example.com;verstat=No-TN-Validation>;tag=9')).toEqual({ StirVerstat: 'No-TN-Validation' });
    // A PASSporT that is not one (not base64url JSON) adds nothing, and fails nothing.
    expect(callerIdentityParams({ 'P-Asserted-Identity': pai, Identity: 'garbage.%%%.x' }, '<sip:a@b>')).toEqual({ StirVerstat: 'TN-Validation-Passed' });
  });
});
