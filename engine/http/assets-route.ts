import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { holdMusic } from '../../media/embedded/dsp/hold-music.js';
import { notFound, refuseUnlessRead } from './wav-file-response.js';

/** Where the engine serves its own hold music (the default waitUrl of conferences and queues). */
export const HOLD_MUSIC_PATH = '/assets/hold-music.wav';

let holdMusicWav: Buffer | undefined;

/**
 * Makes the hold music now (about 80 ms of one core). Done when the engine
 * starts, so that the first caller put on hold does not stall the event loop,
 * and with it the SIP timers and the media clock of every other call.
 */
export function prepareAssets(): void {
  holdMusicWav ??= encodeWavInterleaved(holdMusic(), 1, 8000);
}

/** GET/HEAD /assets/...: audio the engine ships (its hold music). False when the path is not an asset. */
export function serveAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/assets/')) return false;
  if (refuseUnlessRead(req, res)) return true;
  if (path !== HOLD_MUSIC_PATH) {
    notFound(res);
    return true;
  }
  prepareAssets();
  const wav = holdMusicWav as Buffer;
  res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(wav.length), 'Cache-Control': 'public, max-age=86400' });
  res.end(req.method === 'HEAD' ? undefined : wav);
  return true;
}
