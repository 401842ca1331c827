/**
 * Call recordings on FreeSWITCH (fs-call-recording.ts) against a stand-in
 * channel that answers uuid_record as FreeSWITCH does and writes each
 * track's file when its bug stops: the bugs asked for, the channel
 * variables of each, a pause answered only once FreeSWITCH took it, a
 * refused mask, a failed start that leaves nothing running, a skipped
 * pause cut out of the file.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../../media/embedded/audio/wav.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';
import { FsCallRecording, type StartBug } from '../../../media/freeswitch/fs-call-recording.js';
import type { FsChannel } from '../../../media/freeswitch/fs-channel.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-fs-rec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A channel whose uuid_record answers are scripted; a stopped bug leaves `secondsOfTone` of tone in its file. */
function channel(opts: { maskAnswer?: string; secondsOfTone?: number } = {}) {
  const commands: string[][] = [];
  const ch = {
    uuid: 'fs-uuid',
    async api(command: string, args: string[]): Promise<string | undefined> {
      commands.push([command, ...args]);
      const [, how, file] = args;
      if (how === 'mask' || how === 'unmask') return opts.maskAnswer ?? '+OK Success\n';
      if (how === 'stop' && file) await writeFile(file, encodeWav(generateTone([700], (opts.secondsOfTone ?? 3) * 1000, 0.5)));
      return '+OK Success\n';
    },
  };
  return { ch: ch as unknown as FsChannel, commands };
}

function starter(fail?: (n: number) => boolean): { startBug: StartBug; started: { vars: Record<string, string>; file: string }[] } {
  const started: { vars: Record<string, string>; file: string }[] = [];
  return {
    started,
    startBug: (vars, file) => {
      if (fail?.(started.length)) return Promise.reject(new Error('-ERR Cannot record'));
      started.push({ vars, file });
      return Promise.resolve();
    },
  };
}

describe('FsCallRecording', () => {
  it('both tracks: a read-only and a write-only bug; stopped, the tracks are joined into two channels', async () => {
    const { ch, commands } = channel();
    const { startBug, started } = starter();
    const path = join(dir, 'both.wav');
    const rec = await FsCallRecording.start(ch, {}, { path, track: 'both', channels: 2 }, startBug, new AbortController().signal, () => undefined);
    expect(started.map((s) => s.vars)).toEqual([
      { RECORD_READ_ONLY: 'true', RECORD_WRITE_ONLY: 'false' },
      { RECORD_READ_ONLY: 'false', RECORD_WRITE_ONLY: 'true' },
    ]);
    const outcome = await rec.stop();
    expect(commands.filter((c) => c[2] === 'stop').map((c) => c[3])).toEqual(started.map((s) => s.file));
    expect(outcome).toMatchObject({ reason: 'stopped', channels: 2, durationMs: 3000 });
    const wav = await readFile(path);
    expect(wav.readUInt16LE(22)).toBe(2);
    // Only the recording is left: the tracks' files are gone.
    expect(await readdir(dir)).toEqual(['both.wav']);
  });

  it('a pause is answered once FreeSWITCH masked every bug; a skipping pause is cut out of the file', async () => {
    const { ch, commands } = channel({ secondsOfTone: 3 });
    const { startBug } = starter();
    const path = join(dir, 'skip.wav');
    const rec = await FsCallRecording.start(ch, {}, { path, track: 'inbound', channels: 1 }, startBug, new AbortController().signal, () => undefined);
    await rec.pause('skip');
    expect(rec.paused).toBe(true);
    expect(commands.filter((c) => c[2] === 'mask')).toHaveLength(1);
    await sleep(500);
    await rec.resume();
    expect(commands.filter((c) => c[2] === 'unmask')).toHaveLength(1);
    const outcome = await rec.stop();
    expect(outcome.durationMs).toBeGreaterThan(2400);
    expect(outcome.durationMs).toBeLessThan(2560);
    expect(Math.round(decodeWav(await readFile(path)).length / 8)).toBe(outcome.durationMs);
  });

  it('a mask FreeSWITCH refuses is an error, not a pause', async () => {
    const { ch } = channel({ maskAnswer: '-ERR no such recording\n' });
    const { startBug } = starter();
    const rec = await FsCallRecording.start(ch, {}, { path: join(dir, 'r.wav'), track: 'inbound', channels: 1 }, startBug, new AbortController().signal, () => undefined);
    await expect(rec.pause('silence')).rejects.toThrow(/could not mask/);
    expect(rec.paused).toBe(false);
  });

  it('when the second bug cannot start, the first is stopped and nothing is left recording', async () => {
    const { ch, commands } = channel();
    const { startBug, started } = starter((n) => n === 1);
    await expect(FsCallRecording.start(ch, {}, { path: join(dir, 'f.wav'), track: 'both', channels: 1 }, startBug, new AbortController().signal, () => undefined)).rejects.toThrow(/Cannot record/);
    expect(started).toHaveLength(1);
    expect(commands).toEqual([['uuid_record', 'fs-uuid', 'stop', started[0]!.file]]);
    expect(await readdir(dir)).toEqual([]);
  });
});
