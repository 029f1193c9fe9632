/**
 * The per-sync delay queue: pure, no timers, no I/O — time comes in as numbers (ms on whatever
 * monotonic clock the caller uses).
 *
 * Contract (docs/lsyncd-compat.md#delay-and-maxdelays, docs/lsyncd-compat.md#collapsing-events-on-one-path, docs/lsyncd-compat.md#delay-and-maxdelays, docs/lsyncd-compat.md#startup-order, docs/lsyncd-compat.md#exit-codes-of-transfers):
 * - `ingest(event, now)` queues a delay with `alarm = now + delayMs`, collapsing it with the
 *   newest *related* pending delay per the intended table (collapse_table.ts) — lsyncd 2.2+
 *   broke this (lsyncd#636). Only a *waiting* delay absorbs or is replaced; a new event on the
 *   path of an *active* delay (transfer running) is queued behind it, because the running
 *   transfer may already have read the old content (lsyncd absorbs into active delays and loses
 *   that change).
 * - Moves: a Move touching any pending delay (same path, ancestor or descendant of either end) is
 *   split into Delete(origin) + Create(destination) (docs/lsyncd-compat.md#collapsing-events-on-one-path `split`); a Delete/Create on the
 *   destination of a waiting Move turns that Move into Delete(origin) (`toDelete,stack`).
 *   `splitMoves: true` (default.rsync, which has no onMove) always splits (docs/lsyncd-compat.md#paths-moves-and-excludes).
 * - Blocking keeps order: a waiting delay may run only if no *older* related delay (same key,
 *   ancestor or descendant of any of its paths — so nothing under a directory being moved runs
 *   before the move) is active or itself blocked. A `Full` marker runs alone, only once nothing
 *   is queued before it, and blocks everything after it (startup: events arriving during the
 *   init transfer run after it, docs/lsyncd-compat.md#startup-order; overflow: queued events are kept, docs/lsyncd-compat.md#queue-overflow).
 * - Timing: `delay` counts from the OLDEST pending event, not a debounce: once the earliest
 *   eligible alarm is due, `getBatch` returns ALL eligible waiting delays regardless of their
 *   own alarms (lsyncd `getEvents`, docs/lsyncd-compat.md#delay-and-maxdelays). Collapsing keeps the older alarm, so a file written
 *   continuously is still synced every `delay`. With `maxDelays` or more waiting delays, time is
 *   ignored and a batch is due at once.
 * - `complete(batch, outcome)`: ok → removed; again → back to waiting with `alarm = retryAt`,
 *   merged with same-path events that arrived meanwhile, and the whole queue is held until
 *   `retryAt` (lsyncd's FIFO walk also stops at a retried delay; retrying other paths of a dead
 *   target would only hammer it). `retryAt` also holds when `maxDelays` is exceeded.
 *
 * Complexity: ingest is O(depth of the path) — a per-key index (path_keys.ts PathIndex) finds the
 * newest related delay and a prefix multiset (RelatedKeySet) of active/blocked keys decides
 * eligibility; lsyncd scans the whole queue backwards per event (O(n²), docs/lsyncd-compat.md#performance-baseline). `getBatch` and
 * `complete` walk the queue once (O(n) per batch, not per event).
 */
import { type SyncPath, isDirPath } from '../paths/byte_path.js';
import { collapse } from './collapse_table.js';
import type { Delay, DelayKind, PathEventKind, QueueEvent } from './events.js';
import { PathIndex, RelatedKeySet, pathKey } from './path_keys.js';

export interface DelayQueueOptions {
  /** `delay` in ms: how long the oldest event may wait for company. */
  readonly delayMs: number;
  /** `maxDelays`: with this many waiting delays a batch is due immediately. */
  readonly maxDelays: number;
  /** Split every Move into Delete + Create on ingest (default.rsync has no onMove, docs/lsyncd-compat.md#paths-moves-and-excludes). */
  readonly splitMoves?: boolean;
}

