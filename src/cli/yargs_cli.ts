// The yargs (v18, ESM) side of the command line: the subcommands `run`, `check-config`, `sysctl`,
// `status`, `release`, `verify`, top-level `--help`. The lsyncd form is routed away before this (legacy_args.ts).
// Usage errors (unknown option or command, missing CONFIG) print yargs' message plus a pointer
// to `--help` and exit 255 (exit_codes.ts); `--help` exits 0.
import yargs from 'yargs';
import { registerCheckConfig } from './commands/check_config.js';
import { registerRelease } from './commands/release.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerSysctl } from './commands/sysctl.js';
import { registerVerify } from './commands/verify.js';
import type { ExitCodeSink } from './commands/types.js';
import { EXIT_OK, EXIT_USAGE } from './exit_codes.js';
import { err } from './output.js';

const EPILOG = `lsyncd's own command line works too:
  lsyncd-ts [-nodaemon] [-log CAT]... [-delay SECS] [-insist] [-logfile F] [-pidfile F] CONFIG
  lsyncd-ts -rsync SRC TGT | -rsyncssh SRC HOST TDIR | -direct SRC TGT   (repeatable)
  lsyncd-ts -version | -help        (see "lsyncd-ts -help")`;

/** Thrown from yargs' fail() so that no handler runs after a usage error. */
class UsageStop extends Error {}

export async function runYargs(argv: readonly string[]): Promise<number> {
  const sink: ExitCodeSink = { exitCode: EXIT_OK };
  let y = yargs([...argv])
    .scriptName('lsyncd-ts')
    .usage('$0 <command> [options]\n\nLive mirror daemon for Linux, a drop-in successor to lsyncd.')
    .version(false)
    .help('help')
    .alias('help', 'h')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command: run, check-config, sysctl, status, release or verify')
    .wrap(120)
    .epilog(EPILOG)
    .exitProcess(false)
    .fail((msg: string | null, e: Error | null) => {
      if (e !== null && e !== undefined && msg === null) throw e;
      err(`lsyncd-ts: ${msg ?? e?.message ?? 'bad command line'}`);
      const cmd = argv[0] !== undefined && ['run', 'check-config', 'sysctl', 'status', 'release', 'verify'].includes(argv[0]) ? `${argv[0]} ` : '';
      err(`Run "lsyncd-ts ${cmd}--help" for the usage.`);
      throw new UsageStop();
    });
  y = registerRun(y, sink);
  y = registerCheckConfig(y, sink);
  y = registerSysctl(y, sink);
  y = registerStatus(y, sink);
  y = registerRelease(y, sink);
  y = registerVerify(y, sink);
  try {
    await y.parseAsync();
  } catch (e) {
    if (e instanceof UsageStop) return EXIT_USAGE;
    throw e;
  }
  return sink.exitCode;
}
