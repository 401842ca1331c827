import { FRAME_MS } from '../audio/format.js';
import { digitToEvent } from './events.js';

/** One telephone-event packet to send on this tick. */
export interface EventPacket {
  /** The 4-byte RFC 4733 payload, valid until the next call to next(). */
  payload: Buffer;
  /** RFC 4733 §2.5.1.1: the marker bit is set on the first packet of an event. */
  marker: boolean;
  /** True for the first packet of a new event: the session fixes its start timestamp then. */
  start: boolean;
}

type Step =
  | { kind: 'digit'; event: number; durationTicks: number }
  | { kind: 'pause'; ticks: number };

/** What a tick of the sender produced. */
export type SenderTick = EventPacket | 'pause' | 'idle';

const VOLUME = 10; // RFC 4733 §2.3.4: power level of the tone, -10 dBm0.
const END_REPEATS = 3; // RFC 4733 §2.5.1.4: the final packet is sent three times.

/**
 * Generates RFC 4733 telephone-events, one packet per 20 ms tick: the first
 * packet of an event has the marker bit (§2.5.1.1), then updates with the
 * duration so far (§2.5.1.2), then three end packets with the E bit and the
 * final duration (§2.5.1.4). All packets of an event carry its start
 * timestamp; the caller keeps that and steps its sequence number per packet.
 */
export class Rfc4733Sender {
  private steps: Step[] = [];
  private current: Step | undefined;
  private tick = 0;
  private readonly buf = Buffer.alloc(4);

  constructor(private readonly timestampStep: number) {}

  get busy(): boolean {
    return this.current !== undefined || this.steps.length > 0;
  }

  /** Queues digits; 'w' pauses 500 ms, ',' too (a common dial-string pause). Unknown characters are skipped. */
  enqueue(digits: string, durationMs: number, gapMs: number): void {
    const durationTicks = Math.max(1, Math.round(durationMs / FRAME_MS));
    const gapTicks = Math.max(0, Math.round(gapMs / FRAME_MS));
    for (const ch of digits) {
      if (ch === 'w' || ch === 'W' || ch === ',') {
        this.steps.push({ kind: 'pause', ticks: 500 / FRAME_MS });
        continue;
      }
      const event = digitToEvent(ch);
      if (event === undefined) continue;
      this.steps.push({ kind: 'digit', event, durationTicks });
      if (gapTicks > 0) this.steps.push({ kind: 'pause', ticks: gapTicks });
    }
  }

  clear(): void {
    this.steps = [];
    this.current = undefined;
    this.tick = 0;
  }

  /** Advances one tick. */
  next(): SenderTick {
    if (!this.current) {
      this.current = this.steps.shift();
      this.tick = 0;
      if (!this.current) return 'idle';
    }
    const s = this.current;
    const t = this.tick++;
    if (s.kind === 'pause') {
      if (this.tick >= s.ticks) this.current = undefined;
      return 'pause';
    }
    const ended = t >= s.durationTicks;
    const durationTicks = ended ? s.durationTicks : t + 1;
    const duration = Math.min(0xffff, durationTicks * this.timestampStep);
    this.buf[0] = s.event;
    this.buf[1] = (ended ? 0x80 : 0) | VOLUME;
    this.buf.writeUInt16BE(duration, 2);
    if (ended && t - s.durationTicks + 1 >= END_REPEATS) this.current = undefined;
    return { payload: this.buf, marker: t === 0, start: t === 0 };
  }
}
