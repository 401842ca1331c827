/**
 * The engine under test in a child process of its own (bench/router-bench-engine.ts),
 * so that the benchmark's application server, RTP receiver and SIPp
 * bookkeeping do not share its event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineNodeFlags } from './engine-node-flags.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface EngineInfo {
  sip: Array<{ protocol: string; local: { address: string; port: number } }>;
  admin: { address: string; port: number };
  api?: { address: string; port: number };
}

export interface EngineUsage {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
  stats: unknown;
}

/** The engine in its child process. */
export class EngineProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: EngineInfo,
  ) {}

  static async start(config: Record<string, unknown>): Promise<EngineProcess> {
    const child = fork(path.join(here, 'router-bench-engine.ts'), [], {
      execArgv: ['--expose-gc', '--import', 'tsx', ...engineNodeFlags()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const info = await new Promise<EngineInfo>((resolve, reject) => {
      child.on('message', (m: { type?: string; info?: EngineInfo; message?: string }) => {
        if (m.type === 'ready' && m.info) resolve(m.info);
        else if (m.type === 'error') reject(new Error(`engine: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
      child.send({ type: 'start', config });
    });
    return new EngineProcess(child, info);
  }

  usage(opts: { gc?: boolean } = {}): Promise<EngineUsage> {
    return new Promise((resolve) => {
      const onMessage = (m: { type?: string } & EngineUsage): void => {
        if (m.type !== 'stats') return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'stats', gc: opts.gc ?? false });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
