import { EventEmitter } from 'node:events';
import { FRAME_SAMPLES } from '../audio/format.js';
import { WavFileWriter } from '../audio/wav.js';
import type { ClockListener } from '../clock.js';
import type { EndpointContext } from '../endpoint/context.js';
import { EmbeddedEndpoint } from '../endpoint/embedded-endpoint.js';
import { Playback } from '../endpoint/playback.js';
import { trimFile } from '../endpoint/recording.js';
import { cancellableLoad } from '../../endpoint-support.js';
import { MediaError } from '../../errors.js';
import type {
  ConferenceMemberOptions,
  ConferenceTone,
  Endpoint,
  MediaConference,
  PlayOptions,
  PlayOutcome,
  RecordOutcome,
  SayOptions,
} from '../../types.js';
import { RoomMember } from './room-member.js';
import { roomTone } from './room-tones.js';

interface RoomRecording {
  writer: WavFileWriter;
  path: string;
  finish: (reason: RecordOutcome['reason']) => void;
}

/** A frame of silence, shared (frames queued for sending are never written to). */
const SILENCE = new Int16Array(FRAME_SAMPLES);

function clip16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** The room's sum without one member's own frame, with what its coaches say, clipped. */
function mixMinus(sum: Int32Array, own: Int16Array | undefined, coaches: readonly RoomMember[] | undefined): Int16Array {
  const out = new Int16Array(FRAME_SAMPLES);
  if (!coaches?.length) {
    for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = clip16(sum[i]! - own![i]!);
    return out;
  }
  const acc = new Int32Array(sum);
  if (own) for (let i = 0; i < FRAME_SAMPLES; i++) acc[i] -= own[i]!;
  for (const c of coaches) {
    const f = c.current!;
    for (let i = 0; i < FRAME_SAMPLES; i++) acc[i] += f[i]!;
  }
  for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = clip16(acc[i]!);
  return out;
}

/**
 * A conference room of the embedded engine, mixed on the shared media
 * clock. Each tick it takes one frame from every member, sums the members
 * the room hears (not muted, not on hold, not coaching) with what is played
 * to the room, and sends each member that sum without its own frame (so
 * nobody hears themself), plus its coaches; silence when there is nothing
 * to hear, so every member's stream keeps a steady 20 ms cadence. Sums are 32-bit and clipped to
 * 16 bits once, at the end, so loud rooms saturate rather than wrap round.
 * A member whose frame is late is simply not in that tick's mix: the clock
 * never waits for anyone.
 */
export class EmbeddedConferenceRoom extends EventEmitter implements MediaConference, ClockListener {
  private members: RoomMember[] = [];
  private readonly sum = new Int32Array(FRAME_SAMPLES);
  private readonly scratch = new Int16Array(FRAME_SAMPLES);
  private announcement: Playback | undefined;
  private tones: Playback[] = [];
  private recording: RoomRecording | undefined;
  private ticking = false;
  private readonly life = new AbortController();

  constructor(
    readonly name: string,
    private readonly ctx: EndpointContext,
    private readonly onDestroyed: () => void = () => undefined,
  ) {
    super();
  }

  get destroyed(): boolean {
    return this.life.signal.aborted;
  }

  get size(): number {
    return this.members.length;
  }

  async join(endpoint: Endpoint, opts: ConferenceMemberOptions = {}): Promise<RoomMember> {
    if (this.destroyed) throw new MediaError('destroyed', `conference room "${this.name}" has ended`);
    if (!(endpoint instanceof EmbeddedEndpoint)) throw new TypeError('only endpoints of the embedded engine can join its conference rooms');
    if (endpoint.destroyed) throw new MediaError('destroyed', 'the endpoint has ended');
    if (this.members.some((m) => m.endpoint === endpoint)) throw new TypeError('the endpoint is in the room already');
    const member = new RoomMember(endpoint, opts, (m) => this.remove(m));
    await endpoint.attachRoom(member.input);
    this.members = [...this.members, member];
    endpoint.once('destroy', () => void this.remove(member));
    this.updateTicking();
    return member;
  }

  async play(sources: string | string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    const list = Array.isArray(sources) ? sources : [sources];
    const clips = await cancellableLoad(this.life.signal, opts.signal, (signal) => Promise.all(list.map((s) => this.ctx.loader.get(s, signal))));
    if (!clips) return { reason: this.destroyed ? 'hangup' : 'stopped', playedMs: 0 };
    return this.announce(clips, opts);
  }

  async say(text: string, opts: SayOptions = {}): Promise<PlayOutcome> {
    const tts = this.ctx.tts;
    if (!tts) throw new MediaError('tts-failed', 'no text-to-speech provider is configured');
    const voice = { voice: opts.voice, language: opts.language };
    const clip = await cancellableLoad(this.life.signal, opts.signal, (signal) => tts.synthesize(text, voice, signal));
    if (!clip) return { reason: this.destroyed ? 'hangup' : 'stopped', playedMs: 0 };
    return this.announce([clip], opts);
  }

  tone(kind: ConferenceTone): void {
    if (this.destroyed) return;
    this.tones = [...this.tones, new Playback([roomTone(kind)], 1, false, () => undefined)];
    this.updateTicking();
  }

