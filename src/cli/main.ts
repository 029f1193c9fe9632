// Command-line entry: `bin/lsyncd-ts` calls main(scriptArgv()) — the arguments byte for byte
// (src/system/raw_argv.ts).
// lsyncd's own syntax (`-nodaemon CONFIG`, `-rsync SRC TGT`, `-version`, `-help`, a bare CONFIG)
// goes to legacy_args.ts; the subcommands `run`, `check-config`, `sysctl` and `--help` go to
// yargs_cli.ts. Routing rules and exit codes: legacy_args.ts, exit_codes.ts.
// main() never calls process.exit: it sets process.exitCode so piped output is flushed.
import { isLegacyInvocation, runLegacy } from './legacy_args.js';
import { runYargs } from './yargs_cli.js';

export { scriptArgv } from '../system/raw_argv.js';

export async function main(argv: string[]): Promise<void> {
  process.exitCode = isLegacyInvocation(argv) ? await runLegacy(argv) : await runYargs(argv);
}
