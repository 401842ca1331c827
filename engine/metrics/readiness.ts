/** One part the engine needs to take calls, and whether it can now. */
export interface ReadinessCheck {
  ready: boolean;
  /** Why not, when not. */
  reason?: string;
}

/** The engine's answer to /readyz: ready when every part is. */
export interface ReadinessReport {
  ready: boolean;
  /** The parts not ready, by name. */
  notReady: string[];
  checks: Record<string, ReadinessCheck>;
}

export type ReadinessProbe = () => ReadinessCheck | Promise<ReadinessCheck>;

/** How long one probe may take before its part counts as not ready. */
export const PROBE_TIMEOUT_MS = 1000;

/** Runs every probe at once, each within PROBE_TIMEOUT_MS; a probe that throws or is late is not ready. */
export async function checkReadiness(probes: Readonly<Record<string, ReadinessProbe>>, timeoutMs = PROBE_TIMEOUT_MS): Promise<ReadinessReport> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((name) => withinTimeout(probes[name]!, timeoutMs)));
  const checks: Record<string, ReadinessCheck> = {};
  names.forEach((name, i) => (checks[name] = results[i]!));
  const notReady = names.filter((name) => !checks[name]!.ready);
  return { ready: notReady.length === 0, notReady, checks };
}

async function withinTimeout(probe: ReadinessProbe, timeoutMs: number): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadinessCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(probe), late]);
  } catch (err) {
    return { ready: false, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
