/**
 * A real redis-server for a test: its own port and directory, started and
 * stopped by the test (Debian package redis-server, installed by `npm run setup`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './ports.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (/Ready to accept connections/.test(seen)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${seen.slice(-500)}`)));
    child.once('error', reject);
  });
}

function exited(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** `persist`: an append-only file synced at every write, so that a restart keeps what was written. */
export async function startRedis(opts: { persist?: boolean } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dialtone-redis-'));
  const port = await freeTcpPort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...(opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForReady(child);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop: async () => {
      await exited(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => exited(child, 'SIGKILL'),
    restart: async () => {
      await exited(child, 'SIGKILL');
      await launch();
    },
  };
}
