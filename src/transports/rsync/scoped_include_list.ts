/**
 * The batch list for a moved-in directory when the sync has `+` filter rules (filters must mean
 * the same for events and for rsync runs).
 *
 * lsyncd's batch list (include_list.ts) sends a moved-in directory as `/D/***`, everything below
 * it, and ends with `--exclude=*`. lsyncd gets away with that because its watcher re-reports a
 * moved tree file by file, filtered; ours does not (a rename is one record). With exclude-only
 * rules batch_argv.ts keeps excluded names out with perishable excludes; a `+` rule cannot be
 * placed that way, because it would also include unlisted paths anywhere rsync looks. So such a
 * batch gets this list on stdin instead (NUL-separated; `--include-from=-` honours rsync's old
 * `+ ` / `- ` prefixes) and no `--exclude=*`:
 *
 *   1. the usual include patterns (include_list.ts): every listed path and its ancestors, a
 *      deleted directory as `/Del/***`; a scoped directory D only as `/D/`, entries inside it
 *      dropped (D's rules cover them). Scoped are the moved-in directories, and a deleted
 *      directory that holds one (deleted and made again in this batch, `rm -r A; mkdir A;
 *      mv X A/D`): its new content is the source's, under the rules;
 *   2. `- X*` for every directory X rsync may descend into that is not scoped (the ancestors,
 *      listed directories, listed files that may have become directories): their other
 *      children stay out, as `--exclude=*` did;
 *   3. then batch_argv.ts puts the sync's own rules on the command line after the list, as
 *      `--filter=+ p` / `--filter=-p p`: below a scoped directory nothing else matches, so they
 *      decide, and rsync's default, include, applies after them. (Modifiers such as the
 *      perishable `p` are not understood inside an `--include-from` list.)
 *
 * Inside a scoped directory that is the full transfer's semantics (full_argv.ts): rule-excluded
 * files are neither sent nor deleted on the target, target-only files the rules include are
 * deleted (with --delete). The excludes are perishable, as batch_argv.ts's exclude-only rules
 * are, so a directory deleted below one still goes away completely (the full transfer would
 * keep its rule-excluded files). Checked against real rsync (test/transports/rsync_real.test.ts).
 */
import type { WireRule } from '../../filters/rule_list.js';
import { toByteString } from '../../paths/byte_path.js';
import { type IncludeEntry, includePatterns } from './include_list.js';

/** Does this batch need the scoped list? (`+` rules and a moved-in directory.) */
export function needsScopedList(entries: readonly IncludeEntry[], rules: readonly WireRule[]): boolean {
  return rules.some((r) => r.include) && entries.some((e) => isMovedDir(e));
}

function isMovedDir(e: IncludeEntry): boolean {
  return e.moved === true && e.subtree && toByteString(e.path).endsWith('/');
}

/** `X*` with X's own wildcard characters escaped (rsync wildmatch). */
function childrenPattern(dir: string): string {
  return `${dir.replace(/[\\*?[\]]/g, '\\$&')}*`;
}

/** The sync's rules as the command-line filters that follow the scoped list (see the header). */
export function scopedRuleArgs(rules: readonly WireRule[]): string[] {
  return rules.map((r) => `--filter=${r.include ? '+' : '-p'} ${r.pattern}`);
}

/** The stdin bytes of the scoped list (see the header). */
export function scopedIncludeListBytes(entries: readonly IncludeEntry[]): Buffer {
  const movedDirs = entries.filter(isMovedDir).map((e) => toByteString(e.path));
  const below = (b: string, dirs: Iterable<string>): boolean => {
    for (const d of dirs) if (b !== d && b.startsWith(d)) return true;
    return false;
  };
  // Scoped: the moved-in directories, and deleted directories that hold (or are) one.
  const moved = new Set(movedDirs);
  for (const e of entries) {
    const b = toByteString(e.path);
    if (e.subtree && b.endsWith('/') && movedDirs.some((d) => d.startsWith(b))) moved.add(b);
  }
  const list: IncludeEntry[] = [];
  for (const e of entries) {
    const b = toByteString(e.path);
    if (below(b, moved)) continue;
    if (moved.has(b)) list.push({ path: e.path, subtree: false });
    else list.push(e);
  }
  const wholeTrees = new Set(list.filter((e) => e.subtree).map((e) => toByteString(e.path)));
  const traversed: string[] = [];
  const seen = new Set<string>();
  const traverse = (dir: string): void => {
    if (seen.has(dir) || moved.has(dir) || wholeTrees.has(dir) || below(dir, wholeTrees)) return;
    seen.add(dir);
    traversed.push(dir);
  };
  for (const e of list) {
    const b = toByteString(e.path);
    // A listed file may be a directory by the time rsync runs: only the entry itself, as
    // `--exclude=*` would have it.
    traverse(b.endsWith('/') ? b : `${b}/`);
    const base = b.endsWith('/') ? b.slice(0, -1) : b;
    for (let i = base.lastIndexOf('/'); i >= 0; i = i === 0 ? -1 : base.lastIndexOf('/', i - 1)) traverse(base.slice(0, i + 1));
  }
  const lines = [...includePatterns(list), ...traversed.map((d) => `- ${childrenPattern(d)}`)];
  return Buffer.from(lines.join('\0'), 'latin1');
}
