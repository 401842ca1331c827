/**
 * An engine in a process of its own (`dialtone start --config FILE`, run
 * from the TypeScript sources), for what only a separate process shows: a
 * kill -9, several engines side by side. Its JSON log lines are kept and
 * can be waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EngineConfigInput } from '../../config/engine-config.js';
import { REPO_ROOT } from './fixtures.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** host:port of its SIP UDP listener, its REST API and its HTTP server. */
  readonly sipTarget: string;
  readonly apiBase: string;
  readonly httpBase: string;
  /** The first log line (already seen or to come) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM, and the exit code. */
  terminate(): Promise<number | null>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startEngineProcess(config: EngineConfigInput, dir: string, name = 'engine'): Promise<EngineProcess> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'engine/cli.ts'), 'start', '--config', file, '--log-level', 'info'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DIALTONE_LOG_LEVEL: 'info' },
  });
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.match(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  const waitForLog = (match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no log line for ${what} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) waiting for ${what}; stderr: ${stderr}`)));
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  };
  const started = await waitForLog((l) => l.msg === 'engine started', 30_000, 'engine started');
  const sip = (started.sip as string[]).find((s) => s.startsWith('udp/')) ?? '';
  return {
    child,
    lines,
    sipTarget: sip.slice('udp/'.length),
    apiBase: `http://${String(started.api)}`,
    httpBase: `http://${String(started.http)}`,
    waitForLog,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited(child);
    },
  };
}
