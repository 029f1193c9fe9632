// Event-ingest benchmark (bench/RESULTS.md): a 100k-event storm — 50,000 new files in one watched
// directory, each open(O_CREAT|O_WRONLY|O_TRUNC)+close, i.e. IN_CREATE + IN_CLOSE_WRITE — then a
// sentinel file END (2 more events).
//
// Generator: a separate process (`ingest.js --gen <dir> <n>`) that prints "ready", waits for a
// line on stdin, creates the files as fast as it can, prints "done". Every storm goes into a
// fresh empty directory. The generator alone (nothing watching) is timed too: it bounds any
// wall-clock rate, because on this 2-core machine generator and watcher run side by side.
//
// lsyncd-ts: a child (`ingest.js --ts-child <dir> <n>`) creates a Watcher (default options:
// settleMs 20, maxLatencyMs 200, maxBatch 8192), adds the directory, starts the generator, and
// measures from "go" to the moment `await w.flush()` (called after the generator said "done")
// resolves, i.e. every record was delivered to and handled by JS. Events = stats().rawEvents
// (raw kernel events the reader thread processed); records delivered, overflows and the
// process CPU time (process.cpuUsage(): all threads, user+system) over the same interval are
// reported. Rates: wall = rawEvents / (go → flush); CPU capacity = rawEvents / CPU seconds.
//
// lsyncd: `lsyncd -nodaemon` with the no-op layer-3 sync of common.ts (init discards the Init
// delay, action takes one event, counts it, discards it; BENCH-END <count> when it reaches END).
// Measured: go → BENCH-END in its log (polled every 5 ms), and utime+stime of the lsyncd
// process from /proc/<pid>/stat between go and BENCH-END. Two settings: delay=0 (each event is
// dispatched as soon as it is queued: lsyncd's best case) and delay=15/maxDelays=1000 (the
// default.rsync values: the queue fills to maxDelays and every new event is combined against it,
// docs/lsyncd-compat.md#performance-baseline). A kernel queue overflow (fs.inotify.max_queued_events) shows up as
// `OVERFLOW` in lsyncd's log; it is detected and reported, never averaged in.
//
// Burst drain (the consumer's own speed, independent of the generator): the consumer is paused
// while a burst of 8,000 files (16,002 events, below fs.inotify.max_queued_events = 16,384) is
// queued in the kernel, then resumed and timed until everything is handled. lsyncd-ts: the
// reader thread is paused with the test hook Watcher.__pauseReader(true); resume → flush()
// resolved, rate = rawEvents processed after resume / that time. lsyncd: SIGSTOP before the
// burst, SIGCONT → BENCH-END, CPU from /proc/<pid>/stat.
//
// Storm directories live on tmpfs (/dev/shm when present): creating 50k files on the shared
// ext4 disk is 4-20x slower and noisy, and would measure the disk rather than the watchers.
//
// Standalone: node dist/bench/watcher/ingest.js [reps] [files] [burstFiles]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { RecordKind, Watcher } from '../../src/watcher/index.js';
import {
  fmt,
  installCleanup,
  Lsyncd,
  LsyncdStop,
  makeTempDir,
  median,
  readCpuSeconds,
  releaseTempDir,
  runNodeChild,
  trackChild,
} from './common.js';

const thisFile = fileURLToPath(import.meta.url);

// ---------- generator ----------

function generator(dir: string, n: number): void {
  process.stdout.write('ready\n');
  const rl = readline.createInterface({ input: process.stdin });
  rl.once('line', () => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fs.closeSync(fs.openSync(path.join(dir, `f${i}`), 'w'));
    fs.closeSync(fs.openSync(path.join(dir, 'END'), 'w'));
    process.stdout.write(`done ${performance.now() - t0}\n`);
    rl.close();
  });
}

interface Gen {
  proc: ChildProcess;
  go(): number;
  done: Promise<{ at: number; genMs: number }>;
}

