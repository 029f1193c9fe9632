// Steady-state cost of the state writes (item `steady` of run.ts): CPU seconds of the lsyncd-ts
// daemon process (utime + stime of all its threads, /proc/PID/stat; rsync and ssh children not
// included; and, as a second figure, with the children it reaped: cutime + cstime) for a burst of N new small files, with `settings.stateDir` and without, both
// daemons running side by side on their own trees, repetitions interleaved (order flips each
// repetition). A repetition: CPU read, the burst written into SRC/burst-R (bench/sync/burst.ts:
// files and contents, the wait until all arrived), the daemon left to go idle (no CPU in it or a
// child for 500 ms: the record after the last transfer is included), CPU read again.
import fs from 'node:fs';
import path from 'node:path';

import { burstContent, burstName, waitAll } from '../sync/burst.js';
import { Daemon, makeTempDir, type Mode, readCpuSeconds, sleep, type SshTarget, waitIdle } from '../sync/common.js';
import { readCpuSecondsWithChildren } from '../watcher/common.js';
import { stateLuaConfig } from './common.js';

export interface SteadyVariant {
  id: 'with stateDir' | 'without stateDir';
  cpuSec: number[];
  /** The daemon's CPU plus that of the rsync/ssh children it reaped (cutime + cstime). */
  treeCpuSec: number[];
  ms: number[];
}

export interface SteadyResult {
  mode: Mode;
  files: number;
  variants: SteadyVariant[];
}

export async function runSteady(mode: Mode, files: number, reps: number, ssh?: SshTarget): Promise<SteadyResult> {
  const res: SteadyResult = { mode, files, variants: [] };
  const daemons: { v: SteadyVariant; d: Daemon; src: string; tgt: string }[] = [];
  try {
    for (const withState of [true, false]) {
      const dir = makeTempDir(`lsyncd-ts-bench-state-steady-${withState ? 'on' : 'off'}-`);
      const src = path.join(dir, 'src');
      const tgt = path.join(dir, 'tgt');
      fs.mkdirSync(src);
      fs.mkdirSync(tgt);
      for (let r = 1; r <= reps; r++) fs.mkdirSync(path.join(src, `burst-${r}`));
      const conf = path.join(dir, 'bench.conf.lua');
      fs.writeFileSync(conf, stateLuaConfig({ mode, source: src, target: tgt, delay: 0, ...(ssh ? { ssh } : {}), ...(withState ? { stateDir: path.join(dir, 'state') } : {}) }));
      const d = Daemon.start('lsyncd-ts', ['-nodaemon', conf], path.join(dir, 'lsyncd-ts.log'));
      const v: SteadyVariant = { id: withState ? 'with stateDir' : 'without stateDir', cpuSec: [], treeCpuSec: [], ms: [] };
      res.variants.push(v);
      daemons.push({ v, d, src, tgt });
    }
    for (const x of daemons) {
      await x.d.waitStartup(120_000);
      await waitIdle(x.d.pid, 1500, 30_000);
    }
    await sleep(300);
    for (let r = 1; r <= reps; r++) {
      const order = r % 2 ? daemons : [...daemons].reverse();
      for (const x of order) {
        const sdir = path.join(x.src, `burst-${r}`);
        const bufs = Array.from({ length: files }, (_, i) => burstContent(i, r));
        const names = Array.from({ length: files }, (_, i) => path.join(sdir, burstName(i)));
        const wait = waitAll(path.join(x.tgt, `burst-${r}`), files, r, 600_000);
        const c0 = readCpuSeconds(x.d.pid);
        const tc0 = readCpuSecondsWithChildren(x.d.pid);
        const t0 = performance.now();
        for (let i = 0; i < files; i++) fs.writeFileSync(names[i]!, bufs[i]!);
        const t1 = await wait;
        await waitIdle(x.d.pid, 500, 60_000);
        const c1 = readCpuSeconds(x.d.pid);
        x.v.cpuSec.push(c1 - c0);
        x.v.treeCpuSec.push(readCpuSecondsWithChildren(x.d.pid) - tc0);
        x.v.ms.push(t1 - t0);
        process.stderr.write(`  steady ${mode} rep ${r} ${x.v.id}: ${(c1 - c0).toFixed(2)} s CPU, ${(t1 - t0).toFixed(0)} ms to arrive\n`);
      }
    }
    return res;
  } finally {
    for (const x of daemons) await x.d.stop();
  }
}
