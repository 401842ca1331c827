/**
 * The internal audio format of the embedded media engine: signed 16-bit
 * linear PCM, mono, 8 kHz, moved in 20 ms frames. Every codec decodes to it
 * and encodes from it; every file and prompt is converted to it once.
 */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 160
