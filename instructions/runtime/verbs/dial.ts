import type { Endpoint } from '../../../media/types.js';
import type { DialVerb } from '../../verbs/dial.js';
import type { DialNoun } from '../../verbs/dial-nouns.js';
import { runInstructions } from '../interpreter.js';
import { end, NEXT, type VerbContext, type VerbExecutor, type VerbResult } from '../verb-executor.js';
import { answerOrEnd } from './answer.js';
import { stayBridged } from './dial/bridged.js';
import { dialConference } from './dial/conference.js';
import { dialQueue } from './dial/queue.js';
import type { SavedDialRecording } from './dial/recording.js';
import { ringAll, ringInTurn, type RingNoun } from './dial/ring.js';
import { RingingPhase } from './dial/ringing-phase.js';
import { DialTransfer } from './dial/transfer.js';
import type { DialLeg, DialLegSip } from '../call-control.js';

function isRingNoun(noun: DialNoun): noun is RingNoun {
  return noun.noun === 'Number' || noun.noun === 'Sip' || noun.noun === 'Client';
}

/**
 * Runs the whisper document (the noun's url) on the called party before it
 * is connected. False when the called party is gone at its end (it hung
 * up, or the document hung it up).
 */
async function whisper(leg: DialLeg, noun: RingNoun, ctx: VerbContext): Promise<boolean> {
  if (noun.url !== undefined) {
    const result = await runInstructions(leg.control, { url: noun.url, method: noun.method }, { hangupAtEnd: false });
    ctx.log.debug({ end: result.end, dialCallSid: leg.callSid }, 'whisper ended');
  }
  if (noun.noun === 'Number' && noun.sendDigits !== undefined && !leg.control.hangupSignal.aborted) {
    await leg.endpoint.playDigits(noun.sendDigits, { signal: AbortSignal.any([ctx.signal, leg.control.hangupSignal]) });
  }
  return !leg.control.hangupSignal.aborted;
}

/** Twilio's action parameters of a <Sip> leg: DialSipCallId, DialSipResponseCode and DialSipHeader_<name> of the final response's X- headers. */
function dialSipParams(status: number | undefined, sip: DialLegSip | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (sip?.callId) out.DialSipCallId = sip.callId;
  if (status !== undefined) out.DialSipResponseCode = String(status);
  for (const [name, value] of Object.entries(sip?.headers ?? {})) out[`DialSipHeader_${name}`] = value;
  return out;
}

/**
 * Connects an answered party with the caller until one leaves; returns the
 * action's parameters. The caller hears the ringback until the bridge.
 */
async function connect(leg: DialLeg, noun: RingNoun, phase: RingingPhase, verb: DialVerb, ctx: VerbContext, transfer: DialTransfer): Promise<Record<string, string>> {
  const base = { DialCallSid: leg.callSid, ...(noun.noun === 'Sip' ? dialSipParams(200, leg.sip) : {}) };
  phase.answered();
  if (!(await whisper(leg, noun, ctx)) || ctx.signal.aborted) {
    await leg.hangup();
    return { ...base, DialCallStatus: ctx.signal.aborted ? 'canceled' : 'no-answer' };
  }
  let endpoint = phase.caller;
  if (!endpoint || !ctx.control.answered) {
    const got = await answerOrEnd(ctx);
    if ('end' in got) {
      await leg.hangup();
      return { ...base, DialCallStatus: 'failed' };
    }
    endpoint = got.ok;
  }
  await phase.end();
  phase.connected(endpoint);
  transfer.attach(leg);
  const signal = AbortSignal.any([ctx.signal, transfer.signal]);
  const how = await stayBridged({ caller: endpoint, leg, signal, timeLimitSeconds: verb.timeLimit, hangupOnStar: verb.hangupOnStar });
  transfer.detach();
  ctx.log.info({ dialCallSid: leg.callSid, end: transfer.fetched ? 'transferred' : how, seconds: leg.durationSeconds }, '<Dial> ended');
  if (how !== 'callee-hangup') await leg.hangup();
  return { ...base, DialCallStatus: 'completed', DialCallDuration: String(leg.durationSeconds), DialBridged: 'true' };
}

/** The Dial's recording goes to the action (RecordingUrl, RecordingSid, RecordingDuration); its status callbacks are dial/recording.ts's. */
function reportRecording(saved: SavedDialRecording | undefined, params: Record<string, string>): void {
  if (!saved) return;
  Object.assign(params, { RecordingUrl: saved.target.url, RecordingSid: saved.target.sid, RecordingDuration: String(saved.durationSeconds) });
}

