// Scheduler: who may start a transfer now. A global cap (settings.maxProcesses, lsyncd: across
// all syncs) and each sync's own cap (sync.maxProcesses); syncs are served round-robin so one
// busy sync cannot starve the others (lsyncd tests/schedule.lua; docs/lsyncd-compat.md#delay-and-maxdelays "syncs are served
// round-robin"). As in lsyncd, settings.maxProcesses also overrides each sync's own value
// (src/config/normalize.ts), except that rsyncssh syncs stay at 1 (lsyncd issues #676/#590).
//
// What a slot covers: a transfer (a Transport's full() or batch() — the rsync, ssh or copy work).
// Establishing a connection does not take one: a transport with connect() (the rsyncssh ssh
// master, an rsync daemon's greeting) is connected by its SyncRunner before tryStart() takes a
// slot, so settings.maxProcesses caps transfers as in lsyncd, while connection attempts — at most
// one per sync at a time, each bounded by the sync's connectTimeout — run beside them. A target
// that does not answer therefore never holds a slot a healthy target needs. Exceptions: an rsyncssh
// link lost between connect and transfer is re-established inside the slot (bounded by
// connectTimeout); default.rsync to `host:path` runs rsync's own remote shell, which connects
// inside the slot with the user's ssh settings.
//
// Contract: pump() repeatedly offers a slot to the next sync in rotation whose tryStart() takes
// it (it returns true when it started a transfer), until the global cap is reached or a full
// round started nothing. Syncs call done() when a transfer ends and then pump() again.
export interface Schedulable {
  /** Active transfers of this sync. */
  readonly running: number;
  readonly maxProcesses: number;
  /** Starts one transfer if one is due; true when it did. */
  tryStart(): boolean;
}

export class Scheduler {
  private readonly members: Schedulable[] = [];
  /**
   * Index after the last member offered a slot; wrapped only when used, so a member added later
   * (start-up, reload) still comes before the last-served one has its next turn.
   */
  private next = 0;
  private active = 0;

  constructor(private globalMax: number = Infinity) {}

  /** A new global cap (config reload); takes effect at the next pump(). */
  setGlobalMax(max: number): void {
    this.globalMax = max;
  }

  add(s: Schedulable): void {
    this.members.push(s);
  }

  remove(s: Schedulable): void {
    const i = this.members.indexOf(s);
    if (i >= 0) {
      this.members.splice(i, 1);
      if (this.next > i) this.next--;
    }
  }

  get running(): number {
    return this.active;
  }

  pump(): void {
    let idle = 0;
    while (this.active < this.globalMax && this.members.length > 0 && idle < this.members.length) {
      const i = this.next % this.members.length;
      const s = this.members[i]!;
      this.next = i + 1;
      if (s.running < s.maxProcesses && s.tryStart()) {
        this.active++;
        idle = 0;
      } else {
        idle++;
      }
    }
  }

  /** A transfer started through tryStart() has ended. */
  done(): void {
    this.active = Math.max(0, this.active - 1);
  }
}
