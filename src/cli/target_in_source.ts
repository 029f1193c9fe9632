// Refuses a local target that lies inside its own source (or is the source): every transfer into
// it is a change in the source, which is transferred again one level deeper, forever. Allowed
// only when the sync's own rules (exclude/excludeFrom/filter/filterFrom) exclude the target, so
// the watcher never sees what is written there and rsync never copies it into itself.
//
// Contract: `targetInSourceErrors(file, config)` → one error per offending sync, naming both
// paths and the two fixes (move the target, or the exact exclude pattern to add). Only
// direct and rsync syncs with a local target (local_paths.ts) are checked. Two views are compared:
// the configured strings (already absolute: the loader resolved relative paths) and the paths
// after symlinks (`realish`), so a target reached through a symlink is caught as well.
// Reads the rule files and resolves symlinks (I/O), so it runs after the pure loader, in
// load_for_cli.ts: the daemon, a HUP reload and check-config all go through it.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, type ConfigDiagnostic } from '../config/diagnostics.js';
import { isLocalTarget } from '../config/local_paths.js';
import type { NormalizedConfig } from '../config/schema.js';
import { loadSyncRules } from '../filters/sync_rules.js';

/** realpath of the longest existing prefix + the rest (a target may not exist yet). */
export function realish(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const rest: string[] = [];
  while (!existsSync(head) && head !== '/') {
    rest.unshift(path.basename(head));
    head = path.dirname(head);
  }
  try {
    head = realpathSync(head);
  } catch {
    // keep as is
  }
  return path.join(head, ...rest);
}

/** `child` below `parent` as a source-relative directory path ("/a/b/"), '/' when equal, else undefined. */
function relativeInside(child: string, parent: string): string | undefined {
  const c = child.replace(/\/+$/, '');
  const p = parent.replace(/\/+$/, '');
  if (c === p) return '/';
  return c.startsWith(`${p}/`) ? `${c.slice(p.length)}/` : undefined;
}

export function targetInSourceErrors(file: string, config: NormalizedConfig): ConfigDiagnostic[] {
  const errors: ConfigDiagnostic[] = [];
  for (const sync of config.syncs) {
    if ((sync.mode !== 'direct' && sync.mode !== 'rsync') || !isLocalTarget(sync.mode, sync.target)) continue;
    const rel = relativeInside(sync.target, sync.source) ?? relativeInside(realish(sync.target), realish(sync.source));
    if (rel === undefined) continue;
    const at = `sync[${sync.index}].target`;
    if (rel === '/') {
      errors.push(diagnostic('error', file, sync.line, at, `target "${sync.target}" is the source "${sync.source}" itself — point target at another directory`));
      continue;
    }
    const rules = loadSyncRules(sync).rules;
    if (rules?.isExcluded(rel) === true) continue;
    errors.push(diagnostic('error', file, sync.line, at,
      `target "${sync.target}" is inside its own source "${sync.source}"; every transfer would be synced again, one level deeper — move the target out of the source, or add "${rel}" to the sync's exclude list`));
  }
  return errors;
}
