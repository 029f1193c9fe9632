// Config fingerprint: which configuration a sync's manifest belongs to. A manifest records what
// the target holds; it says nothing useful once the sync would put something else there, so the
// catch-up is allowed only when the fingerprint stored with the manifest equals this one.
//
// Hashed (sha256 over a canonical JSON): everything that changes WHAT the target should hold —
//   - mode; the resolved source; the target (rsync/direct `target`; rsyncssh `host`, `targetdir`
//     and the ssh port);
//   - the compiled rule list (filter + filterFrom rules, then exclude + excludeFrom patterns): the
//     rules, not the config keys, so a changed excludeFrom/filterFrom FILE counts;
//   - `delete`;
//   - every rsync option except those that only change HOW bytes travel or what is logged
//     (NOT_CONTENT below): links, perms, owner, group, times, checksum, chmod, usermap, _extra, ...
//     all count, and an option this list does not know counts too (the safe side).
// Not hashed: delay, maxDelays, maxProcesses, batchSizeLimit, exit-code tables, the delete
// guard, the sync's name (the manifest is stored under it) — none of them changes the target.
import { createHash } from 'node:crypto';

import type { NormalizedSync } from '../config/schema.js';
import type { WireRule } from '../filters/rule_list.js';

/** rsync{} keys that do not change the target's content (transport, speed, logging). */
const NOT_CONTENT: ReadonlySet<string> = new Set([
  'binary', 'bwlimit', 'compress', 'timeout', 'verbose', 'quiet', 'password_file', 'rsh', 'rsync_path',
  'protect_args', 'whole_file', 'sparse', 'inplace', 'temp_dir', 'dry_run',
]);

/**
 * Syncs a catch-up can start: rsync and rsyncssh (the modes whose full init is a remote walk),
 * with `delete` true or false. Not custom-action syncs (opaque commands, no target a manifest
 * could describe); not direct (its full init is a local copy, and its crash loop was not yet
 * shown to converge every time); not `delete = 'startup'` or `'running'`: those delete
 * differently at start-up than while running, and the catch-up's deletes are ordinary events.
 */
export function keepsState(sync: NormalizedSync): boolean {
  return (sync.mode === 'rsync' || sync.mode === 'rsyncssh') && typeof sync.delete === 'boolean';
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, stable((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The fingerprint (hex) of a sync with its source resolved and its rules compiled. */
export function configFingerprint(sync: NormalizedSync, rules: readonly WireRule[]): string {
  const rsync = sync.mode === 'custom' ? {} : Object.fromEntries(Object.entries(sync.rsync).filter(([k]) => !NOT_CONTENT.has(k)));
  const target =
    sync.mode === 'rsyncssh' ? { host: sync.host, targetdir: sync.targetdir, port: sync.ssh.port } : { target: sync.target };
  const canonical = JSON.stringify(
    stable({ mode: sync.mode, source: sync.source, target, rules: rules.map((r) => [r.include, r.pattern]), delete: sync.delete, rsync }),
  );
  return createHash('sha256').update(canonical).digest('hex');
}
