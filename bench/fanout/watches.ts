// Item `watches`: what N syncs on one source hold in the kernel and in memory. One source of
// about 2,000 directories (created before start, so start-up watches all of it), N local rsync
// targets (N = 1, 8, 64 by default), each variant started on its own copy. After every sync
// logged "Startup of … finished" and the daemon with its children used no CPU for 300 ms, we read
// /proc/PID/fd (inotify instances: fds that are `anon_inode:inotify`), /proc/PID/fdinfo (watches:
// `inotify wd:` lines, summed over the instances) and VmRSS of the daemon process (children not
// included). Watches per directory = watches / directories in the source (incl. its root).
import fs from 'node:fs';
import path from 'node:path';

import { makeTempDir, releaseTempDir, waitIdle } from '../sync/common.js';
import { fdCount, inotifyOf, makeDirTree, readRss, startVariant, type Variant, waitStartups } from './common.js';

export interface WatchesRow {
  variant: string;
  targets: number;
  /** Directories in the source, its root included. */
  dirs: number;
  watches: number;
  instances: number;
  fds: number;
  rssBytes: number;
  startupMs: number;
  error?: string;
}

export async function runWatches(variants: readonly Variant[], targetCounts: readonly number[], dirs: number): Promise<WatchesRow[]> {
  const rows: WatchesRow[] = [];
  for (const n of targetCounts) {
    for (const v of variants) {
      const dir = makeTempDir('lsyncd-ts-bench-fan-watch-');
      const src = path.join(dir, 'src');
      makeDirTree(src, dirs - 1);
      const targets = Array.from({ length: n }, (_, i) => path.join(dir, `t${i}`));
      for (const t of targets) fs.mkdirSync(t);
      const t0 = performance.now();
      const d = startVariant(v, { mode: 'rsync', source: src, dirs: targets }, dir);
      try {
        const up = await waitStartups(d, n, 300_000);
        const row: WatchesRow = { variant: v.id, targets: n, dirs, watches: NaN, instances: NaN, fds: NaN, rssBytes: NaN, startupMs: NaN };
        if (!up.ok) row.error = up.reason;
        else {
          row.startupMs = up.at - t0;
          await waitIdle(d.pid, 300, 30_000);
          Object.assign(row, inotifyOf(d.pid), { fds: fdCount(d.pid), rssBytes: readRss(d.pid) });
        }
        rows.push(row);
        process.stderr.write(`  ${v.id}, ${n} targets: ${row.error ?? `${row.watches} watches in ${row.instances} instances, RSS ${(row.rssBytes / 2 ** 20).toFixed(1)} MiB, startup ${row.startupMs.toFixed(0)} ms`}\n`);
      } finally {
        await d.stop();
        releaseTempDir(dir);
      }
    }
  }
  return rows;
}
