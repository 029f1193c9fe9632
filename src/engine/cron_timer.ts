// The timer behind a sync's `crontab` (lsyncd 2.3): fires `tick` at each time one of the sync's
// cron expressions (src/config/crontab.ts) matches, and tells when the next one is (status,
// metrics).
//
// Contract:
//   - start() arms one timeout for the soonest match of all expressions after now; after it
//     fires, the next one is armed from the later of the time it was due and now: a wake-up a
//     little late does not skip the next second, and matches missed altogether (the machine was
//     suspended) make one tick, not a burst. stop() clears it for good; start() after stop()
//     does nothing (a stopped sync has no schedule).
//   - A timeout is at most MAX_TIMEOUT_MS away (Node's limit is ~24.8 days): a later match is
//     reached through intermediate wake-ups that fire nothing.
//   - What a tick does is the owner's business: SyncRunner queues a Full transfer, which the
//     delay queue collapses into a Full already waiting (DelayQueue.addFull).
//   - An expression that can no longer match (the library throws) is left out of the schedule.
// The timer does not keep the process alive on its own (unref): the daemon lives for its watches.
import { type CronEntry, parseCronEntry } from '../config/crontab.js';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class CronTimer {
  private readonly entries: CronEntry[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Epoch ms of the next match, while armed. */
  private nextAt: number | undefined;

  constructor(
    expressions: readonly string[],
    private readonly tick: () => void,
    private readonly clock: () => number = Date.now,
  ) {
    // Expressions were validated with the config (normalize.ts); one that is not valid is skipped.
    this.entries = expressions.flatMap((e) => {
      const p = parseCronEntry(e);
      return p.ok ? [p.entry] : [];
    });
  }

  /** When the next tick is due (epoch ms), or undefined when none is scheduled. */
  get next(): number | undefined {
    return this.nextAt;
  }

  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.arm(this.clock());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = undefined;
  }

  private soonestAfter(ms: number): number | undefined {
    let best: number | undefined;
    for (const e of this.entries) {
      let t: number;
      try {
        t = e.next(ms);
      } catch {
        continue;
      }
      if (best === undefined || t < best) best = t;
    }
    return best;
  }

  private arm(after: number): void {
    const due = this.soonestAfter(after);
    this.nextAt = due;
    if (due === undefined) return;
    this.wait(due);
  }

  private wait(due: number): void {
    const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, due - this.clock()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      if (this.clock() < due) return this.wait(due);
      this.tick();
      if (!this.stopped) this.arm(Math.max(due, this.clock()));
    }, ms);
    this.timer.unref();
  }
}
