// 200 MiB file with 128 bytes changed in place, rsync mode: time from the
// in-place write until the target's bytes equal the source, lsyncd-ts vs lsyncd.
//
// How: SRC/big.bin (200 MiB of random bytes) exists before the daemons start, so the init
// transfer copies it; both daemons run side by side (`-nodaemon -delay 0 -rsync SRC TGT`) on
// tmpfs trees. Each repetition overwrites 128 random bytes at a different offset in place
// (open O_WRONLY without O_TRUNC, pwrite, close: the syscalls of `dd conv=notrunc`, without
// the fork/exec). t0 is taken just before the open; t1 is the first fs.watch event for big.bin
// in the target directory (or 25 ms fallback poll) after which the target has the source's size
// and the new 128 bytes at that offset. rsync writes a temp file and renames it over big.bin,
// so the name only ever shows a complete file. After each sample (untimed) the whole target is
// compared with the source byte for byte. Repetitions alternate between the daemons; each
// starts when the daemon is idle (no CPU in it or below it for 300 ms, common.ts waitIdle).
// The copy time of this machine's rsync alone varies 300-750 ms between runs (tmpfs, memory
// management), for both daemons alike, hence more samples than the other rows (--big-reps).
// A daemon's writes are spaced MIN_SPACING_MS apart: a same-size rewrite within the mtime second
// of the previous transfer is skipped by rsync's quick check — lsyncd loses it for good (seen in
// this bench: no transfer within 300 s), lsyncd-ts passes --ignore-times. A change that has not
// arrived after LOST_AFTER_MS is counted as lost instead of ending the run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { type DaemonKind, KINDS, makeTempDir, type Pair, releaseTempDir, sleep, startPair, stopPairs, waitIdle, waitUntil } from './common.js';

const MIN_SPACING_MS = 1100;
const LOST_AFTER_MS = 30_000;

export interface BigFileResult {
  sizeBytes: number;
  samples: Partial<Record<DaemonKind, number[]>>;
  /** Whole-file byte comparisons after each sample that failed (should be 0). */
  mismatches: Partial<Record<DaemonKind, number>>;
  /**
   * Changes that never reached the target within LOST_AFTER_MS (not counted as samples). lsyncd
   * loses a same-size rewrite within the mtime second of its previous transfer (rsync's quick
   * check); the samples are spaced to avoid that, so a loss here is a finding, not noise.
   */
  lost: Partial<Record<DaemonKind, number>>;
  overflows: Partial<Record<DaemonKind, string[]>>;
}

function readAt(file: string, offset: number, len: number): Buffer | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(len);
    const n = fs.readSync(fd, b, 0, len, offset);
    return n === len ? b : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export async function runBigFile(sizeMiB: number, reps: number): Promise<BigFileResult> {
  const size = sizeMiB * 2 ** 20;
  const res: BigFileResult = { sizeBytes: size, samples: {}, mismatches: {}, lost: {}, overflows: {} };
  const lastWrite = new Map<DaemonKind, number>();
  const pairs: Pair[] = [];
  const seed = makeTempDir('lsyncd-ts-bench-big-seed-');
  const seedFile = path.join(seed, 'big.bin');
  try {
    const fd = fs.openSync(seedFile, 'w');
    const chunk = Buffer.alloc(4 * 2 ** 20);
    for (let off = 0; off < size; off += chunk.length) {
      crypto.randomFillSync(chunk);
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
    }
    fs.closeSync(fd);
    const prepare = (src: string) => fs.copyFileSync(seedFile, path.join(src, 'big.bin'));
    for (const kind of KINDS) pairs.push(await startPair(kind, 'rsync', makeTempDir(`lsyncd-ts-bench-big-${kind}-`), { prepare }));
    releaseTempDir(seed);
    for (const p of pairs) {
      await p.daemon.waitStartup(300_000);
      res.samples[p.kind] = [];
      res.mismatches[p.kind] = 0;
      res.lost[p.kind] = 0;
    }
    for (let r = 1; r <= reps; r++) {
      const order = r % 2 ? pairs : [...pairs].reverse();
      for (const p of order) {
        await waitIdle(p.daemon.pid);
        const src = path.join(p.src, 'big.bin');
        const tgt = path.join(p.tgt, 'big.bin');
        const offset = Math.floor(((r * 0.6180339887) % 1) * (size - 128));
        const bytes = crypto.randomBytes(128);
        // Each daemon's writes at least MIN_SPACING_MS apart: a speed sample, not the quick-check
        // loss (a same-size rewrite in the mtime second of the previous transfer; see `lost`).
        const wait = (lastWrite.get(p.kind) ?? -Infinity) + MIN_SPACING_MS - performance.now();
        if (wait > 0) await sleep(wait);
        const t0 = performance.now();
        lastWrite.set(p.kind, t0);
        const wfd = fs.openSync(src, 'r+');
        fs.writeSync(wfd, bytes, 0, 128, offset);
        fs.closeSync(wfd);
        let t1: number;
        try {
          t1 = await waitUntil(
            p.tgt,
            () => {
              const b = readAt(tgt, offset, 128);
              return b !== null && b.equals(bytes) && fs.statSync(tgt).size === size;
            },
            LOST_AFTER_MS,
            25,
            (n) => n === 'big.bin',
          );
        } catch {
          res.lost[p.kind]!++;
          process.stderr.write(`  ${sizeMiB} MiB rep ${r} ${p.kind}: LOST (not on the target after ${LOST_AFTER_MS} ms)\n`);
          continue;
        }
        res.samples[p.kind]!.push(t1 - t0);
        if (!fs.readFileSync(src).equals(fs.readFileSync(tgt))) res.mismatches[p.kind]!++;
        process.stderr.write(`  ${sizeMiB} MiB rep ${r} ${p.kind}: ${(t1 - t0).toFixed(0)} ms\n`);
      }
    }
    for (const p of pairs) res.overflows[p.kind] = p.daemon.overflowLines();
    return res;
  } finally {
    await stopPairs(pairs);
    releaseTempDir(seed);
  }
}
