// Source scan: what one source path (or subtree) looks like right now, as manifest entries.
//
// Contract:
//   - paths are byte strings (src/paths/byte_path.ts: one char per byte), root-relative with a
//     leading '/', directories with a trailing '/' — the form the manifest is keyed by;
//   - an entry is a signature string "T|size|mtimeNs|ino|mode" (T: f file, d directory, l symlink,
//     o anything else), from lstat with nanosecond times: symlinks are never followed;
//     a directory's size and mtime are left out (both change whenever an entry inside does,
//     which its own entries already record);
//   - walkTree() walks a subtree top-down and applies the sync's rules level-wise like the
//     watcher and rsync (src/filters/rule_list.ts decide()): an excluded directory is never
//     opened; the start path itself is skipped when it or an ancestor is excluded. Entries that
//     vanish or cannot be read during the walk are left out (the manifest then claims less);
//   - names are read as raw bytes (readdir with Buffer names), so non-UTF-8 names are exact;
//   - a directory is listed with the addon's scanDir (native/addon/dir_scan.h: readdir and
//     fstatat in C++, one call per directory) when the addon has it, else with readdirSync and
//     one lstatSync per entry; both give the same entries and signatures.
// Synchronous on purpose: one walk per start-up or per moved-in tree; the watch is already set,
// so whatever changes meanwhile waits in the kernel's inotify queue.
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';

import type { RuleList } from '../filters/rule_list.js';
import { pathArg, toByteString } from '../paths/byte_path.js';
import { scanDir, statPaths } from '../system/dir_scan.js';

/**
 * The signature of a path the target may hold with unknown content (src/state/sync_ledger.ts marks
 * it before a transfer that may create it). It never equals a scanned signature.
 */
export const PENDING = '?';

/** Path (byte string) → entry signature; parents come before their entries. */
export type EntryMap = Map<string, string>;

/** The signature of one lstat result (see the header). */
export function entrySignature(st: BigIntStats): string {
  const mode = Number(st.mode & 0o7777n);
  if (st.isDirectory()) return `d|0|0|${st.ino}|${mode}`;
  const t = st.isFile() ? 'f' : st.isSymbolicLink() ? 'l' : 'o';
  return `${t}|${st.size}|${st.mtimeNs}|${st.ino}|${mode}`;
}

/** Type and inode of a signature: what a move is recognised by. */
export function entryIdentity(sig: string): string {
  const parts = sig.split('|');
  return `${parts[0]}|${parts[3]}`;
}

/** The fs argument for a path (byte string) below a source root (byte string, trailing '/'). */
function fsArg(rootBytes: string, relBytes: string): Buffer {
  return Buffer.from(rootBytes + relBytes.slice(1), 'latin1');
}

/** The root of a source as a byte string with a trailing '/'. */
export function sourceRootBytes(source: string): string {
  const b = toByteString(pathArg(source));
  return b.endsWith('/') ? b : `${b}/`;
}

/** lstat of one path below the root: its signature, or undefined when it does not exist. */
export function statEntry(rootBytes: string, relBytes: string): string | undefined {
  try {
    const st = lstatSync(fsArg(rootBytes, relBytes.endsWith('/') && relBytes.length > 1 ? relBytes.slice(0, -1) : relBytes), { bigint: true });
    return entrySignature(st);
  } catch {
    return undefined;
  }
}

/**
 * Every entry at and below `startBytes` (a directory path, '/' for the whole source; the root
 * itself is never an entry), pre-order, rules applied (see the header).
 */
export function walkTree(rootBytes: string, startBytes: string, rules: RuleList | undefined, out: EntryMap = new Map()): EntryMap {
  if (startBytes !== '/') {
    if (rules?.isExcluded(startBytes)) return out;
    const sig = statEntry(rootBytes, startBytes);
    if (sig === undefined || !sig.startsWith('d')) return out;
    out.set(startBytes, sig);
  }
  const stack: string[] = [startBytes];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const listing = listDir(fsArg(rootBytes, dir));
    if (listing === undefined) continue;
    const subdirs: string[] = [];
    for (let i = 0; i + 1 < listing.length; i += 2) {
      const sig = listing[i + 1]!;
      const isDir = sig.charCodeAt(0) === 100; // 'd'
      const path = isDir ? `${dir}${listing[i]}/` : dir + listing[i]!;
      if (rules?.active && rules.decide(path) === 'exclude') continue;
      out.set(path, sig);
      if (isDir) subdirs.push(path);
    }
    // Pre-order: the first subdirectory is walked next.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return out;
}

/** statEntry() of many paths below one root, in one native call when the addon can. */
export function statEntries(rootBytes: string, relBytes: readonly string[]): (string | undefined)[] {
  if (relBytes.length === 0) return [];
  let joined = '';
  for (const p of relBytes) joined += `${rootBytes}${(p.endsWith('/') && p.length > 1 ? p.slice(0, -1) : p).slice(1)}\0`;
  const out = statPaths(Buffer.from(joined, 'latin1'));
  if (out === undefined) return relBytes.map((p) => statEntry(rootBytes, p));
  const sigs = out.split('\0');
  return relBytes.map((_, i) => (sigs[i] === '' ? undefined : sigs[i]));
}

/**
 * One directory's entries sorted by name bytes, as [name, signature, name, signature, ...] (names
 * as byte strings), or undefined when it cannot be read.
 */
export function listDir(dir: Buffer): string[] | undefined {
  const r = scanDir(dir);
  if (r !== undefined) {
    if (typeof r === 'number') return undefined;
    const parts = r.split('\0');
    parts.pop(); // after the last NUL
    return parts;
  }
  let names: Buffer[];
  try {
    names = readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return undefined;
  }
  names.sort(Buffer.compare);
  const out: string[] = [];
  for (const n of names) {
    try {
      out.push(n.toString('latin1'), entrySignature(lstatSync(Buffer.concat([dir, Buffer.from('/'), n]), { bigint: true })));
    } catch {
      // Vanished meanwhile.
    }
  }
  return out;
}
