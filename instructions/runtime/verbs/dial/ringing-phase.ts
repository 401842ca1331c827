import type { Endpoint } from '../../../../media/types.js';
import type { DialVerb } from '../../../verbs/dial.js';
import type { VerbContext } from '../../verb-executor.js';
import { DialRecording } from './recording.js';
import { automaticRingTone, Ringback } from './ringback.js';
import type { RingNoun } from './ring.js';

/**
 * The caller's side of a <Dial> while the called parties ring.
 *
 * What the caller hears: the ringback (ringTone's country, or the
 * automatic one) from the first ringing until a ringing party's early
 * media replaces it, or the Dial connects or ends; the ringback also goes
 * on while a whisper document runs on the party that answered, as Twilio's
 * caller "continues to hear ringing". A caller left unanswered
 * (answerOnBridge) without ringTone keeps the ringing its own phone makes
 * from the 180, as before; with ringTone it is sent early media (183) to
 * hear the tone.
 *
 * The record-from-ringing modes start their recording at the first ringing.
 */
export class RingingPhase {
  readonly ringback: Ringback | undefined;
  private endpoint: Endpoint | undefined;
  private early: Promise<Endpoint> | undefined;
  private recordingStarted: Promise<void> | undefined;
  private rec: DialRecording | undefined;
  private over = false;

  constructor(
    private readonly verb: DialVerb,
    nouns: readonly RingNoun[],
    private readonly ctx: VerbContext,
    answered: Endpoint | undefined,
  ) {
    this.endpoint = answered;
    const fromRinging = verb.record === 'record-from-ringing' || verb.record === 'record-from-ringing-dual';
    const phoneRingsItself = verb.answerOnBridge && verb.ringTone === undefined && !fromRinging;
    if (!phoneRingsItself) this.ringback = Ringback.of(verb.ringTone ?? automaticRingTone(nouns), () => this.media(), ctx.signal, ctx.log);
  }

  /** The caller's endpoint, once there is one (answered, or early media). */
  get caller(): Endpoint | undefined {
    return this.endpoint;
  }

  /** The recording started while ringing, or at the bridge (connected()). */
  get recording(): DialRecording | undefined {
    return this.rec;
  }

  /** The caller's endpoint: the answered one, or early media (183) for a caller not answered yet. */
  media(): Promise<Endpoint> {
    if (this.endpoint) return Promise.resolve(this.endpoint);
    this.early ??= this.ctx.control.earlyMedia().then((e) => (this.endpoint = e));
    return this.early;
  }

  /** A called party rings (its first 18x). */
  readonly ringing = (sipStatus: number): void => {
    if (this.over) return;
    const { verb, ctx } = this;
    if ((verb.record === 'record-from-ringing' || verb.record === 'record-from-ringing-dual') && !this.recordingStarted) {
      this.recordingStarted = this.media().then(
        (caller) => {
          if (!this.over && !ctx.signal.aborted) this.rec = DialRecording.start(verb, caller, ctx.control, ctx.log);
        },
        (err: unknown) => ctx.log.warn({ reason: (err as Error).message }, 'the Dial recording could not start: no media for the caller'),
      );
    }
    this.ringback?.ring(sipStatus);
  };

  /** A ringing party sends early media: the caller hears it instead of the ringback. */
  readonly earlyMedia = (leg: Endpoint): void => {
    void (async () => {
      await this.ringback?.stop();
      const caller = await this.media();
      if (leg.destroyed || this.ctx.signal.aborted || this.over) return;
      await caller.bridge(leg);
    })().catch((err: unknown) => this.ctx.log.warn({ reason: (err as Error).message }, 'early media could not reach the caller'));
  };

  /** A party answered: a whisper may run on it while the caller goes on hearing the ringback. */
  answered(): void {
    this.over = true;
  }

  /** The caller is about to be bridged with `leg` (or the Dial ends): the ringback stops. */
  async end(): Promise<void> {
    this.over = true;
    await this.ringback?.stop();
    await this.recordingStarted;
  }

  /** The caller is bridged with the party that answered: a record-from-answer recording starts now. */
  connected(caller: Endpoint): void {
    this.endpoint = caller;
    this.rec ??= DialRecording.start(this.verb, caller, this.ctx.control, this.ctx.log);
  }
}