export interface BatchOptions {
  /** At most this many delays per batch. */
  readonly limit?: number;
  /**
   * A batch holds either only Moves or only non-Moves: the first eligible delay decides, and the
   * batch ends at the first eligible delay of the other class (lsyncd rsyncssh `'break'`, docs/lsyncd-compat.md#rsyncssh-commands),
   * so moves (one ssh call) and transfers (one rsync) keep their relative order.
   */
  readonly movesSeparately?: boolean;
}

export interface Batch {
  readonly id: number;
  /** In FIFO order; execute in this order where order matters (direct mode, ssh moves). */
  readonly delays: readonly Delay[];
  /** True when the batch is a single Full marker (run a full transfer). */
  readonly full: boolean;
}

export type Outcome = { readonly kind: 'ok' } | { readonly kind: 'again'; readonly retryAt: number };

interface Rec {
  seq: number;
  kind: DelayKind;
  path: SyncPath;
  key: string;
  destination: SyncPath | undefined;
  destKey: string | undefined;
  isDir: boolean;
  alarm: number;
  status: 'wait' | 'active';
  fromMove: boolean;
  attempts: number;
  reason: string | undefined;
  eligible: boolean;
  prev: Rec | null;
  next: Rec | null;
  batch: number;
}

interface Selector {
  open(): boolean;
  offer(r: Rec): boolean;
}

const NO_SELECTION: Selector = { open: () => false, offer: () => false };

export class DelayQueue {
  private readonly delayMs: number;
  private readonly maxDelays: number;
  private readonly splitMoves: boolean;

  private head: Rec | null = null;
  private tail: Rec | null = null;
  private nextSeq = 1;
  private nextBatchId = 1;

  private readonly index = new PathIndex<Rec>();
  /** Keys of active and blocked delays: a new delay related to any of them is blocked. */
  private readonly taint = new RelatedKeySet();
  private fullCount = 0;

  private waitingCount = 0;
  private activeCount = 0;
  private eligibleCount = 0;
  private eligibleMinAlarm = Infinity;
  private holdUntil = -Infinity;
  private readonly batches = new Map<number, Rec[]>();

  constructor(opts: DelayQueueOptions) {
    if (!(opts.delayMs >= 0)) throw new RangeError('delayMs must be >= 0');
    if (!(opts.maxDelays >= 1)) throw new RangeError('maxDelays must be >= 1');
    this.delayMs = opts.delayMs;
    this.maxDelays = opts.maxDelays;
    this.splitMoves = opts.splitMoves ?? false;
  }

  /** Delays waiting (not running). */
  get waiting(): number {
    return this.waitingCount;
  }

  /** A Full marker is queued (waiting or running). */
  get fullQueued(): boolean {
    return this.fullCount > 0;
  }

  /** Delays handed out in a batch and not yet completed. */
  get active(): number {
    return this.activeCount;
  }

  /** Sequence numbers of waiting delays that are blocked by an older related delay (status). */
  blockedSeqs(): Set<number> {
    const out = new Set<number>();
    for (let r = this.head; r !== null; r = r.next) if (r.status === 'wait' && !r.eligible) out.add(r.seq);
    return out;
  }

  /** All queued delays, FIFO order (for the status file and tests). */
  snapshot(): Delay[] {
    const out: Delay[] = [];
    for (let r = this.head; r !== null; r = r.next) out.push(view(r));
    return out;
  }

  /** Queues one event observed at `now`. */
  ingest(event: QueueEvent, now: number): void {
    if (event.kind === 'Move') this.ingestMove(event.path, event.destination, now);
    else this.ingestPath(event.kind, event.path, now + this.delayMs, event.fromMove === true);
  }

