/**
 * How long a REST update takes when the call runs on another engine of the
 * cluster: a second engine joins the first (on its SIP server and its
 * Redis), SIPp holds `calls` calls up (spread over both engines), and each
 * is hung up (POST Calls/{sid}.json Status=completed) through the second
 * engine's API. The requests for calls the second engine runs itself are
 * the local figure beside the cross-engine one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { redisStoreAt } from '../test/store/store-kinds.js';
import { startSipp } from '../test/support/sipp.js';
import type { EngineProcess } from './bench-engine-process.js';

export interface UpdateLatency {
  calls: number;
  crossEngine: { requests: number; p50Ms: number; p99Ms: number; maxMs: number; failed: number };
  local: { requests: number; p50Ms: number; p99Ms: number; maxMs: number; failed: number };
}

function summary(ms: number[], failed: number): UpdateLatency['local'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN) * 100) / 100;
  return { requests: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: at(100), failed };
}

export async function measureCrossEngineUpdates(opts: {
  first: EngineProcess;
  second: EngineProcess;
  target: string;
  rtpPort: number;
  scenario: string;
  redisUrl: string;
  keyPrefix: string;
  account: { sid: string; token: string };
  calls: number;
}): Promise<UpdateLatency> {
  const { first, second, account } = opts;
  const api = (e: EngineProcess): string => `http://${e.info.api?.address}:${e.info.api?.port}/2010-04-01/Accounts/${account.sid}/Calls`;
  const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.token}`).toString('base64');
  const records = redisStoreAt(opts.redisUrl, opts.keyPrefix);
  const sipp = await startSipp({
    scenario: opts.scenario,
    remote: opts.target,
    service: 'hold',
    calls: opts.calls,
    rate: 50,
    limit: opts.calls,
    keys: { rtp_port: String(opts.rtpPort), rtcp_port: String(opts.rtpPort + 1) },
    timeoutSeconds: 120,
  });
  try {
    // Wait (bounded) until every call is up.
    let live: { sid: string }[] = [];
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${api(first)}.json?Status=in-progress&PageSize=1000`, { headers: { authorization: auth } });
      live = ((await res.json()) as { calls: { sid: string }[] }).calls;
      if (live.length >= opts.calls) break;
      await sleep(100);
    }
    const cross: number[] = [];
    const local: number[] = [];
    let crossFailed = 0;
    let localFailed = 0;
    for (const { sid } of live) {
      const owner = (await records.calls.get(sid))?.engineId;
      const t0 = performance.now();
      const res = await fetch(`${api(second)}/${sid}.json`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Status=completed',
      });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      const isLocal = owner === 'bench-2';
      if (res.status !== 200) {
        if (isLocal) localFailed++;
        else crossFailed++;
      } else (isLocal ? local : cross).push(ms);
    }
    return { calls: live.length, crossEngine: summary(cross, crossFailed), local: summary(local, localFailed) };
  } finally {
    await sipp.kill();
    await records.close();
  }
}
