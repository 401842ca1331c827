/**
 * What the TaskRouter end-to-end tests share: polling the REST API until a
 * resource reaches a state (a loaded machine makes any fixed sleep wrong),
 * the agents' baresip softphones registered to the engine, and tone checks
 * on what a softphone heard.
 */
import type { TestContext } from 'vitest';
import { generateTone } from '../../../media/embedded/dsp/tone.js';
import { dominantFrequency, rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import { waitUntil } from '../../support/ports.js';
import { Baresip } from './baresip.js';
import type { RouterHarness } from './router-harness.js';

/**
 * Asks `probe` again every 50 ms until `done` holds for what it gives;
 * resolves with that value, or fails past `ms` with the last one seen.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Agent {
  name: string;
  password: string;
  phone: Baresip;
  /** The frequency the agent's microphone plays during a call. */
  toneHz: number;
}

/**
 * Starts one baresip softphone per agent, each registered as its SIP user
 * (the engine's registrar, digest), each with its own answer mode and a
 * microphone playing its own tone; resolves once the registrar holds every
 * binding. Stopped, and their logs printed on failure, when the test ends.
 */
export async function startAgents(
  h: RouterHarness,
  ctx: Pick<TestContext, 'onTestFinished'>,
  agents: ReadonlyArray<{ name: string; password: string; autoAnswer: boolean; toneHz: number }>,
): Promise<Record<string, Agent>> {
  const out: Record<string, Agent> = {};
  for (const a of agents) {
    // Twenty seconds of the agent's tone: more than any call of these tests lasts.
    const phone = await Baresip.start({ registrar: h.sipTarget, username: a.name, password: a.password, autoAnswer: a.autoAnswer, microphone: generateTone([a.toneHz], 20_000, 0.4) });
    ctx.onTestFinished(() => phone.stop());
    ctx.onTestFinished(({ task }) => {
      if (task.result?.state === 'fail') console.log(`baresip ${a.name}:\n${phone.log}`);
    });
    out[a.name] = { name: a.name, password: a.password, phone, toneHz: a.toneHz };
  }
  await waitUntil(() => (h.engine.stats().registrar?.bindings ?? 0) === agents.length, 15_000, "the agents' registrations");
  return out;
}

/** The number of 20 ms frames of `pcm` (8 kHz) that are a tone of about `freqHz`. */
export function toneFrames(pcm: Int16Array, freqHz: number): number {
  let n = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    const frame = pcm.subarray(i, i + 160);
    if (rmsDbfs(frame) > -35 && Math.abs(dominantFrequency(frame, 8000) - freqHz) < 60) n++;
  }
  return n;
}

/** What baresip prints of an incoming call: ringing (the menu module) or answered at once (answermode=auto). */
export const INCOMING = /Incoming call from|answering call on line/;