  /**
   * Queues a Full resync marker (init transfer, overflow, root gone, crontab). It never combines
   * with events. A Full still waiting anywhere in the queue absorbs the new one (false returned):
   * it has not read the source yet, so it will carry every change the new one would. A running
   * Full does not: it may have read past a change already.
   */
  addFull(now: number, reason?: string): boolean {
    if (this.fullCount > 0) {
      for (let r = this.tail; r !== null; r = r.prev) if (r.kind === 'Full' && r.status === 'wait') return false;
    }
    const r = this.newRec('Full', '/', '', now, false);
    r.reason = reason;
    this.fullCount++;
    this.append(r);
    return true;
  }

  /**
   * Earliest time at which {@link getBatch} can return a batch, or null when nothing can run
   * until a batch completes or an event arrives. May be -Infinity (due immediately).
   */
  nextWakeup(): number | null {
    if (this.eligibleCount === 0) return null;
    const due = this.waitingCount >= this.maxDelays ? -Infinity : this.eligibleMinAlarm;
    return Math.max(due, this.holdUntil);
  }

  /**
   * All eligible waiting delays if a batch is due at `now` (lsyncd getEvents semantics, docs/lsyncd-compat.md#delay-and-maxdelays), marked
   * active; null otherwise. A due Full marker comes as a batch of its own (`full: true`).
   */
  getBatch(now: number, opts: BatchOptions = {}): Batch | null {
    const wake = this.nextWakeup();
    if (wake === null || wake > now) return null;
    const limit = opts.limit ?? Infinity;
    const taken: Rec[] = [];
    let full = false;
    let open = true; // still selecting
    let moveClass: boolean | undefined;
    this.rebuild({
      open: () => open,
      offer: (r) => {
        if (r.kind === 'Full') {
          open = false;
          if (taken.length > 0) return false;
          full = true;
          taken.push(r);
          return true;
        }
        const isMove = r.kind === 'Move';
        if (opts.movesSeparately === true) {
          if (moveClass === undefined) moveClass = isMove;
          else if (moveClass !== isMove) {
            open = false;
            return false;
          }
        }
        taken.push(r);
        if (taken.length >= limit) open = false;
        return true;
      },
    });
    if (taken.length === 0) return null;
    this.holdUntil = -Infinity;
    const id = this.nextBatchId++;
    for (const r of taken) r.batch = id;
    this.batches.set(id, taken);
    return { id, delays: taken.map(view), full };
  }

  /** Releases a batch from {@link getBatch}. */
  complete(batch: Batch, outcome: Outcome): void {
    const recs = this.batches.get(batch.id);
    if (recs === undefined) throw new Error(`unknown or already completed batch ${batch.id}`);
    this.batches.delete(batch.id);
    for (const r of recs) {
      this.activeCount--;
      if (outcome.kind === 'ok') {
        this.unlink(r);
      } else {
        r.status = 'wait';
        r.batch = 0;
        r.alarm = outcome.retryAt;
        r.attempts++;
        this.waitingCount++;
      }
    }
    if (outcome.kind === 'again') {
      this.holdUntil = Math.max(this.holdUntil, outcome.retryAt);
      for (const r of recs) if (r.prev !== null || this.head === r) this.mergeRetried(r);
    }
    this.rebuild(NO_SELECTION);
  }

  /**
   * Takes the waiting delays `pick` selects out of the queue, FIFO order (the mass-delete guard
   * sets deletes aside, src/engine/delete_guard.ts). Full markers and running delays stay.
   */
  takeWaiting(pick: (d: Delay) => boolean): Delay[] {
    const out: Delay[] = [];
    for (let r = this.head; r !== null; ) {
      const next = r.next;
      if (r.status === 'wait' && r.kind !== 'Full' && pick(view(r))) {
        out.push(view(r));
        this.unlink(r);
        this.waitingCount--;
      }
      r = next;
    }
    if (out.length > 0) this.rebuild(NO_SELECTION);
    return out;
  }

  // ---- ingest ------------------------------------------------------------------------------

