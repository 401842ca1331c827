import { describe, expect, test } from 'vitest';
import { CallSession } from '../../engine/calls/call-session.js';
import { CallStore } from '../../engine/calls/call-store.js';
import { StoreOptionsSchema } from '../../config/store-options.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import { bareUri, displayName, sipCallParams } from '../../engine/calls/sip-call-params.js';

const init = {
  sid: 'CA' + '1'.repeat(32),
  accountSid: 'AC' + '2'.repeat(32),
  applicationId: 'menu',
  from: 'sip:alice@example.com',
  to: 'sip:100@pbx.example.com',
  callId: 'abc@host',
  sourceAddress: '10.0.0.5',
  sourcePort: 5060,
  sipParams: { SipCallId: 'abc@host' },
};

describe('CallSession', () => {
  test('ringing -> in-progress -> completed with times and duration', () => {
    const call = new CallSession(init);
    expect(call.status).toBe('ringing');
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(call.setStatus('in-progress', t0)).toBe(true);
    expect(call.setStatus('completed', new Date(t0.getTime() + 4600))).toBe(true);
    expect(call.answerTime).toEqual(t0);
    expect(call.durationSeconds).toBe(5);
    expect(call.isFinal).toBe(true);
  });

  test('nothing moves a call out of a final state', () => {
    const call = new CallSession(init);
    expect(call.setStatus('canceled')).toBe(true);
    expect(call.setStatus('in-progress')).toBe(false);
    expect(call.setStatus('completed')).toBe(false);
    expect(call.status).toBe('canceled');
    expect(call.durationSeconds).toBe(0);
  });

  test('an answered call cannot become busy', () => {
    const call = new CallSession(init);
    call.setStatus('in-progress');
    expect(call.setStatus('busy')).toBe(false);
  });

  test('webhook parameters use Twilio names and the current status', () => {
    const call = new CallSession(init);
    call.setStatus('in-progress');
    expect(call.webhookParams()).toEqual({
      CallSid: init.sid,
      AccountSid: init.accountSid,
      From: init.from,
      To: init.to,
      Caller: init.from,
      Called: init.to,
      CallStatus: 'in-progress',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      SipCallId: 'abc@host',
    });
  });

  test('the call store writes a call when it starts and at every change of state', async () => {
    const state = new EmbeddedStore(':memory:', StoreOptionsSchema.parse({}), silentLogger());
    const store = new CallStore(state.calls, 'engine-1');
    const call = new CallSession(init);
    store.add(call, { statusCallback: 'http://127.0.0.1:3000/status', statusCallbackMethod: 'POST', statusCallbackEvents: ['completed'] });
    expect(await store.get(init.accountSid, init.sid)).toMatchObject({
      sid: init.sid,
      status: 'ringing',
      engineId: 'engine-1',
      applicationId: init.applicationId,
      statusCallback: { url: 'http://127.0.0.1:3000/status', method: 'POST', events: ['completed'] },
    });
    call.setStatus('in-progress');
    expect(await store.get(init.accountSid, init.sid)).toMatchObject({ status: 'in-progress', answerTime: call.answerTime });
    call.setStatus('completed');
    call.sipResponseCode = 200;
    store.ended(call);
    expect(await store.get(init.accountSid, init.sid)).toMatchObject({ status: 'completed', endTime: call.endTime, sipResponseCode: 200 });
    expect(await store.get('AC' + '0'.repeat(32), init.sid)).toBeUndefined();
    await state.close();
  });
});

describe('SIP parameters', () => {
  test('URIs lose brackets, display names and parameters', () => {
    expect(bareUri('"Alice" <sip:alice@example.com:5070;transport=tcp>;tag=1')).toBe('sip:alice@example.com:5070');
    expect(bareUri('sip:bob@example.com;tag=9')).toBe('sip:bob@example.com');
    expect(bareUri('sip:100@10.0.0.1;user=phone?subject=x')).toBe('sip:100@10.0.0.1');
    expect(displayName('"Alice \\"A\\"" <sip:a@b>')).toBe('Alice "A"');
    expect(displayName('<sip:a@b>')).toBeUndefined();
  });

  test('SipCallId, source, domain, caller name and X- headers', () => {
    const params = sipCallParams({
      uri: 'sip:100@PBX.example.com;transport=udp',
      callId: 'c1',
      sourceAddress: '192.0.2.1',
      sourcePort: 5062,
      headers: { 'X-Customer': '42', 'Subject': 'hi', 'x-lower': 'y' },
      from: 'Alice <sip:alice@example.com>;tag=1',
      to: '<sip:100@pbx.example.com>',
    });
    expect(params).toEqual({
      SipCallId: 'c1',
      SipSourceIp: '192.0.2.1',
      SipSourcePort: '5062',
      SipDomain: 'pbx.example.com',
      CallerName: 'Alice',
      'SipHeader_X-Customer': '42',
      'SipHeader_x-lower': 'y',
    });
  });
});
