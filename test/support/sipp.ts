/**
 * Runs the `sipp` binary (Debian package sip-tester, SIPp 3.6) as a real SIP
 * peer for integration tests, and collects what it saw: its exit code, its
 * message trace (-trace_msg), its unexpected-message log (-trace_err) and the
 * final counters of its statistics file (-trace_stat).
 *
 * Every process started here is tracked; `stopAllSipp()` (call it from
 * afterEach) kills whatever is still running and waits for it to exit, so a
 * failed or timed-out test never leaves a SIPp behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort, freeTcpPort, waitForListening } from './ports.js';
import { parseSippMessages, type SippMessage } from './sipp-trace.js';
import { parseSippStats, type SippStats } from './sipp-stats.js';

export type { SippMessage } from './sipp-trace.js';
export type { SippStats } from './sipp-stats.js';

export type SippTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** A scenario file (-sf) or one of SIPp's embedded scenarios (-sn). */
  scenario: string | { builtin: 'uac' | 'uas' };
  /** host:port a UAC calls; omitted for a UAS. */
  remote?: string;
  transport?: SippTransport;
  /** Local address for Via/Contact/From and the bound socket (default 127.0.0.1). */
  address?: string;
  /** Local SIP port; a free one is chosen when omitted. */
  port?: number;
  /** -m: stop after this many calls (default 1). */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: simultaneous calls limit. */
  limit?: number;
  /** -timeout in seconds; with -timeout_error SIPp fails when it is hit (default 15). */
  timeoutSeconds?: number;
  /** -s: user part of the request URI. */
  service?: string;
  /** -key name value, usable as [name] in scenarios. */
  keys?: Record<string, string>;
  /** -set name value, global scenario variables. */
  vars?: Record<string, string>;
  /** Any other command-line arguments, appended last. */
  extraArgs?: string[];
}

export interface SippResult {
  /** SIPp's exit code: 0 every call succeeded, 1 some failed, 97 stopped by command, 99 no call ran, 255 fatal error. */
  exitCode: number | null;
  /** Set when the process was killed rather than exiting by itself. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Raw -trace_msg log. */
  messages: string;
  /** The same log, one entry per SIP message. */
  trace: SippMessage[];
  /** Raw -trace_err log (unexpected messages). */
  errors: string;
  stats: SippStats | undefined;
  /** The command line, for failure messages. */
  args: string[];
}

export interface SippProcess {
  readonly address: string;
  readonly port: number;
  readonly transport: SippTransport;
  /** host:port a peer sends to. */
  readonly target: string;
  readonly pid: number | undefined;
  /** Resolves when SIPp has exited and its logs are read. */
  readonly done: Promise<SippResult>;
  /** SIGTERM, then SIGKILL if it does not exit promptly; resolves with the result. */
  kill(): Promise<SippResult>;
}

const running = new Set<ChildProcess>();

/** Kills every SIPp this module started that is still running and waits for each to exit. */
export async function stopAllSipp(): Promise<void> {
  await Promise.all([...running].map((child) => terminate(child)));
}

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited(child);
  clearTimeout(killTimer);
}

function buildArgs(opts: SippOptions, port: number, dir: string): string[] {
  const args: string[] = [];
  if (typeof opts.scenario === 'string') args.push('-sf', resolve(opts.scenario));
  else args.push('-sn', opts.scenario.builtin);
  if (opts.remote) args.push(opts.remote);
  const address = opts.address ?? '127.0.0.1';
  args.push('-i', address, '-p', String(port));
  args.push('-t', opts.transport === 'tcp' ? 't1' : 'u1');
  args.push('-m', String(opts.calls ?? 1));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.service !== undefined) args.push('-s', opts.service);
  args.push('-timeout', `${opts.timeoutSeconds ?? 15}s`, '-timeout_error');
  args.push('-nostdin');
  args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  args.push('-trace_err', '-error_file', join(dir, 'errors.log'));
  args.push('-trace_stat', '-stf', join(dir, 'stats.csv'));
  for (const [name, value] of Object.entries(opts.keys ?? {})) args.push('-key', name, value);
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push('-set', name, value);
  args.push(...(opts.extraArgs ?? []));
  return args;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Starts of one SIPp made when the port it was given went to another process between its choice and SIPp's bind. */
const BIND_ATTEMPTS = 3;

/** SIPp's exit when its SIP port was taken (errno 98, EADDRINUSE). */
const portTaken = (r: SippResult): boolean => r.exitCode !== 0 && /Unable to bind main socket, errno = 98/.test(r.stderr);

