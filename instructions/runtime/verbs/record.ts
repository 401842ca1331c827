import { MediaError } from '../../../media/errors.js';
import type { RecordVerb } from '../../verbs/record.js';
import { answerOrEnd } from './answer.js';
import { end, NEXT, type VerbContext, type VerbExecutor } from '../verb-executor.js';
import type { RecordingTarget } from '../call-control.js';
import { recordingStatusParams, type RecordingStatusEvent } from '../recording-status.js';

/** The recording status callback of `status`, when the verb asked for it. */
function recordingStatus(verb: RecordVerb, ctx: VerbContext, target: RecordingTarget, status: RecordingStatusEvent, startTime: Date, durationSeconds = 0): void {
  if (verb.recordingStatusCallback === undefined || !verb.recordingStatusCallbackEvent.includes(status)) return;
  ctx.control.notify({
    url: verb.recordingStatusCallback,
    method: verb.recordingStatusCallbackMethod,
    params: recordingStatusParams({ callSid: ctx.control.callSid, sid: target.sid, url: target.url, status, durationSeconds, channels: 1, source: 'RecordVerb', startTime, track: 'inbound' }),
  });
}

/**
 * <Record>: records the caller into a WAV file (after a beep unless
 * playBeep is false) until a finish key, `timeout` seconds of silence,
 * maxLength or hangup. RecordingUrl, RecordingDuration (seconds),
 * RecordingSid and Digits (the key pressed, or 'hangup') go to the action;
 * its document replaces this one. The action is requested even after the
 * caller hung up (its document is not run). Without an action they go to
 * the URL of the document that holds the Record, as Twilio does. An empty
 * recording goes on with the next verb without a request.
 */
export const executeRecord: VerbExecutor<RecordVerb> = async (verb, ctx) => {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const endpoint = got.ok;
  endpoint.clearDigits();
  const target = ctx.control.newRecording();
  const startTime = new Date();
  // In progress from here (a beep first, when asked).
  recordingStatus(verb, ctx, target, 'in-progress', startTime);
  let outcome;
  try {
    outcome = await endpoint.record({
      path: target.path,
      maxLengthMs: verb.maxLength * 1000,
      finishOnKey: verb.finishOnKey === '' ? undefined : verb.finishOnKey,
      silenceTimeoutMs: verb.timeout > 0 ? verb.timeout * 1000 : undefined,
      trim: verb.trim === 'trim-silence',
      beep: verb.playBeep,
      signal: ctx.signal,
    });
  } catch (err) {
    if (ctx.signal.aborted || endpoint.destroyed) return end('caller-hangup');
    const code = err instanceof MediaError ? err.code : 'unknown';
    ctx.log.error({ code, path: target.path, reason: (err as Error).message }, '<Record> failed');
    return NEXT;
  }
  const hungUp = outcome.reason === 'hangup' || ctx.control.hangupSignal.aborted;
  // Stopped by a redirect: the recording is kept and reported, the action is not requested.
  const redirected = !hungUp && (outcome.reason === 'stopped' || ctx.signal.aborted);
  const durationSeconds = Math.round(outcome.durationMs / 1000);
  ctx.log.info({ recordingSid: target.sid, durationMs: outcome.durationMs, reason: outcome.reason }, 'recording written');
  if (outcome.durationMs > 0) {
    ctx.control.recordingSaved(target, { durationMs: outcome.durationMs, channels: 1, source: 'RecordVerb' });
    recordingStatus(verb, ctx, target, 'completed', startTime, durationSeconds);
  } else recordingStatus(verb, ctx, target, 'absent', startTime);

  if (redirected) return NEXT;
  const url = verb.action ?? ctx.control.currentDocumentUrl;
  if (url === undefined || outcome.durationMs === 0) return hungUp ? end('caller-hangup') : NEXT;
  const params = {
    RecordingUrl: target.url,
    RecordingDuration: String(durationSeconds),
    RecordingSid: target.sid,
    Digits: hungUp ? 'hangup' : (outcome.digit ?? ''),
  };
  if (hungUp) {
    // The application still learns about the recording; there is no call left to run its answer on.
    await ctx.control.fetchNext({ url, method: verb.method, params }, { afterHangup: true });
    return end('caller-hangup');
  }
  return { kind: 'fetch', request: { url, method: verb.method, params } };
};
