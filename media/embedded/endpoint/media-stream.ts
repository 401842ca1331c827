import { FRAME_SAMPLES } from '../audio/format.js';
import type { AudioCodec } from '../codecs/codec.js';
import { createCodec } from '../codecs/create-codec.js';
import type { ClipEncoder, EncodedClip } from '../codecs/encoded-clip.js';
import type { ClockListener } from '../clock.js';
import { InbandDtmfDetector } from '../dsp/goertzel-dtmf.js';
import { Rfc4733Receiver } from '../dtmf/rfc4733-receiver.js';
import { Rfc4733Sender } from '../dtmf/rfc4733-sender.js';
import { RTP_HEADER, type RtpSession } from '../rtp/rtp-session.js';
import { canReceive, canSend, type PayloadFormat } from '../sdp/formats.js';
import type { Negotiated } from '../sdp/negotiate.js';
import type { DtmfSource } from '../../types.js';
import type { InbandDtmfMode } from './context.js';
import type { Playback } from './playback.js';
import type { CallTap } from './call-recording.js';
import type { Recording } from './recording.js';

/** Frames kept from the bridged peer: enough to absorb arrival jitter, little enough to keep delay low. */
const BRIDGE_QUEUE_FRAMES = 6;

/**
 * The media pipeline of one endpoint, run by the shared clock.
 *
 * Send, once per 20 ms tick: RFC 4733 events when digits are being sent,
 * else the current prompt, else audio from the bridged endpoint, else
 * nothing. The RTP timestamp advances every tick whether or not a packet
 * goes out, so timestamps stay continuous across prompts and silence, and
 * the first packet after a pause carries the marker bit (RFC 3551 §4.1).
 *
 * Receive, per packet: telephone-events to digits; audio decoded only when
 * something needs it (in-band DTMF, a recording, a bridge), in 20 ms frames.
 */
export class MediaStream implements ClockListener {
  private sendCodec: AudioCodec | undefined;
  private sendPt = -1;
  private telephoneEvent: PayloadFormat | undefined;
  private readonly decoders = new Map<number, AudioCodec>();
  private sending = false;
  private receiving = false;
  private talking = false;
  private eventTs = 0;
  private dtmfSender: Rfc4733Sender | undefined;
  private dtmfDone: (() => void) | undefined;
  private readonly dtmfReceiver = new Rfc4733Receiver();
  private inband: InbandDtmfDetector | undefined;
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  /** The prompt clip last sent from, and its shared encoding for the send codec. */
  private encodedFrom: Int16Array | undefined;
  private encoded: EncodedClip | undefined;
  private pending = new Int16Array(FRAME_SAMPLES);
  private pendingFill = 0;
  playback: Playback | undefined;
  recording: Recording | undefined;
  /** Call recordings: each hears the peer's frames and what each tick sends. */
  readonly taps: CallTap[] = [];
  /** Frames received by the bridged peer, waiting to be sent by this stream. */
  readonly bridgeQueue: Int16Array[] = [];
  bridgePeer: MediaStream | undefined;
  /** Where decoded frames also go: the conference room this stream is in. */
  roomInput: ((frame: Int16Array) => void) | undefined;

  constructor(
    readonly session: RtpSession,
    private readonly inbandMode: InbandDtmfMode,
    private readonly onDigit: (digit: string, source: DtmfSource) => void,
  ) {
    session.onPacket = this.onPacket;
  }

  get codecName(): string | null {
    return this.sendCodec?.name ?? null;
  }

  get hasTelephoneEvent(): boolean {
    return this.telephoneEvent !== undefined;
  }

