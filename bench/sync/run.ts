// Sync-engine benchmark driver: lsyncd-ts vs Debian's lsyncd 2.2.3 in the
// same run, both driven through their binaries on tmpfs (/dev/shm) trees: single-file latency
// (latency.ts; rsync, rsyncssh through a real loopback sshd, direct), a 5,000-file burst
// (burst.ts; rsync, direct), a 200 MiB file with 128 bytes changed (bigfile.ts; rsync) and
// ingest CPU of 16k events during a held transfer (ingest.ts). Prints a Markdown summary (ratios
// lsyncd-ts / lsyncd, lower is better, medians) on stdout, progress on stderr, writes every raw
// sample as JSON, and kills every daemon/sshd and removes every temp tree at the end (also on
// failure or a signal).
//
// Usage: npm run build && node dist/bench/sync/run.js [--reps 5] [--latency-samples 11]
//          [--files 5000] [--big-mib 200] [--big-reps 11] [--ingest-events 16000]
//          [--lsyncd-ingest 4000x3,8000x3,16000x1] [--cap 240] [--only latency,burst,big,ingest]
//          [--json FILE]
import fs from 'node:fs';

import { type BigFileResult, runBigFile } from './bigfile.js';
import { type BurstResult, runBurst } from './burst.js';
import { fmt, gitHead, installCleanup, loadavg, machineInfo, median, type Mode, startBenchSshd } from './common.js';
import { type IngestSample, runIngest } from './ingest.js';
import { type LatencyResult, runLatency } from './latency.js';
import { runBench } from '../cleanup.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const r2 = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const verdict = (a: number, b: number, goal: number): string => (!Number.isFinite(a / b) ? 'n/a' : a / b <= goal ? `≤ ${goal}×: **met**` : `≤ ${goal}×: **MISSED**`);

