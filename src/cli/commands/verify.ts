// yargs wiring of `lsyncd-ts verify CONFIG [--sync NAME]... [--json] [--limit N]` (logic: ../verify.ts).
import type { Argv } from 'yargs';
import { runVerify } from '../verify.js';
import type { ExitCodeSink } from './types.js';

export function registerVerify(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'verify [config]',
    'Compare each target with its source by an rsync dry run with checksums, changing nothing (exit 0 clean, 1 drifted, 2 could not verify)',
    (c) =>
      c
        .positional('config', { type: 'string', describe: 'the daemon config' })
        .option('sync', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'verify only the sync with this name (repeatable)' })
        .option('json', { type: 'boolean', default: false, describe: 'print a JSON report (version 1, see src/cli/verify.ts)' })
        .option('limit', { type: 'number', default: 10, describe: 'paths shown per kind (missing, changed, extra); the counts are always complete' })
        .check((a) => {
          if (!Number.isInteger(a.limit) || a.limit < 0) throw new Error(`--limit must be a whole number of paths, 0 or more (got "${String(a.limit)}")`);
          return true;
        })
        .example('$0 verify /etc/lsyncd/lsyncd.conf.lua', 'check every sync')
        .example('$0 verify --sync www --json /etc/lsyncd-ts.json', 'only the sync named "www", as JSON'),
    async (argv) => {
      sink.exitCode = await runVerify({ config: argv.config, syncs: argv.sync.map(String), json: argv.json, limit: argv.limit });
    },
  );
}
