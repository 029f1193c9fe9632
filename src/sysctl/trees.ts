// Which directory trees a config (or a list of directories) asks lsyncd-ts to watch, with the rule
// list of each, ready for count_dirs.ts. Shared by `lsyncd-ts sysctl` and `check-config` so both
// report the same source problems in the same words.
//
// - A source is resolved with realpath (lsyncd does the same, docs/lsyncd-compat.md#sync-keys "Resolved with realpath"), so
//   the walk starts at the real directory; symlinks below it are not followed (count_dirs.ts).
// - Problems are values: 'source-missing' / 'source-not-dir' (lsyncd: `Cannot access source
//   directory`), and the rule problems of sync_rules.ts. A tree with a source problem is left
//   out; one whose excludeFrom/filterFrom is unreadable is walked without those rules.
// - Two syncs on the same real source with the same rules are one tree (the kernel gives one
//   watch per inode and instance); with different rules each is counted — an overestimate, the
//   safe direction for a limit.
import { realpathSync, statSync } from 'node:fs';

import { decodePathBytes, displayPath, pathArg } from '../paths/byte_path.js';
import type { NormalizedConfig } from '../config/schema.js';
import type { RuleList } from '../filters/rule_list.js';
import { loadSyncRules, type RuleProblem } from '../filters/sync_rules.js';

export interface WatchTree {
  /** "sync[1] /srv/www/" or the directory as given. */
  label: string;
  /** Real path of the directory. */
  path: string;
  rules: RuleList | undefined;
}

export interface TreeProblem {
  /** 1-based sync index, or undefined for a directory given on the command line. */
  sync: number | undefined;
  kind: 'source-missing' | 'source-not-dir' | RuleProblem['kind'];
  key: 'source' | RuleProblem['key'];
  message: string;
}

/** Real path of an existing directory, or the problem. */
export function resolveDirectory(p: string, what: string): { ok: true; path: string } | { ok: false; kind: 'source-missing' | 'source-not-dir'; message: string } {
  let real: string;
  const shown = displayPath(p);
  try {
    real = decodePathBytes(realpathSync.native(pathArg(p), { encoding: 'buffer' })); // byte-exact (src/paths/byte_path.ts)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, kind: 'source-missing', message: `${what} "${shown}" does not exist — create it or fix the path` };
    return { ok: false, kind: 'source-missing', message: `${what} "${shown}" cannot be accessed (${code ?? (e as Error).message}) — check the path and permissions` };
  }
  try {
    if (!statSync(pathArg(real)).isDirectory()) return { ok: false, kind: 'source-not-dir', message: `${what} "${shown}" is not a directory — lsyncd-ts watches directories; use the parent directory with filter rules to sync single files` };
  } catch (e) {
    return { ok: false, kind: 'source-missing', message: `${what} "${shown}" cannot be accessed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  return { ok: true, path: real };
}

export function treesFromConfig(config: NormalizedConfig): { trees: WatchTree[]; problems: TreeProblem[] } {
  const trees: WatchTree[] = [];
  const problems: TreeProblem[] = [];
  const seen = new Map<string, WatchTree>();
  for (const sync of config.syncs) {
    const rules = loadSyncRules(sync);
    for (const p of rules.problems) problems.push({ sync: sync.index, kind: p.kind, key: p.key, message: p.message });
    const dir = resolveDirectory(sync.source, 'source');
    if (!dir.ok) {
      problems.push({ sync: sync.index, kind: dir.kind, key: 'source', message: dir.message });
      continue;
    }
    if (rules.problems.some((p) => p.kind === 'bad-rule')) continue;
    const key = `${dir.path}\0${JSON.stringify(rules.rules?.rules ?? [])}`;
    const label = `sync[${sync.index}]`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      prev.label += `, ${label}`;
      continue;
    }
    const tree: WatchTree = { label, path: dir.path, rules: rules.rules };
    seen.set(key, tree);
    trees.push(tree);
  }
  return { trees, problems };
}

export function treesFromDirs(dirs: readonly string[]): { trees: WatchTree[]; problems: TreeProblem[] } {
  const trees: WatchTree[] = [];
  const problems: TreeProblem[] = [];
  const seen = new Set<string>();
  for (const d of dirs) {
    const dir = resolveDirectory(d, 'directory');
    if (!dir.ok) {
      problems.push({ sync: undefined, kind: dir.kind, key: 'source', message: dir.message });
      continue;
    }
    if (seen.has(dir.path)) continue;
    seen.add(dir.path);
    trees.push({ label: d, path: dir.path, rules: undefined });
  }
  return { trees, problems };
}
