import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { notFound, refuseUnlessRead, sendWavFile } from './wav-file-response.js';

/** A prompt published for FreeSWITCH: 32 hex digits of its content's hash (media/freeswitch/prompt-files.ts). */
const MEDIA_PATH = /^\/media\/([0-9a-f]{32}\.wav)$/;

/**
 * GET/HEAD /media/<name>.wav: prompts (fetched audio, speech, tones) the
 * engine converted for a FreeSWITCH media server to fetch. Their names never
 * change meaning, so they may be cached for good. Returns false when the path
 * is not a media path.
 */
export async function serveMedia(req: IncomingMessage, res: ServerResponse, mediaDir: string): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/media/')) return false;
  if (refuseUnlessRead(req, res)) return true;
  const match = MEDIA_PATH.exec(path);
  if (!match) notFound(res);
  else await sendWavFile(req, res, join(mediaDir, match[1] as string), { 'Cache-Control': 'public, max-age=31536000, immutable' });
  return true;
}
