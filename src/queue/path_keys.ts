/**
 * Path keys and the two prefix structures that make the delay queue O(depth) per event instead
 * of lsyncd's backwards scan over the whole queue (docs/lsyncd-compat.md#performance-baseline: 16k events cost lsyncd
 * 94 s of CPU because every new delay is compared with every queued one).
 *
 * A key is the byte string of a path without its trailing "/" (root = ""), so a file and a
 * directory of the same name share a key: replacing file `x` by directory `x/` is "the same path"
 * for ordering (lsyncd compared raw strings and treated them as unrelated).
 * Two keys are *related* when equal or when one is an ancestor of the other — lsyncd's
 * "one path is a directory prefix of the other" rule (docs/lsyncd-compat.md#collapsing-events-on-one-path).
 */
import { type SyncPath, toByteString } from '../paths/byte_path.js';

export function pathKey(p: SyncPath): string {
  const b = toByteString(p);
  return b.endsWith('/') ? b.slice(0, -1) : b;
}

/** Calls `fn` for every proper ancestor key of `key`, nearest first, ending with the root "". */
export function forEachAncestor(key: string, fn: (ancestor: string) => boolean | void): boolean {
  for (let i = key.lastIndexOf('/'); i >= 0; i = key.lastIndexOf('/', i - 1)) {
    if (fn(key.slice(0, i)) === true) return true;
    if (i === 0) break;
  }
  return false;
}

/**
 * Multiset of keys answering "is anything related to K in here?" in O(depth):
 * exact counts per key plus, per ancestor, the count of keys strictly below it.
 */
export class RelatedKeySet {
  private readonly exact = new Map<string, number>();
  private readonly below = new Map<string, number>();

  add(key: string): void {
    this.exact.set(key, (this.exact.get(key) ?? 0) + 1);
    forEachAncestor(key, (a) => {
      this.below.set(a, (this.below.get(a) ?? 0) + 1);
    });
  }

  clear(): void {
    this.exact.clear();
    this.below.clear();
  }

  /** True when `key`, one of its ancestors, or one of its descendants is in the set. */
  related(key: string): boolean {
    if (this.exact.has(key) || this.below.has(key)) return true;
    return forEachAncestor(key, (a) => this.exact.has(a));
  }
}

/** Anything with an arrival sequence number. */
export interface Sequenced {
  readonly seq: number;
}

/**
 * Index of live items by key, with "newest item at K" and "newest item at or around K".
 * Per-key lists are in ascending `seq` (items are only ever appended in arrival order).
 * `belowMax` keeps, per ancestor key, the highest seq ever registered below it while anything is
 * registered below it; it may be stale-high after removals, which only makes callers more
 * conservative (queue instead of collapse), never wrong.
 */
export class PathIndex<T extends Sequenced> {
  private readonly at = new Map<string, T[]>();
  private readonly belowCount = new Map<string, number>();
  private readonly belowMax = new Map<string, number>();

  add(key: string, item: T): void {
    const list = this.at.get(key);
    if (list === undefined) this.at.set(key, [item]);
    else list.push(item);
    forEachAncestor(key, (a) => {
      this.belowCount.set(a, (this.belowCount.get(a) ?? 0) + 1);
      const m = this.belowMax.get(a);
      if (m === undefined || m < item.seq) this.belowMax.set(a, item.seq);
    });
  }

  remove(key: string, item: T): void {
    const list = this.at.get(key);
    if (list === undefined) return;
    const i = list.indexOf(item);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.at.delete(key);
    forEachAncestor(key, (a) => {
      const n = (this.belowCount.get(a) ?? 1) - 1;
      if (n <= 0) {
        this.belowCount.delete(a);
        this.belowMax.delete(a);
      } else {
        this.belowCount.set(a, n);
      }
    });
  }

  /** Items registered at exactly this key, oldest first. */
  itemsAt(key: string): readonly T[] {
    return this.at.get(key) ?? [];
  }

  newestAt(key: string): T | undefined {
    const list = this.at.get(key);
    return list === undefined ? undefined : list[list.length - 1];
  }

  /**
   * Highest seq among items related to `key` (at it, at an ancestor, or below it — the latter
   * possibly stale-high), or -1 when there are none.
   */
  newestRelatedSeq(key: string): number {
    let best = this.newestAt(key)?.seq ?? -1;
    const below = this.belowMax.get(key);
    if (below !== undefined && below > best) best = below;
    forEachAncestor(key, (a) => {
      const s = this.newestAt(a)?.seq;
      if (s !== undefined && s > best) best = s;
    });
    return best;
  }

  /** True when an item related to `key` other than at `key` itself has lo < seq < hi. */
  hasRelatedBetween(key: string, lo: number, hi: number): boolean {
    const below = this.belowMax.get(key);
    if (below !== undefined && below > lo) return true; // conservative
    return forEachAncestor(key, (a) => this.itemsAt(a).some((d) => d.seq > lo && d.seq < hi));
  }
}
