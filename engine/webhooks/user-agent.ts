import { packageVersion } from '../version.js';

/** The User-Agent sent with every webhook request: `dialtone/<version>`. */
export function defaultUserAgent(): string {
  return `dialtone/${packageVersion()}`;
}
