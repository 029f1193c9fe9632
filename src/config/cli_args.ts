// lsyncd-compatible command-line parsing (docs/lsyncd-compat.md#command-line), pure:
// no I/O, no process.exit — the CLI acts on the returned value.
//
//   lsyncd-ts [-nodaemon] [-log CAT]... [-delay SECS] [-insist] [-logfile F] [-pidfile F]
//             [-onepass] [-full] CONFIG
//   lsyncd-ts [options] -rsync SRC TGT | -rsyncssh SRC HOST TDIR | -direct SRC TGT  (repeatable)
//   lsyncd-ts -version | -help
//
// lsyncd rules kept: `-x` and `--x` are the same option; unknown option →
// `unknown option command line option -x`; no arguments → help, exit 255; `-help` exits 255;
// `-version` exits 0; command-line syncs plus a config file → `There cannot be command line syncs
// and a config file together.`; only one config file; bad `-log` category →
// `'foo' is not a valid logging category` (the rule: log/categories.ts isCategoryArg).
// `-runner` and `-monitor` (lsyncd internals) are refused with a reason. `--opt=value` is also
// accepted for options taking one value (lsyncd-ts addition).
// `-sshopts STRING` (lsyncd 2.3.1) becomes `ssh._extra` of every command-line `-rsyncssh` sync, as in
// lsyncd, so ssh_argv.ts places the words after -i/-o/-p in ssh's and rsync's `--rsh` argv; split
// by config/sshopts.ts. lsyncd ignores it silently otherwise; here it needs a `-rsyncssh` sync
// (a config file sets `ssh = { _extra = {...} }` instead). `-script FILE` (lsyncd 2.3: a Lua file
// run inside lsyncd's runner before the config) is refused with a reason.
import { CategoryError, isCategoryArg } from '../log/categories.js';
import { diagnostic, type LoadResult } from './diagnostics.js';
import type { ConfigOverrides } from './normalize.js';
import type { SyncConfigInput } from './schema.js';
import { splitSshOpts } from './sshopts.js';
import { parseTimerSecondsArg } from './timer_seconds.js';
import { validateConfig } from './validate.js';

export type CliSync =
  | { mode: 'rsync'; source: string; target: string }
  | { mode: 'direct'; source: string; target: string }
  | { mode: 'rsyncssh'; source: string; host: string; targetdir: string; ssh?: { _extra: string[] } };

export type CliArgs =
  | {
      kind: 'run';
      /** The config file as given (the caller makes it absolute for HUP re-reads), or undefined with command-line syncs. */
      config: string | undefined;
      syncs: CliSync[];
      overrides: ConfigOverrides;
      /** -log categories in order (all, scarce, or category names). */
      log: string[];
    }
  | { kind: 'version'; exitCode: 0 }
  | { kind: 'help'; exitCode: 255 }
  | { kind: 'error'; message: string; exitCode: 255 };

export const USAGE = `USAGE:
  run a config file:
    lsyncd-ts [OPTIONS] [CONFIG-FILE]

  default rsync behaviour:
    lsyncd-ts [OPTIONS] -rsync [SOURCE] [TARGET]

  default rsync with mv's through ssh:
    lsyncd-ts [OPTIONS] -rsyncssh [SOURCE] [HOST] [TARGETDIR]

  default local copying mechanisms (cp|mv|rm):
    lsyncd-ts [OPTIONS] -direct [SOURCE] [TARGETDIR]

OPTIONS:
  -delay SECS         Overrides default delay times
  -full               Starts every sync with a full transfer (ignores the saved state)
  -help               Shows this
  -insist             Continues startup even if it cannot connect
  -log all            Logs everything (debug)
  -log scarce         Logs errors only
  -log [Category]     Turns on logging for a debug category
  -logfile FILE       Writes log to FILE (DEFAULT: uses syslog)
  -nodaemon           Does not detach and logs to stdout/stderr
  -onepass            Sync once and exit
  -pidfile FILE       Writes the process ID to FILE
  -sshopts STRING     Additional ssh options for -rsyncssh syncs
  -version            Prints versions and exits

CONFIG-FILE may be lsyncd Lua (*.lua, *.conf), JSON (*.json) or TypeScript/JavaScript (*.ts, *.mjs, *.js).
`;

const NEEDS: Record<string, number> = {
  log: 1, delay: 1, logfile: 1, pidfile: 1, rsync: 2, direct: 2, rsyncssh: 3, runner: 1, sshopts: 1, script: 1,
};

