/**
 * Receiver statistics for one incoming RTP source, per RFC 3550:
 * sequence tracking with wrap-around (A.1), loss (A.3), and interarrival
 * jitter (A.8).
 */
export class ReceiveStats {
  ssrc = -1;
  packets = 0;
  bytes = 0;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  /** A.8: jitter in timestamp units, kept as a float (the wire form is its integer part). */
  jitter = 0;
  private lastTransit = 0;
  private haveTransit = false;
  // A.3: state at the last report, for the fraction lost in the next interval.
  private expectedPrior = 0;
  private receivedPrior = 0;

  /** `arrival` is the arrival time in the same units as the RTP timestamp (clock rate). */
  update(ssrc: number, seq: number, timestamp: number, payloadBytes: number, arrival: number, forJitter: boolean): void {
    if (ssrc !== this.ssrc) this.reset(ssrc, seq);
    this.packets++;
    this.bytes += payloadBytes;
    // A.1: a sequence number ahead of max (modulo 2^16, by less than half the space) advances it.
    const delta = (seq - this.maxSeq) & 0xffff;
    if (delta !== 0 && delta < 0x8000) {
      if (seq < this.maxSeq) this.cycles += 0x10000;
      this.maxSeq = seq;
    }
    if (!forJitter) return;
    // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16.
    const transit = arrival - timestamp;
    if (this.haveTransit) {
      let d = transit - this.lastTransit;
      if (d < 0) d = -d;
      // Timestamps wrap at 2^32: a jump that large is a wrap, not jitter.
      if (d < 0x80000000) this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
    this.haveTransit = true;
  }

  private reset(ssrc: number, seq: number): void {
    this.ssrc = ssrc;
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.cycles = 0;
    this.haveTransit = false;
    this.jitter = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.packetsAtReset = this.packets;
  }

  private packetsAtReset = 0;

  get extendedMaxSeq(): number {
    return this.cycles + this.maxSeq;
  }

  /** A.3: packets expected from the sequence numbers minus packets received (never below 0 here). */
  get lost(): number {
    if (this.ssrc < 0) return 0;
    const expected = this.extendedMaxSeq - this.baseSeq + 1;
    return Math.max(0, expected - (this.packets - this.packetsAtReset));
  }

  /** A.3: the fraction lost since the previous call, as the 8-bit fixed-point value of a report block. */
  takeFractionLost(): number {
    const expected = this.extendedMaxSeq - this.baseSeq + 1;
    const received = this.packets - this.packetsAtReset;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
  }
}
