/**
 * The NUL-separated include list an event-batch rsync reads on stdin (docs/lsyncd-compat.md#rsync-command-lines,
 * default-rsync.lua `action`), built as bytes so non-UTF-8 names survive.
 *
 * - Every entry path plus EVERY ancestor directory ("/", "/d1/", "/d1/d2/"), deduplicated, in
 *   first-seen order (each path, then its ancestors nearest first — lsyncd's order).
 * - A `subtree` entry (a deleted directory; also a directory created by a split Move, whose
 *   content the watcher does not report again) gets the suffix `***`, so rsync includes the
 *   directory and everything below it.
 * - Escaping follows what rsync really does (checked against rsync 3.x): a pattern containing
 *   none of `* ? [` is compared LITERALLY (strcmp), so it is emitted verbatim; only a wildcard
 *   pattern goes through wildmatch, and then `\ * ? [ ]` are backslash-escaped. lsyncd always
 *   escapes `? * [ ]`, which makes a name like `a]b` (no wildcard → literal compare against
 *   `a\]b`) silently never sync — lsyncd issue #386 class of bugs. Ancestors are escaped
 *   independently for the same reason.
 */
import { type SyncPath, toByteString } from '../../paths/byte_path.js';
import type { Delay } from '../../queue/events.js';

export interface IncludeEntry {
  readonly path: SyncPath;
  /** Include the whole subtree (`dir/***`); only meaningful for directory paths. */
  readonly subtree: boolean;
  /**
   * A directory that arrived with its content (a move), as opposed to a deleted one: with `+`
   * filter rules the sync's rules must apply inside it (scoped_include_list.ts).
   */
  readonly moved?: boolean;
}

/** rsync include pattern for one root-relative byte-string path (see header). */
export function escapeIncludePattern(bytePath: string, subtree: boolean): string {
  const wild = subtree || /[*?[]/.test(bytePath);
  const body = wild ? bytePath.replace(/[\\*?[\]]/g, '\\$&') : bytePath;
  return subtree ? `${body}***` : body;
}

const SLASH = 0x2f;

function withoutSlash(p: SyncPath): SyncPath {
  if (typeof p === 'string') return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  return p.length > 1 && p[p.length - 1] === SLASH ? p.subarray(0, p.length - 1) : p;
}

function withSlash(p: SyncPath): SyncPath {
  if (typeof p === 'string') return p.endsWith('/') ? p : `${p}/`;
  return p[p.length - 1] === SLASH ? p : Buffer.concat([p, Buffer.from('/')]);
}

/** Include entries for a batch of delays (Full markers contribute nothing). */
export function includeEntriesFromDelays(delays: readonly Delay[]): IncludeEntry[] {
  const out: IncludeEntry[] = [];
  for (const d of delays) {
    switch (d.kind) {
      case 'Full':
        break;
      case 'Delete':
        // Whatever the target holds at that path goes, file or directory: its type there may
        // differ from the one the event names (replaced between two transfers, or a restart's
        // catch-up that knows the path from before a crash). rsync matches `NAME/***` only to a
        // directory and `NAME` to anything, so both forms are listed.
        out.push({ path: withoutSlash(d.path), subtree: false }, { path: withSlash(d.path), subtree: true });
        break;
      case 'Create':
        out.push(d.isDir && d.fromMove ? { path: d.path, subtree: true, moved: true } : { path: d.path, subtree: false });
        break;
      case 'Move':
        out.push({ path: d.path, subtree: d.isDir });
        if (d.destination !== undefined) out.push(d.isDir ? { path: d.destination, subtree: true, moved: true } : { path: d.destination, subtree: false });
        break;
      default:
        out.push({ path: d.path, subtree: false });
    }
  }
  return out;
}

/**
 * The batch changes some file's content: a file created or modified, or a moved-in tree
 * (batch_argv.ts passes `--checksum` then). Attrib, Delete and plain directory events do not.
 */
export function hasContentChanges(delays: readonly Delay[]): boolean {
  return delays.some((d) => (d.kind === 'Create' || d.kind === 'Modify') && (!d.isDir || d.fromMove));
}

/** The include patterns in order (byte strings), for logging and tests. */
export function includePatterns(entries: readonly IncludeEntry[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (p: string): void => {
    if (seen.has(p)) return;
    seen.add(p);
    out.push(p);
  };
  for (const e of entries) {
    const b = toByteString(e.path);
    if (!b.startsWith('/')) throw new TypeError(`include paths must start with "/": ${JSON.stringify(b)}`);
    const isDir = b.endsWith('/');
    add(escapeIncludePattern(b, e.subtree && isDir));
    // ancestors, nearest first: "/d1/d2/f" -> "/d1/d2/", "/d1/", "/"
    const base = isDir ? b.slice(0, -1) : b;
    for (let i = base.lastIndexOf('/'); i >= 0; i = base.lastIndexOf('/', i - 1)) {
      add(escapeIncludePattern(base.slice(0, i + 1), false));
      if (i === 0) break;
    }
  }
  return out;
}

/** The stdin bytes: patterns joined by NUL (rsync `--from0`). Empty list → empty buffer. */
export function includeListBytes(entries: readonly IncludeEntry[]): Buffer {
  return Buffer.from(includePatterns(entries).join('\0'), 'latin1');
}
