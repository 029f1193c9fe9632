// Catch-up plan: the difference between a sync's manifest (what the target holds) and its source
// as walked now, as queue events. Pure except for the `stat` callback of settleCatchUp.
//
// Contract (paths are byte strings, source_scan.ts):
//   - an entry of the source whose type and inode the manifest holds at the same path is the same
//     entry: a changed signature gives Modify (files, symlinks) or Attrib (directories: mode);
//   - an entry whose type and inode the manifest holds at ANOTHER path that no longer exists in
//     the source was moved: one Move (rsyncssh makes it one remote `mv`; the queue splits it for
//     rsync). Entries below a moved directory are then compared at their new paths; a moved file
//     whose content changed also gets a Modify. Only a manifest path the source no longer has can
//     be a move's origin, and an inode that several such paths share (hard links) is never taken
//     for a move;
//   - a path marked PENDING (the target may hold it, content unknown: source_scan.ts) never
//     matches, so it is sent again, or deleted when the source no longer has it; nothing below a
//     pending directory is taken as the origin of a move (the target may hold more there);
//   - anything else is new: a file gives Create, a directory Create with fromMove (its whole
//     subtree in one transfer, like a directory moved in), and its entries are not listed;
//   - manifest paths nothing claimed give Delete, the topmost only (a directory's Delete removes
//     its subtree), at the path the target holds them under after the moves above;
//   - an entry whose name the manifest holds with the other type (directory vs. not) gets that
//     one's Delete right before it;
//   - order: moves and creates parents first, then the deletes.
// settleCatchUp() re-checks each planned event with lstat in one synchronous pass, right before
// the caller queues them: the watch is set, so a change after that check arrives as a live event
// queued AFTER the catch-up's; a change before it is seen by the check. A planned Create of a path
// gone meanwhile, or a Delete of a path that exists again, is dropped (its live event covers it).
import { entryIdentity, PENDING, type EntryMap } from './source_scan.js';

export type PlannedEvent =
  | { readonly kind: 'Create' | 'Modify' | 'Attrib' | 'Delete'; readonly path: string; readonly fromMove?: boolean }
  | { readonly kind: 'Move'; readonly path: string; readonly destination: string };

interface Renamed {
  /** Manifest (old) directory path, trailing '/'. */
  readonly from: string;
  /** Source (new) directory path, trailing '/'. */
  readonly to: string;
}

/** `p` with the deepest rename whose `key` side is a prefix of it applied. */
function mapThrough(p: string, renames: readonly Renamed[], key: 'from' | 'to'): string {
  let best: Renamed | undefined;
  for (const r of renames) if (p.startsWith(r[key]) && (best === undefined || r[key].length > best[key].length)) best = r;
  if (best === undefined) return p;
  const other = key === 'from' ? best.to : best.from;
  return other + p.slice(best[key].length);
}

/**
 * Cost: one lookup per path in the common case (same path, same signature: nothing to do); the
 * identity of an entry (entryIdentity) is only worked out where that lookup fails, so a restart
 * of a big tree with a few changes costs about one pass over each map.
 */
export function planCatchUp(manifest: EntryMap, local: EntryMap): PlannedEvent[] {
  const byIdentity = new Map<string, string>();
  const shared = new Set<string>();
  // What lies below a pending directory on the target is not known: never move it elsewhere.
  const pendingDirs: string[] = [];
  for (const [p, sig] of manifest) if (sig === PENDING && p.endsWith('/')) pendingDirs.push(p);
  for (const [p, sig] of manifest) {
    // A move's origin is a path the source no longer has (see the header).
    if (local.has(p) || sig === PENDING || pendingDirs.some((d) => p.startsWith(d))) continue;
    const id = entryIdentity(sig);
    if (byIdentity.has(id)) shared.add(id);
    else byIdentity.set(id, p);
  }
  const claimed = new Set<string>();
  const renames: Renamed[] = [];
  const newTrees: string[] = [];
  const events: PlannedEvent[] = [];
  for (const [p, sig] of local) {
    // Unchanged at the same path (the common case): nothing to send, and the delete pass below
    // sees it as claimed. Below a renamed directory paths are mapped first (the slow path).
    if (renames.length === 0 && manifest.get(p) === sig) continue;
    const mp = mapThrough(p, renames, 'to');
    if (newTrees.some((t) => p.startsWith(t))) {
      claimed.add(mp);
      continue;
    }
    // The other type at the same name (a directory became a file or a symlink, or the reverse):
    // its Delete goes first, as the live events would have it, and it takes its subtree along.
    const other = mp.endsWith('/') ? mp.slice(0, -1) : `${mp}/`;
    if (manifest.has(other) && !claimed.has(other)) {
      events.push({ kind: 'Delete', path: mapThrough(other, renames, 'from') });
      for (const q of manifest.keys()) if (q === other || (other.endsWith('/') && q.startsWith(other))) claimed.add(q);
    }
    const m = manifest.get(mp);
    const id = entryIdentity(sig);
    if (m !== undefined) {
      claimed.add(mp);
      if (entryIdentity(m) === id) {
        if (m !== sig) events.push({ kind: sig.startsWith('d') ? 'Attrib' : 'Modify', path: p });
        continue;
      }
    }
    const q = shared.has(id) ? undefined : byIdentity.get(id);
    if (q !== undefined && !claimed.has(q) && !local.has(q)) {
      claimed.add(q);
      events.push({ kind: 'Move', path: mapThrough(q, renames, 'from'), destination: p });
      if (sig.startsWith('d')) renames.push({ from: q, to: p });
      else if (manifest.get(q) !== sig) events.push({ kind: 'Modify', path: p });
      continue;
    }
    if (sig.startsWith('d')) {
      events.push({ kind: 'Create', path: p, fromMove: true });
      newTrees.push(p);
    } else {
      events.push({ kind: 'Create', path: p });
    }
  }
  const gone: string[] = [];
  for (const [p, sig] of manifest) {
    if (claimed.has(p) || p === '/') continue;
    if (sig !== PENDING && local.get(p) === sig) continue; // unchanged (the fast path above)
    gone.push(p);
  }
  // Sorted, a directory comes right before its entries: only the topmost gets a Delete.
  let deletedDir: string | undefined;
  for (const p of gone.sort()) {
    if (deletedDir !== undefined && p.startsWith(deletedDir)) continue;
    events.push({ kind: 'Delete', path: mapThrough(p, renames, 'from') });
    if (p.endsWith('/')) deletedDir = p;
  }
  return events;
}

/** Drops or rewrites planned events the file system contradicts now (see the header). */
export function settleCatchUp(planned: readonly PlannedEvent[], stat: (p: string) => string | undefined): PlannedEvent[] {
  // A path exists when something of its kind is there: a directory for "/x/", anything else for "/x".
  const present = (p: string): boolean => {
    const sig = stat(p);
    return sig !== undefined && sig.startsWith('d') === p.endsWith('/');
  };
  const out: PlannedEvent[] = [];
  for (const ev of planned) {
    if (ev.kind === 'Move') {
      const originGone = !present(ev.path);
      const dest = present(ev.destination);
      if (originGone && dest) out.push(ev);
      else {
        if (dest) out.push(ev.destination.endsWith('/') ? { kind: 'Create', path: ev.destination, fromMove: true } : { kind: 'Create', path: ev.destination });
        if (originGone) out.push({ kind: 'Delete', path: ev.path });
      }
    } else if (ev.kind === 'Delete') {
      if (!present(ev.path)) out.push(ev);
    } else if (present(ev.path)) {
      out.push(ev);
    }
  }
  return out;
}
