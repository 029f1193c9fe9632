/**
 * Byte-string path helpers of the direct transport.
 *
 * Contract: every path the direct transport handles internally is a *byte string* (one JS char
 * per byte, latin1 — src/paths/byte_path.ts `toByteString`), so names that are not valid UTF-8
 * survive joining, splitting and prefix tests unchanged. A byte string is turned back into what
 * the fs API wants only at the syscall boundary ({@link fsPath}: the string itself when it is
 * ASCII — the common, allocation-free case — otherwise a Buffer with the exact bytes). Nothing
 * here touches the file system.
 *
 * Shapes: a root is absolute without a trailing "/" ("/srv/t"); a relative path ("rel") is the
 * event path without its trailing "/" ("/a/b", "" for the root itself); abs = root + rel.
 */
import { randomBytes } from 'node:crypto';
import { type SyncPath, displayPath, fromByteString, toByteString } from '../../paths/byte_path.js';

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** What fs calls get: the string for ASCII names, the exact bytes otherwise. */
export function fsPath(bs: string): string | Buffer {
  return ASCII_ONLY.test(bs) ? bs : Buffer.from(bs, 'latin1');
}

/** A configured root ("/srv/t/" or "/srv/t") as a byte string without trailing "/". */
export function rootByteString(root: string): string {
  return toByteString(root).replace(/\/+$/, '');
}

/** Event path → rel byte string: leading "/", no trailing "/" ("" for the root). */
export function relOf(p: SyncPath): string {
  const bs = toByteString(p);
  let end = bs.length;
  while (end > 0 && bs.charCodeAt(end - 1) === 0x2f) end--;
  return bs.slice(0, end);
}

/** Rel byte string → SyncPath (string when valid UTF-8), with a trailing "/" for directories. */
export function syncPathOf(rel: string, isDir: boolean): SyncPath {
  return fromByteString(isDir ? `${rel}/` : rel);
}

/** Strict ancestors of a rel path, outermost first: "/a/b/c" → ["/a", "/a/b"]. */
export function ancestorsOf(rel: string): string[] {
  const out: string[] = [];
  let i = rel.indexOf('/', 1);
  while (i > 0) {
    out.push(rel.slice(0, i));
    i = rel.indexOf('/', i + 1);
  }
  return out;
}

/** Parent rel ("" for a top-level entry). */
export function parentOf(rel: string): string {
  return rel.slice(0, Math.max(0, rel.lastIndexOf('/')));
}

/** Last component of a rel path. */
export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** True when `a` is `b` or an ancestor of `b` (or vice versa): the two paths touch the same subtree. */
export function related(a: string, b: string): boolean {
  if (a.length === b.length) return a === b;
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  return s === '' || (l.startsWith(s) && l.charCodeAt(s.length) === 0x2f);
}

/** Prefix of the temp names this transport creates on the target. */
export const TEMP_PREFIX = '.lsyncd-ts.';
/** Room left for the name part: NAME_MAX (255) minus prefix, dot and 12 hex digits. */
const TEMP_NAME_ROOM = 255 - TEMP_PREFIX.length - 1 - 12;

/**
 * Temp name in the SAME directory as `abs` (so the final rename(2) is atomic and never crosses a
 * file system): `.lsyncd-ts.<name>.<12 hex>`; long names are cut (on bytes) to stay within
 * NAME_MAX. The 12 hex digits are a random 6-hex prefix drawn once per process plus a 6-hex
 * counter: unique within the process and across processes, without a getrandom call per file.
 * Callers create the temp entry O_EXCL anyway.
 */
export function tempSibling(abs: string): string {
  const slash = abs.lastIndexOf('/');
  const name = abs.slice(slash + 1).slice(0, TEMP_NAME_ROOM);
  tempCounter = (tempCounter + 1) & 0xffffff;
  return `${abs.slice(0, slash + 1)}${TEMP_PREFIX}${name}.${TEMP_RUN}${tempCounter.toString(16).padStart(6, '0')}`;
}

const TEMP_RUN = randomBytes(3).toString('hex');
let tempCounter = 0;

/** Human-readable form of a byte string (\xNN for bytes that are not UTF-8). */
export function show(bs: string): string {
  return displayPath(fromByteString(bs));
}
