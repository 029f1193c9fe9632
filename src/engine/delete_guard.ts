// The mass-delete guard of one sync (rsync, rsyncssh, direct): `rm -rf src/*` or an unmounted
// source must not empty the target within seconds. When a burst of deletes looks
// like a wipe, the sync is *held*: no delete reaches the target, every other change keeps flowing,
// and the operator releases the deletes (`lsyncd-ts release`, SIGUSR2) or restores the source.
//
// The rule (isMassDelete, the one home of the decision):
//   hold ⇔ D ≥ minimum  AND  D ≥ fraction × (S + D)
//   D = distinct paths deleted in the source within the last `window` seconds, except those
//       that were created — or lie under a directory created or moved into place — within it,
//       and those created again since (every Delete record counts, including each file inside a
//       deleted directory: the watcher reports them one by one; moves inside the tree never
//       count). A path made and removed within the window is scratch work — temp files, a build
//       or test tree, a directory renamed and then removed — not something the target has kept:
//       counting it would make a busy scratch tree look like a wipe. Up to MAX_TRACKED_CREATES
//       recent creates are remembered; beyond that, deletes of untracked new paths count;
//   S = entries (files, directories, symlinks; the root not) in the source NOW, honouring the
//       sync's filters/excludes.
//   S + D estimates what the target holds without asking it: the target mirrors the source, so
//   it holds what the source holds plus what was deleted and not yet (or only just) applied.
//   Defaults (config/defaults.ts): fraction 0.5, minimum 50, window 60 s. Deleting one directory
//   among many (10 % of the tree, or anything under half of it) never holds; a whole-tree wipe of
//   at least 50 entries always does, because S drops to (almost) 0 and D/(S+D) to (almost) 1.
//   Below 50 deletes nothing is held: a tree that small is restored from anywhere in seconds,
//   and small trees see "delete most of it" as normal work (a build directory, a checkout).
//
// When the rule is applied, so the first batch cannot slip through:
//   - while D < minimum (normal work) deletes go straight into the delay queue and cost one map
//     entry each; the source is never walked;
//   - once D reaches the threshold the sync is *settling*: the Delete delays still waiting in the
//     queue are taken back out and every new delete is set aside. The rule is applied only when
//     no delete has arrived for SETTLE_MS (the burst is over: `rm -rf` has emptied what it will),
//     or `window` seconds after settling began (a steady stream of deletes never settles). A
//     verdict "no" feeds the set-aside deletes back, with their original times; the next
//     judgement then waits until `minimum` more deletes arrived (a long clean-up is walked once
//     per `minimum` deletes, not once per delete);
//   - the walk of S stops as soon as S exceeds D·(1−f)/f (sourceBound), the largest S that still
//     holds: normal work pays O(D) for it, and a wipe pays almost nothing.
//   What remains possible: with delay 0, up to minimum−1 deletes of a burst may already have run
//   before it reached the threshold (with any delay ≥ 1 s they are still queued and are taken
//   back); a wipe spread over much more than `window` is judged on its last window only; a
//   directory moved OUT of the source is one Delete (the kernel reports only the directory), so
//   `mv src/* /elsewhere` counts its top-level entries, not what they hold.
//
// Only deletes that would reach the target are guarded (delete_guard_host.ts): none with
// `delete = false`, full transfers only with "startup", events only with "running".
//
// Holding: deletes are kept here (not in the queue), keyed like the queue (path_keys.ts), so a
// held path that appears in the source again (Create, or the destination of a Move) is dropped;
// when none remain the hold ends by itself. Release applies the held deletes whose paths are
// still absent from the source (lstat at release time), due at once. A full transfer while the
// sync is settling or held runs without --delete, and release then queues a full resync with it.
//
// Empty source before a full transfer (init, overflow, source back) that would delete: when the
// source has no entries and the target cannot be shown to be empty (Transport.targetHasEntries),
// the full transfer runs without deleting and the sync is held the same way; only release (or a
// restart with a non-empty source) ends that hold, since "the source is back" cannot be told
// from "a few new files". The full transfer release queues deletes even from an empty source:
// the operator has looked. (An rm -rf that overflows the kernel queue loses its Delete events;
// this check is what holds it then.)
//
// The hold lives in memory: a restart (or a reload that changes the sync) runs the init transfer,
// which deletes what is gone from the source unless the source is empty.
//
// Time: window and settling use performance.now() ms (the queue's clock); `since` is wall-clock.
import type { DeleteGuardSettings } from '../config/schema.js';
import { displayPath, type SyncPath } from '../paths/byte_path.js';
import { forEachAncestor, pathKey } from '../queue/path_keys.js';

/** Recent creates remembered to tell scratch deletes from deletes of kept data (memory bound). */
export const MAX_TRACKED_CREATES = 200_000;

/** No delete for this long: the burst is over and the rule is applied. */
export const SETTLE_MS = 1000;

/** Released deletes are requeued as observed this long ago: due at once, whatever the delay. */
const DUE_NOW_MS = 1e12;

