import { randomInt } from 'node:crypto';
import { describe } from '../sdp/describe.js';
import {
  OFFER_FORMATS,
  OFFER_TELEPHONE_EVENTS,
  type AudioCodecName,
  type Direction,
  type PayloadFormat,
} from '../sdp/formats.js';
import { acceptAnswer, negotiateOffer, type Negotiated } from '../sdp/negotiate.js';

export interface SdpStateOptions {
  address: string;
  rtpPort: number;
  rtcpPort: number;
  codecs: readonly AudioCodecName[];
}

/**
 * The offer/answer state of one endpoint (RFC 3264): answers the peer's
 * offers, makes an offer when there was none, takes the answer to it, and
 * numbers each new local description (o= version, §8).
 */
export class SdpState {
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = 0;
  private awaitingAnswer = false;
  private ourOffer: PayloadFormat[] = [];
  localSdp = '';
  negotiated: Negotiated | undefined;

  constructor(private readonly o: SdpStateOptions) {}

  /** Answers an offer (throws MediaError 'incompatible-codecs' or 'bad-sdp'). */
  answer(offer: string): Negotiated {
    const n = negotiateOffer(offer, this.o.codecs);
    this.negotiated = n;
    this.awaitingAnswer = false;
    this.localSdp = describe({
      ...this.base(),
      version: this.version++,
      rtcpMux: n.remote.rtcpMux,
      formats: n.formats,
      telephoneEvent: n.telephoneEvent,
      direction: n.localDirection,
      mirror: { audioIndex: n.audioIndex, offeredMedia: n.offeredMedia },
    });
    return n;
  }

  /** Makes an offer with every configured codec and telephone-event. */
  offer(direction: Direction = 'sendrecv'): string {
    this.ourOffer = this.o.codecs.map((c) => OFFER_FORMATS[c]);
    this.awaitingAnswer = true;
    // An offer lists one telephone-event per clock rate (8 kHz for G.711, 48 kHz for Opus).
    this.localSdp = describe({
      ...this.base(),
      version: this.version++,
      rtcpMux: false,
      formats: [...this.ourOffer, ...OFFER_TELEPHONE_EVENTS],
      direction,
    });
    return this.localSdp;
  }

  get expectingAnswer(): boolean {
    return this.awaitingAnswer;
  }

  /** Applies the peer's SDP: the answer to our offer, or a new offer (re-INVITE). */
  apply(remoteSdp: string): Negotiated {
    if (!this.awaitingAnswer) return this.answer(remoteSdp);
    const n = acceptAnswer(remoteSdp, this.ourOffer);
    this.awaitingAnswer = false;
    this.negotiated = n;
    return n;
  }

  private base(): { sessionId: string; address: string; port: number; rtcpPort: number } {
    return { sessionId: this.sessionId, address: this.o.address, port: this.o.rtpPort, rtcpPort: this.o.rtcpPort };
  }
}
