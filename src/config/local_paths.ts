// Which configured paths are local, and how a relative local path becomes absolute. Decided once,
// when a config (any format, or the command-line syncs) is loaded, so that the rest of the daemon
// only ever sees absolute local paths: the direct transport's delete-safety check refuses relative
// roots, and a path that means one thing at start-up must not mean another after a chdir.
//
// Contract:
//  - isLocalTarget: rsync follows its own rule — "HOST:PATH" (a ':' before any '/') and
//    "rsync://..." are remote, everything else is a local path; a direct target is always local.
//  - resolveLocalPath: absolute paths are returned unchanged (byte for byte: no normalisation of
//    "..", "//" or symlinks, which the kernel resolves at use); a relative path is prefixed with
//    the working directory. Works on the string form only, so it keeps whatever bytes the string
//    carries (no path.resolve, which would also rewrite the part the user wrote).
import type { SyncMode } from './schema.js';

export function isLocalTarget(mode: SyncMode | 'custom', target: string): boolean {
  if (mode === 'direct') return true;
  if (mode !== 'rsync') return false;
  return !(/^[^/]*:/.test(target) || target.startsWith('rsync://'));
}

export function resolveLocalPath(p: string, cwd: string): string {
  if (p.startsWith('/')) return p;
  const base = cwd.endsWith('/') ? cwd.slice(0, -1) : cwd;
  const rel = p === '.' ? '' : p.startsWith('./') ? p.replace(/^(\.\/)+/, '') : p;
  return rel === '' ? (base === '' ? '/' : `${base}/`) : `${base}/${rel}`;
}
