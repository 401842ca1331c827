import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Mp3Recordings } from '../recordings/mp3-conversion.js';
import { ErrorCode, notFound } from './api-errors.js';
import { accountPath, callsPath, recordingsPath } from './api-paths.js';
import { ApiError, type RecordingRecord, type RecordingService } from './call-service.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { pageMeta, parsePaging, type PageKey } from './paging.js';
import { recordingJson } from './recording-json.js';
import { nonEmpty, toParams, type RequestParams } from './request-params.js';
import { parseTimeWindow } from './time-filters.js';

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string } }>;
type CallRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string } }>;
type RecordingRequest = FastifyRequest<{ Params: { AccountSid: string; Sid: string } }>;

const recordingKey = (r: RecordingRecord): PageKey => ({ time: r.dateCreated.getTime(), sid: r.sid });
const RECORDING_FILTER_PARAMS = ['CallSid', 'ConferenceSid', 'DateCreated', 'DateCreated<', 'DateCreated>'] as const;

/** Sends an audio file with its type and length; `what` names it in the 404 when it is not there. */
async function sendAudio(reply: FastifyReply, file: string, type: string, what: string): Promise<FastifyReply> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw notFound(what);
  }
  return reply.type(type).header('content-length', size).send(createReadStream(file));
}

/** The Recordings resource: list (all, or one call's), fetch, delete, and the audio (WAV, or MP3 made from it). */
export function registerRecordingRoutes(app: FastifyInstance, recordings: RecordingService, publicUrl: string | undefined): void {
  const base = '/2010-04-01/Accounts/:AccountSid';

  async function list(accountSid: string, params: RequestParams, path: string, callSid: string | undefined, conferenceSid?: string): Promise<object> {
    const window = parseTimeWindow(params, 'DateCreated');
    const paging = parsePaging(params);
    const page = await recordings.list(accountSid, {
      ...(callSid !== undefined ? { callSid } : {}),
      ...(conferenceSid !== undefined ? { conferenceSid } : {}),
      ...(window.after !== undefined ? { createdAfter: window.after } : {}),
      ...(window.before !== undefined ? { createdBefore: window.before } : {}),
    }, paging);
    const meta = pageMeta(path, params, RECORDING_FILTER_PARAMS, paging, page, recordingKey);
    return { recordings: page.items.map((r) => recordingJson(r, publicUrl)), ...meta };
  }

  app.get(base + '/Recordings.json', async (req: AccountRequest) => {
    const { AccountSid } = req.params;
    const params = toParams(req.query);
    return list(AccountSid, params, `${recordingsPath(AccountSid)}.json`, nonEmpty(params, 'CallSid'), nonEmpty(params, 'ConferenceSid'));
  });

  app.get(base + '/Conferences/:ConferenceSid/Recordings.json', async (req: FastifyRequest<{ Params: { AccountSid: string; ConferenceSid: string } }>) => {
    const { AccountSid, ConferenceSid } = req.params;
    const path = `${accountPath(AccountSid)}/Conferences/${encodeURIComponent(ConferenceSid)}/Recordings.json`;
    return list(AccountSid, toParams(req.query), path, undefined, ConferenceSid);
  });

  app.get(base + '/Calls/:CallSid/Recordings.json', async (req: CallRequest) => {
    const { AccountSid, CallSid } = req.params;
    return list(AccountSid, toParams(req.query), `${callsPath(AccountSid)}/${encodeURIComponent(CallSid)}/Recordings.json`, CallSid);
  });

  app.get(base + '/Recordings/:Sid.json', async (req: RecordingRequest) => {
    const { AccountSid, Sid } = req.params;
    const recording = await recordings.get(AccountSid, Sid);
    if (!recording) throw notFound(`${recordingsPath(AccountSid)}/${Sid}.json`);
    return recordingJson(recording, publicUrl);
  });

  /** The audio as WAV, with or without the .wav extension (Twilio's media_url has none). */
  async function wav(req: RecordingRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { AccountSid, Sid } = req.params;
    const what = `${recordingsPath(AccountSid)}/${Sid}.wav`;
    const recording = await recordings.get(AccountSid, Sid);
    const file = recording ? recordings.audioPath(Sid) : undefined;
    if (file === undefined) throw notFound(what);
    return sendAudio(reply, file, 'audio/x-wav', what);
  }
  app.get(base + '/Recordings/:Sid.wav', wav);
  app.get(base + '/Recordings/:Sid', wav);

  /** The audio as MP3, converted from the WAV once and kept beside it. */
  const mp3s = new Mp3Recordings();
  app.get(base + '/Recordings/:Sid.mp3', async (req: RecordingRequest, reply: FastifyReply) => {
    const { AccountSid, Sid } = req.params;
    const what = `${recordingsPath(AccountSid)}/${Sid}.mp3`;
    const recording = await recordings.get(AccountSid, Sid);
    const source = recording ? recordings.audioPath(Sid) : undefined;
    if (source === undefined) throw notFound(what);
    let file: string | undefined;
    try {
      file = await mp3s.mp3Of(source);
    } catch (err) {
      req.log.error({ recordingSid: Sid, file: source, reason: (err as Error).message }, 'the recording could not be converted to MP3');
      throw new ApiError(500, ErrorCode.Internal, 'The recording could not be converted to MP3');
    }
    if (file === undefined) throw notFound(what);
    return sendAudio(reply, file, 'audio/mpeg', what);
  });

  app.delete(base + '/Recordings/:Sid.json', async (req: RecordingRequest, reply: FastifyReply) => {
    const { AccountSid, Sid } = req.params;
    if (!(await recordings.delete(AccountSid, Sid))) throw notFound(`${recordingsPath(AccountSid)}/${Sid}.json`);
    req.log.debug({ recordingSid: Sid }, 'recording deleted through the API');
    return reply.code(204).send();
  });

  for (const url of ['/Recordings.json', '/Recordings/:Sid.wav', '/Recordings/:Sid.mp3', '/Recordings/:Sid']) {
    refuseOtherMethods(app, base + url, ['GET']);
  }
  refuseOtherMethods(app, base + '/Recordings/:Sid.json', ['GET', 'DELETE']);
}
