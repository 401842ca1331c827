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
import type { CreateEndpointOptions, Endpoint, MediaConference, MediaServer } from '../types.js';
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

  async createEndpoint(opts: CreateEndpointOptions = {}): Promise<Endpoint> {
    const pair = await this.ports.allocate();
    const release = (): void => {
      this.ports.release(pair.rtpPort);
      this.endpoints.delete(ep);
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
