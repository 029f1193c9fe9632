// Watcher benchmark driver (bench/RESULTS.md): builds the ~100k-directory tree (make_tree.ts), runs the
// watch-setup comparison (watch_setup.ts) and the ingest comparison (ingest.ts) against Debian's
// lsyncd in the same run, prints a Markdown summary (the table in bench/RESULTS.md) on stdout and
// progress on stderr, optionally writes every raw sample as JSON, and removes its temp trees and
// child processes at the end (also on failure or a signal).
//
// Usage: npm run build && node dist/bench/watcher/run.js [--reps N] [--json FILE]
import fs from 'node:fs';
import path from 'node:path';

import { fmt, installCleanup, machineInfo, makeTempDir, releaseTempDir } from './common.js';
import { runIngest, summarizeIngest } from './ingest.js';
import { makeTree } from './make_tree.js';
import { runWatchSetup, summarizeSetup } from './watch_setup.js';
import { runBench } from '../cleanup.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const MiB = 2 ** 20;
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

async function main(): Promise<void> {
  installCleanup();
  const reps = Number(arg('--reps') ?? 3);
  const jsonOut = arg('--json');
  const machine = machineInfo();
  console.error(`machine: ${JSON.stringify(machine)}`);

  const work = makeTempDir('lsyncd-ts-bench-tree-');
  const tree = makeTree(path.join(work, 'tree'));
  console.error(`tree: ${fmt(tree.dirs)} directories (incl. root), ${fmt(tree.files)} files, built in ${fmt(tree.buildMs)} ms`);
  const setup = await runWatchSetup(tree, reps);
  releaseTempDir(work);

  console.error('ingest:');
  const ingest = await runIngest(reps, 50_000, 8_000, [0, 15]);

  const s = summarizeSetup(setup);
  const g = summarizeIngest(ingest);
  const l0 = g.lsyncd.find((x) => x.delay === 0);
  const l15 = g.lsyncd.find((x) => x.delay === 15);
  const b0 = g.lsyncdBurst.find((x) => x.delay === 0);
  const b15 = g.lsyncdBurst.find((x) => x.delay === 15);
  const lsyncdStorm = (x: typeof l0): string =>
    !x
      ? 'n/a'
      : x.completed === 0
        ? `did not complete in ${x.runs}/${x.runs} runs (${x.overflows} kernel queue overflows)`
        : `${fmt(x.goToEndMs)} ms, CPU ${fmt(x.cpuSec, 2)} s (${x.completed}/${x.runs} completed, ${x.overflows} overflows)`;

  const out: string[] = [];
  out.push(`Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}, lsyncd ${machine.lsyncd}; fs.inotify.max_queued_events=${machine.maxQueuedEvents}; ${machine.date}`);
  out.push('');
  out.push(`Tree: ${fmt(tree.dirs)} directories (10 × 100 × 99 + parents + root), ${fmt(tree.files)} files, on ${machine.tmpdir} (ext4), warm cache. Medians of ${reps} runs.`);
  out.push('');
  out.push('| watch setup | lsyncd 2.2.3 | lsyncd-ts | lsyncd-ts / lsyncd | goal |');
  out.push('|---|---|---|---|---|');
  out.push(
    `| time to watch the tree | ${fmt(s.lsyncdMs)} ms (spawn → init called; empty dir: ${fmt(s.lsyncdBaseMs)} ms) | ${fmt(s.tsAddMs)} ms (\`await w.add(tree)\`) | ${ratio(s.tsAddMs, s.lsyncdMs)} (vs lsyncd minus its empty-dir start-up: ${ratio(s.tsAddMs, s.lsyncdMs - s.lsyncdBaseMs)}) | ≤ 1× ${s.tsAddMs <= s.lsyncdMs ? 'met' : 'MISSED'} |`,
  );
  out.push(
    `| RSS when watching | ${fmt(s.lsyncdRss / MiB, 1)} MiB (empty dir: ${fmt(s.lsyncdBaseRss / MiB, 1)} MiB) | ${fmt(s.tsRss / MiB, 1)} MiB (baseline process: ${fmt(s.tsBaseRss / MiB, 1)} MiB) | | |`,
  );
  out.push(
    `| user-space bytes per watched directory | ${fmt(s.lsyncdBytesPerDir)} B | ${fmt(s.tsBytesPerDir)} B (in-process RSS delta ${fmt(s.tsInProcBytesPerDir)} B; V8 heap+external delta ${fmt(s.tsExtHeapBytesPerDir)} B) | ${ratio(s.tsBytesPerDir, s.lsyncdBytesPerDir)} | ≤ 200 B ${s.tsBytesPerDir <= 200 ? 'met' : 'MISSED'} |`,
  );
  out.push(
    `| peak RSS during the walk (VmHWM) | ${fmt(s.lsyncdHwm / MiB, 1)} MiB | ${fmt(s.tsHwmAboveBase / MiB, 1)} MiB above the baseline's peak | | |`,
  );
  out.push('');
  out.push(`Ingest: storms on ${ingest.stormFs} (tmpfs). ${fmt(g.events)} raw inotify events = ${fmt(ingest.files)} files × (IN_CREATE + IN_CLOSE_WRITE) + END.`);
  out.push('');
  out.push('| ingest | lsyncd 2.2.3 (no-op action) | lsyncd-ts | goal |');
  out.push('|---|---|---|---|');
  out.push(`| generator alone (nothing watching) | ${fmt(g.genOnlyMs)} ms | ${fmt(g.genOnlyMs)} ms | |`);
  out.push(
    `| live storm: go → everything handled | delay=0: ${lsyncdStorm(l0)}; delay=15: ${lsyncdStorm(l15)} | ${fmt(g.tsGoToFlushMs)} ms = **${fmt(g.tsWallRate)} events/s** wall (drain after the generator finished: ${fmt(g.tsDrainMs, 1)} ms; ${fmt(g.tsRecords)} records; overflows ${g.tsOverflows}) | ≥ 200k/s ${g.tsWallRate >= 200_000 ? 'met' : 'MISSED on wall clock'} |`,
  );
  out.push(`| live storm: consumer CPU (all threads) | ${l0 && l0.completed ? `${fmt(l0.cpuSec, 2)} s` : 'n/a (overflow)'} | ${fmt(g.tsCpuSec, 2)} s = ${fmt(g.tsCpuRate)} events per CPU-second | |`);
  out.push(
    `| burst drain: ${fmt(g.burstEvents)} events queued in the kernel while the consumer is paused | delay=0: ${b0 ? `${fmt(b0.drainMs)} ms = ${fmt(b0.rate)} events/s, CPU ${fmt(b0.cpuSec, 2)} s` : 'n/a'}; delay=15: ${b15 ? `CPU ${fmt(b15.cpuSec, 2)} s (${b15.completed}/${b15.runs} completed)` : 'n/a'} | ${fmt(g.tsBurstMs, 1)} ms = **${fmt(g.tsBurstRate)} events/s**, CPU ${fmt(g.tsBurstCpuSec, 3)} s (overflows ${g.tsBurstOverflows}) ; vs lsyncd delay=0: ${b0 ? ratio(g.tsBurstRate, b0.rate) : 'n/a'} the rate | ≥ 200k/s ${g.tsBurstRate >= 200_000 ? 'met' : 'MISSED'} |`,
  );
  console.log(out.join('\n'));
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ machine, tree, setup, setupSummary: s, ingest, ingestSummary: g }, null, 2)}\n`);
}

runBench(main);
