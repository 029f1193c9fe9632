// Lists of targets: a sync{} whose `target` (rsync, direct, custom actions) or `host` (rsyncssh) is
// a list becomes one sync per item, in list order, sharing every other key. This is what lsyncd
// users write as a Lua loop calling sync{} once per server; a list says the same in JSON/TS (and
// in Lua, where a table reaches the same schema).
//
// Contract (pure): expandTargets(syncs, err) → one entry per sync to normalise, each with a scalar
// target/host and the 0-based position of the sync{} it came from (diagnostics and `index` point
// at that sync{}). Names are derived so they are stable across reloads, unique and readable:
// `NAME@ITEM`, where NAME is the sync's `name` or "sync[N]" (N = its position), e.g. "www@web1",
// "sync[2]@/backup/". A one-item list is the plain string: same sync, same name as without a list.
// Errors (one line each, via `err`): an empty list, the same target twice, and a list on the key
// the mode does not take (`target` under rsyncssh, `host` elsewhere) — such a sync{} is dropped.
// Non-string items are refused by the schema (schema.ts, diagnostics.ts) before this runs.
import type { PathSegment } from './diagnostics.js';
import type { SyncConfig } from './schema.js';

/** A sync{} with at most one target: what normalize.ts turns into a NormalizedSync. */
export type SingleTargetSync = Omit<SyncConfig, 'target' | 'host'> & { target?: string | undefined; host?: string | undefined };

export interface ExpandedSync {
  readonly raw: SingleTargetSync;
  /** 0-based position of the sync{} in the config. */
  readonly position: number;
}

/** The key a mode fans out over. */
function listKey(raw: SyncConfig): 'target' | 'host' {
  return raw.mode === 'rsyncssh' ? 'host' : 'target';
}

/** The name of the sync for one item of a list of `count` items (see the header). */
export function expandedName(name: string | undefined, position: number, item: string, count: number): string | undefined {
  if (count === 1) return name;
  return `${name ?? `sync[${position + 1}]`}@${item}`;
}

export function expandTargets(syncs: readonly SyncConfig[], err: (path: PathSegment[], msg: string) => void): ExpandedSync[] {
  const out: ExpandedSync[] = [];
  syncs.forEach((raw, position) => {
    const key = listKey(raw);
    const other = key === 'host' ? 'target' : 'host';
    const { target, host, ...rest } = raw;
    const otherValue = raw[other];
    if (Array.isArray(otherValue)) {
      err(['sync', position, other], key === 'host'
        ? 'a list here is for mode "rsync" or "direct" — for mode "rsyncssh" list the servers in host = [...] with one targetdir'
        : 'a list of hosts is for mode "rsyncssh" — for this mode write target = ["HOST:/DIR", ...]');
      return;
    }
    const value = raw[key];
    if (!Array.isArray(value)) {
      if (Array.isArray(target) || Array.isArray(host)) return; // unreachable: both checked above
      out.push({ raw: { ...rest, target, host }, position });
      return;
    }
    if (value.length === 0) {
      err(['sync', position, key], `empty list — give at least one ${key}, or remove the key`);
      return;
    }
    const seen = new Map<string, number>();
    let ok = true;
    value.forEach((item, j) => {
      // "/a" and "/a/" are the same directory
      const same = item.replace(/\/+$/, '');
      const first = seen.get(same);
      if (first !== undefined) {
        ok = false;
        err(['sync', position, key, j], `duplicate ${key} "${item}" (also item ${first + 1}) — remove one`);
      } else seen.set(same, j);
    });
    if (!ok) return;
    for (const item of value) {
      const name = expandedName(raw.name, position, item, value.length);
      const one: SingleTargetSync = { ...rest, [other]: otherValue, [key]: item };
      if (name !== undefined) one.name = name;
      out.push({ raw: one, position });
    }
  });
  return out;
}
