/** What choosing a server looks at. */
export interface ServerLoad {
  name: string;
  /** Whether its event socket is up. */
  up: boolean;
  /** Endpoints on it now. */
  endpoints: number;
}

/**
 * The servers to try for a new endpoint, in order. With `near` (the server
 * of an endpoint the new one will be bridged with) and that server up, only
 * it: FreeSWITCH bridges channels of one server, so an endpoint elsewhere
 * could never carry the bridge's audio. Otherwise every server that is up,
 * the least loaded first or each in turn from `turn`.
 */
export function serversToTry<T extends ServerLoad>(servers: readonly T[], selection: 'least-loaded' | 'round-robin', turn: number, near?: string): T[] {
  const up = servers.filter((s) => s.up);
  if (near !== undefined) {
    const same = up.find((s) => s.name === near);
    if (same) return [same];
  }
  if (selection === 'round-robin') {
    const start = turn % Math.max(1, up.length);
    return [...up.slice(start), ...up.slice(0, start)];
  }
  return [...up].sort((a, b) => a.endpoints - b.endpoints);
}
