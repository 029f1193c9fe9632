/**
 * lsyncd's *intended* same-path collapse table (docs/lsyncd-compat.md#collapsing-events-on-one-path, `combineNoMove`,
 * lsyncd.lua 2.1.6 / 2.3.1). Rows: the older pending event, columns: the newer one.
 *
 * | old \ new | Attrib | Modify  | Create                        | Delete  |
 * |-----------|--------|---------|-------------------------------|---------|
 * | Attrib    | absorb | replace | replace                       | replace |
 * | Modify    | absorb | absorb  | replace                       | replace |
 * | Create    | absorb | absorb  | absorb                        | replace |
 * | Delete    | absorb | absorb  | replace (file) / stack (dir)  | absorb  |
 *
 * The table applies to two events on the same kind of entry; a file and a directory of the same
 * name never collapse (stack).
 *
 * absorb: the new event is dropped; replace: the new event takes the old one's place (FIFO
 * position); stack: queued separately after the old one. Create-then-Delete is a Delete (the
 * target may already hold the file from an earlier run), never "nothing".
 *
 * lsyncd 2.2.0+ looks this table up but only honours the `replace file,block dir` cell, so 50
 * writes to a file stay 43 separate delays (observed, docs/lsyncd-compat.md#collapsing-events-on-one-path; lsyncd#636). This is the table as
 * designed. Whether the old delay may be combined at all (it must be waiting, not active, and be
 * the newest delay related to the path) is decided by delay_queue.ts.
 */
import type { PathEventKind } from './events.js';

export type CollapseAction = 'absorb' | 'replace' | 'stack';

const TABLE: Readonly<Record<PathEventKind, Readonly<Record<PathEventKind, CollapseAction | 'replace-file-stack-dir'>>>> = {
  Attrib: { Attrib: 'absorb', Modify: 'replace', Create: 'replace', Delete: 'replace' },
  Modify: { Attrib: 'absorb', Modify: 'absorb', Create: 'replace', Delete: 'replace' },
  Create: { Attrib: 'absorb', Modify: 'absorb', Create: 'absorb', Delete: 'replace' },
  Delete: { Attrib: 'absorb', Modify: 'absorb', Create: 'replace-file-stack-dir', Delete: 'absorb' },
};

/** Collapse action for an older and a newer event on the same path. */
export function collapse(older: PathEventKind, olderIsDir: boolean, newer: PathEventKind, newerIsDir: boolean): CollapseAction {
  // A directory and a file of the same name are different objects on the target: merging them
  // loses work. Delete(dir) then Create(file) must still remove the directory's subtree first —
  // replacing it left a non-empty directory that rsync cannot turn into the file, because the
  // batch's `--exclude=*` protects its contents (found by the churn test; lsyncd keeps "/x/"
  // and "/x" apart by key and stacks them through its prefix rule).
  if (olderIsDir !== newerIsDir) return 'stack';
  const a = TABLE[older][newer];
  if (a === 'replace-file-stack-dir') return newerIsDir ? 'stack' : 'replace';
  return a;
}