export interface MassDeleteInput {
  /** D: distinct paths deleted within the window. */
  readonly deleted: number;
  /** S: entries left in the source. */
  readonly sourceEntries: number;
  readonly fraction: number;
  readonly minimum: number;
}

/** The guard's rule (see the header). */
export function isMassDelete(i: MassDeleteInput): boolean {
  return i.deleted >= i.minimum && i.deleted >= i.fraction * (i.sourceEntries + i.deleted);
}

/** The largest S for which `deleted` deletes still hold the sync: the source walk may stop above it. */
export function sourceBound(deleted: number, fraction: number): number {
  const holds = (s: number): boolean => isMassDelete({ deleted, sourceEntries: s, fraction, minimum: 0 });
  // D·(1−f)/f, then nudged by the rule itself so rounding can never disagree with it.
  let b = Math.max(0, Math.floor((deleted * (1 - fraction)) / fraction));
  while (holds(b + 1)) b++;
  while (b > 0 && !holds(b)) b--;
  return b;
}

/** A held sync, as status, metrics and /healthz show it. */
export interface DeleteHold {
  /** Held delete events (0 for an empty source whose full transfer ran without deleting). */
  readonly deletes: number;
  /** Wall-clock ms when the hold began. */
  readonly since: number;
  /** One line: what was seen, with the numbers. */
  readonly reason: string;
}

/** A delete set aside or held: its path and when it was observed (queue clock). */
export interface HeldDelete {
  readonly path: SyncPath;
  readonly at: number;
}

/** What the guard needs from its sync (SyncRunner implements it). */
export interface DeleteGuardHost {
  readonly name: string;
  /** Deletes of events reach the target (`delete` = true or "running"); else only full transfers are guarded. */
  readonly guardsEvents: boolean;
  /** Entries in the source honouring the rules; may stop counting once above `stopAfter`. */
  countSource(stopAfter: number): number;
  /** Whether the root-relative path exists in the source (lstat; unknown counts as existing). */
  existsInSource(path: SyncPath): boolean;
  /** Takes the waiting Delete delays that stand for deletions (not halves of moves) out of the queue. */
  takeQueuedDeletes(): HeldDelete[];
  /** Queues deletes again, each as observed at `at` (earlier = due sooner). */
  requeue(deletes: readonly HeldDelete[]): void;
  /** Queues a full transfer with the sync's delete mode. */
  queueFull(reason: string): void;
  /** Something changed (settling ended, hold began or ended): reschedule, report idleness. */
  changed(): void;
  warn(message: string): void;
  normal(message: string): void;
}

type Phase = 'open' | 'settling' | 'held';

export class DeleteGuard {
  private phase: Phase = 'open';
  /** Deleted paths within the window, oldest first (re-deleting a key moves it to the end). */
  private readonly window = new Map<string, number>();
  /** Paths created within the window, oldest first: their deletes are not counted. */
  private readonly created = new Map<string, number>();
  /** Settling: deletes waiting for the verdict. Held: the held deletes. */
  private readonly aside = new Map<string, HeldDelete>();
  /** D at the last "no" verdict: the next judgement waits for `minimum` more. */
  private judgedAt = 0;
  private settleSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private heldSince = 0;
  private reason = '';
  /** A full transfer ran without --delete because of the guard: release runs one with it. */
  private fullDeletePending = false;
  /** Released by the operator: the next full transfer deletes even from an empty source. */
  private releasedFull = false;

