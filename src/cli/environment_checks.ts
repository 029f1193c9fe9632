// check-config's checks against the machine (warnings, errors with --strict), on top of
// what the loader already reports. Kept apart from the loader because they do I/O.
//
// Reported here (the loader reports the rest and these do not repeat it):
//  - source missing / not a directory (lsyncd: `Cannot access source directory`, docs/lsyncd-compat.md#sync-keys);
//  - rsync / ssh binary missing: rsync.binary for every rsync-based mode (an ERROR: without it
//    no sync of that mode can even start, and the daemon would exit 255 at its init transfer);
//    ssh.binary for rsyncssh, and `ssh` for an rsync target `host:path` without rsync.rsh
//    (rsync's default remote shell), as warnings; searched in PATH like execvp, once per binary;
//  - excludeFrom / filterFrom unreadable (lsyncd exits with `Cannot open exclude file`);
//  - two syncs on one target AFTER resolving symlinks — the loader compares the configured
//    strings; here only the cases it cannot see are added (a target inside its own source is an
//    error of target_in_source.ts, run by load_for_cli.ts);
//  - watch limit too low for the tree: the sources' directories (sysctl walk, excludes honoured)
//    against fs.inotify.max_user_watches minus the watches other processes of this user hold.
//    The walk stops as soon as the count exceeds what is free, so it stays cheap.
// Errors (never downgraded): a malformed filter line (`Unknown filter rule`, lsyncd exits — the
// loader does not parse filter lines) or an empty exclude pattern; a command the argv builders
// refuse to build.
// Loader warnings already cover: `_extra` holding a whole command line, StrictHostKeyChecking=no,
// rsyncOps, and the string forms of target-in-source / same target.
import { diagnostic, type ConfigDiagnostic } from '../config/diagnostics.js';
import type { NormalizedConfig, NormalizedSync } from '../config/schema.js';
import { loadSyncRules, type SyncRules } from '../filters/sync_rules.js';
import { resolveDirectory } from '../sysctl/trees.js';
import type { SystemRoot } from '../sysctl/proc_root.js';
import { surveyTrees, type Survey } from '../sysctl/survey.js';
import type { WatchTree } from '../sysctl/trees.js';
import { findBinary } from '../system/find_binary.js';
import { localTarget } from '../transports/local_target.js';
import { realish } from './target_in_source.js';

export interface EnvironmentOptions {
  /** PATH to search binaries in. */
  readonly envPath: string;
  readonly root: SystemRoot;
  readonly uid: number;
  readonly selfPid: number;
}

export interface SyncFacts {
  sync: NormalizedSync;
  /** Real source directory, or undefined when it is missing / not a directory. */
  realSource: string | undefined;
  rules: SyncRules;
}

export interface EnvironmentReport {
  errors: ConfigDiagnostic[];
  warnings: ConfigDiagnostic[];
  facts: SyncFacts[];
  survey: Survey | undefined;
}

export function checkEnvironment(file: string, config: NormalizedConfig, opts: EnvironmentOptions): EnvironmentReport {
  const errors: ConfigDiagnostic[] = [];
  const warnings: ConfigDiagnostic[] = [];
  const warn = (sync: NormalizedSync, key: string, msg: string): void => {
    warnings.push(diagnostic('warning', file, sync.line, `sync[${sync.index}]${key === '' ? '' : `.${key}`}`, msg));
  };
  const fail = (sync: NormalizedSync, key: string, msg: string): void => {
    errors.push(diagnostic('error', file, sync.line, `sync[${sync.index}]${key === '' ? '' : `.${key}`}`, msg));
  };

  const facts: SyncFacts[] = [];
  const trees: WatchTree[] = [];
  const checkedBinaries = new Set<string>();
  const realTargets = new Map<string, NormalizedSync>();
  for (const sync of config.syncs) {
    // Source.
    const dir = resolveDirectory(sync.source, 'source');
    if (!dir.ok) warn(sync, 'source', dir.message);
    // Rules (excludeFrom/filterFrom, filter syntax).
    const rules = loadSyncRules(sync);
    for (const p of rules.problems) (p.kind === 'bad-rule' ? fail : warn)(sync, p.key, p.message);
    facts.push({ sync, realSource: dir.ok ? dir.path : undefined, rules });
    if (dir.ok && rules.rules !== undefined) trees.push({ label: `sync[${sync.index}]`, path: dir.path, rules: rules.rules });

    // Binaries.
    const binaries: { key: string; binary: string; fix: string }[] = [];
    if (sync.mode !== 'custom') binaries.push({ key: 'rsync.binary', binary: sync.rsync.binary, fix: 'install rsync or set rsync.binary to its full path' });
    if (sync.mode === 'rsyncssh') binaries.push({ key: 'ssh.binary', binary: sync.ssh.binary, fix: 'install the OpenSSH client or set ssh.binary to its full path' });
    if (sync.mode === 'rsync' && sync.rsync.rsh === undefined && /^[^/]*[^:/]:(?!:)/.test(sync.target) && !sync.target.startsWith('rsync://')) {
      binaries.push({ key: 'target', binary: 'ssh', fix: 'rsync reaches "host:path" targets through ssh — install the OpenSSH client or set rsync.rsh' });
    }
    for (const b of binaries) {
      if (checkedBinaries.has(b.binary)) continue;
      checkedBinaries.add(b.binary);
      if (findBinary(b.binary, opts.envPath) === undefined) {
        (b.key === 'rsync.binary' ? fail : warn)(sync, b.key, `${b.binary.includes('/') ? `"${b.binary}" is not an executable file` : `"${b.binary}" not found in PATH`} — ${b.fix}`);
      }
    }

    // Shared targets after symlinks (the loader compared the strings; a target inside its source
    // is refused by target_in_source.ts before this runs).
    const tgt = localTarget(sync);
    if (tgt !== undefined) {
      const realTarget = realish(tgt);
      const other = realTargets.get(realTarget);
      if (other !== undefined && localTarget(other) !== tgt) {
        warn(sync, 'target', `target "${tgt}" resolves to "${realTarget}", the same directory sync[${other.index}] writes; the two will delete each other's files`);
      } else if (other === undefined) realTargets.set(realTarget, sync);
    }
  }

  // Watch limit.
  let survey: Survey | undefined;
  if (trees.length > 0) {
    survey = surveyTrees(trees, { root: opts.root, uid: opts.uid, selfPid: opts.selfPid, stopWhenTooLow: true });
    const w = survey.recommendation.watches;
    const first = config.syncs[0]!;
    if (w.status === 'too-low') {
      warnings.push(diagnostic('warning', file, first.line, '', `inotify watch limit too low: the sources have ${survey.truncated ? 'more than ' : ''}${survey.dirs} directories to watch, but fs.inotify.max_user_watches = ${w.current} and other processes of this user hold ${survey.usage.watches} — run "lsyncd-ts sysctl --apply ${file}" as root`));
    }
    const i = survey.recommendation.instances;
    if (i.status === 'too-low') {
      warnings.push(diagnostic('warning', file, first.line, '', `inotify instance limit too low: fs.inotify.max_user_instances = ${i.current} and other processes of this user hold ${survey.usage.instances} — run "lsyncd-ts sysctl --apply ${file}" as root`));
    }
  }
  return { errors, warnings, facts, survey };
}
