// Single-file latency with delay 0: time from writing one small file in SRC
// to its full content appearing under its name in the target, lsyncd-ts vs lsyncd, per mode.
//
// How: both daemons run side by side on their own tmpfs trees (started with `-nodaemon -delay 0
// -MODE SRC TGT`, rsyncssh with the same generated Lua config), and we wait until both logged
// "Startup of ... finished". Then, for each sample, one ~60-byte file `lat-N` is written in SRC
// with writeFileSync (open O_CREAT|O_TRUNC, write, close) — t0 is taken just before — and t1 is
// the first fs.watch event on the target directory after which the target file's bytes equal
// what was written (fallback poll every 25 ms). Samples alternate between the daemons (the
// order flips each round) with a 150 ms pause so each starts from idle. The first sample of each
// daemon is discarded (warm-up: first transfer after init, lazy ssh master, JIT).
// With `sub` (e.g. "a/b/c/") the files are written in that directory, created before start:
// a change below existing directories, as in a real web root.
import fs from 'node:fs';
import path from 'node:path';

import { type DaemonKind, fileEquals, type Mode, type Pair, sleep, type SshTarget, startPairs, stopPairs, waitUntil } from './common.js';

export interface LatencyResult {
  mode: Mode;
  /** Directory (relative, with trailing "/") the files were written in; "" = the root. */
  sub: string;
  available: boolean;
  unavailableReason?: string;
  /** Steady-state samples in ms (warm-up discarded), per daemon. */
  samples: Partial<Record<DaemonKind, number[]>>;
  warmup: Partial<Record<DaemonKind, number>>;
  overflows: Partial<Record<DaemonKind, string[]>>;
}

export async function runLatency(mode: Mode, samples: number, ssh?: SshTarget, sub = ''): Promise<LatencyResult> {
  const res: LatencyResult = { mode, sub, available: true, samples: {}, warmup: {}, overflows: {} };
  const pairs: Pair[] = [];
  const prepare = (src: string): void => {
    if (sub !== '') fs.mkdirSync(path.join(src, sub), { recursive: true });
  };
  try {
    const unavailable = await startPairs(pairs, mode, `lsyncd-ts-bench-lat-${mode}-`, { ssh, prepare });
    if (unavailable !== undefined) {
      res.available = false;
      res.unavailableReason = unavailable;
      return res;
    }
    for (const p of pairs) res.samples[p.kind] = [];
    for (let i = 0; i <= samples; i++) {
      const order = i % 2 ? [...pairs].reverse() : pairs;
      for (const p of order) {
        const name = `lat-${i}`;
        const content = Buffer.from(`latency sample ${i} of ${p.kind} ${mode} ${Math.random().toString(36)}\n`);
        const target = path.join(p.tgt, sub, name);
        const t0 = performance.now();
        fs.writeFileSync(path.join(p.src, sub, name), content);
        const t1 = await waitUntil(path.join(p.tgt, sub), () => fileEquals(target, content), 30_000, 25, (n) => n === name);
        if (i === 0) res.warmup[p.kind] = t1 - t0;
        else res.samples[p.kind]!.push(t1 - t0);
        await sleep(150);
      }
    }
    for (const p of pairs) res.overflows[p.kind] = p.daemon.overflowLines();
    return res;
  } finally {
    await stopPairs(pairs);
  }
}
