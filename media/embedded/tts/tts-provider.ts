/** Text-to-speech: turns text into audio in the internal format (8 kHz mono signed 16-bit). */
export interface TtsOptions {
  /** Voice name as the application gives it (e.g. "alice", "man", "Polly.Joanna"). */
  voice?: string;
  /** Language tag (e.g. "en-US", "fr-FR"). */
  language?: string;
}

export interface TtsProvider {
  /** Rejects with MediaError('tts-failed') when synthesis fails, or the signal's reason when aborted. */
  synthesize(text: string, opts: TtsOptions, signal?: AbortSignal): Promise<Int16Array>;
}