  private ingestPath(kind: PathEventKind, path: SyncPath, alarm: number, fromMove: boolean): void {
    const key = pathKey(path);
    const isDir = isDirPath(path);
    const newestRelated = this.index.newestRelatedSeq(key);
    if (newestRelated >= 0) {
      const same = this.index.newestAt(key);
      if (same !== undefined && same.seq === newestRelated && same.status === 'wait') {
        if (same.kind === 'Move') {
          // docs/lsyncd-compat.md#collapsing-events-on-one-path: Delete/Create on a waiting Move's destination turns the Move into Delete(origin).
          if (same.destKey === key && same.key !== key && (kind === 'Delete' || kind === 'Create')) {
            this.moveToDelete(same);
          }
        } else if (same.kind !== 'Full') {
          const action = collapse(same.kind, same.isDir, kind, isDir);
          if (action === 'absorb') {
            // A directory moved over a pending Create of an empty one (`mkdir d; mv -T x d`):
            // the kept Create must still stand for the moved-in subtree, which the watcher does
            // not report again.
            if (fromMove) same.fromMove = true;
            return;
          }
          if (action === 'replace') {
            same.kind = kind;
            same.path = path;
            same.isDir = isDir;
            same.fromMove = fromMove;
            if (alarm < same.alarm && same.attempts === 0) this.lowerAlarm(same, alarm);
            return;
          }
        }
      }
    }
    this.append(this.newRec(kind, path, key, alarm, fromMove));
  }

  private ingestMove(origin: SyncPath, destination: SyncPath, now: number): void {
    const alarm = now + this.delayMs;
    const okey = pathKey(origin);
    const dkey = pathKey(destination);
    if (this.splitMoves || this.index.newestRelatedSeq(okey) >= 0 || this.index.newestRelatedSeq(dkey) >= 0) {
      this.ingestPath('Delete', origin, alarm, true);
      this.ingestPath('Create', destination, alarm, true);
      return;
    }
    const r = this.newRec('Move', origin, okey, alarm, false);
    r.destination = destination;
    r.destKey = dkey;
    this.append(r);
  }

  private moveToDelete(r: Rec): void {
    if (r.destKey !== undefined) this.index.remove(r.destKey, r);
    r.kind = 'Delete';
    r.destination = undefined;
    r.destKey = undefined;
    r.fromMove = true;
  }

  private lowerAlarm(r: Rec, alarm: number): void {
    r.alarm = alarm;
    if (r.eligible && alarm < this.eligibleMinAlarm) this.eligibleMinAlarm = alarm;
  }

  // ---- structure ---------------------------------------------------------------------------

  private newRec(kind: DelayKind, path: SyncPath, key: string, alarm: number, fromMove: boolean): Rec {
    return {
      seq: this.nextSeq++,
      kind,
      path,
      key,
      destination: undefined,
      destKey: undefined,
      isDir: kind === 'Full' ? true : isDirPath(path),
      alarm,
      status: 'wait',
      fromMove,
      attempts: 0,
      reason: undefined,
      eligible: false,
      prev: null,
      next: null,
      batch: 0,
    };
  }

  /** Links a new waiting delay at the tail and decides its eligibility incrementally. */
  private append(r: Rec): void {
    const wasEmpty = this.head === null;
    r.prev = this.tail;
    if (this.tail !== null) this.tail.next = r;
    else this.head = r;
    this.tail = r;
    this.waitingCount++;
    if (r.kind === 'Full') {
      r.eligible = wasEmpty;
    } else {
      this.index.add(r.key, r);
      if (r.destKey !== undefined) this.index.add(r.destKey, r);
      // Any Full in the queue (waiting or active) is a barrier for everything appended after it.
      r.eligible = this.fullCount === 0 && !this.relatedToTaint(r);
      if (!r.eligible) this.addTaint(r);
    }
    if (r.eligible) {
      this.eligibleCount++;
      if (r.alarm < this.eligibleMinAlarm) this.eligibleMinAlarm = r.alarm;
    }
  }

  private unlink(r: Rec): void {
    if (r.prev !== null) r.prev.next = r.next;
    else this.head = r.next;
    if (r.next !== null) r.next.prev = r.prev;
    else this.tail = r.prev;
    r.prev = r.next = null;
    if (r.kind === 'Full') this.fullCount--;
    else {
      this.index.remove(r.key, r);
      if (r.destKey !== undefined) this.index.remove(r.destKey, r);
    }
  }