async function main(): Promise<void> {
  installCleanup();
  const reps = Number(arg('--reps') ?? 5);
  const latSamples = Number(arg('--latency-samples') ?? 11);
  const files = Number(arg('--files') ?? 5000);
  const bigMiB = Number(arg('--big-mib') ?? 200);
  const bigReps = Number(arg('--big-reps') ?? 11);
  const ingestEvents = Number(arg('--ingest-events') ?? 16000);
  const capSec = Number(arg('--cap') ?? 240);
  const lsyncdIngest = (arg('--lsyncd-ingest') ?? '4000x3,8000x3,16000x1').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const only = new Set((arg('--only') ?? 'latency,burst,big,ingest').split(','));
  const jsonOut = arg('--json');
  const machine: Record<string, string> = { ...machineInfo(), git: gitHead(), loadavgStart: loadavg(), tmpfs: '/dev/shm' };
  console.error(`machine: ${JSON.stringify(machine)}`);
  const started = performance.now();

  const latency: LatencyResult[] = [];
  const NESTED = 'a/b/c/';
  const burst: BurstResult[] = [];
  let big: BigFileResult | undefined;
  let ingest: IngestSample[] = [];

  if (only.has('latency')) {
    for (const mode of ['rsync', 'rsyncssh', 'direct'] as Mode[]) {
      console.error(`latency ${mode}:`);
      if (mode === 'rsyncssh') {
        // SetEnv SHLVL=1: the remote `bash -c 'rsync --server …'` then does not source root's
        // ~/.bashrc (Debian bash sources it for ssh sessions when SHLVL < 2). On the bench
        // machine that .bashrc runs `pyenv init` (~130 ms per session), which would be added to
        // every remote call of both daemons and measure this machine's dotfiles, not the daemons.
        const s = await startBenchSshd(['SetEnv SHLVL=1']);
        try {
          latency.push(await runLatency(mode, latSamples, s.ssh));
        } finally {
          await s.stop();
        }
      } else latency.push(await runLatency(mode, latSamples));
      // direct: also three directories deep, where each change has ancestors to check
      if (mode === 'direct') latency.push(await runLatency(mode, latSamples, undefined, NESTED));
    }
    for (const l of latency) {
      console.error(`latency ${l.mode}${l.sub ? ` in ${l.sub}` : ''}:`);
      console.error(l.available ? `  lsyncd-ts ${l.samples['lsyncd-ts']!.map((x) => x.toFixed(1)).join(' ')}\n  lsyncd    ${l.samples.lsyncd!.map((x) => x.toFixed(1)).join(' ')}` : `  unavailable: ${l.unavailableReason}`);
    }
  }
  if (only.has('burst')) {
    for (const mode of ['rsync', 'direct'] as Mode[]) {
      console.error(`burst ${mode}:`);
      const b = await runBurst(mode, files, reps);
      if (!b.available) console.error(`  unavailable: ${b.unavailableReason}`);
      burst.push(b);
    }
  }
  if (only.has('big')) {
    console.error(`${bigMiB} MiB file, 128 bytes changed:`);
    big = await runBigFile(bigMiB, bigReps);
  }
  if (only.has('ingest')) {
    console.error('ingest:');
    ingest = await runIngest({
      runs: [['lsyncd-ts', ingestEvents, reps], ...lsyncdIngest.map(([n, k]) => ['lsyncd', n, k] as ['lsyncd', number, number])],
      capSec,
    });
  }

  // ---------- summary ----------
  const out: string[] = [];
  out.push(
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}, lsyncd ${machine.lsyncd}; max_queued_events=${machine.maxQueuedEvents}; trees on tmpfs ${machine.tmpfs}; ${machine.date}; load average at start ${machine.loadavgStart}, at end ${loadavg()}; git ${machine.git}; total ${fmt((performance.now() - started) / 1000)} s`,
  );
  out.push('');
  out.push('| measurement | lsyncd 2.2.3 | lsyncd-ts | lsyncd-ts / lsyncd | goal |');
  out.push('|---|---|---|---|---|');
  const goalsLat: Record<Mode, number> = { direct: 0.5, rsync: 1.0, rsyncssh: 0.3 };
  for (const l of latency) {
    if (!l.available) {
      out.push(`| single-file latency, ${l.mode}${l.sub ? ` in ${l.sub}` : ''} | | not available: ${l.unavailableReason} | | ≤ ${goalsLat[l.mode]}× not measured |`);
      continue;
    }
    const a = median(l.samples['lsyncd-ts']!);
    const b = median(l.samples.lsyncd!);
    out.push(
      `| single-file latency, ${l.mode}${l.sub ? ` in ${l.sub}` : ''} (median of ${l.samples.lsyncd!.length}) | ${fmt(b, 1)} ms (${fmt(Math.min(...l.samples.lsyncd!), 1)}-${fmt(Math.max(...l.samples.lsyncd!), 1)}) | ${fmt(a, 1)} ms (${fmt(Math.min(...l.samples['lsyncd-ts']!), 1)}-${fmt(Math.max(...l.samples['lsyncd-ts']!), 1)}) | **${r2(a, b)}** | ${verdict(a, b, goalsLat[l.mode])} |`,
    );
  }
  const goalsBurst: Partial<Record<Mode, number>> = { direct: 0.15, rsync: 0.8 };
  for (const b of burst) {
    if (!b.available) {
      out.push(`| ${fmt(b.files)}-file burst, ${b.mode} | | not available: ${b.unavailableReason} | | ≤ ${goalsBurst[b.mode]}× not measured |`);
      continue;
    }
    const x = median(b.samples['lsyncd-ts']!);
    const y = median(b.samples.lsyncd!);
    out.push(
      `| ${fmt(b.files)}-file burst, ${b.mode} (median of ${b.samples.lsyncd!.length}; generator ${fmt(median([...b.genMs.lsyncd!, ...b.genMs['lsyncd-ts']!]))} ms) | ${fmt(y)} ms | ${fmt(x)} ms | **${r2(x, y)}** | ${verdict(x, y, goalsBurst[b.mode]!)} |`,
    );
  }
  if (big) {
    const x = median(big.samples['lsyncd-ts']!);
    const y = median(big.samples.lsyncd!);
    out.push(
      `| ${fmt(big.sizeBytes / 2 ** 20)} MiB file, 128 bytes changed, rsync (median of ${big.samples.lsyncd!.length}; whole-file mismatches: lsyncd ${big.mismatches.lsyncd}, lsyncd-ts ${big.mismatches['lsyncd-ts']}; lost changes: lsyncd ${big.lost.lsyncd}, lsyncd-ts ${big.lost['lsyncd-ts']}) | ${fmt(y)} ms | ${fmt(x)} ms | **${r2(x, y)}** | ${verdict(x, y, 1.0)} |`,
    );
  }
  if (ingest.length) {
    const ts = ingest.filter((s) => s.kind === 'lsyncd-ts' && s.events === ingestEvents);
    const tsCpu = median(ts.map((s) => s.cpuSec));
    const byN = new Map<number, IngestSample[]>();
    for (const s of ingest.filter((s) => s.kind === 'lsyncd')) byN.set(s.events, [...(byN.get(s.events) ?? []), s]);
    const lsCells: string[] = [];
    for (const [n, ss] of byN) {
      const capped = ss.some((s) => s.capped);
      lsCells.push(`${fmt(n)} events: ${capped ? '> ' : ''}${fmt(median(ss.map((s) => s.cpuSec)), 2)} s (${ss.length} run${ss.length > 1 ? 's' : ''}; overflows ${ss.reduce((a, s) => a + s.overflows.length, 0)})`);
    }
    const at = byN.get(ingestEvents);
    let ref = at ? median(at.map((s) => s.cpuSec)) : NaN;
    let refNote = at ? (at.some((s) => s.capped) ? ' (lsyncd capped: ratio is an upper bound)' : '') : '';
    if (!at && byN.size) {
      // Quadratic extrapolation from the largest measured size.
      const nMax = Math.max(...byN.keys());
      ref = median(byN.get(nMax)!.map((s) => s.cpuSec)) * (ingestEvents / nMax) ** 2;
      refNote = ` (lsyncd extrapolated quadratically from ${fmt(nMax)} events: ${fmt(ref, 1)} s)`;
    }
    out.push(
      `| ingest CPU, ${fmt(ingestEvents)} events during a held transfer | ${lsCells.join('; ')} | ${fmt(tsCpu, 3)} s (median of ${ts.length}; overflows ${ts.reduce((a, s) => a + s.overflows.length, 0)}) | **${tsCpu / ref < 0.001 ? (tsCpu / ref).toFixed(4) : (tsCpu / ref).toFixed(3)}×**${refNote} | ${verdict(tsCpu, ref, 0.02)} |`,
    );
  }
  console.log(out.join('\n'));
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ machine, argv: process.argv.slice(2), latency, burst, big, ingest }, null, 2)}\n`);
}

runBench(main);
