// SharedWatches: the inotify watches of every sync, set once per source directory, in one inotify
// instance for the whole daemon wherever the sources allow it.
//
// Why: the usual "many servers" config is one sync per server, all on one source (a Lua loop over
// a host list, or a JSON `target: [...]` list). Watching per sync would hold directories × targets
// watches in one inotify instance per target and walk the tree once per target; lsyncd holds one
// watch per directory. Here the watches of a source are shared by every sync on it, and its
// records are translated once per distinct rule list and handed to each sync
// (docs/many-servers.md#one-watch-per-directory).
//
// Contract:
//   - A *share* is one watched root: a real source path, the rule lists of its member syncs, a
//     root id in one *lane* (one WatcherPort = one inotify instance and one reader thread).
//   - joinAll(members) attaches syncs, grouped by source. A member joins an existing share of its
//     source when the share already carries its rule list (no walk, nothing else disturbed: a
//     reload adding a target); otherwise the group gets a new root, added ONCE with every rule
//     list of the group (the watcher watches a directory unless every list excludes it,
//     native/core/rule_matcher.h) in the first lane where it overlaps no other root, else in a
//     new lane (the watcher cannot hold nested roots: one inode has one watch per instance).
//     Among the syncs joining together, one whose source lies inside another's joins that
//     source's root through a prefix (nested_source.ts); a nested sync that joins later (a
//     reload) gets a root of its own, because the rule lists of a root are fixed once walked. A
//     group whose add failed still gets leases, on a share with no root (`rootId` -1), so the
//     caller decides: leave (start-up fails) or keep it and retry the root through rewatch()
//     (`insist`). The watcher factory's own failure (no inotify instance) is thrown.
//   - Records: each lane's batches are translated per share and rule list
//     (record_translation.ts) and fanned out to the members' sinks in join order; a batch that
//     carries a root whose add() has not returned yet waits for it (the watcher holds the next
//     batch meanwhile), so no record is dropped. After every batch `afterBatch` runs once.
//   - RootGone: every member is told (its sink's rootGone), and the share looks for its source
//     every second; once it is a directory again the root is added anew and every member gets
//     sourceBack().
//   - rewatch(rel) of a directory the watcher could not watch is done once per share: the first
//     member that asks does it, every other member that asks for the same directory gets the same
//     result (and so resyncs it too), instead of "watched meanwhile" and no resync.
//   - leave() detaches a member; the last one removes the root (and closes a lane other than the
//     first once it is empty). close() closes every lane; nothing is delivered afterwards.
import type { RuleList } from '../filters/rule_list.js';
import type { EventBatch } from '../watcher/event_batch.js';
import { RecordKind } from '../watcher/record_kind.js';
import { WatchError } from '../watcher/watch_errors.js';
import type { AddResult, RewatchResult, WatcherFactory, WatcherOptions, WatcherPort, WatchRule } from '../watcher/watcher_port.js';
import { isDirectory, nestedPrefix, nestedWatchRules, rootSignal, ScopedBatch, scopeAddResult } from './nested_source.js';
import { translateBatch, type TranslationSink } from './record_translation.js';

/** How often a share whose source disappeared looks for it again. */
const SOURCE_RECHECK_MS = 1000;

export interface WatchMember {
  /** Resolved source directory (realpath, no trailing '/'). */
  readonly source: string;
  /** The sync's rules as the watcher takes them, in order. */
  readonly watchRules: readonly WatchRule[];
  /** The same rules compiled, to drop the records this sync excludes. */
  readonly rules: RuleList;
  /** Receives this sync's records; rootGone() pauses it. */
  readonly sink: TranslationSink;
  /** The share watches the source again after it was gone. */
  sourceBack(): void;
  /** A problem to report (the share could not re-add a returned source). */
  error(message: string): void;
}