  private relatedToTaint(r: Rec): boolean {
    return this.taint.related(r.key) || (r.destKey !== undefined && this.taint.related(r.destKey));
  }

  private addTaint(r: Rec): void {
    this.taint.add(r.key);
    if (r.destKey !== undefined) this.taint.add(r.destKey);
  }

  /**
   * Recomputes eligibility in one FIFO walk, optionally selecting a batch. While the selector is
   * open, eligible delays offered to it and taken become active but do NOT block later related
   * delays (related waiting delays share one batch, in FIFO order, like lsyncd's getEvents).
   * Once the selector closes (limit, class change, Full), everything taken so far blocks what
   * is related to it for the rest of the walk.
   */
  private rebuild(selector: Selector): void {
    this.taint.clear();
    this.eligibleCount = 0;
    this.eligibleMinAlarm = Infinity;
    let barrier = false;
    const taken: Rec[] = [];
    let sealed = false;
    for (let r = this.head; r !== null; r = r.next) {
      if (!sealed && !selector.open()) {
        sealed = true;
        for (const t of taken) if (t.kind !== 'Full') this.addTaint(t);
      }
      if (r.status === 'active') {
        r.eligible = false;
        if (r.kind === 'Full') barrier = true;
        else this.addTaint(r);
        continue;
      }
      if (r.kind === 'Full') {
        r.eligible = r === this.head;
        barrier = true;
      } else if (barrier || this.relatedToTaint(r)) {
        r.eligible = false;
        this.addTaint(r);
        continue;
      } else {
        r.eligible = true;
      }
      if (!r.eligible) continue;
      if (!sealed && selector.offer(r)) {
        r.eligible = false;
        r.status = 'active';
        this.waitingCount--;
        this.activeCount++;
        taken.push(r);
      } else {
        if (!sealed && !selector.open()) {
          // The selector closed on this very delay (class change): re-judge it against the batch.
          sealed = true;
          for (const t of taken) if (t.kind !== 'Full') this.addTaint(t);
          if (r.kind !== 'Full' && this.relatedToTaint(r)) {
            r.eligible = false;
            this.addTaint(r);
            continue;
          }
        }
        this.eligibleCount++;
        if (r.alarm < this.eligibleMinAlarm) this.eligibleMinAlarm = r.alarm;
      }
    }
    if (!sealed) for (const t of taken) if (t.kind !== 'Full') this.addTaint(t);
  }

  /**
   * After `again`: merge the retried delay with the next same-path delay that arrived while it
   * ran, per the collapse table, when nothing else related lies between them.
   */
  private mergeRetried(r: Rec): void {
    if (r.kind === 'Move' || r.kind === 'Full') return;
    const list = this.index.itemsAt(r.key);
    const i = list.indexOf(r);
    const n = list[i + 1];
    if (n === undefined || n.status !== 'wait' || n.kind === 'Move' || n.kind === 'Full') return;
    if (this.index.hasRelatedBetween(r.key, r.seq, n.seq)) return;
    const action = collapse(r.kind, r.isDir, n.kind, n.isDir);
    if (action === 'stack') return;
    if (action === 'replace') {
      r.kind = n.kind;
      r.path = n.path;
      r.isDir = n.isDir;
      r.fromMove = n.fromMove;
    } else if (n.fromMove) r.fromMove = true; // absorbed: keep its subtree (see ingestPath)
    this.unlink(n);
    this.waitingCount--;
  }
}

function view(r: Rec): Delay {
  return {
    seq: r.seq,
    kind: r.kind,
    path: r.path,
    destination: r.destination,
    isDir: r.isDir,
    alarm: r.alarm,
    status: r.status,
    fromMove: r.fromMove,
    attempts: r.attempts,
    reason: r.reason,
  };
}
