/**
 * A callback receiver on a real HTTP port: records each form-encoded request
 * (its parameters, X-Twilio-Signature and arrival time) and lets the test
 * answer it, or not. Closed when the test finishes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface Seen {
  params: Record<string, string>;
  signature: string;
  at: number;
}

export type Handler = (seen: Seen, res: ServerResponse) => void;

export async function callbackServer(handler: Handler): Promise<{ url: string; seen: Seen[]; waitFor: (n: number) => Promise<void> }> {
  const seen: Seen[] = [];
  const wake: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const srv = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())), signature: String(req.headers['x-twilio-signature']), at: performance.now() };
      seen.push(s);
      for (const w of wake.splice(0)) w();
      handler(s, res);
    });
  });
  srv.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  );
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/events`;
  const waitFor = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${n} requests arrived`)), 10_000);
      const check = (): void => {
        if (seen.length >= n) {
          clearTimeout(timer);
          resolve();
        } else wake.push(check);
      };
      check();
    });
  return { url, seen, waitFor };
}