export interface WatchLease {
  /** -1 while the source root is not watched (start-up shortage under insist, source gone). */
  readonly rootId: number;
  /** The watched root this sync's source shares: its source, or the outer source it lies in. */
  readonly watchRoot: string;
  /** Directories watched under this source when its root was added. */
  readonly watchedDirs: number;
  /** Watches one directory (root-relative bytes; empty = the root) again; see the header. */
  rewatch(rel: Buffer): Promise<RewatchResult>;
  /** Detaches the member (idempotent). */
  leave(): void;
}

export interface JoinResult {
  readonly lease: WatchLease;
  /** The add() of this member's root, when this join set it (undefined: joined an existing share). */
  readonly added?: AddResult;
  /** The add() of this member's root failed: the error (the lease is on a share with no root). */
  readonly error?: unknown;
}

interface Lane {
  readonly watcher: WatcherPort;
  readonly shares: Set<Share>;
  /** add() calls not returned yet: a batch with an unknown root waits for them. */
  readonly adding: Set<Promise<unknown>>;
}

/** Members with one rule list and one prefix: their records are translated once. */
interface Group {
  readonly rules: RuleList;
  /** The watcher's rule list for this group (rewritten for the root when nested). */
  readonly watchRules: readonly WatchRule[];
  /** Set for syncs whose source lies inside the root (nested_source.ts). */
  readonly prefix: string | undefined;
  readonly source: string;
  readonly members: WatchMember[];
  /** A nested group whose source is gone (its members were told). */
  gone: boolean;
}

interface Share {
  readonly source: string;
  readonly lane: Lane;
  rootId: number;
  dirs: number;
  /** Groups by key (prefix + rule list), each with its members in join order. */
  readonly groups: Map<string, Group>;
  readonly watchRules: WatchRule[];
  recheck?: NodeJS.Timeout;
  /** Rewatches in flight or done but not yet asked for by every member (by directory). */
  readonly rewatches: Map<string, { result: Promise<RewatchResult>; askedBy: Set<WatchMember> }>;
}

/** A group's identity: syncs with equal lists (and prefix) share its translation. */
function groupKey(rules: readonly WatchRule[], prefix?: string): string {
  return JSON.stringify([prefix ?? '', rules.map((r) => [r.include, r.pattern])]);
}

/** A member about to join a new root, with its prefix when nested. */
interface Joining {
  readonly member: WatchMember;
  readonly prefix: string | undefined;
  readonly watchRules: readonly WatchRule[];
}

