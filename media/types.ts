/**
 * The media interface the call router programs against. Shaped after
 * drachtio-fsmrf's MediaServer/Endpoint so that the embedded engine
 * (media/embedded) and a FreeSWITCH driver can both sit behind it.
 *
 * Every long operation resolves (it does not reject) when it ends for an
 * ordinary reason, and says why it ended. It rejects only on a real error
 * (audio that cannot be fetched or decoded, a file that cannot be written),
 * always with a MediaError.
 */

/** Why a long operation ended. */
export type EndReason =
  | 'finished' // it ran to its natural end (prompt played, max digits, ...)
  | 'stopped' // its AbortSignal fired, or a newer operation replaced it
  | 'digit' // a DTMF digit ended it (barge-in, finish key)
  | 'silence' // the caller stayed silent for the configured time
  | 'max-length' // a recording reached its maximum length
  | 'hangup' // the endpoint was destroyed
  | 'timeout'; // no (further) digit arrived in time

export type DtmfSource = 'rfc4733' | 'inband';

export interface DtmfEvent {
  /** One of 0-9, *, #, A-D. */
  digit: string;
  source: DtmfSource;
}

export interface PlayOptions {
  /** How many times to play the whole list; 0 means until stopped. Default 1. */
  loop?: number;
  /** Stop on the first DTMF digit (the digit stays buffered for collectDigits). */
  bargeIn?: boolean;
  signal?: AbortSignal;
}

export interface SayOptions extends PlayOptions {
  voice?: string;
  language?: string;
}

export interface PlayOutcome {
  reason: Extract<EndReason, 'finished' | 'stopped' | 'digit' | 'hangup'>;
  /** The digit that barged in, when reason is 'digit'. */
  digit?: string;
  /** Audio actually sent, in milliseconds. */
  playedMs: number;
}

export interface PlayDigitsOptions {
  /** Tone length of each digit. Default 100 ms. */
  durationMs?: number;
  /** Pause between digits. Default 100 ms. ('w' in the string pauses 500 ms.) */
  gapMs?: number;
  signal?: AbortSignal;
}

export interface PlayDigitsOutcome {
  reason: Extract<EndReason, 'finished' | 'stopped' | 'hangup'>;
  /** The digits sent (without pauses). */
  sent: string;
}

export interface CollectOptions {
  /** End once this many digits are collected. Default: no limit. */
  maxDigits?: number;
  /** Digits that end collection (not included in the result), e.g. '#'. */
  finishOnKey?: string;
  /** How long to wait for the first digit. */
  timeoutMs: number;
  /** How long to wait between digits. Default: timeoutMs. */
  interDigitTimeoutMs?: number;
  /** Discard digits buffered before this call instead of using them. */
  flush?: boolean;
  signal?: AbortSignal;
}

export interface CollectOutcome {
  reason: Extract<EndReason, 'finished' | 'digit' | 'timeout' | 'stopped' | 'hangup'>;
  digits: string;
  /** The finish key pressed, when reason is 'digit'. */
  terminator?: string;
}

export interface RecordOptions {
  /** Where to write the WAV file (8 kHz, 16-bit, mono). */
  path: string;
  maxLengthMs?: number;
  /** Digits that end the recording, e.g. '#' or '1234567890*#'. */
  finishOnKey?: string;
  /** End after this much continuous silence. */
  silenceTimeoutMs?: number;
  /** Remove leading and trailing silence from the file. */
  trim?: boolean;
  /** Play a short beep before recording starts. */
  beep?: boolean;
  signal?: AbortSignal;
}

export interface RecordOutcome {
  reason: Extract<EndReason, 'finished' | 'stopped' | 'digit' | 'silence' | 'max-length' | 'hangup'>;
  path: string;
  /** Length of the audio in the file, after trimming. */
  durationMs: number;
  /** The finish key pressed, when reason is 'digit'. */
  digit?: string;
}

/** Which audio of a call a call recording holds. */
export type RecordingTrack = 'inbound' | 'outbound' | 'both';

/** What a paused call recording writes meanwhile: nothing (skip) or silence as long as the pause. */
export type PauseBehavior = 'skip' | 'silence';

export interface CallRecordingOptions {
  /** Where to write the WAV file (8 kHz, 16-bit, mono or two channels). */
  path: string;
  /** inbound: what the peer sends; outbound: what the endpoint sends the peer (prompts, the bridged party, the room); both. */
  track: RecordingTrack;
  /** both tracks mixed into one channel, or one a channel (inbound first); a single track is always one channel. */
  channels: 1 | 2;
  /** Remove leading and trailing silence from the file. */
  trim?: boolean;
}

/**
 * A call recording in progress. It runs beside everything else the
 * endpoint does (prompts, <Record>, a bridge, a conference) and ends on
 * stop() or when the endpoint is destroyed.
 */
export interface CallRecorder {
  readonly paused: boolean;
  /** Resolves once the media server has taken the pause (nothing of the paused audio is written after it); rejects with MediaError when it could not. */
  pause(behavior: PauseBehavior): Promise<void>;
  resume(): Promise<void>;
  /**
   * Ends the recording and writes the file; resolves with its length
   * (pauses skipped are not in it) and channels. Calling it again, or
   * after a hangup, gives the same outcome.
   */
  stop(): Promise<RecordOutcome & { channels: 1 | 2 }>;
}

export interface StreamStats {
  packets: number;
  bytes: number;
}

