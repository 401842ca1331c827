import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from './api-errors.js';
import { callsPath } from './api-paths.js';
import type { CallRecordingService, RecordingService } from './call-service.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { recordingJson } from './recording-json.js';
import { callRecordingParams, recordingChange } from './recording-params.js';
import { toParams } from './request-params.js';

type CallRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string } }>;
type CallRecordingRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string; Sid: string } }>;

/**
 * Recordings of a call: start one on the live call (201), pause, resume
 * or stop it (Status, PauseBehavior), fetch it, delete it once done. `Twilio.CURRENT` names the call's
 * newest recording still going. The call's list of recordings is in
 * recordings-routes.ts.
 */
export function registerCallRecordingRoutes(app: FastifyInstance, recordings: CallRecordingService, stored: RecordingService, publicUrl: string | undefined): void {
  const base = '/2010-04-01/Accounts/:AccountSid/Calls/:CallSid/Recordings';
  const path = (accountSid: string, callSid: string, rest: string): string => `${callsPath(accountSid)}/${callSid}/Recordings${rest}`;

  app.post(base + '.json', async (req: CallRequest, reply: FastifyReply) => {
    const { AccountSid, CallSid } = req.params;
    const params = callRecordingParams(toParams(req.body), false);
    const recording = await recordings.start(AccountSid, CallSid, params);
    if (!recording) throw notFound(`${callsPath(AccountSid)}/${CallSid}.json`);
    req.log.debug({ callSid: CallSid, recordingSid: recording.sid }, 'call recording started through the API');
    return reply.code(201).send(recordingJson(recording, publicUrl));
  });

  app.get(base + '/:Sid.json', async (req: CallRecordingRequest) => {
    const { AccountSid, CallSid, Sid } = req.params;
    const recording = await recordings.get(AccountSid, CallSid, Sid);
    if (!recording) throw notFound(path(AccountSid, CallSid, `/${Sid}.json`));
    return recordingJson(recording, publicUrl);
  });

  app.post(base + '/:Sid.json', async (req: CallRecordingRequest) => {
    const { AccountSid, CallSid, Sid } = req.params;
    const change = recordingChange(toParams(req.body));
    const recording = await recordings.update(AccountSid, CallSid, Sid, change);
    if (!recording) throw notFound(path(AccountSid, CallSid, `/${Sid}.json`));
    req.log.debug({ callSid: CallSid, recordingSid: recording.sid, status: change.status }, 'call recording updated through the API');
    return recordingJson(recording, publicUrl);
  });

  app.delete(base + '/:Sid.json', async (req: CallRecordingRequest, reply: FastifyReply) => {
    const { AccountSid, CallSid, Sid } = req.params;
    const recording = await recordings.get(AccountSid, CallSid, Sid);
    if (!recording || !(await stored.delete(AccountSid, recording.sid))) throw notFound(path(AccountSid, CallSid, `/${Sid}.json`));
    return reply.code(204).send();
  });

  refuseOtherMethods(app, base + '.json', ['GET', 'POST']);
  refuseOtherMethods(app, base + '/:Sid.json', ['GET', 'POST', 'DELETE']);
}
