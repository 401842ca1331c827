import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { holdMusic } from '../../media/embedded/dsp/hold-music.js';
import { notFound, refuseUnlessRead } from './wav-file-response.js';

/** Where the engine serves its own hold music (the default waitUrl of conferences and queues). */
export const HOLD_MUSIC_PATH = '/assets/hold-music.wav';

let holdMusicWav: Buffer | undefined;

/** GET/HEAD /assets/...: audio the engine ships (its hold music). False when the path is not an asset. */
export function serveAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/assets/')) return false;
  if (refuseUnlessRead(req, res)) return true;
  if (path !== HOLD_MUSIC_PATH) {
    notFound(res);
    return true;
  }
  holdMusicWav ??= encodeWavInterleaved(holdMusic(), 1, 8000);
  res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(holdMusicWav.length), 'Cache-Control': 'public, max-age=86400' });
  res.end(req.method === 'HEAD' ? undefined : holdMusicWav);
  return true;
}
