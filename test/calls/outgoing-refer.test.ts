/**
 * The REFER a call sends for <Refer> (RFC 3515), against a dialog that
 * stands for drachtio-srf's: what goes on the wire (Refer-To in <...>,
 * Referred-By, X- headers), how each NOTIFY is answered, and how the wait
 * ends, including the cases a SIPp peer makes slow or awkward to show: no
 * NOTIFY at all (the timeout), a NOTIFY overtaking the 202, a NOTIFY of
 * another REFER, a body that is not message/sipfrag, `Refer-Sub: false`.
 */
import { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../engine/logger.js';
import { localUri, sendRefer, type OutgoingReferOptions } from '../../engine/calls/outgoing-refer.js';

interface SentRequest {
  method: string;
  headers: Record<string, string>;
}

/** drachtio-srf's Dialog as far as a REFER goes: in-dialog requests the test answers, and 'notify' events. */
class FakeDialog extends EventEmitter {
  readonly sent: SentRequest[] = [];
  private answer: ((res: { status: number; headers?: Record<string, string> }) => void) | undefined;
  type: 'uas' | 'uac' = 'uas';
  req = { getParsedHeader: (name: string) => ({ uri: name === 'To' ? 'sip:+15550002222@engine.example' : 'sip:+15550009999@engine.example' }) };

  request(opts: SentRequest): Promise<Srf.SrfResponse> {
    this.sent.push(opts);
    return new Promise((resolve) => {
      this.answer = ({ status, headers = {} }) => {
        const lower = Object.fromEntries(Object.entries({ CSeq: '7 REFER', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
        resolve({ status, get: (name: string) => lower[name.toLowerCase()] } as unknown as Srf.SrfResponse);
      };
    });
  }

  /** The far end answers the REFER; resolves once the answer has been taken in, as before a next message from the network. */
  async respond(status: number, headers?: Record<string, string>): Promise<void> {
    this.answer?.({ status, headers });
    await new Promise((r) => setImmediate(r));
  }

  /** The far end sends a NOTIFY; resolves with the status it was answered. */
  notify(headers: Record<string, string>, body: string): Promise<number> {
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return new Promise((resolve) => {
      const req = { get: (name: string) => lower[name.toLowerCase()], body };
      const res = { send: (status: number) => resolve(status) };
      // Without a listener drachtio-srf answers 200 itself.
      if (!this.emit('notify', req, res)) resolve(200);
    });
  }
}

const SIPFRAG = 'message/sipfrag;version=2.0';
const active = (status: string, extra: Record<string, string> = {}): [Record<string, string>, string] => [
  { Event: 'refer', 'Subscription-State': 'active;expires=60', 'Content-Type': SIPFRAG, ...extra },
  `SIP/2.0 ${status}\r\n`,
];
const terminated = (status: string, extra: Record<string, string> = {}): [Record<string, string>, string] => [
  { Event: 'refer', 'Subscription-State': 'terminated;reason=noresource', 'Content-Type': SIPFRAG, ...extra },
  `SIP/2.0 ${status}\r\n`,
];

function start(dialog: FakeDialog, opts: Partial<OutgoingReferOptions> = {}) {
  const abort = new AbortController();
  const outcome = sendRefer({
    dialog: dialog as unknown as Srf.Dialog,
    referTo: 'sip:alice@example.com?X-Custom=1',
    referredBy: localUri(dialog as unknown as Srf.Dialog),
    headers: { 'X-Custom': '1' },
    signal: abort.signal,
    log: silentLogger(),
    ...opts,
  });
  return { outcome, abort };
}

describe('sending a REFER', () => {
  it('puts Refer-To in angle brackets with its URI headers, Referred-By this side, and the X- headers', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    expect(dialog.sent).toEqual([
      { method: 'REFER', headers: { 'X-Custom': '1', 'Refer-To': '<sip:alice@example.com?X-Custom=1>', 'Referred-By': '<sip:+15550002222@engine.example>' } },
    ]);
    await dialog.respond(202);
    expect(await dialog.notify(...terminated('200 OK'))).toBe(200);
    expect(await outcome).toEqual({ end: 'final', referStatus: 202, notifyStatus: 200, referredCall: 'in-progress' });
    // The subscription is over: the dialog answers later NOTIFYs by itself.
    expect(dialog.listenerCount('notify')).toBe(0);
  });

  it('Referred-By of a call the engine placed is its From', () => {
    const dialog = new FakeDialog();
    dialog.type = 'uac';
    expect(localUri(dialog as unknown as Srf.Dialog)).toBe('sip:+15550009999@engine.example');
  });

  it.each([
    ['486 Busy Here', 'busy'],
    ['603 Declined', 'busy'],
    ['480 Temporarily Unavailable', 'no-answer'],
    ['404 Not Found', 'failed'],
    ['500 Server Internal Error', 'failed'],
  ])('a final NOTIFY %s: the referred call is %s', async (line, status) => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(202);
    await dialog.notify(...active('100 Trying'));
    await dialog.notify(...active('180 Ringing'));
    // A final status ends the wait even in a NOTIFY that leaves the subscription active.
    await dialog.notify(...active(line));
    expect(await outcome).toEqual({ end: 'final', referStatus: 202, notifyStatus: Number(line.slice(0, 3)), referredCall: status });
  });

  it('a refusal ends at once with its status', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(405);
    expect(await outcome).toEqual({ end: 'refused', referStatus: 405 });
    expect(dialog.listenerCount('notify')).toBe(0);
  });

  it('no NOTIFY after the 202: the wait ends (timeout) with the REFER status only', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog, { firstNotifyMs: 30 });
    await dialog.respond(202);
    expect(await outcome).toEqual({ end: 'timeout', referStatus: 202 });
  });

  it("after a NOTIFY the wait lasts the subscription's expires, then ends with the last status", async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog, { firstNotifyMs: 10, maxSubscriptionWaitSeconds: 1 });
    await dialog.respond(202);
    const at = Date.now();
    await dialog.notify(...active('180 Ringing'));
    expect(await outcome).toEqual({ end: 'timeout', referStatus: 202, notifyStatus: 180 });
    // Not the 10 ms of the first wait: expires=60, capped at 1 s here.
    expect(Date.now() - at).toBeGreaterThanOrEqual(900);
  });

  it('a terminated subscription with no final status, with or without a body', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(202);
    await dialog.notify(...active('100 Trying'));
    expect(await dialog.notify({ Event: 'refer', 'Subscription-State': 'terminated;reason=timeout' }, '')).toBe(200);
    expect(await outcome).toEqual({ end: 'terminated', referStatus: 202, notifyStatus: 100 });
  });

  it('a NOTIFY overtaking the 202 counts once the 202 arrives', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    expect(await dialog.notify(...terminated('200 OK'))).toBe(200);
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await dialog.respond(202);
    expect(await outcome).toEqual({ end: 'final', referStatus: 202, notifyStatus: 200, referredCall: 'in-progress' });
  });

  it("a NOTIFY that goes on, overtaking the 202: the wait after the 202 is that NOTIFY's expires", async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog, { firstNotifyMs: 10 });
    await dialog.notify(...active('180 Ringing', { 'Subscription-State': 'active;expires=1' }));
    const at = Date.now();
    await dialog.respond(202);
    expect(await outcome).toEqual({ end: 'timeout', referStatus: 202, notifyStatus: 180 });
    expect(Date.now() - at).toBeGreaterThanOrEqual(900);
  });

  it("a NOTIFY naming another REFER's CSeq gets 481; one naming this REFER's counts; other events get 200 and are ignored", async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(202);
    expect(await dialog.notify(...terminated('200 OK', { Event: 'refer;id=3' }))).toBe(481);
    expect(await dialog.notify({ Event: 'dialog', 'Subscription-State': 'active' }, '<dialog-info/>')).toBe(200);
    expect(await dialog.notify(...terminated('486 Busy Here', { Event: 'refer;id=7' }))).toBe(200);
    expect(await outcome).toEqual({ end: 'final', referStatus: 202, notifyStatus: 486, referredCall: 'busy' });
  });

  it.each([
    ['a sipfrag that is not a status line', { 'Content-Type': SIPFRAG }, 'SIP/2.0 OK\r\n', 400],
    ['a status line of another protocol', { 'Content-Type': SIPFRAG }, 'HTTP/1.1 200 OK\r\n', 400],
    ['a body of another type', { 'Content-Type': 'text/plain' }, 'SIP/2.0 200 OK\r\n', 415],
    ['an active NOTIFY without a body', { 'Content-Type': SIPFRAG }, '', 400],
  ])('%s is refused (%s) and the transfer counts as failed', async (_name, headers, body, status) => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(202);
    await dialog.notify(...active('100 Trying'));
    expect(await dialog.notify({ Event: 'refer', 'Subscription-State': 'active;expires=30', ...headers }, body)).toBe(status);
    expect(await outcome).toEqual({ end: 'malformed', referStatus: 202, notifyStatus: 100 });
  });

  it('a 202 with Refer-Sub: false (RFC 4488) means no NOTIFY will come', async () => {
    const dialog = new FakeDialog();
    const { outcome } = start(dialog);
    await dialog.respond(202, { 'Refer-Sub': 'false' });
    expect(await outcome).toEqual({ end: 'terminated', referStatus: 202 });
  });

  it('the signal (hangup, redirect) stops the wait at once, with what was known', async () => {
    const dialog = new FakeDialog();
    const { outcome, abort } = start(dialog);
    await dialog.respond(202);
    await dialog.notify(...active('180 Ringing'));
    abort.abort();
    expect(await outcome).toEqual({ end: 'stopped', referStatus: 202, notifyStatus: 180 });
    expect(dialog.listenerCount('notify')).toBe(0);
  });

  it('a REFER that cannot be sent ends as refused with no status', async () => {
    const dialog = new FakeDialog();
    dialog.request = () => Promise.reject(new Error('dialog gone'));
    const { outcome } = start(dialog);
    expect(await outcome).toEqual({ end: 'refused' });
  });
});
