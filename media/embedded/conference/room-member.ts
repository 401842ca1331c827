import type { ConferenceMember, ConferenceMemberOptions } from '../../types.js';
import type { EmbeddedEndpoint } from '../endpoint/embedded-endpoint.js';
import { SpeechDetector } from './speech-detector.js';

/** Frames kept from a member: enough to absorb arrival jitter, little enough to keep delay low. */
const INPUT_QUEUE_FRAMES = 6;

/** One endpoint in an embedded conference room: what it sent since the last tick, and how it takes part. */
export class RoomMember implements ConferenceMember {
  muted: boolean;
  hold: boolean;
  /** The member this one coaches (only it hears this one). */
  coaching: RoomMember | undefined;
  readonly speech = new SpeechDetector();
  /** The frame the member contributes to the mix of the tick being run, if any. */
  current: Int16Array | undefined;
  /** Frames dropped because the member sent faster than the room mixes. */
  dropped = 0;
  private readonly queue: Int16Array[] = [];

  constructor(
    readonly endpoint: EmbeddedEndpoint,
    opts: ConferenceMemberOptions,
    private readonly leaving: (m: RoomMember) => Promise<void>,
  ) {
    this.muted = opts.muted ?? false;
    this.hold = opts.hold ?? false;
    this.coaching = (opts.coaching ?? undefined) as RoomMember | undefined;
  }

  /** The endpoint decoded a frame (called on the packet path). */
  readonly input = (frame: Int16Array): void => {
    this.queue.push(frame);
    if (this.queue.length > INPUT_QUEUE_FRAMES) {
      this.queue.shift();
      this.dropped++;
    }
  };

  /** The member's frame for this tick, if one came. */
  take(): Int16Array | undefined {
    return this.queue.shift();
  }

  /** Heard by the room: present, not muted, not on hold. */
  get talks(): boolean {
    return !this.muted && !this.hold;
  }

  update(opts: ConferenceMemberOptions): void {
    if (opts.muted !== undefined) this.muted = opts.muted;
    if (opts.hold !== undefined) {
      this.hold = opts.hold;
      // Audio queued before hold is not played out after it.
      if (opts.hold) this.queue.length = 0;
    }
    if (opts.coaching !== undefined) this.coaching = (opts.coaching ?? undefined) as RoomMember | undefined;
  }

  leave(): Promise<void> {
    return this.leaving(this);
  }
}
