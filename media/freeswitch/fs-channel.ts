/**
 * A FreeSWITCH channel as the endpoint adapter uses it: applications and API
 * commands over the channel's outbound event socket connection, each bounded
 * by the endpoint's life (drachtio-fsmrf never answers a command whose
 * connection has closed, so every wait must also end with the endpoint).
 */
import type Mrf from 'drachtio-fsmrf';
import { MediaError } from '../errors.js';

/** Resolves with p, or with undefined once signal aborts; p's late failure is swallowed. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve(undefined);
        else reject(err);
      },
    );
  });
}

/** An operation that FreeSWITCH runs as one application and that can be broken off (uuid_break). */
export class BreakableOp<R extends string> {
  reason: R | undefined;
  digit: string | undefined;

  constructor(private readonly breakApp: () => void) {}

  get ended(): boolean {
    return this.reason !== undefined;
  }

  /** The first reason wins; FreeSWITCH is asked to break off the running application. */
  stop(reason: R, digit?: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.digit = digit;
    this.breakApp();
  }
}

export class FsChannel {
  constructor(
    readonly fs: Mrf.Endpoint,
    private readonly life: AbortSignal,
  ) {}

  get uuid(): string {
    return this.fs.uuid;
  }

  /** Runs a dialplan application; undefined when the endpoint ended first. */
  async exec(app: string, arg = ''): Promise<Mrf.EslEvent | undefined> {
    try {
      return await untilAborted(this.fs.execute(app, arg), this.life);
    } catch (err) {
      throw new MediaError('destroyed', `FreeSWITCH application ${app} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Runs an API command on the channel's connection; the reply body, or undefined when the endpoint ended first. */
  async api(command: string, args: string | string[] = []): Promise<string | undefined> {
    try {
      const evt = await untilAborted(this.fs.api(command, args), this.life);
      return evt?.getBody();
    } catch (err) {
      throw new MediaError('destroyed', `FreeSWITCH command ${command} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Breaks off the application running on the channel (a playback, a record); fire and forget. */
  breakApp(): void {
    this.api('uuid_break', [this.uuid]).catch(() => undefined);
  }
}
