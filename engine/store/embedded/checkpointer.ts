import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop. A checkpoint copies the write-ahead
 * log into the database file and syncs it to disk; on a virtual machine's
 * disk that sync can take tens of milliseconds, and SQLite would run it
 * inside whichever commit crossed the threshold, holding up the media clock
 * and the calls with it. So the engine's connection never checkpoints
 * (wal_autocheckpoint = 0) and a second connection in a worker thread does,
 * every `intervalMs` (its last one when the store closes).
 */

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); } };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs: number, onError: (reason: string) => void): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  // An eval'd worker runs as CommonJS, so it needs no file of its own (the same code runs from dist/ and from sources).
  // No execArgv: the worker's code is plain JavaScript and needs none of the process's loaders.
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { file, module, intervalMs } });
  worker.unref();
  let failing = false;
  worker.on('message', (m: { error?: string }) => {
    if (m.error !== undefined && !failing) onError(m.error);
    failing = m.error !== undefined;
  });
  worker.on('error', (err) => onError(err.message));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => void worker.terminate().then(done, done), 5000);
        worker.on('message', (m: { stopped?: boolean }) => {
          if (m.stopped) void worker.terminate().then(done, done);
        });
        worker.once('exit', done);
        worker.postMessage('stop');
      }),
  };
}
