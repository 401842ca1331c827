/**
 * Where the tests' fixture files live: test/fixtures, inside the repository,
 * so that a clone alone has everything the suite reads.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** test/fixtures. */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

/** The RFC 4475 torture messages, one `<name>.dat` per message, bytes as in the RFC (see its README.md). */
export const RFC4475_DIR = path.join(FIXTURES_DIR, 'rfc4475');

/** The path of the RFC 4475 message `name` (without `.dat`). */
export function rfc4475File(name: string): string {
  return path.join(RFC4475_DIR, `${name}.dat`);
}
