// `lsyncd-ts sysctl [CONFIG | DIR...] [--apply] [--check]`.
//
// Targets: exactly one argument that is a file → a config (its sources, excludes honoured);
// otherwise every argument must be a directory. Output (stdout): directories to watch per tree
// and the walk time, inotify use by other processes, the limits table (current / needed /
// recommended / status), the kernel memory note, then `sysctl -w` lines and the
// /etc/sysctl.d/90-lsyncd-ts.conf snippet for the limits to raise.
// --apply: write the snippet and set /proc values (src/sysctl/apply.ts; root only).
// --check: for monitoring — one summary line, exit 2 when a hard limit (watches, instances) is
//   too low, 1 when it cannot be determined, 0 otherwise (exit_codes.ts). Combined with --apply,
//   the check reflects the state after applying.
import { statSync } from 'node:fs';
import { loadForCli } from './load_for_cli.js';
import { EXIT_INVALID, EXIT_LIMITS_TOO_LOW, EXIT_OK, EXIT_USAGE } from './exit_codes.js';
import { err, out, printCheckDiagnostics } from './output.js';
import { applySysctl } from '../sysctl/apply.js';
import { systemRoot } from '../sysctl/proc_root.js';
import { changesOf } from '../sysctl/recommend.js';
import { SYSCTL_CONF_PATH, limitsTable, memoryNote, sysctlConf, sysctlWLines } from '../sysctl/render.js';
import { surveyTrees } from '../sysctl/survey.js';
import { type TreeProblem, type WatchTree, treesFromConfig, treesFromDirs } from '../sysctl/trees.js';
import { shellQuote } from '../process/argv_display.js';

export interface SysctlArgs {
  readonly targets: readonly string[];
  readonly apply: boolean;
  readonly check: boolean;
}

function isFile(p: string): boolean {
  try {
    return !statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function problemLine(p: TreeProblem): string {
  return `${p.sync !== undefined ? `sync[${p.sync}].${p.key}: ` : ''}${p.message}`;
}

export async function runSysctl(args: SysctlArgs): Promise<number> {
  if (args.targets.length === 0) {
    err('lsyncd-ts sysctl: name a CONFIG file or one or more directories — e.g. lsyncd-ts sysctl /etc/lsyncd/lsyncd.conf.lua');
    return EXIT_USAGE;
  }
  let trees: WatchTree[];
  let problems: TreeProblem[];
  const fromConfig = args.targets.length === 1 && isFile(args.targets[0]!);
  if (fromConfig) {
    const r = await loadForCli({ kind: 'file', file: args.targets[0]! });
    if (!r.ok) {
      printCheckDiagnostics(r.errors, r.warnings, false);
      err(`lsyncd-ts sysctl: the config is invalid — fix it first (lsyncd-ts check-config ${shellQuote(args.targets[0]!)})`);
      return EXIT_INVALID;
    }
    ({ trees, problems } = treesFromConfig(r.config));
  } else {
    ({ trees, problems } = treesFromDirs(args.targets));
  }
  // Fatal: a malformed filter (config error) or a directory named on the command line that is not
  // one. A config's missing source or unreadable excludeFrom only warns (check-config's verdict).
  const fatal = (p: TreeProblem): boolean => p.kind === 'bad-rule' || !fromConfig;
  for (const p of problems) err(`${fatal(p) ? 'error' : 'warning'}: ${problemLine(p)}`);
  if (problems.some(fatal)) return EXIT_INVALID;
  if (trees.length === 0) {
    err('lsyncd-ts sysctl: no source directory exists, nothing to count — create the sources or fix "source"');
    return EXIT_INVALID;
  }

  const root = systemRoot();
  const uid = process.getuid?.() ?? 0;
  const survey = surveyTrees(trees, { root, uid, selfPid: process.pid });
  const rec = survey.recommendation;

  if (args.check && !args.apply) {
    const w = rec.watches;
    const i = rec.instances;
    const summary = `${survey.dirs} directories to watch; max_user_watches ${w.current ?? '?'} (needed ${w.needed}), max_user_instances ${i.current ?? '?'} (needed ${i.needed})`;
    if (rec.tooLow) {
      out(`TOO LOW: ${summary} — run "lsyncd-ts sysctl --apply ${args.targets.map(shellQuote).join(' ')}" as root`);
      return EXIT_LIMITS_TOO_LOW;
    }
    if (rec.unknown) {
      out(`UNKNOWN: ${summary} — cannot read /proc/sys/fs/inotify`);
      return EXIT_INVALID;
    }
    out(`OK: ${summary}`);
    return EXIT_OK;
  }

  out(`Directories to watch: ${survey.dirs} (walked in ${(survey.ms / 1000).toFixed(2)} s)`);
  for (const { tree, count } of survey.counts) {
    const extra = [count.excluded > 0 ? `${count.excluded} excluded` : '', count.unreadable > 0 ? `${count.unreadable} unreadable` : ''].filter((s) => s !== '').join(', ');
    out(`  ${String(count.dirs).padStart(9)}  ${tree.label === tree.path ? '' : `${tree.label} `}${tree.path}${extra === '' ? '' : ` (${extra})`}`);
    for (const s of count.unreadableSamples) out(`             cannot read ${s}`);
  }
  out(`inotify in use by other processes of uid ${uid}: ${survey.usage.watches} watches, ${survey.usage.instances} instances${survey.usage.complete ? '' : ' (some processes could not be inspected)'}`);
  out();
  for (const l of limitsTable(rec)) out(l);
  out();
  for (const l of memoryNote(rec, survey.dirs)) out(l);
  out();
  const changes = changesOf(rec);
  if (changes.length === 0) {
    out('All limits are fine; nothing to change.');
  } else {
    out('To raise them now (as root):');
    for (const l of sysctlWLines(rec)) out(`  ${l}`);
    out(`To keep them across reboots, ${SYSCTL_CONF_PATH}:`);
    for (const l of sysctlConf(rec).trimEnd().split('\n')) out(`  ${l}`);
    if (!args.apply) out(`Or let lsyncd-ts do both: lsyncd-ts sysctl --apply ${args.targets.map(shellQuote).join(' ')}`);
  }

  if (args.apply) {
    const res = applySysctl(changes, sysctlConf(rec), { root, uid });
    if (!res.ok) {
      err(`lsyncd-ts sysctl: ${res.message}`);
      return EXIT_INVALID;
    }
    if (res.applied.length > 0) {
      out();
      out(`Wrote ${res.confPath} and set: ${res.applied.join(', ')}`);
    }
    if (args.check && rec.unknown) return EXIT_INVALID;
  }
  return EXIT_OK;
}