/**
 * Starts SIPp and resolves once its SIP socket is bound (a UAS is then ready
 * to be called). Use `done` for the outcome. A free port is chosen, then
 * bound by SIPp: when another process took it in between, SIPp is started
 * again on another (unless the test gave the port).
 */
export function startSipp(opts: SippOptions): Promise<SippProcess> {
  return startSippBinding(opts, opts.port === undefined ? BIND_ATTEMPTS : 1);
}

async function startSippBinding(opts: SippOptions, attempts: number): Promise<SippProcess> {
  let proc: SippProcess;
  try {
    proc = await startSippOnce(opts);
  } catch (err) {
    // A UAS that could not bind exits before it listens.
    if (attempts > 1 && /errno = 98/.test((err as Error).message)) return startSippBinding(opts, attempts - 1);
    throw err;
  }
  if (attempts <= 1 || opts.remote === undefined) return proc;
  // A UAC is not waited for: a taken port shows in its result, and it is started again then.
  let current = proc;
  const done: Promise<SippResult> = proc.done.then(async (r) => {
    if (!portTaken(r)) return r;
    current = await startSippBinding(opts, attempts - 1);
    return current.done;
  });
  return { ...proc, done, kill: async () => (await current.kill(), done) };
}

async function startSippOnce(opts: SippOptions): Promise<SippProcess> {
  const transport = opts.transport ?? 'udp';
  const address = opts.address ?? '127.0.0.1';
  const port = opts.port ?? (transport === 'tcp' ? await freeTcpPort(address) : await freeUdpPort(address));
  const dir = await mkdtemp(join(tmpdir(), 'sipp-'));
  const args = buildArgs(opts, port, dir);
  // SIPp's UDP control socket defaults to 8888; give each its own.
  args.push('-cp', String(await freeUdpPort()));
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });

  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const done = closed.then(async ({ code, signal, spawnError }) => {
    running.delete(child);
    const [messages, errors, statsCsv] = await Promise.all([
      readOptional(join(dir, 'messages.log')),
      readOptional(join(dir, 'errors.log')),
      readOptional(join(dir, 'stats.csv')),
    ]);
    await rm(dir, { recursive: true, force: true });
    const result: SippResult = {
      exitCode: code,
      signal,
      stdout,
      stderr: spawnError ? `${stderr}${spawnError.message}` : stderr,
      messages,
      trace: parseSippMessages(messages),
      errors,
      stats: parseSippStats(statsCsv),
      args,
    };
    return result;
  });

  // A UAS must be listening before anyone calls it; a UAC may already be
  // done by the time its socket could be observed, so it is not waited for.
  if (opts.remote === undefined) {
    const exitedEarly = done.then((r) => {
      throw new Error(`sipp exited (code ${String(r.exitCode)}) before binding ${address}:${port}: ${r.stderr.trim()}`);
    });
    exitedEarly.catch(() => undefined);
    try {
      await Promise.race([waitForListening(transport, address, port, 5000), exitedEarly]);
    } catch (err) {
      await terminate(child);
      await done;
      throw err;
    }
  }

  return {
    address,
    port,
    transport,
    target: `${address}:${port}`,
    pid: child.pid,
    done,
    async kill() {
      await terminate(child);
      return done;
    },
  };
}

/**
 * The SIPp processes of one test: `stopAll()` in the test's teardown ends
 * only these, so tests running concurrently do not stop each other's peers.
 */
export class SippSession {
  private readonly processes = new Set<SippProcess>();

  async start(opts: SippOptions): Promise<SippProcess> {
    const sipp = await startSipp(opts);
    this.processes.add(sipp);
    return sipp;
  }

  async run(opts: SippOptions): Promise<SippResult> {
    return (await this.start(opts)).done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.kill()));
    this.processes.clear();
  }
}

/** Starts SIPp and waits for it to exit by itself (bounded by its -timeout). */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const sipp = await startSipp(opts);
  return sipp.done;
}

/** A readable summary of a SIPp run for assertion messages. */
export function describeSipp(result: SippResult): string {
  const lines = [
    `sipp ${result.args.join(' ')}`,
    `exit ${String(result.exitCode)} signal ${String(result.signal)}`,
    `stats ${JSON.stringify({ ...result.stats, raw: undefined })}`,
    `stderr: ${result.stderr.trim()}`,
    `errors: ${result.errors.trim().slice(0, 4000)}`,
    `trace:\n${result.trace.map((m) => `${m.direction} ${m.firstLine}`).join('\n')}`,
  ];
  return lines.join('\n');
}
