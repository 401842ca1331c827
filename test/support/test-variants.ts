/**
 * Which SIP server and media the call router's integration tests run
 * against. By default the engine's embedded ones; with
 * DIALTONE_TEST_VARIANT=drachtio, the real drachtio-server named by
 * DIALTONE_TEST_DRACHTIO=host:port:secret; with DIALTONE_TEST_VARIANT=freeswitch,
 * media on the FreeSWITCH named by DIALTONE_TEST_FREESWITCH=host:port:secret
 * (scripts/test-variants.sh sets them when the environment names a server).
 * DIALTONE_TEST_VARIANT=drachtio,freeswitch runs both together, the
 * production shape.
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

/** Whether this run's variant (a comma-separated list) includes `name`. */
function variantIncludes(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env.DIALTONE_TEST_VARIANT ?? '').split(',').map((v) => v.trim()).includes(name);
}

/** The drachtio-server to use instead of the embedded SIP server, when this run is that variant. */
export function drachtioUnderTest(env: NodeJS.ProcessEnv = process.env): ExternalServer | undefined {
  if (!variantIncludes(env, 'drachtio')) return undefined;
  const spec = env.DIALTONE_TEST_DRACHTIO;
  if (!spec) throw new Error('DIALTONE_TEST_VARIANT=drachtio needs DIALTONE_TEST_DRACHTIO=host:port:secret');
  return parseServerSpec('DIALTONE_TEST_DRACHTIO', spec);
}

/**
 * The FreeSWITCH event socket to run media on instead of the embedded
 * engine, when this run is that variant (DIALTONE_TEST_VARIANT=freeswitch,
 * DIALTONE_TEST_FREESWITCH=host:port:secret).
 */
export function freeswitchUnderTest(env: NodeJS.ProcessEnv = process.env): ExternalServer | undefined {
  if (!variantIncludes(env, 'freeswitch')) return undefined;
  const spec = env.DIALTONE_TEST_FREESWITCH;
  if (!spec) throw new Error('DIALTONE_TEST_VARIANT=freeswitch needs DIALTONE_TEST_FREESWITCH=host:port:secret');
  return parseServerSpec('DIALTONE_TEST_FREESWITCH', spec);
}

/** The FreeSWITCH event socket the environment names (for tests that need one whatever the variant), or undefined. */
export function freeswitchNamed(env: NodeJS.ProcessEnv = process.env): ExternalServer | undefined {
  const spec = env.DIALTONE_TEST_FREESWITCH;
  return spec ? parseServerSpec('DIALTONE_TEST_FREESWITCH', spec) : undefined;
}
