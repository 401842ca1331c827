import type { MediaClock } from '../clock.js';
import type { AudioCodecName } from '../sdp/formats.js';

/** Loads a file path or URL as 8 kHz mono PCM (the media cache does). */
export interface AudioLoader {
  get(url: string, signal?: AbortSignal): Promise<Int16Array>;
}

/** Text to 8 kHz mono PCM (a TTS provider does). */
export interface SpeechSynthesizer {
  synthesize(text: string, opts: { voice?: string; language?: string }, signal?: AbortSignal): Promise<Int16Array>;
}

/**
 * When to look for DTMF tones in the audio: 'auto' only when the peer did
 * not negotiate telephone-event (otherwise a peer sending both would give
 * each digit twice).
 */
export type InbandDtmfMode = 'auto' | 'always' | 'never';

/** What every endpoint of one server shares. */
export interface EndpointContext {
  clock: MediaClock;
  codecs: readonly AudioCodecName[];
  advertisedAddress: string;
  loader: AudioLoader;
  tts: SpeechSynthesizer | undefined;
  inbandDtmf: InbandDtmfMode;
  log: (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}
