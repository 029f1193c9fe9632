/**
 * Direct-mode delete safety (docs/lsyncd-compat.md#direct-mode-operations: lsyncd refuses '' and '/' with
 * "Refusing to erase your harddisk!"). Stronger here: the path to delete must name something
 * strictly INSIDE the target — never the target root itself, and no "." / ".." components that
 * could climb out — checked on bytes, before any I/O.
 */
import { type SyncPath, fromByteString, toByteString } from '../paths/byte_path.js';

export class UnsafeDeleteError extends Error {
  constructor(readonly path: string) {
    super(`Refusing to erase your harddisk! (unsafe delete path ${JSON.stringify(path)})`);
    this.name = 'UnsafeDeleteError';
  }
}

/**
 * Absolute path of `rel` (root-relative, as in events) below `targetRoot`, for deletion; throws
 * UnsafeDeleteError when it would be the target root or escape it. Result has no trailing "/";
 * a Buffer when `rel` is not valid UTF-8.
 */
export function safeDeletePath(targetRoot: string, rel: SyncPath): SyncPath {
  const root = toByteString(targetRoot);
  const r = toByteString(rel);
  const rootTrim = root.replace(/\/+$/, '');
  // A relative, empty or "/" target root: deleting "inside" it could be anything on the system.
  if (!root.startsWith('/') || rootTrim === '') throw new UnsafeDeleteError(root);
  const parts = r.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..')) throw new UnsafeDeleteError(r);
  return fromByteString(`${rootTrim}/${parts.join('/')}`);
}
