import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';

/**
 * A 127.0.0.1 port whose listener never accepts and whose accept queue is
 * full, so new TCP connections hang in SYN-SENT: the one way to make a local
 * connect time out. Node accepts every connection itself, so the listener is
 * a small python3 process.
 */
export interface UnacceptingListener {
  port: number;
  close(): void;
}

export async function startUnacceptingListener(): Promise<UnacceptingListener> {
  const script = [
    'import socket, sys',
    's = socket.socket()',
    's.bind(("127.0.0.1", 0))',
    's.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  const child: ChildProcess = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  // Fill the accept queue (backlog 0 still queues one or two connections).
  const fillers: Socket[] = [];
  await Promise.all(
    Array.from({ length: 3 }, () => new Promise<void>((resolve) => {
      const s = createConnection(port, '127.0.0.1');
      fillers.push(s);
      s.on('connect', () => resolve()).on('error', () => resolve());
      setTimeout(resolve, 300).unref();
    })),
  );
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      child.stdin?.end();
      child.kill();
    },
  };
}
