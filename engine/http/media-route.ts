import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

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
  const match = MEDIA_PATH.exec(path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return true;
  }
  const file = match ? join(mediaDir, match[1] as string) : undefined;
  const size = file ? await stat(file).then((s) => (s.isFile() ? s.size : -1), () => -1) : -1;
  if (!file || size < 0) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return true;
  }
  res.writeHead(200, {
    'Content-Type': 'audio/wav',
    'Content-Length': String(size),
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