/** Starts a generator and resolves once it is ready; go() starts the storm and returns the time. */
async function startGenerator(dir: string, n: number): Promise<Gen> {
  const proc = trackChild(spawn(process.execPath, [thisFile, '--gen', dir, String(n)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = readline.createInterface({ input: proc.stdout! });
  let onDone: (v: { at: number; genMs: number }) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const done = new Promise<{ at: number; genMs: number }>((res, rej) => {
    onDone = res;
    onFail = rej;
  });
  const ready = new Promise<void>((res, rej) => {
    lines.on('line', (l) => {
      if (l === 'ready') res();
      else if (l.startsWith('done ')) onDone({ at: performance.now(), genMs: Number(l.slice(5)) });
    });
    proc.once('exit', (code) => {
      const e = new Error(`storm generator exited with ${code}`);
      rej(e);
      onFail(e);
    });
  });
  await ready;
  return {
    proc,
    go: () => {
      const t = performance.now();
      proc.stdin!.end('go\n');
      return t;
    },
    done,
  };
}

// ---------- lsyncd-ts side (child process) ----------

export interface TsIngestSample {
  rawEvents: number;
  records: number;
  batches: number;
  overflows: number;
  overflowRecords: number;
  highWater: number;
  genMs: number;
  goToDoneMs: number;
  goToFlushMs: number;
  doneToFlushMs: number;
  cpuSec: number;
}

async function tsChild(dir: string, n: number): Promise<TsIngestSample> {
  let records = 0;
  let batches = 0;
  let overflowRecords = 0;
  const w = new Watcher({}, (b) => {
    batches++;
    records += b.length;
    for (let i = 0; i < b.length; i++) if (b.kind(i) === RecordKind.Overflow) overflowRecords++;
  });
  try {
    await w.add(dir);
    await w.flush();
    const gen = await startGenerator(dir, n);
    const s0 = w.stats();
    const c0 = process.cpuUsage();
    const t0 = gen.go();
    const { at: tDone, genMs } = await gen.done;
    await w.flush();
    const tFlush = performance.now();
    const c1 = process.cpuUsage(c0);
    const s1 = w.stats();
    return {
      rawEvents: s1.rawEvents - s0.rawEvents,
      records,
      batches,
      overflows: s1.overflows - s0.overflows,
      overflowRecords,
      highWater: s1.highWater,
      genMs,
      goToDoneMs: tDone - t0,
      goToFlushMs: tFlush - t0,
      doneToFlushMs: tFlush - tDone,
      cpuSec: (c1.user + c1.system) / 1e6,
    };
  } finally {
    w.close();
  }
}

export interface TsBurstSample {
  rawEvents: number;
  records: number;
  overflows: number;
  drainMs: number;
  cpuSec: number;
}

async function tsBurstChild(dir: string, n: number): Promise<TsBurstSample> {
  let records = 0;
  const w = new Watcher({}, (b) => {
    records += b.length;
  });
  try {
    await w.add(dir);
    await w.flush();
    w.__pauseReader(true);
    const gen = await startGenerator(dir, n);
    gen.go();
    await gen.done;
    const s0 = w.stats();
    const r0 = records;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    w.__pauseReader(false);
    await w.flush();
    const drainMs = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    const s1 = w.stats();
    return {
      rawEvents: s1.rawEvents - s0.rawEvents,
      records: records - r0,
      overflows: s1.overflows - s0.overflows,
      drainMs,
      cpuSec: (c1.user + c1.system) / 1e6,
    };
  } finally {
    w.close();
  }
}

// ---------- lsyncd side ----------

export interface LsyncdIngestSample {
  delay: number;
  completed: boolean;
  overflow: boolean;
  /** Delays lsyncd's action handled up to and including END (from BENCH-END <n>). */
  actions: number;
  goToEndMs: number;
  goToDoneMs: number;
  cpuSec: number;
  note: string;
}

/**
 * lsyncd with the no-op config on `dir` — delay 0, or `delay` with maxDelays 1000 (the
 * default-like setting) — once its init has run, i.e. the whole tree is watched.
 */
async function startLsyncdOn(work: string, dir: string, delay: number): Promise<Lsyncd> {
  const l = Lsyncd.start(delay === 0 ? { source: dir, delay: 0 } : { source: dir, delay, maxDelays: 1000 }, work);
  try {
    await l.waitFor(/BENCH-INIT/, 60_000, /OVERFLOW|Terminating/);
  } catch (e) {
    await l.stop();
    throw e;
  }
  return l;
}

/**
 * Waits until lsyncd's action has seen END (BENCH-END <n>: `actions` = n). A kernel queue
 * overflow or lsyncd's exit ends the wait as not completed, with lsyncd's first error line in
 * `note`; `at` is when the wait ended.
 */
async function waitForEnd(l: Lsyncd): Promise<{ completed: boolean; overflow: boolean; actions: number; at: number; note: string }> {
  try {
    const { match, at } = await l.waitFor(/BENCH-END (\d+)/, 900_000, /OVERFLOW/, 5);
    return { completed: true, overflow: false, actions: Number(match[1]), at, note: '' };
  } catch (e) {
    if (!(e instanceof LsyncdStop)) throw e;
    return { completed: false, overflow: /OVERFLOW/.test(e.log), actions: NaN, at: performance.now(), note: e.message.split('\n')[0]! };
  }
}

async function lsyncdIngest(work: string, dir: string, n: number, delay: number): Promise<LsyncdIngestSample> {
  const l = await startLsyncdOn(work, dir, delay);
  try {
    const gen = await startGenerator(dir, n);
    const c0 = readCpuSeconds(l.pid);
    const t0 = gen.go();
    let goToDoneMs = NaN;
    void gen.done.then((d) => (goToDoneMs = d.at - t0));
    const end = await waitForEnd(l);
    const cpuSec = readCpuSeconds(l.pid) - c0;
    if (end.completed) await gen.done;
    else await gen.done.catch(() => {});
    const note = end.overflow ? 'kernel queue overflow (lsyncd logged OVERFLOW, discards its queue and restarts)' : end.note;
    return { delay, completed: end.completed, overflow: end.overflow, actions: end.actions, goToEndMs: end.at - t0, goToDoneMs, cpuSec, note };
  } finally {
    await l.stop();
  }
}

export interface LsyncdBurstSample {
  delay: number;
  completed: boolean;
  overflow: boolean;
  actions: number;
  drainMs: number;
  cpuSec: number;
  note: string;
}

async function lsyncdBurst(work: string, dir: string, n: number, delay: number): Promise<LsyncdBurstSample> {
  const l = await startLsyncdOn(work, dir, delay);
  try {
    process.kill(l.pid, 'SIGSTOP');
    const gen = await startGenerator(dir, n);
    gen.go();
    await gen.done;
    const c0 = readCpuSeconds(l.pid);
    const t0 = performance.now();
    process.kill(l.pid, 'SIGCONT');
    const end = await waitForEnd(l);
    return { delay, completed: end.completed, overflow: end.overflow, actions: end.actions, drainMs: end.at - t0, cpuSec: readCpuSeconds(l.pid) - c0, note: end.note };
  } finally {
    process.kill(l.pid, 'SIGCONT');
    await l.stop();
  }
}

async function genOnly(dir: string, n: number): Promise<number> {
  const g = await startGenerator(dir, n);
  const t0 = g.go();
  const d = await g.done;
  return d.at - t0;
}

// ---------- orchestration ----------

export interface IngestResult {
  files: number;
  burstFiles: number;
  reps: number;
  stormFs: string;
  genOnlyMs: number[];
  ts: TsIngestSample[];
  lsyncd: LsyncdIngestSample[];
  tsBurst: TsBurstSample[];
  lsyncdBurst: LsyncdBurstSample[];
}

/** tmpfs for the storm directories when there is one. */
function stormBase(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

export async function runIngest(
  reps: number,
  files: number,
  burstFiles: number,
  lsyncdDelays: number[],
  log: (s: string) => void = console.error,
): Promise<IngestResult> {
  const base = stormBase();
  const work = makeTempDir('lsyncd-ts-bench-ingest-', base);
  const res: IngestResult = { files, burstFiles, reps, stormFs: base, genOnlyMs: [], ts: [], lsyncd: [], tsBurst: [], lsyncdBurst: [] };
  let k = 0;
  const fresh = (): string => {
    const d = path.join(work, `storm${k++}`);
    fs.mkdirSync(d);
    return d;
  };
  const drop = (d: string): void => fs.rmSync(d, { recursive: true, force: true });
  try {
    for (let i = 0; i < reps; i++) {
      let d = fresh();
      const g = await genOnly(d, files);
      res.genOnlyMs.push(g);
      drop(d);

      d = fresh();
      const t = await runNodeChild<TsIngestSample>(thisFile, ['--ts-child', d, String(files)]);
      res.ts.push(t);
      drop(d);
      log(
        `  rep ${i + 1}: generator alone ${fmt(g)} ms | lsyncd-ts ${fmt(t.rawEvents)} raw events → ${fmt(t.records)} records in ` +
          `${t.batches} batches, go→flush ${fmt(t.goToFlushMs)} ms (generator ${fmt(t.goToDoneMs)} ms, drain after it ${fmt(t.doneToFlushMs)} ms), ` +
          `CPU ${fmt(t.cpuSec, 2)} s, overflows ${t.overflows}`,
      );

      for (const delay of lsyncdDelays) {
        d = fresh();
        const s = await lsyncdIngest(work, d, files, delay);
        res.lsyncd.push(s);
        drop(d);
        log(
          `  rep ${i + 1}: lsyncd delay=${delay}: ${s.completed ? `${fmt(s.actions)} actions, go→END ${fmt(s.goToEndMs)} ms` : `NOT COMPLETED: ${s.note}`}, ` +
            `CPU ${fmt(s.cpuSec, 2)} s (generator took ${fmt(s.goToDoneMs)} ms)`,
        );
      }

      d = fresh();
      const tb = await runNodeChild<TsBurstSample>(thisFile, ['--ts-burst', d, String(burstFiles)]);
      res.tsBurst.push(tb);
      drop(d);
      log(
        `  rep ${i + 1}: burst lsyncd-ts ${fmt(tb.rawEvents)} raw events drained in ${fmt(tb.drainMs, 1)} ms ` +
          `(${fmt(tb.rawEvents / (tb.drainMs / 1000))}/s), CPU ${fmt(tb.cpuSec, 3)} s, overflows ${tb.overflows}`,
      );
      for (const delay of lsyncdDelays) {
        d = fresh();
        const s = await lsyncdBurst(work, d, burstFiles, delay);
        res.lsyncdBurst.push(s);
        drop(d);
        log(
          `  rep ${i + 1}: burst lsyncd delay=${delay}: ${s.completed ? `${fmt(s.actions)} actions, drained in ${fmt(s.drainMs)} ms` : `NOT COMPLETED: ${s.note}`}, ` +
            `CPU ${fmt(s.cpuSec, 2)} s`,
        );
      }
    }
  } finally {
    releaseTempDir(work);
  }
  return res;
}

export interface IngestSummary {
  events: number;
  genOnlyMs: number;
  tsGoToFlushMs: number;
  tsDrainMs: number;
  tsWallRate: number;
  tsCpuSec: number;
  tsCpuRate: number;
  tsRecords: number;
  tsOverflows: number;
  lsyncd: { delay: number; completed: number; runs: number; overflows: number; goToEndMs: number; cpuSec: number; cpuRate: number; actions: number }[];
  burstEvents: number;
  tsBurstMs: number;
  tsBurstRate: number;
  tsBurstCpuSec: number;
  tsBurstOverflows: number;
  lsyncdBurst: { delay: number; completed: number; runs: number; overflows: number; drainMs: number; rate: number; cpuSec: number; actions: number }[];
}

/** lsyncd's samples at one delay: how many ran, completed and overflowed, and the completed ones. */
function ofDelay<S extends { delay: number; completed: boolean; overflow: boolean }>(samples: readonly S[], delay: number) {
  const all = samples.filter((s) => s.delay === delay);
  const ok = all.filter((s) => s.completed);
  return { counts: { delay, runs: all.length, completed: ok.length, overflows: all.filter((s) => s.overflow).length }, ok };
}

export function summarizeIngest(r: IngestResult): IngestSummary {
  const events = median(r.ts.map((s) => s.rawEvents));
  const delays = [...new Set(r.lsyncd.map((s) => s.delay))];
  return {
    events,
    genOnlyMs: median(r.genOnlyMs),
    tsGoToFlushMs: median(r.ts.map((s) => s.goToFlushMs)),
    tsDrainMs: median(r.ts.map((s) => s.doneToFlushMs)),
    tsWallRate: median(r.ts.map((s) => s.rawEvents / (s.goToFlushMs / 1000))),
    tsCpuSec: median(r.ts.map((s) => s.cpuSec)),
    tsCpuRate: median(r.ts.map((s) => s.rawEvents / s.cpuSec)),
    tsRecords: median(r.ts.map((s) => s.records)),
    tsOverflows: r.ts.reduce((a, s) => a + s.overflows + s.overflowRecords, 0),
    lsyncd: delays.map((delay) => {
      const { counts, ok } = ofDelay(r.lsyncd, delay);
      return {
        ...counts,
        goToEndMs: median(ok.map((s) => s.goToEndMs)),
        cpuSec: median(ok.map((s) => s.cpuSec)),
        // lsyncd gets the same 2 raw events per file (+2 for END) as lsyncd-ts.
        cpuRate: median(ok.map((s) => (2 * r.files + 2) / s.cpuSec)),
        actions: median(ok.map((s) => s.actions)),
      };
    }),
    burstEvents: median(r.tsBurst.map((s) => s.rawEvents)),
    tsBurstMs: median(r.tsBurst.map((s) => s.drainMs)),
    tsBurstRate: median(r.tsBurst.map((s) => s.rawEvents / (s.drainMs / 1000))),
    tsBurstCpuSec: median(r.tsBurst.map((s) => s.cpuSec)),
    tsBurstOverflows: r.tsBurst.reduce((a, s) => a + s.overflows, 0),
    lsyncdBurst: delays.map((delay) => {
      const { counts, ok } = ofDelay(r.lsyncdBurst, delay);
      return {
        ...counts,
        drainMs: median(ok.map((s) => s.drainMs)),
        rate: median(ok.map((s) => (2 * r.burstFiles + 2) / (s.drainMs / 1000))),
        cpuSec: median(ok.map((s) => s.cpuSec)),
        actions: median(ok.map((s) => s.actions)),
      };
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  const args = process.argv.slice(2);
  if (args[0] === '--gen') {
    generator(args[1]!, Number(args[2]));
  } else if (args[0] === '--ts-child') {
    const s = await tsChild(args[1]!, Number(args[2]));
    process.stdout.write(`${JSON.stringify(s)}\n`);
  } else if (args[0] === '--ts-burst') {
    const s = await tsBurstChild(args[1]!, Number(args[2]));
    process.stdout.write(`${JSON.stringify(s)}\n`);
  } else {
    installCleanup();
    const reps = Number(args[0] ?? 3);
    const files = Number(args[1] ?? 50_000);
    const burst = Number(args[2] ?? 8_000);
    const r = await runIngest(reps, files, burst, [0, 15]);
    console.log(JSON.stringify({ summary: summarizeIngest(r), raw: r }, null, 2));
  }
}