const err = (message: string): CliArgs => ({ kind: 'error', message, exitCode: 255 });

export function parseCliArgs(argv: readonly string[]): CliArgs {
  if (argv.length === 0) return { kind: 'help', exitCode: 255 };
  const overrides: ConfigOverrides = {};
  const syncs: CliSync[] = [];
  const log: string[] = [];
  const configs: string[] = [];
  let sshExtra: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      configs.push(arg);
      continue;
    }
    let name = arg.replace(/^--?/, '');
    const params: string[] = [];
    const eq = name.indexOf('=');
    if (eq > 0 && NEEDS[name.slice(0, eq)] === 1) {
      params.push(name.slice(eq + 1));
      name = name.slice(0, eq);
    }
    const need = NEEDS[name] ?? 0;
    while (params.length < need) {
      const next = argv[i + 1];
      if (next === undefined) return err(`option -${name} needs ${need} argument${need === 1 ? '' : 's'}`);
      params.push(next);
      i++;
    }
    switch (name) {
      case 'help':
        return { kind: 'help', exitCode: 255 };
      case 'version':
        return { kind: 'version', exitCode: 0 };
      case 'nodaemon':
        overrides.nodaemon = true;
        break;
      case 'insist':
        overrides.insist = true;
        break;
      case 'onepass':
        overrides.onepass = true;
        break;
      case 'full':
        overrides.full = true;
        break;
      case 'log': {
        const cat = params[0]!;
        if (!isCategoryArg(cat)) return err(new CategoryError(cat).message);
        log.push(cat);
        break;
      }
      case 'delay': {
        const delay = parseTimerSecondsArg('-delay', params[0]!);
        if ('error' in delay) return err(delay.error);
        overrides.delay = delay.seconds;
        break;
      }
      case 'logfile':
        overrides.logfile = params[0]!;
        break;
      case 'pidfile':
        overrides.pidfile = params[0]!;
        break;
      case 'rsync':
        syncs.push({ mode: 'rsync', source: params[0]!, target: params[1]! });
        break;
      case 'direct':
        syncs.push({ mode: 'direct', source: params[0]!, target: params[1]! });
        break;
      case 'rsyncssh':
        syncs.push({ mode: 'rsyncssh', source: params[0]!, host: params[1]!, targetdir: params[2]! });
        break;
      case 'sshopts': {
        const split = splitSshOpts(params[0]!);
        if (!split.ok) return err(split.error);
        sshExtra = split.words;
        break;
      }
      case 'script':
        return err('-script is not supported: it runs a Lua file inside lsyncd\'s runner before the config; put that Lua at the top of the config file instead');
      case 'runner':
        return err('-runner is not supported: lsyncd-ts has no Lua runner to replace');
      case 'monitor':
        return err('-monitor is not supported: lsyncd-ts always uses inotify');
      default:
        return err(`unknown option command line option ${arg}`);
    }
  }
  if (syncs.length > 0 && configs.length > 0) return err('There cannot be command line syncs and a config file together.');
  if (configs.length > 1) return err(`There can only be one config file in the command line (got ${configs.map((c) => JSON.stringify(c)).join(', ')}).`);
  if (syncs.length === 0 && configs.length === 0) return { kind: 'help', exitCode: 255 };
  if (sshExtra !== undefined) {
    if (!syncs.some((s) => s.mode === 'rsyncssh')) {
      return err('-sshopts applies only to command-line -rsyncssh syncs; in a config file set ssh = { _extra = { ... } } in the sync');
    }
    const _extra = sshExtra;
    return { kind: 'run', config: configs[0], syncs: syncs.map((s) => (s.mode === 'rsyncssh' ? { ...s, ssh: { _extra } } : s)), overrides, log };
  }
  return { kind: 'run', config: configs[0], syncs, overrides, log };
}

/** The config that command-line syncs stand for, validated like a file (name `<command line>`). */
export function configFromCliSyncs(syncs: readonly CliSync[], overrides?: ConfigOverrides): LoadResult {
  if (syncs.length === 0) {
    return { ok: false, errors: [diagnostic('error', '<command line>', undefined, '', 'Nothing to watch!')], warnings: [] };
  }
  const sync: SyncConfigInput[] = syncs.map((s) => ({ ...s }));
  return validateConfig({ sync }, { file: '<command line>', overrides });
}
