/**
 * A call's debugging resources, as a developer used to Twilio reads them
 * through the twilio library: Calls(sid).notifications lists the warning
 * of an element dialtone does not run (12200, the verbs around it ran) and
 * the error of a document that could not be had (11200, with its URL and
 * the response's body); Calls(sid).events lists every request made about
 * the call with its parameters (snake_case) and what came back: the
 * documents, and the status callbacks.
 */
import twilio from 'twilio';
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { httpStatus, noContent, twiml } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

describe("a call's Events and Notifications", () => {
  it('tell the warning of <Sms>, the 500 of a document, and every request with its answer', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'ivr', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['answered', 'completed'] }] });
    onTestFinished(() => h.stop());
    const doc = new twilio.twiml.VoiceResponse();
    doc.say('one');
    doc.sms('not sent by a voice engine');
    doc.say('two');
    doc.redirect(h.app.url('/broken'));
    h.app.on('/voice', twiml(doc.toString()));
    h.app.on('/broken', httpStatus(500, 'the server fell over'));
    h.app.on('/status', noContent());

    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const caller = await h.call({ scenario: 'answered', user: 'ivr', media, timeoutSeconds: 30 });
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    await h.app.waitForCount('/status', 2, 10_000);
    const callSid = h.app.to('/voice')[0]?.params.CallSid as string;
    // Both Says ran around the <Sms>: about a second of speech each, heard by the caller.
    expect(media.packets.length).toBeGreaterThan(50);

    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const call = client.calls(callSid);
    const waitFor = async <T>(probe: () => Promise<T[]>, n: number): Promise<T[]> => {
      const until = Date.now() + 5000;
      for (;;) {
        const got = await probe();
        if (got.length >= n || Date.now() > until) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const notifications = await waitFor(() => call.notifications.list(), 2);
    // Newest first: the error of /broken, then the warning of <Sms>.
    expect(notifications.map((n) => [n.errorCode, n.log])).toEqual([
      ['11200', '0'],
      ['12200', '1'],
    ]);
    const [error, warning] = notifications;
    expect(error).toMatchObject({ callSid, accountSid: ACCOUNT_SID, requestUrl: h.app.url('/broken'), requestMethod: 'POST', responseBody: 'the server fell over', moreInfo: 'https://www.twilio.com/docs/errors/11200' });
    expect(new URLSearchParams(error?.requestVariables ?? '').get('CallSid')).toBe(callSid);
    expect(warning?.requestUrl).toBe(h.app.url('/voice'));
    expect(new URLSearchParams(warning?.messageText ?? '').get('Msg')).toMatch(/Sms/);
    expect(warning?.sid).toMatch(/^NO[0-9a-f]{32}$/);
    const fetched = await call.notifications(warning?.sid as string).fetch();
    expect(fetched.errorCode).toBe('12200');
    expect((await call.notifications.list({ log: 1 })).map((n) => n.errorCode)).toEqual(['12200']);

    const events = await waitFor(() => call.events.list(), 4);
    // Newest first; oldest first reads as the call went.
    const timeline = [...events].reverse().map((e) => [new URL(e.request.url).pathname, e.response.response_code]);
    expect(timeline.filter(([path]) => path !== '/status')).toEqual([
      ['/voice', 200],
      ['/broken', 500],
    ]);
    expect(timeline.filter(([path]) => path === '/status')).toEqual([
      ['/status', 204],
      ['/status', 204],
    ]);
    const voice = events.find((e) => e.request.url.endsWith('/voice'));
    expect(voice?.request.method).toBe('POST');
    expect(voice?.request.parameters).toMatchObject({ call_sid: callSid, account_sid: ACCOUNT_SID, call_status: 'ringing', direction: 'inbound' });
    expect(voice?.response.content_type).toBe('text/xml');
    expect(voice?.response.response_body).toContain('<Sms>not sent by a voice engine</Sms>');
    expect(voice?.response.request_duration).toBeGreaterThanOrEqual(0);

    // A call that is not there has no Events.
    const res = await fetch(`${h.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${'CA' + '0'.repeat(32)}/Events.json`, { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` } });
    expect(res.status).toBe(404);
  });
});