/**
 * <Dial> with Number, Sip and Client nouns: answers the caller (unless
 * answerOnBridge), rings every noun at once, connects the first to answer
 * (after its whisper document) and cancels the rest. While they ring the
 * caller hears the ringback or a ringing party's early media
 * (dial/ringing-phase.ts). The Dial ends when
 * either side hangs up, at timeLimit, or on * with hangupOnStar. The action
 * gets DialCallStatus, DialCallSid, DialCallDuration (and the recording);
 * its document replaces this one. Without an action the document goes on
 * with the next verb while the caller is there. With referUrl, a REFER from
 * the connected party can end the Dial instead (dial/transfer.ts): then the
 * referUrl document runs and the action is not requested.
 */
export const executeDial: VerbExecutor<DialVerb> = async (verb, ctx) => {
  const conference = verb.nouns[0]?.noun === 'Conference' ? verb.nouns[0] : undefined;
  if (conference) return dialConference(verb, conference, ctx, (params) => afterDial(verb, ctx, params));
  const queue = verb.nouns[0]?.noun === 'Queue' ? verb.nouns[0] : undefined;
  if (queue) return dialQueue(verb, queue, ctx, (params) => afterDial(verb, ctx, params));
  const nouns = verb.nouns.filter(isRingNoun);
  if (nouns.length === 0) {
    ctx.log.warn({ noun: verb.nouns[0]?.noun }, `<Dial><${verb.nouns[0]?.noun ?? 'nothing'}> is not supported yet and was skipped`);
    return NEXT;
  }
  let caller: Endpoint | undefined;
  if (!verb.answerOnBridge) {
    const got = await answerOrEnd(ctx);
    if ('end' in got) return got.end;
    caller = got.ok;
  }
  const phase = new RingingPhase(verb, nouns, ctx, caller);
  const transfer = new DialTransfer(verb, ctx);
  let params: Record<string, string>;
  try {
    params = await ringAndConnect(verb, nouns, phase, ctx, transfer);
  } finally {
    // However the Dial ends (a failure included), the ringback stops and a recording is saved.
    await phase.end();
  }
  // A recording from ringing is kept (and reported) even when nobody answered.
  reportRecording(await phase.recording?.finish(), params);
  const fetched = transfer.fetched;
  if (fetched) return ctx.control.hangupSignal.aborted ? end('caller-hangup') : { kind: 'run', fetched };
  return afterDial(verb, ctx, params);
};

/** Rings the nouns and connects the first to answer; the action's parameters. */
async function ringAndConnect(verb: DialVerb, nouns: readonly RingNoun[], phase: RingingPhase, ctx: VerbContext, transfer: DialTransfer): Promise<Record<string, string>> {
  const rung = await (verb.sequential ? ringInTurn : ringAll)({
    control: ctx.control,
    nouns,
    callerId: verb.callerId,
    timeoutSeconds: verb.timeout,
    signal: ctx.signal,
    onRinging: phase.ringing,
    onEarlyMedia: phase.earlyMedia,
  });
  if ('answered' in rung) return connect(rung.answered, rung.noun, phase, verb, ctx, transfer);
  await phase.caller?.unbridge().catch(() => undefined);
  ctx.log.info({ status: rung.status, sipStatus: rung.sipStatus }, '<Dial> was not answered');
  return {
    DialCallStatus: rung.status,
    ...(rung.callSid === undefined ? {} : { DialCallSid: rung.callSid }),
    // Twilio's DialSipResponseCode: the final SIP response of the called party (486 busy, 404, ...).
    ...(rung.sipStatus === undefined ? {} : { DialSipResponseCode: String(rung.sipStatus) }),
    // The SIP details are those of the one leg rung (in turn: the last).
    ...((verb.sequential ? nouns[nouns.length - 1] : nouns.length === 1 ? nouns[0] : undefined)?.noun === 'Sip' ? dialSipParams(rung.sipStatus, rung.sip) : {}),
  };
}

async function afterDial(verb: DialVerb, ctx: VerbContext, params: Record<string, string>): Promise<VerbResult> {
  const callerGone = ctx.control.hangupSignal.aborted;
  if (verb.action === undefined) return callerGone ? end('caller-hangup') : NEXT;
  if (callerGone) {
    // The application still learns how the Dial ended; there is no call left to run its answer on.
    await ctx.control.fetchNext({ url: verb.action, method: verb.method, params }, { afterHangup: true });
    return end('caller-hangup');
  }
  // Redirected: the new document runs instead of the action's.
  if (ctx.signal.aborted) return NEXT;
  return { kind: 'fetch', request: { url: verb.action, method: verb.method, params } };
}