  /** Applies an offer/answer outcome: codecs, payload types, direction, destination. */
  apply(n: Negotiated): void {
    const first = n.formats[0];
    if (!this.sendCodec || this.sendCodec.name !== first.name) {
      this.sendCodec?.close();
      this.sendCodec = createCodec(first);
      this.encodedFrom = undefined;
      this.encoded = undefined;
    }
    this.sendPt = first.pt;
    for (const c of this.decoders.values()) if (c !== this.sendCodec) c.close();
    this.decoders.clear();
    const s = this.session;
    s.acceptedTypes = new Set();
    s.clockRates = new Map();
    s.eventTypes = new Set();
    for (const f of n.formats) {
      this.decoders.set(f.pt, f.name === first.name ? this.sendCodec : createCodec(f));
      s.acceptedTypes.add(f.pt);
      s.clockRates.set(f.pt, f.clockRate);
    }
    this.telephoneEvent = n.telephoneEvent;
    if (n.telephoneEvent) {
      s.acceptedTypes.add(n.telephoneEvent.pt);
      s.eventTypes.add(n.telephoneEvent.pt);
      s.clockRates.set(n.telephoneEvent.pt, n.telephoneEvent.clockRate);
    }
    s.setClockRate(first.clockRate);
    s.setRemote(n.remote);
    const wasSending = this.sending;
    this.sending = canSend(n.localDirection) && !n.remote.holdByAddress && n.remote.port > 0;
    this.receiving = canReceive(n.localDirection);
    if (!this.sending && wasSending) this.talking = false;
    const wantInband = this.inbandMode === 'always' || (this.inbandMode === 'auto' && !n.telephoneEvent);
    this.inband = wantInband ? (this.inband ?? new InbandDtmfDetector()) : undefined;
  }

  /** Sending something now (a prompt, digits or bridged audio): its tick times must not move. */
  get busy(): boolean {
    // A call recording counts each tick: a stream that has one keeps its phase too.
    return this.talking || this.playback?.active === true || this.dtmfSender?.busy === true || this.bridgeQueue.length > 0 || this.taps.length > 0;
  }

  get canSendAudio(): boolean {
    return this.sending;
  }

  /** Queues RFC 4733 digits; `done` runs when they have all been sent (or on clear). */
  sendDigits(digits: string, durationMs: number, gapMs: number, done?: () => void): void {
    const step = this.telephoneEvent ? Math.round((this.telephoneEvent.clockRate * 20) / 1000) : 160;
    this.dtmfSender ??= new Rfc4733Sender(step);
    this.dtmfSender.enqueue(digits, durationMs, gapMs);
    if (done) {
      const prev = this.dtmfDone;
      this.dtmfDone = () => {
        prev?.();
        done();
      };
    }
  }

  stopDigits(): void {
    this.dtmfSender?.clear();
    const d = this.dtmfDone;
    this.dtmfDone = undefined;
    d?.();
  }

  onTick(skipped: number): void {
    const s = this.session;
    const step = this.sendCodec?.timestampStep ?? 160;
    s.timestamp = (s.timestamp + step * (1 + skipped)) >>> 0;
    const now = performance.now();
    s.tickRtcp(now);
    this.recording?.onTick(now);
    const sent = this.sendTick();
    if (this.taps.length !== 0) for (const tap of this.taps) tap.onTick(sent, skipped);
  }

  /** Sends what is due this tick; returns its audio when a call recording wants it. */
  private sendTick(): Int16Array | undefined {
    const s = this.session;
    if (!this.sending || !this.sendCodec) {
      this.talking = false;
      return undefined;
    }
    if (this.dtmfSender?.busy && this.telephoneEvent) {
      const r = this.dtmfSender.next();
      if (r === 'pause' || r === 'idle') {
        this.talking = false;
      } else {
        if (r.start) this.eventTs = s.timestamp;
        const buf = s.nextBuffer();
        r.payload.copy(buf, RTP_HEADER);
        s.send(buf, 4, this.telephoneEvent.pt, r.marker, this.eventTs);
        this.talking = false; // audio after the event starts a new talkspurt
      }
      if (!this.dtmfSender.busy) this.stopDigits();
      return undefined;
    }
    const p = this.playback;
    if (p?.active) {
      const clips = this.sendCodec.clips;
      if (clips && p.next(FRAME_SAMPLES)) {
        this.sendEncoded(p, clips);
        return this.taps.length > 0 ? promptFrame(p) : undefined;
      }
      if (!clips && p.fill(this.frame)) {
        this.sendFrame(this.sendCodec, this.frame);
        return this.frame;
      }
      p.finish('finished');
    }
    const frame = this.bridgeQueue.shift();
    if (frame) this.sendFrame(this.sendCodec, frame);
    else this.talking = false;
    return frame;
  }

