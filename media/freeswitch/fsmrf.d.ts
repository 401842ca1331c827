/**
 * The part of drachtio-fsmrf 4.1.2 (a CommonJS package without typings) that
 * the FreeSWITCH driver uses. Read from its lib/mrf.js, mediaserver.js and
 * endpoint.js.
 */
declare module 'drachtio-fsmrf' {
  import type { EventEmitter } from 'node:events';
  import type Srf from 'drachtio-srf';

  namespace Mrf {
    /** An event received over the event socket (drachtio-modesl's Event). */
    interface EslEvent {
      getHeader(name: string): string | undefined;
      getBody(): string;
    }

    interface ConnectOptions {
      address: string;
      port?: number;
      secret?: string;
      /** Where the per-call outbound event socket connections arrive. */
      listenAddress?: string;
      listenPort?: number;
      /** Written in the X-esl-outbound header of the INVITE to FreeSWITCH. */
      advertisedAddress?: string;
      advertisedPort?: number;
      profile?: string;
    }

    interface CreateEndpointOptions {
      remoteSdp?: string;
      codecs?: string | string[];
      headers?: Record<string, string>;
    }

    /** One inbound event socket connection to a FreeSWITCH server. */
    interface MediaServer extends EventEmitter {
      readonly address: string;
      readonly listenAddress: string;
      readonly listenPort: number;
      /** From FreeSWITCH's HEARTBEAT events (NaN before the first). */
      readonly currentSessions: number;
      readonly maxSessions: number;
      connected(): boolean;
      createEndpoint(opts?: CreateEndpointOptions): Promise<Endpoint>;
      api(command: string): Promise<string>;
      disconnect(): void;
      on(event: 'end', listener: () => void): this;
      on(event: 'error', listener: (err: Error) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }

    interface DtmfArgs {
      dtmf: string;
      duration?: string;
      /** 'RTP' (RFC 2833/4733), 'INBAND_AUDIO', 'ENDPOINT' (SIP INFO), 'APP', ... */
      source?: string;
    }

    /** A FreeSWITCH channel controlled through its outbound event socket connection. */
    interface Endpoint extends EventEmitter {
      readonly uuid: string;
      readonly local: { sdp: string; mediaIp?: string; mediaPort?: string };
      readonly remote: { sdp: string; mediaIp?: string; mediaPort?: string };
      readonly connected: boolean;
      readonly dtmfType?: string;
      /** The SIP dialog between the engine and FreeSWITCH (drachtio-srf). */
      readonly dialog: Srf.Dialog | null;
      /** The outbound event socket connection; null once it closed. */
      readonly conn: unknown;
      execute(app: string, arg?: string): Promise<EslEvent>;
      api(command: string, args?: string | string[]): Promise<EslEvent>;
      set(param: string, value: string): Promise<unknown>;
      set(params: Record<string, string>): Promise<unknown>;
      bridge(other: Endpoint | string): Promise<void>;
      unbridge(): Promise<void>;
      modify(sdp: string): Promise<string>;
      getChannelVariables(includeMedia?: boolean): Promise<Record<string, string>>;
      destroy(): Promise<void>;
      on(event: 'dtmf', listener: (args: DtmfArgs) => void): this;
      on(event: 'destroy', listener: (info?: { reason?: string }) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  class Mrf extends EventEmitter {
    constructor(srf: Srf, opts?: { customEvents?: string[] });
    connect(opts: Mrf.ConnectOptions): Promise<Mrf.MediaServer>;
  }

  export = Mrf;
}
