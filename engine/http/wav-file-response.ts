import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
}

/** 405 for anything but GET and HEAD; true when the request was answered so. */
export function refuseUnlessRead(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
  return true;
}

/**
 * Answers with a WAV file (audio/wav, its length, `extra` headers), the
 * body only for GET; 404 when the file is not there. A read error midway
 * cuts the connection, since the status is already sent.
 */
export function sendWavFile(req: IncomingMessage, res: ServerResponse, file: string, extra: Record<string, string>): Promise<void> {
  return sendAudioFile(req, res, file, 'audio/wav', extra);
}

/** As sendWavFile, for an audio file of type `contentType` (audio/mpeg for an MP3). */
export async function sendAudioFile(req: IncomingMessage, res: ServerResponse, file: string, contentType: string, extra: Record<string, string>): Promise<void> {
  const size = await stat(file).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (size < 0) {
    notFound(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(size), ...extra });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
