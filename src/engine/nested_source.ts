// A sync whose source lies inside another sync's source shares that source's watches
// (shared_watches.ts): the *inner* sync sees the outer root's records through a prefix P (the
// inner source relative to the outer one).
//
// Contract:
//   - nestedPrefix(outer, inner): P as a string (no leading or trailing '/'), or undefined when
//     inner is not strictly inside outer, or P holds bytes the watch rules cannot carry as a
//     literal (non-UTF-8, or one of `* ? [ ] \`): such a sync gets a root of its own.
//   - nestedWatchRules(P, rules): the inner sync's rule list, rewritten for the outer root. It
//     keeps the directories on the way to P and P itself, applies the inner rules below P (an
//     anchored pattern '/x' becomes '/P/x'; an unanchored one may start at any level below P:
//     '/P/x' and '/P/**/x'), keeps everything else below P and drops everything outside P. With
//     the outer sync's list beside it, the walker watches a directory when either list wants it
//     (native/core/rule_matcher.h).
//   - ScopedBatch: a view of a batch in which the records strictly below P keep their root and
//     lose the prefix, and every other record counts as another root. record_translation.ts then
//     treats a move across P's boundary as it treats a move between roots: out of P = Delete,
//     into P = Create.
//   - rootSignal(): what the records at P or above it (and the outer root's RootGone) mean for
//     the inner sync: 'gone' (P or an ancestor deleted or moved away), 'back' (P or an ancestor
//     created or moved in, and P is a directory again), or undefined. The last such record wins.
import { statSync } from 'node:fs';
import path from 'node:path';

import { hasEscapedBytes, pathArg } from '../paths/byte_path.js';
import type { BatchView, EventBatch } from '../watcher/event_batch.js';
import { RecordFlag, RecordKind } from '../watcher/record_kind.js';
import type { AddResult, WatchRule } from '../watcher/watcher_port.js';

/** Root id given to records outside the prefix (never a real root id). */
const OUTSIDE = -2;

export function nestedPrefix(outer: string, inner: string): string | undefined {
  const base = outer.endsWith('/') ? outer : `${outer}/`;
  if (!inner.startsWith(base) || inner.length === base.length) return undefined;
  const rel = inner.slice(base.length).replace(/\/+$/, '');
  if (rel.length === 0 || hasEscapedBytes(rel) || /[*?[\]\\]/.test(rel)) return undefined;
  return rel;
}

export function nestedWatchRules(prefix: string, rules: readonly WatchRule[]): WatchRule[] | undefined {
  // A literal pattern with a backslash would turn into a wildcard one with the prefix added,
  // where the backslash escapes: not the same rule. Such a sync gets a root of its own.
  if (rules.some((r) => r.pattern.includes('\\'))) return undefined;
  const out: WatchRule[] = [];
  const parts = prefix.split('/');
  for (let i = 1; i <= parts.length; i++) out.push({ include: true, pattern: `/${parts.slice(0, i).join('/')}/` });
  for (const r of rules) {
    if (r.pattern.startsWith('/')) out.push({ include: r.include, pattern: `/${prefix}${r.pattern}` });
    else out.push({ include: r.include, pattern: `/${prefix}/${r.pattern}` }, { include: r.include, pattern: `/${prefix}/**/${r.pattern}` });
  }
  out.push({ include: true, pattern: `/${prefix}/**` }, { include: false, pattern: '/**' });
  return out;
}

const SLASH = 0x2f;

/** The bytes of a record strictly below `prefix` with the prefix stripped; undefined otherwise. */
function below(batch: EventBatch, i: number, prefix: Buffer): Buffer | undefined {
  const p = batch.pathBuffer(i);
  if (p.length <= prefix.length + 1 || p[prefix.length] !== SLASH || !p.subarray(0, prefix.length).equals(prefix)) return undefined;
  return p.subarray(prefix.length + 1);
}

export class ScopedBatch implements BatchView {
  private readonly prefix: Buffer;

  constructor(
    private readonly batch: EventBatch,
    private readonly rootId: number,
    prefix: string,
  ) {
    this.prefix = Buffer.from(prefix, 'utf8');
  }

  get length(): number {
    return this.batch.length;
  }
  kind(i: number): number {
    return this.batch.kind(i);
  }
  flags(i: number): number {
    return this.batch.flags(i);
  }
  cookie(i: number): number {
    return this.batch.cookie(i);
  }
  root(i: number): number {
    const r = this.batch.root(i);
    return r === this.rootId && below(this.batch, i, this.prefix) !== undefined ? r : OUTSIDE;
  }
  path(i: number): string | Buffer {
    const rel = below(this.batch, i, this.prefix) ?? this.batch.pathBuffer(i);
    return this.batch.flags(i) & RecordFlag.NonUtf8 ? Buffer.from(rel) : rel.toString('utf8');
  }
  record(i: number): ReturnType<EventBatch['record']> {
    return { ...this.batch.record(i), path: this.path(i) };
  }
}

/** See the header. `innerAbs` is the inner sync's source directory. */
export function rootSignal(batch: EventBatch, rootId: number, prefix: string, innerAbs: string): 'gone' | 'back' | undefined {
  const p = Buffer.from(prefix, 'utf8');
  let signal: 'gone' | 'back' | undefined;
  for (let i = 0; i < batch.length; i++) {
    if (batch.root(i) !== rootId) continue;
    const kind = batch.kind(i);
    if (kind === RecordKind.RootGone) {
      signal = 'gone';
      continue;
    }
    if (!(batch.flags(i) & RecordFlag.IsDir)) continue;
    const rec = batch.pathBuffer(i);
    // P itself or one of its ancestors.
    const atOrAbove = rec.length > 0 && rec.length <= p.length && p.subarray(0, rec.length).equals(rec) && (rec.length === p.length || p[rec.length] === SLASH);
    if (!atOrAbove) continue;
    if (kind === RecordKind.Delete || kind === RecordKind.MoveFrom) signal = 'gone';
    else if (kind === RecordKind.Create || kind === RecordKind.MoveTo) signal = isDirectory(innerAbs) ? 'back' : signal;
  }
  return signal;
}

/** True when `p` is a directory now (following symlinks; false when it cannot be read). */
export function isDirectory(p: string): boolean {
  try {
    return statSync(pathArg(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The outer root's add() result as the inner sync sees it: its own directories, paths below P. */
export function scopeAddResult(added: AddResult, prefix: string, innerAbs: string): AddResult {
  const p = Buffer.from(prefix, 'utf8');
  const errors: AddResult['errors'] = [];
  for (const e of added.errors) {
    const inside = e.rel.length > p.length && e.rel[p.length] === SLASH && e.rel.subarray(0, p.length).equals(p);
    const above = e.rel.length <= p.length && p.subarray(0, e.rel.length).equals(e.rel);
    if (inside) {
      const rel = e.rel.subarray(p.length + 1);
      errors.push({ ...e, rel, path: path.join(innerAbs, rel.toString('utf8')) });
    } else if (above) {
      // The inner source itself is not watched: its whole tree.
      errors.push({ ...e, rel: Buffer.alloc(0), path: innerAbs });
    }
  }
  return { rootId: added.rootId, dirs: added.dirs, errors };
}
