/**
 * Byte-exact sync paths.
 *
 * Contract: a sync path is root-relative, starts with "/", and a directory carries a trailing "/"
 * (lsyncd convention, lsyncd-behaviour.md §1.3 and §2.4). Linux file names are bytes, not text:
 * the watcher hands us a `Buffer` when a name is not valid UTF-8 (watcher-design.md §2.1,
 * NON_UTF8 flag), a `string` otherwise. Everything in the pure engine accepts both.
 *
 * Invariant: all matching and indexing happens on the *byte string* form — a JS string holding
 * one UTF-16 code unit per byte (latin1 decoding of the UTF-8 bytes). This is the same
 * granularity as rsync's wildmatch and lsyncd's Lua patterns (both work on bytes), and it makes
 * "is A a prefix of B" exact for non-UTF-8 names, which a lossy U+FFFD decode would not be.
 */

/** A root-relative path as delivered by the watcher: text when valid UTF-8, raw bytes otherwise. */
export type SyncPath = string | Buffer;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Byte string (one char per byte) of a sync path. ASCII strings are returned unchanged (fast path). */
export function toByteString(p: SyncPath): string {
  if (typeof p === 'string') {
    return ASCII_ONLY.test(p) ? p : Buffer.from(p, 'utf8').toString('latin1');
  }
  return p.toString('latin1');
}

/** Raw bytes of a sync path. */
export function toBytes(p: SyncPath): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

/**
 * Inverse of {@link toByteString}: a `string` when the bytes are valid UTF-8 (so a round trip of
 * a string path gives the same string back), otherwise a `Buffer` with the exact bytes.
 */
export function fromByteString(b: string): SyncPath {
  if (ASCII_ONLY.test(b)) return b;
  const buf = Buffer.from(b, 'latin1');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? text : buf;
}

/** True when the path denotes a directory (trailing "/"). */
export function isDirPath(p: SyncPath): boolean {
  if (typeof p === 'string') return p.endsWith('/');
  return p.length > 0 && p[p.length - 1] === 0x2f;
}

/** Human-readable rendering for logs and error messages (invalid bytes shown as \xNN). */
export function displayPath(p: SyncPath): string {
  if (typeof p === 'string') return p;
  const b = toByteString(p);
  const s = fromByteString(b);
  if (typeof s === 'string') return s;
  let out = '';
  for (const ch of b) {
    const c = ch.charCodeAt(0);
    out += c < 0x80 ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}
