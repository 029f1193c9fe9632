// yargs wiring of `lsyncd-ts release TARGET [SYNC...]` (logic: ../release.ts).
import type { Argv } from 'yargs';
import { runRelease } from '../release.js';
import type { ExitCodeSink } from './types.js';

export function registerRelease(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'release <target> [syncs..]',
    'Release the deletes the mass-delete guard holds (exit 0 released, 1 nothing held, 2 daemon not found / no confirmation)',
    (c) =>
      c
        .positional('target', { type: 'string', demandOption: true, describe: "the daemon's config, status file (or its .json twin) or pidfile" })
        .positional('syncs', { type: 'string', array: true, describe: 'sync names to release (default: every held sync)' })
        .example('$0 release /etc/lsyncd-ts/lsyncd-ts.conf', 'apply the held deletes of every held sync')
        .example('$0 release /run/lsyncd-ts/status www', 'only the sync named "www"'),
    async (argv) => {
      const names = argv.syncs !== undefined && argv.syncs.length > 0 ? argv.syncs.map(String) : undefined;
      sink.exitCode = await runRelease(argv.target, names);
    },
  );
}