  /** Encodes and sends one frame of PCM. */
  private sendFrame(codec: AudioCodec, frame: Int16Array): void {
    const s = this.session;
    const buf = s.nextBuffer();
    const n = codec.encodeInto(frame, buf, RTP_HEADER);
    s.send(buf, n, this.sendPt, !this.talking, s.timestamp);
    this.talking = true;
  }

  /** Sends the prompt frame `p` points at, copied from the clip's shared encoding. */
  private sendEncoded(p: Playback, clips: ClipEncoder): void {
    const clip = p.segmentClip;
    if (clip !== this.encodedFrom) {
      this.encodedFrom = clip;
      this.encoded = clips.get(clip);
    }
    const enc = this.encoded ?? clips.get(clip);
    const start = p.segmentStart;
    const end = start + p.segmentLength;
    enc.ensure(end);
    const s = this.session;
    const buf = s.nextBuffer();
    // A plain loop: Buffer#copy and TypedArray#set with a subarray both allocate a view per call.
    const bytes = enc.bytes;
    const n = end - start;
    for (let i = 0; i < n; i++) buf[RTP_HEADER + i] = bytes[start + i];
    if (n < FRAME_SAMPLES) buf.fill(clips.silence, RTP_HEADER + n, RTP_HEADER + FRAME_SAMPLES);
    s.send(buf, FRAME_SAMPLES, this.sendPt, !this.talking, s.timestamp);
    this.talking = true;
  }

  private readonly onPacket = (pt: number, payload: Buffer, timestamp: number, marker: boolean): void => {
    if (this.telephoneEvent && pt === this.telephoneEvent.pt) {
      const digit = this.dtmfReceiver.push(payload, timestamp, marker);
      if (digit !== undefined) this.onDigit(digit, 'rfc4733');
      return;
    }
    if (!this.receiving) return;
    if (!this.inband && !this.recording?.active && !this.bridgePeer && !this.roomInput && !this.tapsHear()) return;
    const codec = this.decoders.get(pt);
    if (!codec) return;
    let pcm: Int16Array;
    try {
      pcm = codec.decode(payload);
    } catch {
      return; // a payload the codec cannot decode is dropped
    }
    this.pushAudio(pcm);
  };

  /** Whether a call recording wants the peer's audio (an outbound-only one does not: nothing is decoded for it). */
  private tapsHear(): boolean {
    for (const tap of this.taps) if (tap.wantsInbound) return true;
    return false;
  }

  /** Re-frames decoded audio into 20 ms frames for the detectors, the recorder and the bridge. */
  private pushAudio(pcm: Int16Array): void {
    let off = 0;
    while (off < pcm.length) {
      const take = Math.min(FRAME_SAMPLES - this.pendingFill, pcm.length - off);
      this.pending.set(pcm.subarray(off, off + take), this.pendingFill);
      this.pendingFill += take;
      off += take;
      if (this.pendingFill === FRAME_SAMPLES) {
        const frame = this.pending;
        this.pending = new Int16Array(FRAME_SAMPLES);
        this.pendingFill = 0;
        this.onFrame(frame);
      }
    }
  }

  private onFrame(frame: Int16Array): void {
    if (this.inband) for (const d of this.inband.push(frame)) this.onDigit(d, 'inband');
    this.recording?.onAudio(frame);
    for (const tap of this.taps) tap.onInbound(frame);
    this.bridgePeer?.feed(frame);
    this.roomInput?.(frame);
  }

  /** Queues a frame to send (from the bridged peer or a conference room); the oldest goes when the queue is full. */
  feed(frame: Int16Array): void {
    this.bridgeQueue.push(frame);
    if (this.bridgeQueue.length > BRIDGE_QUEUE_FRAMES) this.bridgeQueue.shift();
  }

  close(): void {
    this.stopDigits();
    this.sendCodec?.close();
    for (const c of this.decoders.values()) if (c !== this.sendCodec) c.close();
    this.decoders.clear();
    this.session.close();
  }
}

/** The prompt audio of the frame `p` points at, one whole frame long. */
function promptFrame(p: Playback): Int16Array {
  const pcm = p.segmentClip.subarray(p.segmentStart, p.segmentStart + p.segmentLength);
  if (pcm.length === FRAME_SAMPLES) return pcm;
  const frame = new Int16Array(FRAME_SAMPLES);
  frame.set(pcm);
  return frame;
}
