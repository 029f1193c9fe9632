// yargs wiring of `lsyncd-ts verify CONFIG [--sync NAME]... [--json] [--limit N] [--repair [--force]]` (logic: ../verify.ts).
import type { Argv } from 'yargs';
import { runVerify } from '../verify.js';
import type { ExitCodeSink } from './types.js';

export function registerVerify(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'verify [config]',
    'Compare each target with its source by an rsync dry run with checksums, changing nothing unless --repair (exit 0 clean, 1 drifted, 2 could not verify)',
    (c) =>
      c
        .positional('config', { type: 'string', describe: 'the daemon config' })
        .option('sync', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'verify only the sync with this name (repeatable)' })
        .option('json', { type: 'boolean', default: false, describe: 'print a JSON report (version 1, see src/cli/verify.ts)' })
        .option('limit', { type: 'number', default: 10, describe: 'paths shown per kind (missing, changed, extra); the counts are always complete' })
        .option('repair', { type: 'boolean', default: false, describe: "bring each drifted target back to its source with the sync's own full transfer (its delete mode), then check again" })
        .option('force', { type: 'boolean', default: false, describe: "with --repair: repair even when the deletes would trip the sync's mass-delete guard" })
        .check((a) => {
          if (a.force && !a.repair) throw new Error('--force only applies to --repair — add --repair, or drop --force');
          if (!Number.isInteger(a.limit) || a.limit < 0) throw new Error(`--limit must be a whole number of paths, 0 or more (got "${String(a.limit)}")`);
          return true;
        })
        .example('$0 verify /etc/lsyncd/lsyncd.conf.lua', 'check every sync')
        .example('$0 verify --sync www --json /etc/lsyncd-ts.json', 'only the sync named "www", as JSON')
        .example('$0 verify --repair /etc/lsyncd/lsyncd.conf.lua', 'check, repair what drifted, check again'),
    async (argv) => {
      sink.exitCode = await runVerify({ config: argv.config, syncs: argv.sync.map(String), json: argv.json, limit: argv.limit, repair: argv.repair, force: argv.force });
    },
  );
}
