import { join } from 'node:path';
import { MediaClock } from './clock.js';
import type { AudioLoader, EndpointContext, InbandDtmfMode, SpeechSynthesizer } from './endpoint/context.js';
import { EmbeddedEndpoint } from './endpoint/embedded-endpoint.js';
import { SdpState } from './endpoint/sdp-state.js';
import { PortAllocator } from './rtp/port-allocator.js';
import { RtpSession } from './rtp/rtp-session.js';
import type { AudioCodecName } from './sdp/formats.js';
import { MediaCache } from '../cache.js';
import { CachedTts } from './tts/tts-cache.js';
import { EspeakProvider } from './tts/espeak-provider.js';
import type { TtsProvider } from './tts/tts-provider.js';
import type { CreateEndpointOptions, Endpoint, EndpointStats, MediaConference, MediaServer } from '../types.js';
import { EmbeddedConferenceRoom } from './conference/conference-room.js';

/** Streams are spread over four 5 ms phases of the 20 ms clock (see MediaClock). */
export const MEDIA_CLOCK_PHASES = 4;

export interface EmbeddedMediaServerConfig {
  /** RTP port range (RTP even, RTCP the next port); 0/0 lets the system choose. */
  rtpPortMin: number;
  rtpPortMax: number;
  /** Address the media sockets bind to. */
  bindAddress: string;
  /** Address written in SDP (c=, o=): what peers can reach. */
  advertisedAddress: string;
  /** Directory of the media cache (downloaded audio, synthesized speech). */
  cacheDir: string;
  /** Text to speech; by default espeak-ng, cached in cacheDir/tts. */
  tts?: TtsProvider | SpeechSynthesizer;
  /** Loads files and URLs; by default a MediaCache in cacheDir/audio. */
  loader?: AudioLoader;
  /** Codecs, in the order offered. Default PCMU, PCMA, opus. */
  codecs?: AudioCodecName[];
  inbandDtmf?: InbandDtmfMode;
  /** One clock shared by several servers in a process; by default each server has its own. */
  clock?: MediaClock;
  log?: EndpointContext['log'];
}

/** RTP of every endpoint since the server started (ended ones included), read when asked. */
export interface RtpTotals {
  sentPackets: number;
  sentBytes: number;
  receivedPackets: number;
  receivedBytes: number;
  /** Packets expected from sequence numbers minus packets received (RFC 3550 A.3), summed over streams. */
  lost: number;
  /** Largest interarrival jitter of the endpoints open now, in ms (0 with none). */
  maxJitterMs: number;
}

/**
 * The embedded RTP media engine: endpoints with their own RTP ports, all
 * driven by one 20 ms clock.
 */
export class EmbeddedMediaServer implements MediaServer {
  readonly clock: MediaClock;
  private readonly ports: PortAllocator;
  private readonly ctx: EndpointContext;
  private readonly endpoints = new Set<EmbeddedEndpoint>();
  private readonly rooms = new Set<EmbeddedConferenceRoom>();
  /** What the endpoints that have ended sent and received. */
  private readonly ended: Omit<RtpTotals, 'maxJitterMs'> = { sentPackets: 0, sentBytes: 0, receivedPackets: 0, receivedBytes: 0, lost: 0 };

  constructor(readonly config: EmbeddedMediaServerConfig) {
    this.clock = config.clock ?? new MediaClock({ phases: MEDIA_CLOCK_PHASES });
    this.ports = new PortAllocator(config.rtpPortMin, config.rtpPortMax, config.bindAddress);
    this.ctx = {
      clock: this.clock,
      codecs: config.codecs ?? ['PCMU', 'PCMA', 'opus'],
      advertisedAddress: config.advertisedAddress,
      loader: config.loader ?? new MediaCache({ dir: join(config.cacheDir, 'audio') }),
      tts: config.tts ?? new CachedTts(new EspeakProvider(), { dir: join(config.cacheDir, 'tts') }),
      inbandDtmf: config.inbandDtmf ?? 'auto',
      log: config.log ?? (() => {}),
    };
  }

  get size(): number {
    return this.endpoints.size;
  }

  /** Totals over every endpoint, summed from their counters now (no work per packet). */
  rtpTotals(): RtpTotals {
    const t: RtpTotals = { ...this.ended, maxJitterMs: 0 };
    for (const ep of this.endpoints) {
      const s = ep.stats();
      addStats(t, s);
      if (s.received.jitterMs > t.maxJitterMs) t.maxJitterMs = s.received.jitterMs;
    }
    return t;
  }

  async createEndpoint(opts: CreateEndpointOptions = {}): Promise<Endpoint> {
    const pair = await this.ports.allocate();
    const release = (): void => {
      this.ports.release(pair.rtpPort);
      if (this.endpoints.delete(ep)) addStats(this.ended, ep.stats());
    };

    const sdp = new SdpState({
      address: this.config.advertisedAddress,
      rtpPort: pair.rtpPort,
      rtcpPort: pair.rtcpPort,
      codecs: this.ctx.codecs,
    });
    const session = new RtpSession(pair, `dialtone-${pair.rtpPort}@${this.config.advertisedAddress}`);
    try {
      if (opts.remoteSdp !== undefined) sdp.answer(opts.remoteSdp);
      else sdp.offer();
    } catch (err) {
      session.close();
      this.ports.release(pair.rtpPort);
      throw err;
    }
    const ep: EmbeddedEndpoint = new EmbeddedEndpoint(this.ctx, sdp, session, () => release(), opts.callId);
    this.endpoints.add(ep);
    return ep;
  }

  async createConference(opts: { name: string }): Promise<MediaConference> {
    const room = new EmbeddedConferenceRoom(opts.name, this.ctx, () => this.rooms.delete(room));
    this.rooms.add(room);
    return room;
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms].map((r) => r.destroy()));
    await Promise.all([...this.endpoints].map((e) => e.destroy()));
  }
}

function addStats(t: Omit<RtpTotals, 'maxJitterMs'>, s: EndpointStats): void {
  t.sentPackets += s.sent.packets;
  t.sentBytes += s.sent.bytes;
  t.receivedPackets += s.received.packets;
  t.receivedBytes += s.received.bytes;
  t.lost += s.received.lost;
}
