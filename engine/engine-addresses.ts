import os from 'node:os';
import type { EngineConfig } from '../config/engine-config.js';

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function firstInterfaceAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

/** The address written in SDP: configured, else the SIP external address, the RTP bind address, or the first interface. */
export function advertisedMediaAddress(config: EngineConfig): string {
  const m = config.media;
  if (m.advertisedAddress !== undefined) return m.advertisedAddress;
  if (config.sipServer.sip.externalAddress !== undefined) return config.sipServer.sip.externalAddress;
  if (!isWildcard(m.bindAddress)) return m.bindAddress;
  return firstInterfaceAddress();
}

/** Base of RecordingUrl: http.publicUrl, else the HTTP server's own address (a reachable one for a wildcard bind). */
export function publicHttpBase(config: EngineConfig, bound: { address: string; port: number }): string {
  if (config.http.publicUrl !== undefined) return config.http.publicUrl.replace(/\/+$/, '');
  const host = isWildcard(bound.address) ? advertisedMediaAddress(config) : bound.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
}
