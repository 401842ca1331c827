/**
 * The caller's side of the media in router tests: the RTP socket the SIPp
 * caller's SDP points at. It counts what the engine sends, learns the
 * engine's RTP address from the first packet (the engine sends from the port
 * it receives on: symmetric RTP, RFC 4961), and sends RFC 4733 digits and
 * PCMU audio back there.
 */
import { mulawDecode, mulawEncode } from '../../../media/embedded/audio/g711.js';
import { FRAME_MS, FRAME_SAMPLES } from '../../../media/embedded/audio/format.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';
import { dominantFrequency, rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import { Rfc4733Sender } from '../../../media/embedded/dtmf/rfc4733-sender.js';
import { waitUntil } from '../../support/ports.js';
import { RtpPeer, type ReceivedPacket } from '../../media/helpers/rtp-peer.js';

/** Payload types of the caller's offer (test/scenarios/router-uac-*.xml). */
export const PT_PCMU = 0;
export const PT_TELEPHONE_EVENT = 101;

export class CallerMedia {
  private constructor(readonly peer: RtpPeer) {}

  static async open(): Promise<CallerMedia> {
    return new CallerMedia(await RtpPeer.open());
  }

  /** -key values for the scenario's SDP. */
  get sippKeys(): Record<string, string> {
    return { rtp_port: String(this.peer.port), rtcp_port: String(this.peer.rtcpPort) };
  }

  get packets(): ReceivedPacket[] {
    return this.peer.packets;
  }

  /** Packets of one payload type. */
  packetsOf(pt: number): ReceivedPacket[] {
    return this.peer.packets.filter((p) => p.pt === pt);
  }

  /** Resolves once `count` packets have arrived (any payload type). */
  async waitForPackets(count: number, ms: number): Promise<void> {
    await this.peer.waitFor(() => this.peer.packets.length >= count, ms, `${count} RTP packets from the engine (got ${this.peer.packets.length})`);
  }

  /**
   * Resolves once the engine has sent a tone of `freqHz` (such as the 1 kHz
   * beep before a recording) and it has ended: a later packet is not the
   * tone, or nothing has come for 60 ms.
   */
  async waitForToneEnd(freqHz: number, ms: number): Promise<void> {
    const isTone = (p: ReceivedPacket): boolean => {
      if (p.pt !== PT_PCMU) return false;
      const pcm = mulawDecode(p.payload);
      return rmsDbfs(pcm) > -30 && Math.abs(dominantFrequency(pcm, 8000) - freqHz) < 40;
    };
    await waitUntil(
      () => {
        const pkts = this.peer.packets;
        let last = -1;
        for (let i = pkts.length - 1; i >= 0; i--) {
          if (isTone(pkts[i]!)) {
            last = i;
            break;
          }
        }
        if (last < 0) return false;
        return last < pkts.length - 1 || performance.now() - pkts[last]!.at >= 60;
      },
      ms,
      `a ${freqHz} Hz tone from the engine, and its end`,
    );
  }

  /** Where the engine sends from, which is where it listens. */
  get engineRtpPort(): number {
    const first = this.peer.packets[0];
    if (!first) throw new Error('no RTP from the engine yet: its RTP port is unknown');
    return first.from.port;
  }

  /**
   * The digits the engine sent as RFC 4733 telephone-events, in order: one
   * per event (its packets share the event's start timestamp, §2.5.1.1),
   * event codes 0-9, 10 (*) and 11 (#) (§3.2).
   */
  receivedDigits(): string {
    const seen = new Set<number>();
    let out = '';
    for (const p of this.packetsOf(PT_TELEPHONE_EVENT)) {
      if (seen.has(p.ts) || p.payload.length < 4) continue;
      seen.add(p.ts);
      const code = p.payload[0] as number;
      out += code <= 9 ? String(code) : code === 10 ? '*' : code === 11 ? '#' : '?';
    }
    return out;
  }

  /**
   * Sends RFC 4733 telephone-events for `digits`, one packet per 20 ms: the
   * first with the marker bit (§2.5.1.1), updates, then three end packets
   * (§2.5.1.4), every packet of an event with its start timestamp.
   */
  async sendDigits(digits: string, opts: { port?: number; durationMs?: number; gapMs?: number } = {}): Promise<void> {
    const port = opts.port ?? this.engineRtpPort;
    const sender = new Rfc4733Sender(FRAME_SAMPLES);
    sender.enqueue(digits, opts.durationMs ?? 100, opts.gapMs ?? 80);
    let eventTs = this.peer.advanceTs(0);
    const start = performance.now();
    for (let tick = 0; ; tick++) {
      const due = start + tick * FRAME_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const out = sender.next();
      if (out === 'idle') break;
      const ts = this.peer.advanceTs(FRAME_SAMPLES);
      if (out === 'pause') continue;
      if (out.start) eventTs = ts;
      this.peer.send(port, PT_TELEPHONE_EVENT, Buffer.from(out.payload), { marker: out.marker, ts: eventTs });
    }
  }

  /** Streams a sine tone as PCMU, 20 ms a packet, paced in real time. */
  async sendTone(freqHz: number, durationMs: number, opts: { port?: number; amplitude?: number } = {}): Promise<void> {
    const port = opts.port ?? this.engineRtpPort;
    const pcm = generateTone([freqHz], durationMs, opts.amplitude ?? 0.5, { rampMs: 5 });
    const frames: Buffer[] = [];
    for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) frames.push(mulawEncode(pcm.subarray(i, i + FRAME_SAMPLES)));
    await this.peer.stream(port, PT_PCMU, frames);
  }

  close(): void {
    this.peer.close();
  }
}
