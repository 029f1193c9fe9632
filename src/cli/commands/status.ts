// yargs wiring of `lsyncd-ts status [--json] [STATUSFILE | CONFIG]` (logic: ../status.ts).
import type { Argv } from 'yargs';
import { runStatus } from '../status.js';
import type { ExitCodeSink } from './types.js';

export function registerStatus(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'status [target]',
    "Show a running daemon's status (exit 0 healthy, 1 a sync unhealthy or the status stale, 2 no status readable)",
    (c) =>
      c
        .positional('target', { type: 'string', describe: 'the status file (settings.statusFile, or its .json twin) or the daemon config' })
        .option('json', { type: 'boolean', default: false, describe: 'print the JSON status as written (version 1 shape, see src/status/render_json.ts)' })
        .example('$0 status /etc/lsyncd/lsyncd.conf.lua', "read the config's statusFile and show each sync")
        .example('$0 status /run/lsyncd-ts/status', 'read a status file directly')
        .example('$0 status --json /etc/lsyncd-ts.json | jq ".syncs[].lagSeconds"', 'replication lag per sync'),
    async (argv) => {
      sink.exitCode = await runStatus({ target: argv.target, json: argv.json });
    },
  );
}
