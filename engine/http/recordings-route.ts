import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

const RECORDING_PATH = /^\/recordings\/(RE[0-9a-f]{32})(\.wav)?$/;

/** Where recordings live and how they are named: dataDir/recordings/<sid>.wav. */
export function recordingPath(recordingsDir: string, sid: string): string {
  return join(recordingsDir, `${sid}.wav`);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
}

/**
 * GET/HEAD /recordings/<RecordingSid> and /recordings/<RecordingSid>.wav:
 * the WAV file (audio/wav). Other formats (.mp3) are not produced: 404.
 * Returns false when the path is not a recording path.
 */
export async function serveRecording(req: IncomingMessage, res: ServerResponse, recordingsDir: string): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/recordings/')) return false;
  const match = RECORDING_PATH.exec(path);
  if (!match) {
    notFound(res);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return true;
  }
  const file = recordingPath(recordingsDir, match[1] as string);
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    notFound(res);
    return true;
  }
  res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(size), 'Accept-Ranges': 'none' });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
