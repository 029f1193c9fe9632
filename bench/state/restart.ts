// Restart after changes made while the daemon was down (items `restart` and `big` of run.ts):
// rsyncssh over a loopback sshd, a synced tree of D directories / F files, the daemon stopped,
// 20 changes made to the source (10 modified, 5 deleted, 5 created), the daemon started again.
// Measured: time from the daemon's spawn until the target shows every changed path with its new
// content (or gone), polled every 10 ms; for lsyncd-ts also when its log says "watching N
// directories" (watches set; the catch-up walk starts) and "catch-up: N changes" (the local walk
// and diff are done, the changes queued). Outside the timed part:
// the daemon is left to go idle, the whole target is compared with the source
// (common.ts compareTrees, checksums), the rsync runs it made are read from the wrapper
// (common.ts: whole-tree runs, file-list entries, files and bytes transferred), its peak RSS
// (VmHWM) is read, then it is stopped and the state directory's size is taken.
//
// Setup per daemon: the tree is generated once, copied (`cp -a`) to each source and target,
// the daemon is started once so it does its startup transfer (lsyncd-ts records its manifest;
// it is stopped only after its log says "settled", docs/state.md), then stopped. Rounds
// alternate the daemon order; only one daemon runs at a time.
import fs from 'node:fs';
import path from 'node:path';

import { releaseTempDir } from '../cleanup.js';
import { Daemon, type DaemonKind, makeTempDir, sleep, type SshTarget, waitIdle } from '../sync/common.js';
import {
  applyChanges,
  clearRsyncRuns,
  compareTrees,
  copyTree,
  duBytes,
  expectationsMet,
  makeTree,
  readPeakRss,
  readRsyncRuns,
  type RunSummary,
  stateLuaConfig,
  summarizeRuns,
  type TreeShape,
  TWENTY,
  writeRsyncWrapper,
} from './common.js';

export interface RestartSample {
  round: number;
  /** Spawn → every changed path right on the target (ms). */
  matchMs: number;
  /** Spawn → "catch-up: N changes" (lsyncd-ts) or "Startup of … finished" (ms). */
  milestoneMs: number;
  /** Spawn → "watching N directories" (lsyncd-ts: the watches are set, the catch-up walk starts). */
  watchedMs?: number;
  /** N of "catch-up: N changes" (lsyncd-ts). */
  catchUpChanges?: number;
  /** A "full init transfer: REASON" line, if lsyncd-ts logged one. */
  fullInitLine?: string;
  rsync: RunSummary;
  peakRssBytes: number;
  /** Differences left after the daemon went idle (should be none). */
  differences: string[];
  dirTimesOnly: number;
  stateBytes?: { apparent: number; allocated: number };
}

export interface RestartSide {
  kind: DaemonKind;
  shape: TreeShape;
  /** The first start (full transfer) of the setup. */
  setup: { startupMs: number; settledMs?: number; peakRssBytes: number; rsync: RunSummary; stateBytes?: { apparent: number; allocated: number } };
  samples: RestartSample[];
}

interface Side {
  kind: DaemonKind;
  dir: string;
  src: string;
  tgt: string;
  conf: string;
  wrap: string;
  stateDir?: string;
}

function daemonArgs(s: Side): string[] {
  // State: the "settled" line; Inotify: the one "watching N directories" line per sync.
  return s.kind === 'lsyncd-ts' ? ['-nodaemon', '-log', 'State', '-log', 'Inotify', s.conf] : ['-nodaemon', s.conf];
}

function prepareSide(kind: DaemonKind, ssh: SshTarget, prefix: string, base?: string): Side {
  const dir = makeTempDir(`${prefix}${kind}-`, base);
  const src = path.join(dir, 'src');
  const tgt = path.join(dir, 'tgt');
  const wrap = path.join(dir, 'wrap');
  const rsyncBinary = writeRsyncWrapper(wrap);
  const stateDir = kind === 'lsyncd-ts' ? path.join(dir, 'state') : undefined;
  const conf = path.join(dir, 'bench.conf.lua');
  fs.writeFileSync(conf, stateLuaConfig({ mode: 'rsyncssh', source: src, target: tgt, delay: 0, ssh, rsyncBinary, ...(stateDir ? { stateDir } : {}) }));
  return { kind, dir, src, tgt, conf, wrap, ...(stateDir ? { stateDir } : {}) };
}

/** Verify config for `lsyncd-ts verify`: the same sync without the rsync wrapper. */
export function verifyConfigOf(s: { dir: string; src: string; tgt: string }, ssh: SshTarget): string {
  const conf = path.join(s.dir, 'verify.conf.lua');
  fs.writeFileSync(conf, stateLuaConfig({ mode: 'rsyncssh', source: s.src, target: s.tgt, delay: 0, ssh }));
  return conf;
}

async function firstStart(s: Side, timeoutMs: number): Promise<RestartSide['setup']> {
  clearRsyncRuns(s.wrap);
  const t0 = performance.now();
  const d = Daemon.start(s.kind, daemonArgs(s), path.join(s.dir, `${s.kind}-setup.log`));
  try {
    const t1 = await d.waitStartup(timeoutMs);
    const t2 = s.kind === 'lsyncd-ts' ? await d.waitLog(/: settled/, timeoutMs, 50) : undefined;
    await waitIdle(d.pid, 500, 60_000);
    const peak = readPeakRss(d.pid);
    await d.stop();
    return {
      startupMs: t1 - t0,
      ...(t2 !== undefined ? { settledMs: t2 - t0 } : {}),
      peakRssBytes: peak,
      rsync: summarizeRuns(readRsyncRuns(s.wrap)),
      ...(s.stateDir ? { stateBytes: duBytes(s.stateDir) } : {}),
    };
  } finally {
    await d.stop();
  }
}

