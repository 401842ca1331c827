import { describe, expect, it } from 'vitest';
import { serversToTry } from '../../../media/freeswitch/server-choice.js';

const servers = [
  { name: 'fs-a', up: true, endpoints: 7 },
  { name: 'fs-b', up: true, endpoints: 2 },
  { name: 'fs-c', up: false, endpoints: 0 },
  { name: 'fs-d', up: true, endpoints: 4 },
];
const names = (list: { name: string }[]): string[] => list.map((s) => s.name);

describe('which FreeSWITCH server takes a new endpoint', () => {
  it('least loaded first, never a server that is down', () => {
    expect(names(serversToTry(servers, 'least-loaded', 0))).toEqual(['fs-b', 'fs-d', 'fs-a']);
  });

  it('round robin starts one further each time', () => {
    expect(names(serversToTry(servers, 'round-robin', 0))).toEqual(['fs-a', 'fs-b', 'fs-d']);
    expect(names(serversToTry(servers, 'round-robin', 1))).toEqual(['fs-b', 'fs-d', 'fs-a']);
    expect(names(serversToTry(servers, 'round-robin', 5))).toEqual(['fs-d', 'fs-a', 'fs-b']);
  });

  it("a Dial leg goes to its caller's server only, however loaded, so the two can be bridged", () => {
    expect(names(serversToTry(servers, 'least-loaded', 0, 'fs-a'))).toEqual(['fs-a']);
    expect(names(serversToTry(servers, 'round-robin', 1, 'fs-a'))).toEqual(['fs-a']);
  });

  it("falls back to the usual choice when the caller's server is down or unknown", () => {
    expect(names(serversToTry(servers, 'least-loaded', 0, 'fs-c'))).toEqual(['fs-b', 'fs-d', 'fs-a']);
    expect(names(serversToTry(servers, 'least-loaded', 0, 'elsewhere'))).toEqual(['fs-b', 'fs-d', 'fs-a']);
  });
});
