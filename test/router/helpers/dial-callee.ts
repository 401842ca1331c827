/**
 * The called party of <Dial> tests: a SIPp UAS (test/scenarios/router-uas-*
 * or the outbound tests' uas-* scenarios) with an RTP socket of the test,
 * and a check for tones in the audio one side hears.
 */
import { fileURLToPath } from 'node:url';
import { mulawDecode } from '../../../media/embedded/audio/g711.js';
import { dominantFrequency, rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import type { SippProcess, SippSession } from '../../support/sipp.js';
import type { ReceivedPacket } from '../../media/helpers/rtp-peer.js';
import { CallerMedia, PT_PCMU } from './caller-media.js';

export type CalleeScenario =
  | 'router-uas-answer'
  | 'router-uas-early-media'
  | 'router-uas-ring-answer'
  | 'router-uas-refer'
  | 'router-uas-refer-failed'
  | 'router-uas-refer-declined'
  | 'router-uas-refer-malformed'
  | 'uas-ring-cancelled'
  | 'uas-reject-with';

export interface Callee {
  sipp: SippProcess;
  media: CallerMedia;
  /** sip:callee@host:port of the SIPp UAS. */
  uri: string;
}

export async function startCallee(
  sipp: SippSession,
  scenario: CalleeScenario,
  /** hangupAfterMs: SIPp's -d pause (before the callee's BYE, or its REFER in router-uas-refer*). */
  opts: { hangup?: 'engine' | 'callee'; hangupAfterMs?: number; timeoutSeconds?: number } = {},
): Promise<Callee> {
  const media = await CallerMedia.open();
  const proc = await sipp.start({
    scenario: fileURLToPath(new URL(`../../scenarios/${scenario}.xml`, import.meta.url)),
    keys: { ...media.sippKeys, hangup: opts.hangup ?? 'engine' },
    timeoutSeconds: opts.timeoutSeconds ?? 30,
    extraArgs: opts.hangupAfterMs === undefined ? [] : ['-d', String(opts.hangupAfterMs)],
  });
  return { sipp: proc, media, uri: `sip:callee@${proc.target}` };
}

/** PCMU packets whose audio is a tone of about `freqHz`. */
export function tonePackets(packets: readonly ReceivedPacket[], freqHz: number): ReceivedPacket[] {
  return packets.filter((p) => {
    if (p.pt !== PT_PCMU) return false;
    const pcm = mulawDecode(p.payload);
    return rmsDbfs(pcm) > -35 && Math.abs(dominantFrequency(pcm, 8000) - freqHz) < 60;
  });
}