async function restartOnce(s: Side, shape: TreeShape, round: number, timeoutMs: number): Promise<RestartSample> {
  const want = applyChanges(s.src, shape, round, TWENTY);
  clearRsyncRuns(s.wrap);
  const logFile = path.join(s.dir, `${s.kind}-${round}.log`);
  const milestone = s.kind === 'lsyncd-ts' ? /catch-up: (\d+) changes/ : /Startup of .* finished/;
  const t0 = performance.now();
  const d = Daemon.start(s.kind, daemonArgs(s), logFile);
  try {
    let tm = NaN;
    let tw = NaN;
    let t1 = NaN;
    const end = t0 + timeoutMs;
    for (;;) {
      const now = performance.now();
      const text = d.log();
      if (Number.isNaN(tw) && /watching \d+ directories/.test(text)) tw = now;
      if (Number.isNaN(tm) && milestone.test(text)) tm = now;
      if (expectationsMet(s.tgt, want)) {
        t1 = now;
        break;
      }
      if (!d.alive) throw new Error(`${s.kind} exited (${d.exitInfo}) in round ${round}; log:\n${d.tail()}`);
      if (now > end) throw new Error(`${s.kind}: round ${round}: target did not match within ${timeoutMs} ms; log:\n${d.tail()}`);
      await sleep(10);
    }
    if (Number.isNaN(tm)) tm = await d.waitLog(milestone, timeoutMs, 10);
    await waitIdle(d.pid, 500, 60_000);
    const peak = readPeakRss(d.pid);
    const log = d.log();
    await d.stop();
    const diff = compareTrees(s.src, s.tgt);
    const cu = /catch-up: (\d+) changes/.exec(log);
    const full = /full init transfer: .*/.exec(log);
    return {
      round,
      matchMs: t1 - t0,
      milestoneMs: tm - t0,
      ...(Number.isNaN(tw) ? {} : { watchedMs: tw - t0 }),
      ...(cu ? { catchUpChanges: Number(cu[1]) } : {}),
      ...(full ? { fullInitLine: full[0] } : {}),
      rsync: summarizeRuns(readRsyncRuns(s.wrap)),
      peakRssBytes: peak,
      differences: diff.differences.slice(0, 20),
      dirTimesOnly: diff.dirTimesOnly,
      ...(s.stateDir ? { stateBytes: duBytes(s.stateDir) } : {}),
    };
  } finally {
    await d.stop();
  }
}

export interface RestartOptions {
  shape: TreeShape;
  kinds: readonly DaemonKind[];
  rounds: number;
  ssh: SshTarget;
  prefix: string;
  /** Where the trees go (default /dev/shm). */
  base?: string;
  timeoutMs: number;
  /** Called with each side once its setup is done and again at the end (verify reuses the tree). */
  keep?: (s: { kind: DaemonKind; dir: string; src: string; tgt: string }) => void;
}

export async function runRestart(o: RestartOptions): Promise<RestartSide[]> {
  const sides: Side[] = [];
  const results: RestartSide[] = [];
  try {
    for (const kind of o.kinds) sides.push(prepareSide(kind, o.ssh, o.prefix, o.base));
    // Generated once, into the first source; every other source and target is a copy.
    let t = performance.now();
    const first = sides[0]!;
    fs.mkdirSync(first.src);
    makeTree(first.src, o.shape);
    process.stderr.write(`  tree of ${o.shape.dirs} directories / ${o.shape.files} files made in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    t = performance.now();
    for (const s of sides) {
      if (s !== first) copyTree(first.src, s.src);
      copyTree(first.src, s.tgt);
    }
    process.stderr.write(`  sources and targets copied in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    for (const s of sides) {
      const setup = await firstStart(s, o.timeoutMs);
      process.stderr.write(`  ${s.kind} setup: startup ${(setup.startupMs / 1000).toFixed(1)} s${setup.settledMs ? `, settled ${(setup.settledMs / 1000).toFixed(1)} s` : ''}, peak RSS ${(setup.peakRssBytes / 2 ** 20).toFixed(0)} MiB, rsync ${JSON.stringify(setup.rsync)}\n`);
      results.push({ kind: s.kind, shape: o.shape, setup, samples: [] });
    }
    for (let r = 1; r <= o.rounds; r++) {
      const order = r % 2 ? sides : [...sides].reverse();
      for (const s of order) {
        const x = await restartOnce(s, o.shape, r, o.timeoutMs);
        results.find((y) => y.kind === s.kind)!.samples.push(x);
        process.stderr.write(
          `  round ${r} ${s.kind}: match ${x.matchMs.toFixed(0)} ms, ${x.watchedMs !== undefined ? `watches ${x.watchedMs.toFixed(0)} ms, ` : ''}milestone ${x.milestoneMs.toFixed(0)} ms${x.catchUpChanges !== undefined ? ` (catch-up ${x.catchUpChanges})` : ''}${x.fullInitLine ? ` [${x.fullInitLine}]` : ''}, rsync ${JSON.stringify(x.rsync)}, differences ${x.differences.length} (+${x.dirTimesOnly} dir times), peak RSS ${(x.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`,
        );
      }
    }
    for (const s of sides) o.keep?.(s);
    return results;
  } finally {
    for (const s of sides) if (!o.keep) releaseTempDir(s.dir);
  }
}
