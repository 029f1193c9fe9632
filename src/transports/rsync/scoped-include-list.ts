/**
 * The batch list for a moved-in directory when the sync has `+` filter rules (issue 4: filters
 * "identical for events and for rsync runs").
 *
 * lsyncd's batch list (include-list.ts) sends a moved-in directory as `/D/***`, everything below
 * it, and ends with `--exclude=*`. lsyncd gets away with that because its watcher re-reports a
 * moved tree file by file, filtered; ours does not (a rename is one record). With exclude-only
 * rules batch-argv.ts keeps excluded names out with perishable excludes; a `+` rule cannot be
 * placed that way, because it would also include unlisted paths anywhere rsync looks. So such a
 * batch gets this list instead (NUL-separated on stdin, `--include-from=-` honours rsync's
 * `+ ` / `- ` prefixes), and no `--exclude=*`:
 *
 *   1. the usual include patterns (include-list.ts): every listed path and its ancestors, a
 *      deleted directory as `/Del/***`; a moved-in directory D only as `/D/` — entries inside D
 *      are dropped (D's rules cover them), and where D was also deleted in this batch the new
 *      tree wins;
 *   2. `- X*` for every directory X rsync descends into that is not a moved-in tree (the
 *      ancestors, listed directories): their other children stay out, as `--exclude=*` did;
 *   3. the sync's own rules, as `+ p` / `- p` lines, exactly as the full transfer gets them
 *      (full-argv.ts); below D nothing else matches, so rsync's default, include, applies.
 *
 * Inside D this is the full transfer's semantics: rule-excluded files are neither sent nor
 * deleted on the target, target-only files the rules include are deleted (with --delete).
 * Checked against real rsync (test/transports/rsync-real.test.ts).
 */
import type { WireRule } from '../../filters/rule-list.js';
import { toByteString } from '../../paths/byte-path.js';
import { type IncludeEntry, includePatterns } from './include-list.js';

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

/** The stdin bytes of the scoped list (see the header). */
export function scopedIncludeListBytes(entries: readonly IncludeEntry[], rules: readonly WireRule[]): Buffer {
  const moved = new Set(entries.filter(isMovedDir).map((e) => toByteString(e.path)));
  const below = (b: string, dirs: Iterable<string>): boolean => {
    for (const d of dirs) if (b !== d && b.startsWith(d)) return true;
    return false;
  };
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
    if (b.endsWith('/')) traverse(b);
    const base = b.endsWith('/') ? b.slice(0, -1) : b;
    for (let i = base.lastIndexOf('/'); i >= 0; i = i === 0 ? -1 : base.lastIndexOf('/', i - 1)) traverse(base.slice(0, i + 1));
  }
  const lines = [
    ...includePatterns(list),
    ...traversed.map((d) => `- ${childrenPattern(d)}`),
    ...rules.map((r) => `${r.include ? '+' : '-'} ${toByteString(r.pattern)}`),
  ];
  return Buffer.from(lines.join('\0'), 'latin1');
}
