import { readFile } from 'node:fs/promises';

/** Where a TLS listener's certificate and key are (drachtio's `<tls>`: cert-file, key-file, chain-file). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  chainFile?: string;
}

/** The PEM contents of the files; a missing or unreadable file is an error naming it. */
export async function loadTlsFiles(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer; chain?: Buffer }> {
  const read = async (path: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`cannot read TLS ${what} file ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const [cert, key, chain] = await Promise.allSettled([
    read(files.certFile, 'certificate'),
    read(files.keyFile, 'key'),
    files.chainFile ? read(files.chainFile, 'chain') : Promise.resolve(undefined),
  ]);
  // The first file in that order that cannot be read is the one named, whichever read failed first.
  for (const outcome of [cert, key, chain]) if (outcome.status === 'rejected') throw outcome.reason;
  const value = <T>(o: PromiseSettledResult<T>): T => (o as PromiseFulfilledResult<T>).value;
  return { cert: value(cert), key: value(key), chain: value(chain) };
}

/** PEM trust anchors for verifying peers' certificates; an unreadable file is an error naming it. */
export async function loadCaFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read TLS CA file ${path}: ${(err as Error).message}`, { cause: err });
  }
}
