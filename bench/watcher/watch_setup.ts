// Watch-setup benchmark (bench/RESULTS.md): time and memory to watch a ~100k-directory tree,
// lsyncd 2.2.3 against the lsyncd-ts watcher, same warm tree, same run, alternating, N reps.
//
// lsyncd: `lsyncd -nodaemon conf.lua` with a no-op layer-3 sync (common.ts: `init` logs
// BENCH-INIT and discards the Init delay instead of spawning the startup rsync — the
// "init rsync replaced by a no-op" of docs/lsyncd-compat.md#performance-baseline). lsyncd walks and watches the
// whole tree synchronously before it calls init, so time = spawn → BENCH-INIT in its log
// (polled every 2 ms). Then VmRSS/VmHWM are read from /proc/<pid>/status and the watch count is
// checked by counting `inotify wd:` lines in /proc/<pid>/fdinfo. The same is done on an empty
// directory to get lsyncd's base time (exec + Lua start-up) and base RSS.
//
// lsyncd-ts: a child `node --expose-gc watch_setup.js --ts-child <empty> [tree]` imports the
// watcher, creates a Watcher and adds an empty directory (addon loaded, reader thread running),
// GCs, then times `await w.add(tree)`, GCs again and reports RSS, VmHWM, memoryUsage() and
// stats(). The baseline is the same child without a tree. Bytes per directory =
// (RSS with tree − RSS of the baseline child) / directories; the in-process delta (RSS after −
// RSS before add) and the external+heapUsed delta are reported too.
//
// Standalone: node dist/bench/watcher/watch_setup.js [reps]   (builds and removes its own tree)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Watcher } from '../../src/watcher/index.js';
import {
  countInotifyWatches,
  fmt,
  installCleanup,
  Lsyncd,
  makeTempDir,
  median,
  readRss,
  releaseTempDir,
  runNodeChild,
  sleep,
} from './common.js';
import { makeTree, warmTree, type TreeInfo } from './make_tree.js';

const thisFile = fileURLToPath(import.meta.url);

export interface TsSetupSample {
  addMs: number;
  dirs: number;
  errors: number;
  watches: number;
  kernelWatches: number;
  rssBefore: number;
  rssAfter: number;
  hwm: number;
  extHeapBefore: number;
  extHeapAfter: number;
}

export interface LsyncdSetupSample {
  ms: number;
  rss: number;
  hwm: number;
  watches: number;
}

export interface WatchSetupResult {
  dirs: number;
  files: number;
  reps: number;
  lsyncd: LsyncdSetupSample[];
  lsyncdBase: LsyncdSetupSample[];
  ts: TsSetupSample[];
  tsBase: TsSetupSample[];
}

function statusKb(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function settleGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
}

/** Child side: runs inside `node --expose-gc`, prints one JSON line. */
async function tsChild(emptyDir: string, tree: string | undefined): Promise<TsSetupSample> {
  const w = new Watcher({}, () => {});
  try {
    await w.add(emptyDir);
    await settleGc();
    const m0 = process.memoryUsage();
    let addMs = NaN;
    let dirs = 0;
    let errors = 0;
    if (tree) {
      const t0 = performance.now();
      const r = await w.add(tree);
      addMs = performance.now() - t0;
      dirs = r.dirs;
      errors = r.errors.length;
    }
    await settleGc();
    const m1 = process.memoryUsage();
    return {
      addMs,
      dirs,
      errors,
      watches: w.stats().watches,
      kernelWatches: countInotifyWatches(process.pid),
      rssBefore: m0.rss,
      rssAfter: m1.rss,
      hwm: statusKb('VmHWM'),
      extHeapBefore: m0.external + m0.heapUsed,
      extHeapAfter: m1.external + m1.heapUsed,
    };
  } finally {
    w.close();
  }
}

