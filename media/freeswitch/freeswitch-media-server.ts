import Mrf from 'drachtio-fsmrf';
import type Srf from 'drachtio-srf';
import { MediaError } from '../errors.js';
import type { CreateEndpointOptions, Endpoint, MediaConference, MediaServer } from '../types.js';
import { FreeSwitchEndpoint, type FsEndpointContext } from './freeswitch-endpoint.js';
import { FreeSwitchNode, type FreeSwitchLog } from './freeswitch-node.js';
import type { RecordingPlaces } from './fs-recording-file.js';
import type { PromptFiles } from './prompt-files.js';
import { serversToTry } from './server-choice.js';

export interface FreeSwitchServerAddress {
  address: string;
  port: number;
  secret: string;
  /** Port of this server's event socket listener (FreeSWITCH's per-call connections); 0 lets the system choose. */
  listenPort?: number;
}

export interface FreeSwitchMediaServerConfig {
  servers: FreeSwitchServerAddress[];
  /** The sofia profile the INVITEs go to (drachtio-fsmrf's default drachtio_mrf). */
  profile: string;
  listenAddress: string;
  /** Listener port of the first server, the next ones count up from it; 0 lets the system choose. */
  listenPort: number;
  /** Address FreeSWITCH connects back to (the X-esl-outbound header); by default listenAddress. */
  advertisedAddress?: string;
  selection: 'least-loaded' | 'round-robin';
  reconnectIntervalMs: number;
  recordings: RecordingPlaces;
  inbandDtmf: FsEndpointContext['inbandDtmf'];
  prompts: PromptFiles;
  log?: FreeSwitchLog;
}

/**
 * Media on FreeSWITCH servers through drachtio-fsmrf: each endpoint is a
 * FreeSWITCH channel reached by an INVITE that the engine's own drachtio-srf
 * sends to the server's sofia profile; FreeSWITCH's dialplan hands the
 * channel to the engine over an outbound event socket connection.
 */
export class FreeSwitchMediaServer implements MediaServer {
  private readonly nodes: FreeSwitchNode[];
  private readonly ctx: FsEndpointContext;
  private readonly endpoints = new Set<FreeSwitchEndpoint>();
  private readonly log: FreeSwitchLog;
  private next = 0;

  constructor(
    srf: Srf,
    private readonly config: FreeSwitchMediaServerConfig,
  ) {
    this.log = config.log ?? (() => {});
    const mrf = new Mrf(srf);
    this.nodes = config.servers.map(
      (s, i) =>
        new FreeSwitchNode(mrf, {
          address: s.address,
          port: s.port,
          secret: s.secret,
          profile: config.profile,
          listenAddress: config.listenAddress,
          listenPort: s.listenPort ?? (config.listenPort === 0 ? 0 : config.listenPort + i),
          advertisedAddress: config.advertisedAddress,
          reconnectIntervalMs: config.reconnectIntervalMs,
          configKey: `media.freeswitch.servers[${i}]`,
          log: this.log,
        }),
    );
    this.ctx = { prompts: config.prompts, recordings: config.recordings, inbandDtmf: config.inbandDtmf, log: this.log };
  }

  /**
   * Connects to every server. Rejects when one refuses the password or lacks
   * the SIP profile (configuration errors); unreachable servers are logged
   * and retried in the background.
   */
  async start(): Promise<void> {
    try {
      await Promise.all(this.nodes.map((n) => n.start()));
    } catch (err) {
      this.closeNodes();
      throw err;
    }
  }

  /** Servers whose event socket is up now. */
  get available(): number {
    return this.nodes.filter((n) => n.server).length;
  }

  get size(): number {
    return this.endpoints.size;
  }

  /** Conference rooms on FreeSWITCH (mod_conference) are not driven yet: the call router hears a clear error. */
  async createConference(opts: { name: string }): Promise<MediaConference> {
    throw new MediaError('unsupported', `conference "${opts.name}": conferences are not yet supported with FreeSWITCH media; use the embedded media engine`);
  }

  async createEndpoint(opts: CreateEndpointOptions = {}): Promise<Endpoint> {
    const candidates = this.pick(opts.near);
    if (candidates.length === 0) {
      throw new MediaError('unavailable', `no FreeSWITCH server is reachable (${this.nodes.map((n) => n.name).join(', ')})`);
    }
    let lastError: unknown;
    for (const node of candidates) {
      const ms = node.server;
      if (!ms) continue;
      let fs: Mrf.Endpoint;
      try {
        fs = await ms.createEndpoint(opts.remoteSdp !== undefined ? { remoteSdp: opts.remoteSdp } : {});
      } catch (err) {
        const status = (err as { status?: number }).status;
        // RFC 3261 21.4.26: FreeSWITCH answers 488 when no codec of the offer is usable.
        if (status === 488) throw new MediaError('incompatible-codecs', 'FreeSWITCH found no codec in common with the offer', { cause: err });
        if (status === 400 || status === 415) throw new MediaError('bad-sdp', `FreeSWITCH refused the SDP (${status})`, { cause: err });
        this.log('warn', 'FreeSWITCH could not create an endpoint', { server: node.name, callId: opts.callId, reason: (err as Error).message ?? String(err) });
        lastError = err;
        continue;
      }
      node.endpoints++;
      const ep: FreeSwitchEndpoint = new FreeSwitchEndpoint(
        fs,
        this.ctx,
        node,
        () => {
          node.endpoints--;
          this.endpoints.delete(ep);
        },
        opts.callId,
      );
      this.endpoints.add(ep);
      try {
        await ep.prepare(opts.remoteSdp);
      } catch (err) {
        await ep.destroy();
        throw err instanceof MediaError ? err : new MediaError('unavailable', `FreeSWITCH endpoint set-up failed: ${(err as Error).message}`, { cause: err });
      }
      if (ep.destroyed) throw new MediaError('unavailable', `FreeSWITCH ${node.name} ended the channel while it was set up`);
      return ep;
    }
    throw new MediaError('unavailable', `FreeSWITCH could not create an endpoint: ${(lastError as Error)?.message ?? 'no server'}`, { cause: lastError });
  }

  async close(): Promise<void> {
    await Promise.all([...this.endpoints].map((e) => e.destroy()));
    this.closeNodes();
  }

  /** The servers to try, in order: by the configured selection among those that are up. */
  private pick(near?: Endpoint): FreeSwitchNode[] {
    const loads = this.nodes.map((node) => ({ node, name: node.name, up: node.server !== undefined, endpoints: node.endpoints }));
    const nearServer = near instanceof FreeSwitchEndpoint && !near.destroyed ? near.serverName : undefined;
    return serversToTry(loads, this.config.selection, this.next++, nearServer).map((l) => l.node);
  }

  private closeNodes(): void {
    for (const n of this.nodes) n.close();
  }
}
