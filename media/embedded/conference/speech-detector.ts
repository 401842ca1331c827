import { FRAME_SAMPLES } from '../audio/format.js';

/** Mean square of a frame at or above this level (about -40 dBFS) counts as speech. */
const SPEECH_MEAN_SQUARE = (32768 * 0.01) ** 2;
/** Quieter than speech, still mixed (about -46 dBFS): soft voices and the tails of words; below it, line noise is left out. */
const GATE_MEAN_SQUARE = (32768 * 0.005) ** 2;
/** Frames of speech in a row before a member is talking (60 ms): a click is not speech. */
const START_FRAMES = 3;
/** Frames of quiet in a row before a member has stopped talking (600 ms): pauses between words are not an end. */
const STOP_FRAMES = 30;

/**
 * Who is talking in a conference: a level detector with a short attack and
 * a long hangover, fed one 20 ms frame (or a missing frame) per tick.
 * Returns true or false when the state changes, undefined otherwise.
 */
export class SpeechDetector {
  speaking = false;
  /**
   * Whether the last frame is worth mixing: the member is talking (within
   * the hangover), or the frame is above the noise gate. A room mixes only
   * these, so that the hiss of many open lines does not add up.
   */
  audible = false;
  private run = 0;

  push(frame: Int16Array | undefined): boolean | undefined {
    let loud = false;
    let aboveGate = false;
    if (frame) {
      let sum = 0;
      for (let i = 0; i < FRAME_SAMPLES; i++) sum += frame[i]! * frame[i]!;
      const meanSquare = sum / FRAME_SAMPLES;
      loud = meanSquare >= SPEECH_MEAN_SQUARE;
      aboveGate = meanSquare >= GATE_MEAN_SQUARE;
    }
    this.audible = frame !== undefined && (aboveGate || this.speaking);
    if (loud === this.speaking) {
      this.run = 0;
      return undefined;
    }
    this.run++;
    if (this.run < (this.speaking ? STOP_FRAMES : START_FRAMES)) return undefined;
    this.run = 0;
    this.speaking = loud;
    return loud;
  }
}
