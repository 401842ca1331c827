import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { notFound, refuseUnlessRead, sendWavFile } from './wav-file-response.js';

const RECORDING_PATH = /^\/recordings\/(RE[0-9a-f]{32})(\.wav)?$/;

/** Where recordings live and how they are named: dataDir/recordings/<sid>.wav. */
export function recordingPath(recordingsDir: string, sid: string): string {
  return join(recordingsDir, `${sid}.wav`);
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
  if (refuseUnlessRead(req, res)) return true;
  await sendWavFile(req, res, recordingPath(recordingsDir, match[1] as string), { 'Accept-Ranges': 'none' });
  return true;
}
