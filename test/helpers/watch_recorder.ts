// WatchRecorder: a Watcher whose batches are appended to a list of records, for tests.
// Synchronise with `await rec.settle()` (Watcher.flush: every change made before the call has
// been delivered) — never with sleeps.
import type { TestContext } from 'node:test';

import { Watcher, type WatchRecord, type WatcherOptions, type WatchRule } from '../../src/watcher/index.js';

export class WatchRecorder {
  readonly records: WatchRecord[] = [];
  readonly batches: number[] = [];
  readonly watcher: Watcher;
  onBatchHook?: () => void | Promise<void>;

  /**
   * By default batches leave only on flush() (settle and latency timers set to a minute), so batch
   * boundaries — and so coalescing — never depend on scheduling. Pass timers to test them.
   */
  constructor(t: TestContext, opts: WatcherOptions = {}) {
    this.watcher = new Watcher({ settleMs: 60_000, maxLatencyMs: 60_000, ...opts }, async (batch) => {
      this.batches.push(batch.length);
      for (const r of batch) this.records.push(r);
      if (this.onBatchHook) await this.onBatchHook();
    });
    t.after(() => this.watcher.close());
  }

  add(root: string, rules: WatchRule[] = []) {
    return this.watcher.add(root, rules);
  }

  async settle(): Promise<void> {
    await this.watcher.flush();
  }

  /** Records as "Kind path" strings (paths as text), optionally only those after index `from`. */
  lines(from = 0): string[] {
    return this.records.slice(from).map((r) => `${r.kind} ${r.path.toString()}`);
  }

  /** Paths reported with a given kind. */
  paths(kind: WatchRecord['kind']): string[] {
    return this.records.filter((r) => r.kind === kind).map((r) => r.path.toString());
  }

  clear(): void {
    this.records.length = 0;
  }
}
