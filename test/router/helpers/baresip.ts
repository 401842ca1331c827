/**
 * baresip (Debian package baresip) as a headless softphone for tests: a
 * config directory with one account, no sound card (the microphone is a
 * WAV file of silence through the aufile module, the speaker a bridge that
 * goes nowhere), what it hears dumped to WAV files by the sndfile module,
 * and the ctrl_tcp interface (netstring-framed JSON commands) to dial.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, encodeWav } from '../../../media/embedded/audio/wav.js';
import { freeTcpPort, freeUdpPort, waitUntil } from '../../support/ports.js';

export const BARESIP_INSTALLED = spawnSync('baresip', ['-h'], { stdio: 'ignore' }).error === undefined;

export interface BaresipOptions {
  /** host:port of the engine's SIP listener (UDP). */
  registrar: string;
  username: string;
  password: string;
  /** Answer incoming calls at once (answermode=auto). */
  autoAnswer?: boolean;
  /** What the microphone plays (8 kHz mono PCM, once per call); ten seconds of silence by default. */
  microphone?: Int16Array;
}

export class Baresip {
  private output = '';

  private constructor(
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly ctrlPort: number,
    readonly sipPort: number,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.output += s));
  }

  /**
   * Starts baresip and resolves once it is ready. Its SIP listener takes
   * the UDP and TCP port and the TCP port above (TLS), which another
   * process may hold: then it gives up at once, and is started again on
   * other ports.
   */
  static async start(opts: BaresipOptions): Promise<Baresip> {
    for (let attempt = 1; ; attempt++) {
      const phone = await Baresip.spawn(opts);
      const outcome = await phone.started();
      if (outcome === 'ready') return phone;
      await phone.stop();
      if (attempt === 3) throw new Error(`baresip did not start (${outcome}):\n${phone.log}`);
    }
  }

  /** 'ready' once baresip says so; what went wrong when it exits or fails to bind first. */
  private async started(): Promise<string> {
    const failed = /init failed|Address already in use/;
    try {
      await waitUntil(() => this.output.includes('baresip is ready.') || failed.test(this.output) || this.child.exitCode !== null || this.child.signalCode !== null, 10_000, 'baresip to start');
    } catch {
      return 'not ready after 10 s';
    }
    if (failed.test(this.output)) return 'a port was taken';
    if (this.child.exitCode !== null || this.child.signalCode !== null) return `exited (${this.child.exitCode ?? this.child.signalCode})`;
    return 'ready';
  }

  private static async spawn(opts: BaresipOptions): Promise<Baresip> {
    const dir = await mkdtemp(join(tmpdir(), 'baresip-'));
    const sipPort = await freeUdpPort();
    const ctrlPort = await freeTcpPort();
    // Ten seconds of silence as the microphone, unless the test gives it something to say.
    await writeFile(join(dir, 'silence.wav'), encodeWav(opts.microphone ?? new Int16Array(8000 * 10)));
    await writeFile(
      join(dir, 'accounts'),
      `<sip:${opts.username}@${opts.registrar};transport=udp>;auth_pass=${opts.password};regint=600;audio_codecs=PCMU,PCMA${opts.autoAnswer ? ';answermode=auto' : ''}\n`,
    );
    await writeFile(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        'call_local_timeout 60',
        `audio_source aufile,${join(dir, 'silence.wav')}`,
        'audio_player aubridge,nowhere',
        'audio_alert aubridge,nowhere',
        `snd_path ${dir}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module aubridge.so',
        'module sndfile.so',
        'module_tmp account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        '',
      ].join('\n'),
    );
    // Line-buffered, so that its log can be read while it runs.
    const child = spawn('stdbuf', ['-oL', '-eL', 'baresip', '-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const phone = new Baresip(dir, child, ctrlPort, sipPort);
    return phone;
  }

  get log(): string {
    return this.output;
  }

  /** Resolves once baresip has printed `text`. */
  async waitForOutput(text: string | RegExp, ms: number): Promise<void> {
    await waitUntil(() => (typeof text === 'string' ? this.output.includes(text) : text.test(this.output)), ms, `baresip to print ${String(text)}\n${this.output}`);
  }

  /** Sends one ctrl_tcp command (a netstring with a JSON body) and resolves with the response. */
  async command(command: string, params = ''): Promise<string> {
    const body = JSON.stringify({ command, params, token: String(Date.now()) });
    return new Promise((resolve, reject) => {
      const socket = connect(this.ctrlPort, '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${Buffer.byteLength(body)}:${body},`));
      socket.on('data', (s: string) => {
        received += s;
        if (received.includes('"response"')) {
          socket.end();
          resolve(received);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () => {
        socket.destroy();
        reject(new Error(`no answer from baresip to ${command}`));
      });
    });
  }

  /**
   * What baresip decoded from the far end (sndfile's dump-*-dec.wav), once
   * the file is complete: sndfile writes the WAV header's sizes when the
   * call's audio stream closes.
   */
  async heard(ms: number): Promise<Int16Array> {
    let pcm: Int16Array | undefined;
    await waitUntil(
      async () => {
        const name = (await readdir(this.dir)).find((n) => n.startsWith('dump-') && n.endsWith('-dec.wav'));
        if (name === undefined) return false;
        try {
          pcm = decodeWav(await readFile(join(this.dir, name)));
          return pcm.length > 0;
        } catch {
          return false;
        }
      },
      ms,
      "baresip's recording of what it heard",
    );
    return pcm!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
