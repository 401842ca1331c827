import { eventToDigit } from './events.js';

/**
 * Turns received RFC 4733 telephone-event packets into digits, each exactly
 * once.
 *
 * RFC 4733 §2.5.1.1-§2.5.1.4: every packet of one event carries the event's
 * start timestamp, with a growing duration; the last one has the E bit and
 * is sent three times. So an event is identified by its RTP timestamp: the
 * first packet seen with a new timestamp reports the digit (at once, which
 * is what barge-in needs), and later packets with the same timestamp
 * (updates, end packets and their retransmissions) are ignored. A digit
 * whose end packets were all lost has already been reported, and the next
 * event's new timestamp starts a new digit.
 *
 * §2.5.1.3: an event longer than the 16-bit duration is continued in a new
 * segment whose timestamp is the old one plus the old duration, without the
 * marker bit: that is not a new digit.
 */
export class Rfc4733Receiver {
  private lastTs = -1;
  private lastEvent = -1;
  private lastDuration = 0;
  private lastEnded = true;

  /**
   * Feeds one telephone-event payload. Returns the digit when the packet
   * starts a new event, otherwise undefined. Malformed payloads are ignored.
   */
  push(payload: Uint8Array, timestamp: number, marker: boolean): string | undefined {
    if (payload.length < 4) return undefined;
    // RFC 4733 §2.5.1.5 (redundancy): several 4-byte blocks may be packed; the last is the current event.
    const off = (Math.floor(payload.length / 4) - 1) * 4;
    const event = payload[off];
    const end = (payload[off + 1] & 0x80) !== 0;
    const duration = (payload[off + 2] << 8) | payload[off + 3];
    const digit = eventToDigit(event);
    if (digit === undefined) return undefined;

    if (timestamp === this.lastTs) {
      if (event === this.lastEvent) {
        if (duration > this.lastDuration) this.lastDuration = duration;
        if (end) this.lastEnded = true;
        return undefined;
      }
    } else if (
      !marker &&
      !this.lastEnded &&
      event === this.lastEvent &&
      timestamp === ((this.lastTs + this.lastDuration) >>> 0)
    ) {
      // A continuation segment of a long event.
      this.lastTs = timestamp;
      this.lastDuration = duration;
      this.lastEnded = end;
      return undefined;
    }
    this.lastTs = timestamp;
    this.lastEvent = event;
    this.lastDuration = duration;
    this.lastEnded = end;
    return digit;
  }
}