  constructor(
    readonly settings: DeleteGuardSettings,
    private readonly host: DeleteGuardHost,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Deletes wait for a verdict: the sync is not idle. */
  get settling(): boolean {
    return this.phase === 'settling';
  }

  hold(): DeleteHold | undefined {
    if (this.phase !== 'held') return undefined;
    return { deletes: this.aside.size, since: this.heldSince, reason: this.reason };
  }

  /**
   * Sees every event before the queue does. Returns true when the event was taken (a delete set
   * aside or held); false: queue it as usual.
   */
  intercept(kind: string, path: SyncPath, destination: SyncPath | undefined): boolean {
    if (!this.host.guardsEvents) return false;
    if (kind !== 'Delete') {
      const p = kind === 'Move' && destination !== undefined ? destination : path;
      if (kind === 'Create' || kind === 'Move') this.noteCreate(p);
      this.restored(p);
      return false;
    }
    const key = pathKey(path);
    const at = this.now();
    if (this.phase === 'held') {
      this.aside.set(key, { path, at });
      return true;
    }
    this.prune(at);
    if (!this.isScratch(key)) {
      this.window.delete(key);
      this.window.set(key, at);
    }
    if (this.phase === 'settling') {
      this.aside.set(key, { path, at });
      this.armTimer(at);
      return true;
    }
    if (this.window.size < Math.max(this.settings.minimum, this.judgedAt + this.settings.minimum)) return false;
    this.phase = 'settling';
    this.settleSince = at;
    for (const d of this.host.takeQueuedDeletes()) this.aside.set(pathKey(d.path), d);
    this.aside.set(key, { path, at });
    this.armTimer(at);
    return true;
  }

  /**
   * Before a full transfer that deletes: true when it must run WITHOUT deleting (the sync is
   * settling or held, or the source is empty and the target may not be; see the header).
   */
  async fullMustKeep(targetHasEntries: () => Promise<boolean | undefined>): Promise<boolean> {
    if (this.phase !== 'open') {
      this.fullDeletePending = true;
      return true;
    }
    if (this.releasedFull) {
      this.releasedFull = false;
      return false;
    }
    if (this.host.countSource(0) > 0) return false;
    const target = await targetHasEntries();
    if (this.phase !== 'open') {
      this.fullDeletePending = true; // held while the target was listed
      return true;
    }
    if (target === false) return false;
    this.fullDeletePending = true;
    this.startHold(
      target === true
        ? 'the source is empty and the target is not: the full transfer ran without deleting'
        : 'the source is empty and the target could not be listed: the full transfer ran without deleting',
    );
    return true;
  }

  /** Applies what is held or settling (deletes whose paths are still absent). Returns how many, or undefined when nothing was held. */
  release(): number | undefined {
    if (this.phase === 'open') return undefined;
    this.clearTimer();
    const now = this.now();
    const apply = [...this.aside.values()].filter((d) => !this.host.existsInSource(d.path)).map((d) => ({ path: d.path, at: now - DUE_NOW_MS }));
    const full = this.fullDeletePending;
    this.reset();
    if (apply.length > 0) this.host.requeue(apply);
    this.releasedFull = full;
    if (full) this.host.queueFull('release of the mass-delete guard');
    this.host.normal(`${this.host.name}: mass-delete guard released: applying ${apply.length} held deletes${full ? ' and a full transfer with --delete' : ''}`);
    this.host.changed();
    return apply.length;
  }

  /** Stops the settle timer (the sync stops). */
  dispose(): void {
    this.clearTimer();
  }

  // ---------------------------------------------------------------------------------------------

  private restored(path: SyncPath): void {
    if (this.window.size === 0 && this.aside.size === 0) return;
    const key = pathKey(path);
    this.window.delete(key);
    if (!this.aside.delete(key) || this.phase !== 'held' || this.aside.size > 0 || this.fullDeletePending) return;
    this.reset();
    this.host.normal(`${this.host.name}: mass-delete guard: every held path is back in the source; the hold has ended`);
    this.host.changed();
  }

  /** Created, or under a directory created or moved into place, within the window. */
  private isScratch(key: string): boolean {
    if (this.created.size === 0) return false;
    if (this.created.delete(key)) return true;
    return forEachAncestor(key, (a) => a !== '' && this.created.has(a));
  }

  private noteCreate(path: SyncPath): void {
    const at = this.now();
    const key = pathKey(path);
    this.created.delete(key);
    if (this.created.size < MAX_TRACKED_CREATES) this.created.set(key, at);
    this.prune(at);
  }

  private prune(now: number): void {
    const oldest = now - this.settings.window * 1000;
    for (const map of [this.window, this.created]) {
      for (const [key, at] of map) {
        if (at >= oldest) break;
        map.delete(key);
      }
    }
    if (this.judgedAt > this.window.size) this.judgedAt = this.window.size;
  }

  private armTimer(now: number): void {
    this.clearTimer();
    const cap = this.settleSince + this.settings.window * 1000;
    const ms = Math.max(0, Math.min(SETTLE_MS, cap - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.judge();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private judge(): void {
    if (this.phase !== 'settling') return;
    this.prune(this.now());
    const deleted = this.window.size;
    const { fraction, minimum, window } = this.settings;
    const sourceEntries = this.host.countSource(sourceBound(deleted, fraction));
    if (isMassDelete({ deleted, sourceEntries, fraction, minimum })) {
      const pct = Math.round(fraction * 100);
      this.startHold(
        `${deleted} paths deleted within ${window} s, ${sourceEntries} entries left in the source ` +
          `(≥ ${pct} % of about ${sourceEntries + deleted} on the target, and ≥ minimum ${minimum})`,
      );
      return;
    }
    this.judgedAt = deleted;
    const back = [...this.aside.values()];
    const full = this.fullDeletePending;
    this.aside.clear();
    this.phase = 'open';
    this.fullDeletePending = false;
    this.host.requeue(back);
    if (full) this.host.queueFull('deletes judged normal by the mass-delete guard');
    this.host.changed();
  }

  private startHold(reason: string): void {
    this.clearTimer();
    this.phase = 'held';
    this.heldSince = Date.now();
    this.reason = reason;
    this.host.warn(
      `${this.host.name}: mass-delete guard: holding ${this.aside.size} deletes — ${reason}. Nothing is deleted on the target; ` +
        `other changes keep flowing. Release with "lsyncd-ts release CONFIG ${this.host.name}" (or kill -USR2 ${process.pid} for every held sync), ` +
        `or restore the source.${this.aside.size > 0 ? ` First held: ${displayPath([...this.aside.values()][0]!.path)}` : ''}`,
    );
    this.host.changed();
  }

  private reset(): void {
    this.clearTimer();
    this.phase = 'open';
    this.aside.clear();
    this.window.clear();
    this.created.clear();
    this.judgedAt = 0;
    this.fullDeletePending = false;
    this.reason = '';
  }
}
