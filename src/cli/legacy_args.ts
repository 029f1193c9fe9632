// Routing between the lsyncd-compatible command line and the yargs subcommands, and running the
// lsyncd form (docs/lsyncd-compat.md#command-line), so the binary can stand in for
// `lsyncd` in existing init scripts and unit files.
//
// Routing (`isLegacyInvocation`), decided on argv[0] only:
//  - `run`, `check-config`, `sysctl`                 → yargs subcommands;
//  - `--help`, `-h`                                  → yargs (top-level help, exit 0);
//  - no arguments                                    → legacy (lsyncd: usage, exit 255);
//  - anything else starting with "-" (`-nodaemon`, `-rsync`, `--version`, `-help` …) → legacy;
//  - a word that looks like a file (contains "/" or ".", or exists) → legacy (`lsyncd-ts CONFIG`);
//  - any other bare word (`chek-config`)            → yargs, which answers "Unknown command"
//    with a suggestion instead of "cannot read config".
// Deliberate differences: `--help` shows the modern help and exits 0 (humans type it; lsyncd's
// `-help` still prints lsyncd's usage and exits 255); `--version` and `-version` both print
// `Version: X` and exit 0.
//
// Legacy run: parseCliArgs (src/config/cli_args.ts) → load/validate the config or the
// command-line syncs → errors as `Error: FILE:LINE: …` on stderr, exit 255 (lsyncd's
// terminate(-1)); warnings as `Warn: …`; a valid config goes to startDaemon.
import { existsSync } from 'node:fs';
import { USAGE, parseCliArgs } from '../config/cli_args.js';
import { EXIT_BAD_CONFIG, EXIT_OK } from './exit_codes.js';
import { loadForCli } from './load_for_cli.js';
import { err, out, printLsyncdDiagnostics } from './output.js';
import { startDaemon } from './start_daemon.js';
import { packageVersion } from './version.js';

export const SUBCOMMANDS: readonly string[] = ['run', 'check-config', 'sysctl', 'status', 'release', 'verify'];
const YARGS_OPTIONS: readonly string[] = ['--help', '-h'];

export function isLegacyInvocation(argv: readonly string[], fileExists: (p: string) => boolean = existsSync): boolean {
  const first = argv[0];
  if (first === undefined) return true;
  if (SUBCOMMANDS.includes(first) || YARGS_OPTIONS.includes(first)) return false;
  if (first.startsWith('-')) return true;
  return /[/.]/.test(first) || fileExists(first);
}

/** Run the lsyncd-compatible form; returns the exit code. */
export async function runLegacy(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv);
  switch (args.kind) {
    case 'version':
      out(`Version: ${packageVersion()}`);
      return EXIT_OK;
    case 'help':
      out(USAGE.trimEnd());
      out('');
      out('Subcommands (see lsyncd-ts --help): run CONFIG | check-config CONFIG | sysctl [CONFIG | DIR...]');
      return args.exitCode;
    case 'error':
      err(`Error: ${args.message}`);
      err('Run "lsyncd-ts -help" for the usage.');
      return args.exitCode;
    case 'run': {
      const file = args.config;
      const r = await loadForCli(file !== undefined ? { kind: 'file', file } : { kind: 'syncs', syncs: args.syncs }, args.overrides);
      if (!r.ok) {
        printLsyncdDiagnostics(r.errors, r.warnings);
        return EXIT_BAD_CONFIG;
      }
      printLsyncdDiagnostics([], r.warnings);
      // HUP re-reads the same file with the same command-line overrides (start_daemon.ts).
      const reload = file !== undefined ? () => loadForCli({ kind: 'file', file }, args.overrides) : undefined;
      return await startDaemon(r.config, { log: args.log, full: args.overrides.full === true, ...(reload ? { reload } : {}), ...(file !== undefined ? { configFile: file } : {}) });
    }
  }
}
