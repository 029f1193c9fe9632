// Item `targets64`: 64 targets of one source within default limits, per mode (local rsync
// targets; rsyncssh to 64 "servers" of common.ts startServers). The daemon runs under
// `prlimit --nofile=1024:1024` (the usual `ulimit -n`); the inotify limits are the machine's
// (max_user_instances is shared by every process of the user, so other programs' instances count
// too — the row records the value). Measured, after all 64 startups or the reason they did not
// happen: the daemon's inotify instances and watches, open fds and RSS; CPU of the start-up (the
// daemon with its children, common.ts hubCpuSeconds, from spawn until idle); then `samples`
// single-file changes (after one warm-up) with the time until the LAST target had the file and
// the hub CPU per change (CPU from before the first write until idle, divided by the samples).
// Lines of the log that mention a limit (EMFILE, "Too many open files", inotify, "limit") are
// counted and the first is kept.
import fs from 'node:fs';
import path from 'node:path';

import { makeTempDir, releaseTempDir, sleep, waitIdle } from '../sync/common.js';
import { type FanoutConfig, fanoutSample, fdCount, hubCpuSeconds, inotifyOf, makeDirTree, max, readRss, type Servers, startVariant, targetDir, type Variant, waitStartups } from './common.js';

export interface LimitsRow {
  variant: string;
  mode: 'rsync' | 'rsyncssh';
  targets: number;
  nofile: number;
  maxUserInstances: number;
  started: boolean;
  error?: string;
  startupMs: number;
  startupCpuSec: number;
  instances: number;
  watches: number;
  fds: number;
  rssBytes: number;
  last: number[];
  cpuPerChangeSec: number;
  limitLines: number;
  firstLimitLine?: string;
}

const LIMIT_RE = /EMFILE|too many open files|inotify|limit/i;

export async function runLimits(
  variants: readonly Variant[],
  modes: readonly ('rsync' | 'rsyncssh')[],
  o: { targets: number; dirs: number; samples: number; nofile: number; srv?: Servers },
): Promise<LimitsRow[]> {
  const rows: LimitsRow[] = [];
  const maxUserInstances = Number(fs.readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
  let n = 0;
  for (const mode of modes) {
    for (const v of variants) {
      const tag = `l${n++}`;
      const dir = makeTempDir(`lsyncd-ts-bench-fan-${tag}-`);
      const src = path.join(dir, 'src');
      makeDirTree(src, o.dirs - 1);
      const conf: FanoutConfig =
        mode === 'rsync'
          ? { mode, source: src, dirs: Array.from({ length: o.targets }, (_, i) => path.join(dir, `t${i}`)) }
          : { mode, source: src, servers: Array.from({ length: o.targets }, (_, i) => i), subdir: `tgt-${tag}`, srv: o.srv };
      const dirs = Array.from({ length: o.targets }, (_, i) => targetDir(conf, i)!);
      for (const t of dirs) fs.mkdirSync(t, { recursive: true });
      const row: LimitsRow = {
        variant: v.id, mode, targets: o.targets, nofile: o.nofile, maxUserInstances, started: false, startupMs: NaN, startupCpuSec: NaN,
        instances: NaN, watches: NaN, fds: NaN, rssBytes: NaN, last: [], cpuPerChangeSec: NaN, limitLines: 0,
      };
      const t0 = performance.now();
      const d = startVariant(v, conf, dir, ['prlimit', `--nofile=${o.nofile}:${o.nofile}`, '--']);
      try {
        const up = await waitStartups(d, o.targets, 300_000);
        if (!up.ok) row.error = up.reason;
        else {
          row.started = true;
          row.startupMs = up.at - t0;
          await waitIdle(d.pid, 300, 30_000);
          row.startupCpuSec = hubCpuSeconds(d.pid);
          Object.assign(row, inotifyOf(d.pid), { fds: fdCount(d.pid), rssBytes: readRss(d.pid) });
          await fanoutSample(src, dirs, 'warm-up', 60_000);
          await waitIdle(d.pid, 300, 15_000);
          const c0 = hubCpuSeconds(d.pid);
          for (let i = 1; i <= o.samples; i++) {
            row.last.push(max(await fanoutSample(src, dirs, `lat-${i}`, 60_000)));
            await sleep(100);
            await waitIdle(d.pid, 300, 15_000);
          }
          row.cpuPerChangeSec = (hubCpuSeconds(d.pid) - c0) / o.samples;
        }
      } catch (e) {
        row.error = (e as Error).message;
      } finally {
        const limitLines = d.log().split('\n').filter((l) => LIMIT_RE.test(l));
        row.limitLines = limitLines.length;
        if (limitLines[0] !== undefined) row.firstLimitLine = limitLines[0].slice(0, 200);
        await d.stop();
        releaseTempDir(dir);
      }
      rows.push(row);
      process.stderr.write(
        `  ${v.id}, ${o.targets} ${mode} targets: ${row.error ?? `startup ${row.startupMs.toFixed(0)} ms (${row.startupCpuSec.toFixed(2)} s CPU); ${row.instances} instances, ${row.watches} watches, ${row.fds} fds, RSS ${(row.rssBytes / 2 ** 20).toFixed(1)} MiB; last target ${row.last.map((x) => x.toFixed(0)).join(' ')} ms; ${(row.cpuPerChangeSec * 1000).toFixed(0)} ms CPU per change`}${row.limitLines ? `; ${row.limitLines} limit lines, first: ${row.firstLimitLine}` : ''}\n`,
      );
    }
  }
  return rows;
}
