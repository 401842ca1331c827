import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { twilioSignature, validateTwilioSignature } from '../../engine/webhooks/index.js';

const TOKEN = '12345abcdef67890token';

const cases: { name: string; url: string; params: Record<string, string> }[] = [
  {
    name: 'POST with call parameters',
    url: 'https://app.example.com/voice',
    params: { CallSid: 'CA' + '0'.repeat(32), From: '+15551230000', To: 'sip:100@pbx.example.com', CallStatus: 'ringing', Digits: '1234' },
  },
  { name: 'GET with the parameters in the query string', url: 'https://app.example.com/voice?CallSid=CA1&From=%2B15551230000&Digits=12%23', params: {} },
  { name: 'a URL with a port', url: 'http://127.0.0.1:8080/hooks/voice', params: { A: '1', B: '2' } },
  { name: 'special characters in values and path', url: 'https://app.example.com/v%20x/caf%C3%A9?q=a+b&r=%26', params: { Message: 'héllo wörld & <friends> "quoted" +1', Empty: '' } },
  { name: 'parameter names that sort by code unit', url: 'https://app.example.com/x', params: { b: '2', B: '1', a: '3', _z: '4', Z1: '5', Z10: '6', Z2: '7' } },
];

describe('twilioSignature', () => {
  it.each(cases)('matches the twilio library for $name', ({ url, params }) => {
    const ours = twilioSignature(TOKEN, url, params);
    expect(ours).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, params));
    expect(twilio.validateRequest(TOKEN, ours, url, params)).toBe(true);
    expect(validateTwilioSignature(TOKEN, ours, url, params)).toBe(true);
  });

  it('a known vector: HMAC-SHA1 of URL plus sorted name/value pairs', () => {
    // echo -n 'https://x.example/pa1b2' | openssl dgst -sha1 -hmac secret -binary | base64
    expect(twilioSignature('secret', 'https://x.example/p', { b: '2', a: '1' })).toBe('CkCVsHc8+/RwjWbzzu30Sri7RXA=');
  });

  it('rejects a wrong token, a changed parameter, a changed URL and garbage', () => {
    const { url, params } = cases[0]!;
    const sig = twilioSignature(TOKEN, url, params);
    expect(validateTwilioSignature('other-token', sig, url, params)).toBe(false);
    expect(validateTwilioSignature(TOKEN, sig, url, { ...params, Digits: '1235' })).toBe(false);
    expect(validateTwilioSignature(TOKEN, sig, url + '?x=1', params)).toBe(false);
    expect(validateTwilioSignature(TOKEN, '', url, params)).toBe(false);
    expect(validateTwilioSignature(TOKEN, 'not base64 at all, and longer than a digest', url, params)).toBe(false);
    expect(twilio.validateRequest(TOKEN, twilioSignature(TOKEN, url, { ...params, Digits: '9' }), url, params)).toBe(false);
  });
});
