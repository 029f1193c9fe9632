// Burst of 5,000 new small files: time from the start of the burst until all
// 5,000 files are on the target with their full content, lsyncd-ts vs lsyncd, rsync and direct.
//
// How: both daemons run side by side (`-nodaemon -delay 0 -MODE SRC TGT`) on tmpfs trees whose
// SRC already holds empty directories burst-1..burst-R (copied by the init transfer, so they are
// watched before the burst). Repetition r writes 5,000 files of ~30 bytes into SRC/burst-r from
// this process as fast as it can (writeFileSync each: IN_CREATE + IN_MODIFY + IN_CLOSE_WRITE);
// t0 is taken just before the first file. The target directory TGT/burst-r is scanned on every
// fs.watch event (at most every 10 ms, and every 100 ms regardless): names that appeared are
// read and compared, and t1 is the scan after which every file matched. Repetitions alternate
// between the daemons (order flips each rep); each starts when the previous daemon is idle (no
// CPU for 300 ms, no rsync/cp child).
import fs from 'node:fs';
import path from 'node:path';

import { type DaemonKind, type Mode, type Pair, sleep, startPairs, stopPairs, waitIdle, watchDirUntil } from './common.js';

export interface BurstResult {
  mode: Mode;
  files: number;
  available: boolean;
  unavailableReason?: string;
  /** ms per repetition, per daemon. */
  samples: Partial<Record<DaemonKind, number[]>>;
  /** Time the generator took to write the files (ms), per daemon and repetition. */
  genMs: Partial<Record<DaemonKind, number[]>>;
  overflows: Partial<Record<DaemonKind, string[]>>;
}

export const burstContent = (i: number, r: number): Buffer => Buffer.from(`burst file ${i} rep ${r} ........\n`);
export const burstName = (i: number): string => `f${String(i).padStart(5, '0')}`;

/** Resolves with the time all `files` in `dir` have their expected content (burstContent(i, r)). */
export function waitAll(dir: string, files: number, r: number, timeoutMs: number): Promise<number> {
  const pending = new Set<string>();
  for (let i = 0; i < files; i++) pending.add(burstName(i));
  let dirty = true;
  let last = 0;
  const scan = (): boolean => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return false;
    }
    for (const n of names) {
      if (!pending.has(n)) continue;
      try {
        const b = fs.readFileSync(path.join(dir, n));
        if (b.equals(burstContent(Number(n.slice(1)), r))) pending.delete(n);
      } catch {
        /* being replaced */
      }
    }
    return pending.size === 0;
  };
  // Events only mark the directory dirty: a scan per event would cost O(files²) beside the daemons.
  const tick = (): boolean => {
    const now = performance.now();
    if (!dirty && now - last <= 100) return false;
    dirty = false;
    last = now;
    return scan();
  };
  return watchDirUntil(
    dir,
    timeoutMs,
    10,
    () => {
      dirty = true;
      return false;
    },
    tick,
    () => `timeout after ${timeoutMs} ms: ${pending.size} of ${files} files missing in ${dir}`,
  );
}

export async function runBurst(mode: Mode, files: number, reps: number): Promise<BurstResult> {
  const res: BurstResult = { mode, files, available: true, samples: {}, genMs: {}, overflows: {} };
  const pairs: Pair[] = [];
  try {
    const prepare = (src: string) => {
      for (let r = 1; r <= reps; r++) fs.mkdirSync(path.join(src, `burst-${r}`));
    };
    const unavailable = await startPairs(pairs, mode, `lsyncd-ts-bench-burst-${mode}-`, { prepare });
    if (unavailable !== undefined) {
      res.available = false;
      res.unavailableReason = unavailable;
      return res;
    }
    for (const p of pairs) {
      res.samples[p.kind] = [];
      res.genMs[p.kind] = [];
    }
    await sleep(300);
    for (let r = 1; r <= reps; r++) {
      const order = r % 2 ? pairs : [...pairs].reverse();
      for (const p of order) {
        const sdir = path.join(p.src, `burst-${r}`);
        const tdir = path.join(p.tgt, `burst-${r}`);
        const bufs = Array.from({ length: files }, (_, i) => burstContent(i, r));
        const names = Array.from({ length: files }, (_, i) => path.join(sdir, burstName(i)));
        const wait = waitAll(tdir, files, r, 600_000);
        const t0 = performance.now();
        for (let i = 0; i < files; i++) fs.writeFileSync(names[i]!, bufs[i]!);
        const tg = performance.now();
        const t1 = await wait;
        res.samples[p.kind]!.push(t1 - t0);
        res.genMs[p.kind]!.push(tg - t0);
        process.stderr.write(`  burst ${mode} rep ${r} ${p.kind}: ${(t1 - t0).toFixed(0)} ms (generator ${(tg - t0).toFixed(0)} ms)\n`);
        await waitIdle(p.daemon.pid);
      }
    }
    for (const p of pairs) res.overflows[p.kind] = p.daemon.overflowLines();
    return res;
  } finally {
    await stopPairs(pairs);
  }
}
