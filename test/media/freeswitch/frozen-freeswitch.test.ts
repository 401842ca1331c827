/**
 * A FreeSWITCH that stops answering while its event socket stays open (a
 * frozen process, a network partition without a reset): ending the call's
 * endpoint must not wait for it forever. The channel here stands in for
 * that FreeSWITCH: every command it is given stays unanswered.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type Mrf from 'drachtio-fsmrf';
import { FreeSwitchEndpoint, type FsEndpointContext } from '../../../media/freeswitch/freeswitch-endpoint.js';

const SDP = ['v=0', 'o=FreeSWITCH 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 30000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', ''].join('\r\n');

/** A channel whose FreeSWITCH never answers: every request stays pending. */
class FrozenChannel extends EventEmitter {
  readonly uuid = 'frozen-0001';
  readonly local = { sdp: SDP };
  readonly remote = { sdp: SDP };
  readonly connected = true;
  readonly dialog = null;
  readonly conn = {};
  requests: string[] = [];
  private pending<T>(what: string): Promise<T> {
    this.requests.push(what);
    return new Promise<T>(() => undefined);
  }
  execute(app: string): Promise<unknown> { return this.pending(`execute ${app}`); }
  api(command: string): Promise<unknown> { return this.pending(`api ${command}`); }
  set(): Promise<unknown> { return this.pending('set'); }
  getChannelVariables(): Promise<Record<string, string>> { return this.pending('getChannelVariables'); }
  destroy(): Promise<void> { return this.pending('destroy'); }
}

function settledWithin<T>(p: Promise<T>, ms: number): Promise<'settled' | 'pending'> {
  return Promise.race([
    p.then(() => 'settled' as const, () => 'settled' as const),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('FreeSWITCH endpoint when FreeSWITCH stops answering', () => {
  test('destroy() still ends: the endpoint emits destroy, is released, and a prompt in progress ends with hangup', async () => {
    const channel = new FrozenChannel();
    let released = 0;
    const ctx = {
      prompts: { forSpeech: () => Promise.resolve('/tmp/never.wav') },
      recordings: {},
      inbandDtmf: 'never',
      log: () => undefined,
    } as unknown as FsEndpointContext;
    const ep = new FreeSwitchEndpoint(channel as unknown as Mrf.Endpoint, ctx, { name: 'frozen:8021', hasSpandsp: false }, () => released++, 'call-frozen');
    let destroyEvents = 0;
    ep.on('destroy', () => destroyEvents++);
    const prompt = ep.say('hello');
    await expect.poll(() => channel.requests.includes('execute playback')).toBe(true);

    expect(await settledWithin(ep.destroy(), 8000)).toBe('settled');
    expect(destroyEvents).toBe(1);
    expect(released).toBe(1);
    expect(ep.destroyed).toBe(true);
    expect(await prompt).toMatchObject({ reason: 'hangup' });
  }, 15_000);
});
