// Flood guard: collapses identical consecutive lines, as syslogd's "last message repeated N times".
//
// Why: lsyncd logged floods — `waiting for N more child processes` during a long initial rsync
// (lsyncd#93, later rate-limited to once a minute) and overflow/restart loops writing 400 MB of log in
// two days (lsyncd#343, lsyncd#315; docs/lsyncd-compat.md#known-lsyncd-problems). Rate-limiting each call site is whack-a-mole; one
// guard in front of every destination catches all of them.
//
// Contract:
//  - A record equal to the previous emitted one (same level, category, sync and message) is
//    counted, not written. The count is written as `last message repeated N times` (same category;
//    a single repeat is written as the line itself) when: a different line arrives, `flush()` /
//    `dispose()` is called (close), or `flushAfterMs` (default 30 s) after the first suppressed
//    repeat — so a flood costs one line per 30 s and the count never waits for the next message.
//  - The timer is unref'd: it never keeps the process alive.
import type { LogRecord } from './formats.js';

export interface RepeatGuardOptions {
  readonly emit: (r: LogRecord) => void;
  readonly now?: () => Date;
  readonly flushAfterMs?: number;
}

const keyOf = (r: LogRecord): string => `${r.level}\0${r.category}\0${r.sync ?? ''}\0${r.message}`;

export class RepeatGuard {
  private last: LogRecord | undefined;
  private lastKey = '';
  private repeats = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly emit: (r: LogRecord) => void;
  private readonly now: () => Date;
  private readonly flushAfterMs: number;

  constructor(opts: RepeatGuardOptions) {
    this.emit = opts.emit;
    this.now = opts.now ?? (() => new Date());
    this.flushAfterMs = opts.flushAfterMs ?? 30_000;
  }

  push(r: LogRecord): void {
    const key = keyOf(r);
    if (this.last !== undefined && key === this.lastKey) {
      this.repeats++;
      if (this.timer === undefined) {
        this.timer = setTimeout(() => this.flush(), this.flushAfterMs);
        this.timer.unref();
      }
      return;
    }
    this.flush();
    this.last = r;
    this.lastKey = key;
    this.emit(r);
  }

  /** Writes the pending repeat count, if any. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const last = this.last;
    const n = this.repeats;
    if (last === undefined || n === 0) return;
    this.repeats = 0;
    const message = n === 1 ? last.message : `last message repeated ${n} times`;
    this.emit({ ...last, time: this.now(), message });
  }

  /** flush() and forget the last line. */
  dispose(): void {
    this.flush();
    this.last = undefined;
    this.lastKey = '';
  }
}
