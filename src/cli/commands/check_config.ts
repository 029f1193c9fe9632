// yargs wiring of `lsyncd-ts check-config CONFIG [--json] [--strict]` (logic: ../check_config.ts).
import type { Argv } from 'yargs';
import { runCheckConfig } from '../check_config.js';
import type { ExitCodeSink } from './types.js';

export function registerCheckConfig(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'check-config <config>',
    'Validate CONFIG without starting anything; print what each sync would do (exit 0 valid, 1 invalid)',
    (c) =>
      c
        .positional('config', { type: 'string', describe: 'config file (*.lua, *.conf, *.json, *.ts, *.mjs, *.js)', demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'print the normalised config as JSON (functions as "[function]")' })
        .option('strict', { type: 'boolean', default: false, describe: 'treat warnings as errors (exit 1), e.g. in ExecStartPre=' })
        .example('$0 check-config /etc/lsyncd/lsyncd.conf.lua', 'validate an lsyncd config and show the rsync commands')
        .example('$0 check-config --strict /etc/lsyncd-ts.json', 'fail on warnings too (missing source, no rsync, watch limit...)')
        .example('$0 check-config --json /etc/lsyncd-ts.ts | jq .syncs', 'inspect the normalised config'),
    async (argv) => {
      sink.exitCode = await runCheckConfig({ config: argv.config, json: argv.json, strict: argv.strict });
    },
  );
}
