// yargs wiring of `lsyncd-ts sysctl [CONFIG | DIR...] [--apply] [--check]` (logic: ../sysctl.ts).
import type { Argv } from 'yargs';
import { runSysctl } from '../sysctl.js';
import type { ExitCodeSink } from './types.js';

export function registerSysctl(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'sysctl [targets..]',
    'Count the directories to watch and recommend (or --apply) inotify sysctl limits',
    (c) =>
      c
        .positional('targets', { type: 'string', array: true, describe: 'one config file, or one or more directories' })
        .option('apply', { type: 'boolean', default: false, describe: 'write /etc/sysctl.d/90-lsyncd-ts.conf and set the values now (root)' })
        .option('check', { type: 'boolean', default: false, describe: 'print one line; exit 2 when a limit is too low, 1 when unknown (monitoring)' })
        .example('$0 sysctl /etc/lsyncd/lsyncd.conf.lua', 'count the sources of a config (excludes honoured) and recommend limits')
        .example('$0 sysctl /srv/www /srv/media', 'the same for plain directories')
        .example('sudo $0 sysctl --apply /etc/lsyncd-ts.json', 'persist and apply the recommendation')
        .example('$0 sysctl --check /etc/lsyncd-ts.json', 'monitoring: exit 2 when the limits are too low'),
    async (argv) => {
      sink.exitCode = await runSysctl({ targets: argv.targets ?? [], apply: argv.apply, check: argv.check });
    },
  );
}
