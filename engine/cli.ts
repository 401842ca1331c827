#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createLogger } from './logger.js';
import { SipServer } from './sipstack/sip-server.js';
import { loadDrachtioXmlConfig, type DrachtioXmlConfig } from '../config/drachtio-xml-config.js';
import { contactsFromArgs, sipServerConfigFile, sipServerLogLevel, sipServerOptionsFrom, SIP_SERVER_FLAGS, SIP_SERVER_HELP } from './sip-server-cli-options.js';
import { runStart, startConfig } from './start-command.js';

const USAGE = `Usage: dialtone <command> [options]

Commands:
  start        run the engine: SIP server, media, call router
  sip-server   run the embedded SIP server alone, as a drachtio-server replacement
               for drachtio-srf applications

Options of start:
  -c, --config FILE          configuration file (DIALTONE_CONFIG); without one a built-in
                             configuration sends every call from this machine to
                             http://127.0.0.1:3000/voice
  --log-level LEVEL          trace|debug|info|warn|error (DIALTONE_LOG_LEVEL, default info)

Options of sip-server (every one also read from the environment variable shown;
a flag wins over its environment variable, which wins over the --file setting):
${SIP_SERVER_HELP}
  -h, --help                 show this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command !== 'start' && command !== 'sip-server') {
    process.stderr.write(`dialtone: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (command === 'start') return start(rest);
  let values;
  try {
    values = parseArgs({ args: rest, options: { ...SIP_SERVER_FLAGS, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (err) {
    process.stderr.write(`dialtone: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = sipServerConfigFile(values, process.env);
  let xml: DrachtioXmlConfig | undefined;
  try {
    xml = file ? await loadDrachtioXmlConfig(file) : undefined;
  } catch (err) {
    process.stderr.write(`dialtone: ${(err as Error).message}\n`);
    return 2;
  }
  const log = createLogger({ level: sipServerLogLevel(values, process.env, xml?.logLevel) });
  for (const warning of xml?.warnings ?? []) log.warn({ file }, warning);
  let server: SipServer;
  try {
    server = new SipServer(sipServerOptionsFrom(values, process.env, xml?.options, contactsFromArgs(rest)), log);
  } catch (err) {
    process.stderr.write(`dialtone: ${file ? `${file}: ` : ''}${(err as Error).message}\n`);
    return 2;
  }
  const info = await server.start();
  log.info(
    {
      sip: info.sip.map((t) => `${t.protocol}/${t.local.address}:${t.local.port}`),
      admin: `${info.admin.address}:${info.admin.port}`,
    },
    `dialtone SIP server started: drachtio-srf applications connect to ${info.admin.address}:${info.admin.port}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopping');
  await server.stop();
  return 0;
}

async function start(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`dialtone: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = createLogger({ level: values['log-level'] });
  let config;
  try {
    config = await startConfig(values.config, process.env, log);
  } catch (err) {
    process.stderr.write(`dialtone: ${(err as Error).message}\n`);
    return 2;
  }
  await runStart(config, log);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`dialtone: ${err.message}\n`);
    process.exit(1);
  },
);