/** True when one directory is the other or contains it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`) || b.startsWith(a.endsWith('/') ? a : `${a}/`);
}

export class SharedWatches {
  private readonly lanes: Lane[] = [];
  private closed = false;

  constructor(
    private readonly factory: WatcherFactory,
    private readonly options: WatcherOptions,
    /** Runs once after every delivered batch (the engine starts what became due). */
    private readonly afterBatch: () => void,
  ) {}

  /** Attaches `members`; results in the same order. See the header. */
  async joinAll(members: readonly WatchMember[]): Promise<JoinResult[]> {
    const results = new Map<WatchMember, JoinResult>();
    const roots: { source: string; joining: Joining[] }[] = [];
    // Outer sources first, so that a nested one finds the root its outer source is about to get.
    const fresh: WatchMember[] = [];
    for (const m of members) {
      const share = this.findShare(m.source, groupKey(m.watchRules));
      if (share) results.set(m, { lease: this.attach(share, m, undefined, m.watchRules) });
      else fresh.push(m);
    }
    for (const m of [...fresh].sort((a, b) => a.source.length - b.source.length)) {
      const same = roots.find((r) => r.source === m.source);
      if (same) {
        same.joining.push({ member: m, prefix: undefined, watchRules: m.watchRules });
        continue;
      }
      let nested = false;
      for (const r of roots) {
        const prefix = nestedPrefix(r.source, m.source);
        const rules = prefix === undefined ? undefined : nestedWatchRules(prefix, m.watchRules);
        if (rules === undefined) continue;
        r.joining.push({ member: m, prefix, watchRules: rules });
        nested = true;
        break;
      }
      if (!nested) roots.push({ source: m.source, joining: [{ member: m, prefix: undefined, watchRules: m.watchRules }] });
    }
    for (const { source, joining } of roots) {
      const share = this.newShare(source, joining);
      const leases = joining.map((j) => this.attach(share, j.member, j.prefix, j.watchRules));
      try {
        const added = await this.addRoot(share);
        joining.forEach((j, i) =>
          results.set(j.member, { lease: leases[i]!, added: j.prefix === undefined ? added : scopeAddResult(added, j.prefix, j.member.source) }),
        );
      } catch (error) {
        joining.forEach((j, i) => results.set(j.member, { lease: leases[i]!, error }));
      }
    }
    return members.map((m) => results.get(m)!);
  }

  /** Resolves once every change made before the call has reached the members. */
  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.watcher.flush()));
  }

  /** Watches and overflows of every lane. */
  stats(): { watches: number; overflows: number; instances: number } {
    let watches = 0;
    let overflows = 0;
    for (const l of this.lanes) {
      const s = l.watcher.stats();
      watches += s.watches;
      overflows += s.overflows;
    }
    return { watches, overflows, instances: this.lanes.length };
  }

  /** Directories watched now under one member's source (shared with every sync on it), and overflows of its instance. */
  watchStats(lease: WatchLease): { watches: number; overflows: number } {
    const share = (lease as LeaseImpl).share;
    const s = share.lane.watcher.stats();
    const perRoot = share.rootId >= 0 ? s.rootWatches?.[share.rootId] : 0;
    return { watches: perRoot ?? (share.lane.shares.size === 1 ? s.watches : share.dirs), overflows: s.overflows };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.lanes) {
      for (const s of l.shares) if (s.recheck) clearInterval(s.recheck);
      l.watcher.close();
    }
    this.lanes.length = 0;
  }

  // --- shares --------------------------------------------------------------------------------

  private findShare(source: string, key: string): Share | undefined {
    for (const l of this.lanes) for (const s of l.shares) if (s.source === source && s.groups.has(key)) return s;
    return undefined;
  }

  private newShare(source: string, joining: readonly Joining[]): Share {
    const lane = this.lanes.find((l) => ![...l.shares].some((s) => overlaps(s.source, source))) ?? this.newLane();
    const share: Share = { source, lane, rootId: -1, dirs: 0, groups: new Map(), watchRules: [], rewatches: new Map() };
    const lists = new Map<string, readonly WatchRule[]>();
    for (const j of joining) lists.set(groupKey(j.member.watchRules, j.prefix), j.watchRules);
    // An empty list watches everything: the union is then "everything", whatever the others say.
    if (![...lists.values()].some((r) => r.length === 0)) {
      [...lists.values()].forEach((rules, i) => {
        for (const r of rules) share.watchRules.push(lists.size > 1 ? { include: r.include, pattern: r.pattern, list: i } : r);
      });
    }
    lane.shares.add(share);
    return share;
  }

  private newLane(): Lane {
    const lane: Lane = { watcher: undefined as unknown as WatcherPort, shares: new Set(), adding: new Set() };
    const watcher = this.factory(this.options, (batch) => this.deliver(lane, batch));
    (lane as { watcher: WatcherPort }).watcher = watcher;
    this.lanes.push(lane);
    return lane;
  }

  private attach(share: Share, m: WatchMember, prefix: string | undefined, watchRules: readonly WatchRule[]): LeaseImpl {
    const key = groupKey(m.watchRules, prefix);
    let g = share.groups.get(key);
    if (!g) {
      g = { rules: m.rules, watchRules, prefix, source: m.source, members: [], gone: false };
      share.groups.set(key, g);
    }
    g.members.push(m);
    return new LeaseImpl(this, share, m, prefix);
  }

  /** Adds the share's root in its lane; records of the root wait for the reply (see deliver). */
  private async addRoot(share: Share): Promise<AddResult> {
    const p = share.lane.watcher.add(share.source, share.watchRules);
    share.lane.adding.add(p);
    try {
      const added = await p;
      share.rootId = added.rootId;
      share.dirs = added.dirs;
      return added;
    } finally {
      share.lane.adding.delete(p);
    }
  }

  /** @internal LeaseImpl */
  detach(share: Share, m: WatchMember): void {
    for (const [key, g] of share.groups) {
      const i = g.members.indexOf(m);
      if (i < 0) continue;
      g.members.splice(i, 1);
      if (g.members.length === 0) share.groups.delete(key);
    }
    for (const [key, r] of share.rewatches) {
      r.askedBy.delete(m);
      if (this.allAsked(share, r.askedBy)) share.rewatches.delete(key);
    }
    if (share.groups.size > 0) return;
    if (share.recheck) clearInterval(share.recheck);
    share.recheck = undefined;
    const lane = share.lane;
    lane.shares.delete(share);
    if (this.closed) return;
    if (lane.shares.size === 0 && this.lanes.indexOf(lane) > 0) {
      this.lanes.splice(this.lanes.indexOf(lane), 1);
      lane.watcher.close();
    } else if (share.rootId >= 0) {
      void lane.watcher.remove(share.rootId).catch(() => undefined);
    }
    share.rootId = -1;
  }

  private allAsked(share: Share, askedBy: Set<WatchMember>): boolean {
    for (const g of share.groups.values()) for (const m of g.members) if (!askedBy.has(m)) return false;
    return true;
  }

  /** @internal LeaseImpl */
  rewatch(share: Share, m: WatchMember, prefix: string | undefined, relToSource: Buffer): Promise<RewatchResult> {
    const rel =
      prefix === undefined ? relToSource : Buffer.concat([Buffer.from(prefix, 'utf8'), ...(relToSource.length > 0 ? [Buffer.from('/'), relToSource] : [])]);
    const key = rel.toString('latin1');
    const known = share.rewatches.get(key);
    if (known && !known.askedBy.has(m)) {
      known.askedBy.add(m);
      if (this.allAsked(share, known.askedBy)) share.rewatches.delete(key);
      return known.result;
    }
    const result = rel.length === 0 || share.rootId < 0 ? this.rewatchRoot(share) : share.lane.watcher.rewatch(share.rootId, rel);
    const entry = { result, askedBy: new Set([m]) };
    if (!this.allAsked(share, entry.askedBy)) share.rewatches.set(key, entry);
    else share.rewatches.delete(key);
    return result;
  }

  /** The root itself again (it could not be watched at start-up): an add, told as a rewatch. */
  private async rewatchRoot(share: Share): Promise<RewatchResult> {
    if (share.rootId >= 0) return { dirs: 0, err: 0, errors: [] };
    try {
      const added = await this.addRoot(share);
      return { dirs: added.dirs, err: 0, errors: added.errors.map((e) => ({ rel: e.rel, errno: e.errno })) };
    } catch (e) {
      if (e instanceof WatchError) return { dirs: 0, err: 0, errors: [{ rel: Buffer.alloc(0), errno: e.errno }] };
      throw e;
    }
  }

  // --- records -------------------------------------------------------------------------------

  private deliver(lane: Lane, batch: EventBatch): void | Promise<void> {
    const known = new Set<number>();
    for (const s of lane.shares) if (s.rootId >= 0) known.add(s.rootId);
    this.translate(lane, batch, known);
    if (lane.adding.size === 0 || !this.hasUnknownRoot(batch, known)) return this.afterBatch();
    // Records of a root whose add() is still walking: translate them once it has returned.
    return Promise.allSettled([...lane.adding]).then(() => {
      if (this.closed) return;
      const rest = new Set<number>();
      for (const s of lane.shares) if (s.rootId >= 0 && !known.has(s.rootId)) rest.add(s.rootId);
      this.translate(lane, batch, rest);
      this.afterBatch();
    });
  }

  private hasUnknownRoot(batch: EventBatch, known: Set<number>): boolean {
    for (let i = 0; i < batch.length; i++) if (!known.has(batch.root(i))) return true;
    return false;
  }

  private translate(lane: Lane, batch: EventBatch, roots: Set<number>): void {
    for (const share of [...lane.shares]) {
      if (!roots.has(share.rootId)) continue;
      const rootId = share.rootId;
      for (const g of [...share.groups.values()]) {
        const members = [...g.members];
        translateBatch(g.prefix === undefined ? batch : new ScopedBatch(batch, rootId, g.prefix), rootId, g.rules, {
          event: (ev) => {
            for (const m of members) m.sink.event(ev);
          },
          overflow: () => {
            for (const m of members) m.sink.overflow();
          },
          watchError: (p, errno) => {
            for (const m of members) m.sink.watchError(p, errno);
          },
          rootGone: () => {
            for (const m of members) m.sink.rootGone();
          },
        });
        if (g.prefix !== undefined) this.nestedSignal(g, rootSignal(batch, rootId, g.prefix, g.source));
      }
      if (hasRootGone(batch, rootId)) this.awaitSource(share);
    }
  }

  /** A nested group's source went away or came back (records at or above it, nested_source.ts). */
  private nestedSignal(g: Group, signal: 'gone' | 'back' | undefined): void {
    if (signal === 'gone' && !g.gone) {
      g.gone = true;
      for (const m of [...g.members]) m.sink.rootGone();
    } else if (signal === 'back' && g.gone) {
      g.gone = false;
      for (const m of [...g.members]) m.sourceBack();
    }
  }

  // The source vanished (RootGone; the watcher dropped the root): look for it every
  // SOURCE_RECHECK_MS; once it is a directory again, watch it (watch-then-scan) and tell every
  // member, which resyncs the whole tree. Transfers stay paused meanwhile: an rsync of a missing
  // source with --delete must never run.
  private awaitSource(share: Share): void {
    share.rootId = -1;
    if (share.recheck || this.closed) return;
    share.recheck = setInterval(() => {
      if (!isDirectory(share.source) || this.closed || share.groups.size === 0) return;
      clearInterval(share.recheck);
      share.recheck = undefined;
      this.addRoot(share).then(
        () => {
          for (const g of [...share.groups.values()]) {
            if (g.prefix === undefined) for (const m of [...g.members]) m.sourceBack();
            // A nested source is back only if it exists again inside the returned tree.
            else this.nestedSignal(g, isDirectory(g.source) ? 'back' : undefined);
          }
          this.afterBatch();
        },
        (e: unknown) => {
          for (const g of share.groups.values()) for (const m of g.members) m.error((e as Error).message);
          this.awaitSource(share);
        },
      );
    }, SOURCE_RECHECK_MS);
  }
}

function hasRootGone(batch: EventBatch, rootId: number): boolean {
  for (let i = 0; i < batch.length; i++) if (batch.kind(i) === RecordKind.RootGone && batch.root(i) === rootId) return true;
  return false;
}

class LeaseImpl implements WatchLease {
  private left = false;

  constructor(
    private readonly hub: SharedWatches,
    readonly share: Share,
    private readonly member: WatchMember,
    private readonly prefix: string | undefined,
  ) {}

  get watchRoot(): string {
    return this.share.source;
  }

  get rootId(): number {
    return this.share.rootId;
  }

  get watchedDirs(): number {
    return this.share.dirs;
  }

  rewatch(rel: Buffer): Promise<RewatchResult> {
    return this.hub.rewatch(this.share, this.member, this.prefix, rel);
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    this.hub.detach(this.share, this.member);
  }
}
