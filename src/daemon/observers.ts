// The daemon's observers of the engine: the status file (src/status/status_writer.ts) and the
// metrics/health endpoint (src/metrics/metrics_server.ts), started from settings and re-applied
// on reload (a HUP that changes statusFile / statusInterval / metrics takes effect without a
// restart, unlike lsyncd where every HUP restarts everything, lsyncd#580).
//
// Contract:
//   start(settings) — metrics first: a listen failure is a start-up error (one line naming the
//     address and the fix), thrown before any tree is walked; the status writer never throws
//     (write failures are logged by it).
//   apply(next) — after a reload: restarts only what changed. A metrics listen failure there is
//     logged and leaves the endpoint off (the old one is closed first: the same port may be
//     re-bound with another host).
//   stop() — status written a last time (states "stopped"), endpoint closed; apply() is a no-op
//     from then on.
import type { NormalizedSettings } from '../config/schema.js';
import type { SyncSnapshot } from '../engine/engine.js';
import type { Log } from '../log/log.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics_server.js';
import { startStatusWriter, type StatusWriter } from '../status/status_writer.js';

export interface SnapshotSource {
  snapshot(): readonly SyncSnapshot[];
}

type ObservedSettings = Pick<NormalizedSettings, 'statusFile' | 'statusInterval' | 'metrics'>;

export class Observers {
  private status: StatusWriter | undefined;
  private metrics: MetricsServer | undefined;
  private current: ObservedSettings = { statusFile: undefined, statusInterval: 0, metrics: undefined };
  private closed = false;

  constructor(
    private readonly source: SnapshotSource,
    private readonly log: Log,
  ) {}

  async startMetrics(s: ObservedSettings): Promise<void> {
    if (this.closed) return;
    this.current = { ...this.current, metrics: s.metrics };
    if (s.metrics !== undefined) this.metrics = await startMetricsServer(this.source, { listen: s.metrics, log: this.log });
  }

  startStatus(s: ObservedSettings): void {
    if (this.closed) return;
    this.current = { ...this.current, statusFile: s.statusFile, statusInterval: s.statusInterval };
    if (s.statusFile !== undefined) this.status = startStatusWriter(this.source, { statusFile: s.statusFile, intervalSec: s.statusInterval, log: this.log });
  }

  async apply(s: ObservedSettings): Promise<void> {
    if (this.closed) return; // a reload finishing after TERM must not restart anything
    if (s.statusFile !== this.current.statusFile || s.statusInterval !== this.current.statusInterval) {
      await this.status?.stop();
      this.status = undefined;
      this.startStatus(s);
    } else {
      this.status?.writeNow();
    }
    if (s.metrics !== this.current.metrics) {
      await this.metrics?.close();
      this.metrics = undefined;
      try {
        await this.startMetrics(s);
      } catch (e) {
        this.log.error(`reload: ${(e as Error).message}; the metrics endpoint stays off`);
      }
    }
  }

  /** Rewrites the status file now (after a release, so `lsyncd-ts release` sees it at once). */
  writeStatusNow(): void {
    this.status?.writeNow();
  }

  async stop(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.status?.stop(), this.metrics?.close()]);
    this.status = undefined;
    this.metrics = undefined;
  }
}