async function lsyncdOnce(source: string, workDir: string): Promise<LsyncdSetupSample> {
  const t0 = performance.now();
  const l = Lsyncd.start({ source, delay: 0 }, workDir);
  try {
    const { at } = await l.waitFor(/BENCH-INIT/, 120_000, /OVERFLOW|Terminating|Error/);
    const rss = readRss(l.pid);
    const status = fs.readFileSync(`/proc/${l.pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    return { ms: at - t0, rss, hwm, watches: countInotifyWatches(l.pid) };
  } finally {
    await l.stop();
  }
}

export async function runWatchSetup(tree: TreeInfo, reps: number, log: (s: string) => void = console.error): Promise<WatchSetupResult> {
  const work = makeTempDir('lsyncd-ts-bench-setup-');
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty);
  const res: WatchSetupResult = { dirs: tree.dirs, files: tree.files, reps, lsyncd: [], lsyncdBase: [], ts: [], tsBase: [] };
  const tsRun = (withTree: boolean): Promise<TsSetupSample> =>
    runNodeChild<TsSetupSample>(thisFile, ['--ts-child', empty, ...(withTree ? [tree.root] : [])], ['--expose-gc']);
  try {
    log(`watch setup: warming ${fmt(warmTree(tree.root))} directories; untimed warm-up run of each`);
    await lsyncdOnce(tree.root, work);
    await tsRun(true);
    for (let i = 0; i < reps; i++) {
      const lb = await lsyncdOnce(empty, work);
      const l = await lsyncdOnce(tree.root, work);
      const tb = await tsRun(false);
      const t = await tsRun(true);
      res.lsyncd.push(l);
      res.lsyncdBase.push(lb);
      res.ts.push(t);
      res.tsBase.push(tb);
      log(
        `  rep ${i + 1}: lsyncd ${fmt(l.ms)} ms, ${fmt(l.rss / 2 ** 20, 1)} MiB, ${fmt(l.watches)} watches | ` +
          `lsyncd-ts add ${fmt(t.addMs)} ms, RSS ${fmt(t.rssAfter / 2 ** 20, 1)} MiB (baseline ${fmt(tb.rssAfter / 2 ** 20, 1)}), ` +
          `${fmt(t.watches)} watches, ${t.errors} errors`,
      );
      // The lsyncd-ts child also watches its empty warm-up directory (one more watch).
      if (l.watches !== tree.dirs || t.watches - tb.watches !== tree.dirs || t.kernelWatches - tb.kernelWatches !== tree.dirs || t.errors !== 0) {
        log(`  WARNING: expected ${tree.dirs} watches (lsyncd ${l.watches}, lsyncd-ts ${t.watches - tb.watches}, errors ${t.errors})`);
      }
    }
  } finally {
    releaseTempDir(work);
  }
  return res;
}

export interface WatchSetupSummary {
  lsyncdMs: number;
  lsyncdBaseMs: number;
  tsAddMs: number;
  lsyncdRss: number;
  lsyncdBaseRss: number;
  lsyncdBytesPerDir: number;
  tsRss: number;
  tsBaseRss: number;
  tsBytesPerDir: number;
  tsInProcBytesPerDir: number;
  tsExtHeapBytesPerDir: number;
  tsHwmAboveBase: number;
  lsyncdHwm: number;
}

export function summarizeSetup(r: WatchSetupResult): WatchSetupSummary {
  const d = r.dirs;
  const lsyncdRss = median(r.lsyncd.map((s) => s.rss));
  const lsyncdBaseRss = median(r.lsyncdBase.map((s) => s.rss));
  const tsRss = median(r.ts.map((s) => s.rssAfter));
  const tsBaseRss = median(r.tsBase.map((s) => s.rssAfter));
  return {
    lsyncdMs: median(r.lsyncd.map((s) => s.ms)),
    lsyncdBaseMs: median(r.lsyncdBase.map((s) => s.ms)),
    tsAddMs: median(r.ts.map((s) => s.addMs)),
    lsyncdRss,
    lsyncdBaseRss,
    lsyncdBytesPerDir: (lsyncdRss - lsyncdBaseRss) / d,
    tsRss,
    tsBaseRss,
    tsBytesPerDir: (tsRss - tsBaseRss) / d,
    tsInProcBytesPerDir: median(r.ts.map((s) => (s.rssAfter - s.rssBefore) / d)),
    tsExtHeapBytesPerDir: median(r.ts.map((s) => (s.extHeapAfter - s.extHeapBefore) / d)),
    tsHwmAboveBase: median(r.ts.map((s) => s.hwm)) - median(r.tsBase.map((s) => s.hwm)),
    lsyncdHwm: median(r.lsyncd.map((s) => s.hwm)),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  const args = process.argv.slice(2);
  if (args[0] === '--ts-child') {
    const s = await tsChild(args[1]!, args[2]);
    process.stdout.write(`${JSON.stringify(s)}\n`);
  } else {
    installCleanup();
    const reps = Number(args[0] ?? 3);
    const work = makeTempDir('lsyncd-ts-bench-tree-');
    const tree = makeTree(path.join(work, 'tree'));
    console.error(`tree: ${fmt(tree.dirs)} directories, ${fmt(tree.files)} files, built in ${fmt(tree.buildMs)} ms`);
    const r = await runWatchSetup(tree, reps);
    console.log(JSON.stringify({ summary: summarizeSetup(r), raw: r }, null, 2));
    releaseTempDir(work);
  }
}