  async record(opts: { path: string; signal?: AbortSignal; trim?: boolean }): Promise<RecordOutcome> {
    if (this.destroyed) return { reason: 'hangup', path: opts.path, durationMs: 0 };
    if (opts.signal?.aborted) return { reason: 'stopped', path: opts.path, durationMs: 0 };
    const writer = await WavFileWriter.open(opts.path);
    this.recording?.finish('stopped');
    return new Promise<RecordOutcome>((resolve, reject) => {
      const onAbort = (): void => rec.finish('stopped');
      const rec: RoomRecording = {
        writer,
        path: opts.path,
        finish: (reason) => {
          if (this.recording === rec) this.recording = undefined;
          opts.signal?.removeEventListener('abort', onAbort);
          this.updateTicking();
          writer
            .close()
            .then(async (r) => resolve({ reason, path: opts.path, durationMs: opts.trim ? await trimFile(opts.path) : r.durationMs }))
            .catch(reject);
        },
      };
      this.recording = rec;
      if (this.destroyed) rec.finish('hangup');
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.updateTicking();
    });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.life.abort();
    this.onDestroyed();
    const members = this.members;
    this.members = [];
    await Promise.all(members.map((m) => m.endpoint.attachRoom(undefined)));
    this.announcement?.finish('hangup');
    this.recording?.finish('hangup');
    this.tones = [];
    this.updateTicking();
    this.removeAllListeners();
  }

  private async remove(member: RoomMember): Promise<void> {
    if (!this.members.includes(member)) return;
    this.members = this.members.filter((m) => m !== member);
    for (const m of this.members) if (m.coaching === member) m.coaching = undefined;
    if (member.speech.speaking) this.emitLater(member, false);
    await member.endpoint.attachRoom(undefined);
    this.updateTicking();
  }

  private announce(clips: Int16Array[], opts: PlayOptions): Promise<PlayOutcome> {
    if (this.destroyed) return Promise.resolve({ reason: 'hangup', playedMs: 0 });
    if (opts.signal?.aborted) return Promise.resolve({ reason: 'stopped', playedMs: 0 });
    this.announcement?.finish('stopped');
    return new Promise((resolve) => {
      const onAbort = (): void => p.finish('stopped');
      const p = new Playback(clips, opts.loop ?? 1, false, (o) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (this.announcement === p) this.announcement = undefined;
        this.updateTicking();
        resolve(o);
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.announcement = p;
      this.updateTicking();
    });
  }

  /** The room ticks while it has members, a recording, or something to play. */
  private updateTicking(): void {
    const want = !this.destroyed && (this.members.length > 0 || this.recording !== undefined || this.announcement !== undefined || this.tones.length > 0);
    if (want === this.ticking) return;
    this.ticking = want;
    if (want) this.ctx.clock.add(this);
    else this.ctx.clock.remove(this);
  }

  /** Adds one frame of what is played to the room into the sum; true when there was any. */
  private addRoomSound(): boolean {
    let any = false;
    const p = this.announcement;
    if (p?.active) {
      if (p.fill(this.scratch)) {
        for (let i = 0; i < FRAME_SAMPLES; i++) this.sum[i] += this.scratch[i]!;
        any = true;
      } else p.finish('finished');
    }
    if (this.tones.length > 0) {
      for (const t of this.tones) {
        if (!t.fill(this.scratch)) {
          t.finish('finished');
          continue;
        }
        for (let i = 0; i < FRAME_SAMPLES; i++) this.sum[i] += this.scratch[i]!;
        any = true;
      }
      this.tones = this.tones.filter((t) => t.active);
    }
    return any;
  }

  onTick(): void {
    const sum = this.sum;
    sum.fill(0);
    let heard = this.addRoomSound() ? 1 : 0;
    const members = this.members;
    let coaches: RoomMember[] | undefined;
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      const f = m.take();
      const change = m.speech.push(m.talks ? f : undefined);
      if (change !== undefined) this.emitLater(m, change);
      m.current = m.talks && m.speech.audible ? f : undefined;
      if (!m.current) continue;
      if (m.coaching) (coaches ??= []).push(m);
      else {
        heard++;
        const c = m.current;
        for (let i = 0; i < FRAME_SAMPLES; i++) sum[i] += c[i]!;
      }
    }
    // What a member who adds nothing hears: the same frame for all of them, made once.
    let shared: Int16Array | undefined;
    const everything = (): Int16Array => {
      if (!shared) {
        shared = new Int16Array(FRAME_SAMPLES);
        for (let i = 0; i < FRAME_SAMPLES; i++) shared[i] = clip16(sum[i]!);
      }
      return shared;
    };
    if (this.recording) this.recording.writer.write(heard > 0 ? everything() : SILENCE);
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      if (m.hold) continue;
      const own = m.coaching ? undefined : m.current;
      const coachedBy = coaches?.filter((c) => c.coaching === m);
      const sources = heard - (own ? 1 : 0) + (coachedBy?.length ?? 0);
      if (sources === 0) {
        // Nobody to hear: silence, so the member's stream keeps its 20 ms cadence.
        m.endpoint.feedRoomAudio(SILENCE);
      } else if (!own && !coachedBy?.length) {
        m.endpoint.feedRoomAudio(everything());
      } else {
        m.endpoint.feedRoomAudio(mixMinus(sum, own, coachedBy));
      }
    }
  }

  /** Speaking events leave the clock's path: listeners run after the tick. */
  private emitLater(member: RoomMember, speaking: boolean): void {
    setImmediate(() => {
      if (this.destroyed) return;
      try {
        this.emit('speaking', member, speaking);
      } catch (err) {
        this.ctx.log('warn', 'a conference speaking listener failed', { room: this.name, err: String(err) });
      }
    });
  }
}