export interface EndpointStats {
  codec: string | null;
  sent: StreamStats;
  received: StreamStats & {
    /** Packets expected from sequence numbers minus packets received (RFC 3550 A.3). */
    lost: number;
    /** Interarrival jitter in milliseconds (RFC 3550 A.8). */
    jitterMs: number;
  };
  /** What the peer reported about our stream in its last RTCP report. */
  remote?: { fractionLost: number; totalLost: number; jitterMs: number; rttMs?: number };
}

export interface CreateEndpointOptions {
  /** The peer's SDP offer; without it the endpoint makes an offer. */
  remoteSdp?: string;
  /** Used in logs. */
  callId?: string;
  /**
   * An endpoint the new one will be bridged with. A media server made of
   * several hosts puts the new endpoint on that endpoint's host, since a
   * bridge joins two endpoints of one host (FreeSWITCH bridges channels of
   * one server only).
   */
  near?: Endpoint;
}

export interface EndpointEvents {
  dtmf: [DtmfEvent];
  destroy: [];
}

export interface Endpoint {
  /** The SDP to send to the peer: an answer to remoteSdp, or an offer. */
  readonly localSdp: string;
  readonly destroyed: boolean;

  /**
   * Applies the peer's new SDP (a re-INVITE offer, or the answer to our
   * offer) and returns the local SDP to send back.
   */
  modify(remoteSdp: string): Promise<string>;

  /**
   * Plays audio files or URLs (WAV, MP3) one after the other. Starting a
   * prompt (play, say, in-band playDigits, a record beep) stops the one
   * playing, which ends 'stopped'. Sending pauses while the peer holds the call.
   */
  play(sources: string | string[], opts?: PlayOptions): Promise<PlayOutcome>;
  /** Speaks text through the configured text-to-speech provider. */
  say(text: string, opts?: SayOptions): Promise<PlayOutcome>;
  /** Sends DTMF digits to the peer; 'w' pauses 500 ms. */
  playDigits(digits: string, opts?: PlayDigitsOptions): Promise<PlayDigitsOutcome>;
  /** Collects DTMF digits, starting with the ones already buffered (unless flush). */
  collectDigits(opts: CollectOptions): Promise<CollectOutcome>;
  /** Discards buffered digits. */
  clearDigits(): void;
  /** Records the peer's audio to a WAV file. */
  record(opts: RecordOptions): Promise<RecordOutcome>;
  /** Starts a call recording (see CallRecorder); rejects with MediaError('io') when its file cannot be opened. */
  recordCall(opts: CallRecordingOptions): Promise<CallRecorder>;

  /** Connects this endpoint's audio and DTMF with another endpoint's, both ways. */
  bridge(other: Endpoint): Promise<void>;
  unbridge(): Promise<void>;

  stats(): EndpointStats;
  /** Ends every operation (reason 'hangup'), closes the media ports. */
  destroy(): Promise<void>;

  on<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this;
  once<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this;
  off<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this;
}

/** How a member takes part in a conference room; update() changes only what it names. */
export interface ConferenceMemberOptions {
  /** The others do not hear this member. */
  muted?: boolean;
  /**
   * Out of the room both ways: the member neither hears the room nor is
   * heard (on hold, or waiting for the conference to start). What the
   * member's own endpoint plays meanwhile (hold music) is up to the caller.
   */
  hold?: boolean;
  /** A coach: only this member hears it (null: heard by everyone again). */
  coaching?: ConferenceMember | null;
}

export interface ConferenceMember {
  readonly endpoint: Endpoint;
  readonly muted: boolean;
  readonly hold: boolean;
  update(opts: ConferenceMemberOptions): void;
  /** Takes the member out of the room; its endpoint lives on. */
  leave(): Promise<void>;
}

export interface ConferenceRoomEvents {
  /** A member started (true) or stopped (false) talking. */
  speaking: [ConferenceMember, boolean];
}

export type ConferenceTone = 'enter' | 'exit';

/**
 * A conference room on one media server: each member hears the mix of the
 * others (and never itself), plus what is played to the room.
 */
export interface MediaConference {
  readonly name: string;
  readonly destroyed: boolean;
  readonly size: number;
  join(endpoint: Endpoint, opts?: ConferenceMemberOptions): Promise<ConferenceMember>;
  /** Plays audio to every member who hears the room (an announcement). */
  play(sources: string | string[], opts?: PlayOptions): Promise<PlayOutcome>;
  say(text: string, opts?: SayOptions): Promise<PlayOutcome>;
  /** The short tone of a member entering or leaving, to the room. */
  tone(kind: ConferenceTone): void;
  /** Records the room's mix (everyone heard, announcements included) until the signal or destroy. */
  record(opts: { path: string; signal?: AbortSignal; trim?: boolean }): Promise<RecordOutcome>;
  /** Every member leaves; a recording ends ('hangup'). */
  destroy(): Promise<void>;
  on<K extends keyof ConferenceRoomEvents>(event: K, listener: (...args: ConferenceRoomEvents[K]) => void): this;
  off<K extends keyof ConferenceRoomEvents>(event: K, listener: (...args: ConferenceRoomEvents[K]) => void): this;
}

export interface MediaServer {
  /** Rejects with MediaError('incompatible-codecs') when an offer has no codec in common. */
  createEndpoint(opts?: CreateEndpointOptions): Promise<Endpoint>;
  /**
   * A conference room. `near`: an endpoint that will join it; a media server
   * made of several hosts puts the room on that endpoint's host.
   */
  createConference(opts: { name: string; near?: Endpoint }): Promise<MediaConference>;
  /** Destroys every endpoint and releases the server's resources. */
  close(): Promise<void>;
}
