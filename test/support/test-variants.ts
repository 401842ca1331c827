/**
 * Which SIP server the call router's integration tests run against. By
 * default the engine's embedded one; with DIALTONE_TEST_VARIANT=drachtio,
 * the real drachtio-server named by DIALTONE_TEST_DRACHTIO=host:port:secret
 * (scripts/test-variants.sh sets both when the environment names a server).
 */
export interface ExternalServer {
  host: string;
  port: number;
  secret: string;
}

/** Parses `host:port:secret` (the secret may itself hold colons). */
export function parseServerSpec(name: string, value: string): ExternalServer {
  const m = /^([^:]+):(\d+):(.+)$/.exec(value.trim());
  if (!m) throw new Error(`${name} must be host:port:secret, not "${value}"`);
  return { host: m[1]!, port: Number(m[2]), secret: m[3]! };
}

/** The drachtio-server to use instead of the embedded SIP server, when this run is that variant. */
export function drachtioUnderTest(env: NodeJS.ProcessEnv = process.env): ExternalServer | undefined {
  if (env.DIALTONE_TEST_VARIANT !== 'drachtio') return undefined;
  const spec = env.DIALTONE_TEST_DRACHTIO;
  if (!spec) throw new Error('DIALTONE_TEST_VARIANT=drachtio needs DIALTONE_TEST_DRACHTIO=host:port:secret');
  return parseServerSpec('DIALTONE_TEST_DRACHTIO', spec);
}
