// `lsyncd-ts run CONFIG [--nodaemon] [--log CAT]... [--delay SECS] [--insist] [--logfile F]
// [--pidfile F] [--onepass] [--full]`: the long-option form of the lsyncd command line
// (docs/lsyncd-compat.md#command-line). Same rules and messages as the legacy form
// (src/config/cli_args.ts), from the same functions: a `--log` value is checked by
// log/categories.ts isCategoryArg, `--delay` is read as text by config/timer_seconds.ts
// parseTimerSecondsArg (yargs must not turn it into a number first: its own number reading
// accepts forms the legacy `-delay` refuses).
// Config errors exit 255 like lsyncd (a systemd unit cannot tell the forms apart); a valid config
// goes to startDaemon (the sync engine; exit codes in start_daemon.ts).
import type { Argv } from 'yargs';
import type { ConfigOverrides } from '../../config/normalize.js';
import { parseTimerSecondsArg } from '../../config/timer_seconds.js';
import { CategoryError, isCategoryArg } from '../../log/categories.js';
import { EXIT_BAD_CONFIG, EXIT_USAGE } from '../exit_codes.js';
import { loadForCli } from '../load_for_cli.js';
import { err, printLsyncdDiagnostics } from '../output.js';
import { startDaemon } from '../start_daemon.js';
import type { ExitCodeSink } from './types.js';

export function registerRun(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'run <config>',
    'Run the sync daemon for CONFIG (lsyncd Lua, JSON, or TypeScript/JavaScript)',
    (c) =>
      c
        .positional('config', { type: 'string', describe: 'config file (*.lua, *.conf, *.json, *.ts, *.mjs, *.js)', demandOption: true })
        .option('nodaemon', { type: 'boolean', describe: 'stay in the foreground and log to stdout/stderr' })
        .option('log', { type: 'string', array: true, describe: 'enable a log category: all, scarce, or a name such as Exec (repeatable)' })
        .option('delay', { type: 'string', describe: 'override every sync\'s delay (seconds)' })
        .option('insist', { type: 'boolean', describe: 'keep running when the startup transfer fails temporarily' })
        .option('logfile', { type: 'string', describe: 'append the log to FILE' })
        .option('pidfile', { type: 'string', describe: 'write the process id to FILE' })
        .option('onepass', { type: 'boolean', describe: 'run the startup transfer, then exit' })
        .option('full', { type: 'boolean', describe: 'start every sync with a full transfer, ignoring the saved state (docs/state.md)' })
        .example('$0 run /etc/lsyncd/lsyncd.conf.lua --nodaemon', 'run in the foreground')
        .example('$0 run /etc/lsyncd-ts.json --log Exec --delay 5', 'log every command, fire after 5 s')
        .example('lsyncd-ts -nodaemon /etc/lsyncd/lsyncd.conf.lua', 'the same in lsyncd\'s own syntax'),
    async (argv) => {
      for (const cat of argv.log ?? []) {
        if (!isCategoryArg(cat)) {
          err(`Error: ${new CategoryError(cat).message} — use all, scarce, or a category name starting with A-Z (e.g. Exec)`);
          sink.exitCode = EXIT_USAGE;
          return;
        }
      }
      const delay = argv.delay === undefined ? undefined : parseTimerSecondsArg('--delay', argv.delay);
      if (delay !== undefined && 'error' in delay) {
        err(`Error: ${delay.error}`);
        sink.exitCode = EXIT_USAGE;
        return;
      }
      const overrides: ConfigOverrides = {};
      if (argv.nodaemon === true) overrides.nodaemon = true;
      if (argv.insist === true) overrides.insist = true;
      if (argv.onepass === true) overrides.onepass = true;
      if (delay !== undefined) overrides.delay = delay.seconds;
      if (argv.logfile !== undefined) overrides.logfile = argv.logfile;
      if (argv.pidfile !== undefined) overrides.pidfile = argv.pidfile;
      const source = { kind: 'file', file: argv.config } as const;
      const r = await loadForCli(source, overrides);
      if (!r.ok) {
        printLsyncdDiagnostics(r.errors, r.warnings);
        sink.exitCode = EXIT_BAD_CONFIG;
        return;
      }
      printLsyncdDiagnostics([], r.warnings);
      sink.exitCode = await startDaemon(r.config, { log: argv.log ?? [], reload: () => loadForCli(source, overrides), configFile: argv.config, full: argv.full === true });
    },
  );
}
