import { EngineConfigError, parseEngineConfig } from '../../config/load-engine-config.js';

/** The problems the configuration loader reports for `raw`, as `key: message` lines; [] when it loads. */
export function configIssues(raw: unknown): string[] {
  try {
    parseEngineConfig(raw, { env: {} });
  } catch (err) {
    if (err instanceof EngineConfigError) return err.issues.map((i) => `${i.key}: ${i.message}`);
    throw err;
  }
  return [];
}
