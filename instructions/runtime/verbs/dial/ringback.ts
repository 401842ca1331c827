import type { Logger } from 'pino';
import type { Endpoint } from '../../../../media/types.js';
import { ringbackToneStream, type RingTone } from '../../../../media/embedded/dsp/ringback.js';
import type { RingNoun } from './ring.js';

/**
 * Country calling codes (ITU-T E.164) of the ringTone countries, longest
 * first, for the automatic choice. +1 is the North American plan (us).
 */
const CALLING_CODES: readonly [string, RingTone][] = (
  [
    ['1', 'us'],
    ['7', 'ru'],
    ['27', 'za'],
    ['30', 'gr'],
    ['31', 'nl'],
    ['32', 'be'],
    ['33', 'fr'],
    ['34', 'es'],
    ['36', 'hu'],
    ['39', 'it'],
    ['41', 'ch'],
    ['43', 'at'],
    ['44', 'uk'],
    ['45', 'dk'],
    ['46', 'se'],
    ['47', 'no'],
    ['48', 'pl'],
    ['49', 'de'],
    ['52', 'mx'],
    ['55', 'br'],
    ['56', 'cl'],
    ['58', 've'],
    ['60', 'my'],
    ['61', 'au'],
    ['63', 'ph'],
    ['64', 'nz'],
    ['65', 'sg'],
    ['66', 'th'],
    ['81', 'jp'],
    ['86', 'cn'],
    ['91', 'in'],
    ['351', 'pt'],
    ['358', 'fi'],
    ['359', 'bg'],
    ['370', 'lt'],
    ['372', 'ee'],
    ['420', 'cz'],
    ['886', 'tw'],
    ['972', 'il'],
  ] as [string, RingTone][]
).sort((a, b) => b[0].length - a[0].length);

/**
 * The ringback when ringTone is not given. Twilio then "will play ringback
 * or pass ringback from the carrier" without saying which tone; dialtone
 * takes the tone of the country of the first Number dialled when it is an
 * E.164 number of one of the ringTone countries, else the North American
 * one (a carrier's ringback, sent as early media, replaces it anyway).
 */
export function automaticRingTone(nouns: readonly RingNoun[]): RingTone {
  const number = nouns.find((n) => n.noun === 'Number');
  const digits = number?.noun === 'Number' && number.number.trim().startsWith('+') ? number.number.replace(/\D/g, '') : '';
  return CALLING_CODES.find(([code]) => digits.startsWith(code))?.[1] ?? 'us';
}

/** How long a 183 without early media yet may stay silent before the ringback starts. */
const EARLY_MEDIA_GRACE_MS = 300;

/**
 * The ringback the caller of a <Dial> hears while the called party rings:
 * a country's tone, looped on the caller's endpoint from the first ringing
 * indication until the Dial ends it (early media from the called party, the
 * bridge, or the end of the Dial). A 180 starts it at once; after a 183
 * (Session Progress, which usually brings early media) it waits a moment
 * for that media first. Once stopped, it does not start again.
 */
export class Ringback {
  private stopped = false;
  private started = false;
  private grace: ReturnType<typeof setTimeout> | undefined;
  private playing: { stop: AbortController; done: Promise<unknown> } | undefined;

  constructor(
    /** The tone_stream source of the tone. */
    readonly source: string,
    /** The caller's endpoint: answered, or early media of an unanswered caller. */
    private readonly callerMedia: () => Promise<Endpoint>,
    private readonly signal: AbortSignal,
    private readonly log: Logger,
  ) {}

  static of(tone: RingTone, callerMedia: () => Promise<Endpoint>, signal: AbortSignal, log: Logger): Ringback {
    return new Ringback(ringbackToneStream(tone), callerMedia, signal, log);
  }

  /** A called party rings with this provisional response. */
  ring(sipStatus: number): void {
    if (this.started || this.stopped || this.grace) return;
    if (sipStatus === 183) this.grace = setTimeout(() => this.start(), EARLY_MEDIA_GRACE_MS);
    else this.start();
  }

  /** Ends the ringback for good; resolves once the tone has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.grace);
    const p = this.playing;
    this.playing = undefined;
    if (!p) return;
    p.stop.abort();
    await p.done;
  }

  private start(): void {
    this.grace = undefined;
    if (this.started || this.stopped || this.signal.aborted) return;
    this.started = true;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, this.signal]);
    const done = (async () => {
      const endpoint = await this.callerMedia();
      if (signal.aborted || endpoint.destroyed) return;
      await endpoint.play(this.source, { loop: 0, signal });
    })().catch((err: unknown) => {
      if (!signal.aborted) this.log.warn({ reason: (err as Error).message }, 'the ringback could not be played to the caller');
    });
    this.playing = { stop, done };
  }
}
