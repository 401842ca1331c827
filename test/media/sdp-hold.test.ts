import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sdpTransform from 'sdp-transform';
import { MediaError } from '../../media/errors.js';
import { encodeWav } from '../../media/embedded/audio/wav.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RtpPeer } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

describe('SDP offer/answer', () => {
  it("answers in the offerer's order with the codecs we support, rejecting other m-lines", async () => {
    const peer = await RtpPeer.open();
    const offer = peer.offer({ codecs: ['18 G729/8000', '8 PCMA/8000', '0 PCMU/8000'] }) +
      'm=video 9000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n';
    const ep = await t.server.createEndpoint({ remoteSdp: offer });
    const answer = sdpTransform.parse(ep.localSdp);
    expect(answer.media).toHaveLength(2);
    expect(answer.media[0].payloads).toBe('8 0 101');
    expect(answer.media[0].direction).toBe('sendrecv');
    expect(answer.media[1].port).toBe(0);
    expect(answer.connection?.ip).toBe('127.0.0.1');
    expect(ep.stats().codec).toBe('PCMA');
    await ep.destroy();
    peer.close();
  });

  it('refuses an offer with no codec in common with MediaError incompatible-codecs', async () => {
    const peer = await RtpPeer.open();
    const err = await t.server
      .createEndpoint({ remoteSdp: peer.offer({ codecs: ['18 G729/8000', '9 G722/8000'] }) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('incompatible-codecs');
    const bad = await t.server.createEndpoint({ remoteSdp: 'hello' }).catch((e: unknown) => e);
    expect((bad as MediaError).code).toBe('bad-sdp');
    peer.close();
  });

  it('makes an offer when there is none, and takes the answer', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({});
    const offer = sdpTransform.parse(ep.localSdp);
    expect(offer.media[0].payloads).toBe('0 8 111 101 110');
    expect(offer.media[0].rtp.map((r) => `${r.codec}/${r.rate}`)).toContain('opus/48000');
    await ep.modify(peer.offer({ codecs: ['8 PCMA/8000'] }));
    expect(ep.stats().codec).toBe('PCMA');
    await ep.playDigits('1');
    await peer.waitFor(() => peer.packets.length >= 3, 2000, 'packets to the answerer');
    await ep.destroy();
    peer.close();
  });

  it('holds and resumes: answers sendonly with recvonly and stops sending, o= version increments', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const v0 = Number(sdpTransform.parse(ep.localSdp).origin.sessionVersion);
    const wav = join(t.dir, 'hold.wav');
    await writeFile(wav, encodeWav(new Int16Array(8000 * 10).fill(2000)));
    const playing = ep.play(wav);
    await peer.waitFor(() => peer.packets.length >= 5, 2000, 'audio before hold');

    const held = await ep.modify(peer.offer({ direction: 'sendonly' }));
    const h = sdpTransform.parse(held);
    expect(h.media[0].direction).toBe('recvonly');
    expect(Number(h.origin.sessionVersion)).toBe(v0 + 1);
    const countAtHold = peer.packets.length;
    // Time passing is what is tested: nothing may arrive while held.
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.packets.length - countAtHold).toBeLessThanOrEqual(1);

    const inactive = sdpTransform.parse(await ep.modify(peer.offer({ direction: 'inactive' })));
    expect(inactive.media[0].direction).toBe('inactive');

    const resumed = sdpTransform.parse(await ep.modify(peer.offer()));
    expect(resumed.media[0].direction).toBe('sendrecv');
    expect(Number(resumed.origin.sessionVersion)).toBe(v0 + 3);
    const countAtResume = peer.packets.length;
    await peer.waitFor(() => peer.packets.length >= countAtResume + 5, 2000, 'audio after resume');
    const first = peer.packets[countAtResume];
    expect(first.marker).toBe(true);
    // Same SSRC, sequence continuous, timestamp advanced by the time on hold.
    const before = peer.packets[countAtResume - 1];
    expect(first.ssrc).toBe(before.ssrc);
    expect((first.seq - before.seq) & 0xffff).toBe(1);
    expect((first.ts - before.ts) >>> 0).toBeGreaterThan(160 * 10);
    await ep.destroy();
    expect((await playing).reason).toBe('hangup');
    peer.close();
  });
});
