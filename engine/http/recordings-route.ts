import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Mp3Recordings } from '../recordings/mp3-conversion.js';
import { notFound, refuseUnlessRead, sendAudioFile, sendWavFile } from './wav-file-response.js';

const RECORDING_PATH = /^\/recordings\/(RE[0-9a-f]{32})(\.wav|\.mp3)?$/;

/** Where recordings live and how they are named: dataDir/recordings/<sid>.wav. */
export function recordingPath(recordingsDir: string, sid: string): string {
  return join(recordingsDir, `${sid}.wav`);
}

/** What serving a recording as MP3 needs: the conversions, and where a failed one is reported. */
export interface Mp3Serving {
  mp3s: Mp3Recordings;
  log: Logger;
}

/**
 * GET/HEAD /recordings/<RecordingSid> and /recordings/<RecordingSid>.wav:
 * the WAV file (audio/wav); /recordings/<RecordingSid>.mp3: the MP3 made
 * from it (audio/mpeg), 500 when it cannot be made. Returns false when the
 * path is not a recording path.
 */
export async function serveRecording(req: IncomingMessage, res: ServerResponse, recordingsDir: string, mp3: Mp3Serving): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/recordings/')) return false;
  const match = RECORDING_PATH.exec(path);
  if (!match) {
    notFound(res);
    return true;
  }
  if (refuseUnlessRead(req, res)) return true;
  const sid = match[1] as string;
  const wav = recordingPath(recordingsDir, sid);
  if (match[2] !== '.mp3') {
    await sendWavFile(req, res, wav, { 'Accept-Ranges': 'none' });
    return true;
  }
  let file: string | undefined;
  try {
    file = await mp3.mp3s.mp3Of(wav);
  } catch (err) {
    mp3.log.error({ recordingSid: sid, file: wav, reason: (err as Error).message }, 'the recording could not be converted to MP3');
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('the recording could not be converted to MP3\n');
    return true;
  }
  if (file === undefined) notFound(res);
  else await sendAudioFile(req, res, file, 'audio/mpeg', { 'Accept-Ranges': 'none' });
  return true;
}
