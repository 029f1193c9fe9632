// State benchmark driver ("restart without starting over", docs/state.md): lsyncd-ts with
// `settings.stateDir` against Debian's lsyncd 2.2.3 where a comparison is asked, both through
// their binaries with the same generated Lua config (plus stateDir for lsyncd-ts), trees on
// tmpfs (/dev/shm), rsyncssh through a loopback sshd (bench/sync/common.ts startBenchSshd).
// Items (each selectable with --only):
//   restart  D directories / F files (default 40,000 / 80,000), 20 changes while the daemon is
//            down, time from spawn until the target matches; lsyncd-ts vs lsyncd; rsync runs
//            carrying the whole tree counted for both (restart.ts, common.ts);
//   big      the same restart on a big tree (default 200,000 / 1,000,000 empty files), lsyncd-ts only
//            (--big-lsyncd adds lsyncd): time, catch-up line, peak RSS, state size, what the
//            rsync runs carried. Each copy of the tree needs 1.2M inodes: /dev/shm (half the
//            RAM's pages) may hold two; --big-base DIR puts them elsewhere, e.g. on a tmpfs
//            mounted for the run with nr_inodes=6M;
//   steady   daemon CPU for a 5,000-file burst (rsync to a local target, or --steady-mode
//            rsyncssh) with stateDir and without, interleaved (steady.ts);
//   verify   `lsyncd-ts verify` vs a hand-run `rsync -anc --delete` over the same ssh, on the
//            restart item's lsyncd-ts tree, clean and drifted (verify.ts; runs `restart` first
//            if it was not selected).
// Prints a Markdown summary on stdout (medians; ratios lsyncd-ts / lsyncd, lower is better),
// progress on stderr, every raw sample as JSON with --json; kills every daemon and sshd and
// removes every temp tree at the end (also on failure or a signal).
//
// Usage: npm run build && node dist/bench/state/run.js [--only restart,big,steady,verify]
//          [--dirs 40000] [--files 80000] [--rounds 3] [--big-dirs 200000] [--big-files 1000000]
//          [--big-rounds 3] [--big-lsyncd] [--big-base DIR] [--burst-files 5000] [--burst-reps 5]
//          [--steady-mode rsync|rsyncssh] [--verify-reps 3] [--json FILE]
import fs from 'node:fs';

import { releaseTempDir, runBench } from '../cleanup.js';
import { type DaemonKind, fmt, gitHead, installCleanup, loadavg, machineInfo, median, type Mode, startBenchSshd } from '../sync/common.js';
import { ensureWatches } from './common.js';
import { type RestartSide, runRestart, verifyConfigOf } from './restart.js';
import { runSteady, type SteadyResult } from './steady.js';
import { runVerifyBench, type VerifyCase } from './verify.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string, d: number): number => Number(arg(name) ?? d);

const ms = (x: number): string => (Number.isFinite(x) ? (x >= 10_000 ? `${fmt(x / 1000, 1)} s` : `${fmt(x, 0)} ms`) : 'n/a');
const mib = (b: number): string => (Number.isFinite(b) ? `${fmt(b / 2 ** 20, 1)} MiB` : 'n/a');
const r2 = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const verdict = (x: number, goal: number): string => (!Number.isFinite(x) ? 'n/a' : x <= goal ? 'met' : '**MISSED**');
const list = (xs: readonly number[], f: (x: number) => string): string => xs.map(f).join(', ');

async function main(): Promise<void> {
  installCleanup();
  const known = ['restart', 'big', 'steady', 'verify'];
  const only = new Set((arg('--only') ?? known.join(',')).split(','));
  for (const o of only) if (!known.includes(o)) throw new Error(`--only: unknown item "${o}" — use a comma-separated list of ${known.join(', ')}`);
  const shape = { dirs: num('--dirs', 40_000), files: num('--files', 80_000) };
  const rounds = num('--rounds', 3);
  // Empty files: on tmpfs each non-empty file costs a page, and the big tree exists twice or four times.
  const bigShape = { dirs: num('--big-dirs', 200_000), files: num('--big-files', 1_000_000), empty: true };
  const bigRounds = num('--big-rounds', 3);
  const bigBase = arg('--big-base');
  const bigKinds: DaemonKind[] = process.argv.includes('--big-lsyncd') ? ['lsyncd-ts', 'lsyncd'] : ['lsyncd-ts'];
  const burstFiles = num('--burst-files', 5000);
  const burstReps = num('--burst-reps', 5);
  const steadyMode = (arg('--steady-mode') ?? 'rsync') as Mode;
  const verifyReps = num('--verify-reps', 3);
  const jsonOut = arg('--json');
  const maxDirs = Math.max(only.has('restart') || only.has('verify') ? shape.dirs : 0, only.has('big') ? bigShape.dirs : 0);
  // Each daemon watches every directory; other sessions on the machine need theirs too.
  const watches = ensureWatches(Math.max(2 * maxDirs + 100_000, 0));
  const machine: Record<string, string> = { ...machineInfo(), git: gitHead(), loadavgStart: loadavg(), tmpfs: '/dev/shm' };
  console.error(`machine: ${JSON.stringify(machine)}`);
  const started = performance.now();

  let restart: RestartSide[] = [];
  let big: RestartSide[] = [];
  let steady: SteadyResult | undefined;
  let verify: VerifyCase[] = [];

  const s = await startBenchSshd(['SetEnv SHLVL=1']);
  try {
    if (only.has('restart') || only.has('verify')) {
      console.error(`restart (${fmt(shape.dirs)} directories / ${fmt(shape.files)} files, rsyncssh):`);
      let kept: { dir: string; src: string; tgt: string } | undefined;
      restart = await runRestart({
        shape,
        kinds: only.has('restart') ? ['lsyncd-ts', 'lsyncd'] : ['lsyncd-ts'],
        rounds: only.has('restart') ? rounds : 0,
        ssh: s.ssh,
        prefix: 'lsyncd-ts-bench-state-',
        timeoutMs: 600_000,
        keep: (x) => {
          if (x.kind === 'lsyncd-ts') kept = x;
          else releaseTempDir(x.dir);
        },
      });
      if (only.has('verify') && kept) {
        console.error('verify:');
        verify = runVerifyBench({ src: kept.src, tgt: kept.tgt, conf: verifyConfigOf(kept, s.ssh), sshArgv: s.sshd.sshArgv, shape, reps: verifyReps });
      }
      if (kept) releaseTempDir(kept.dir);
    }
    if (only.has('big')) {
      console.error(`big restart (${fmt(bigShape.dirs)} directories / ${fmt(bigShape.files)} files, rsyncssh):`);
      big = await runRestart({ shape: bigShape, kinds: bigKinds, rounds: bigRounds, ssh: s.ssh, prefix: 'lsyncd-ts-bench-state-big-', ...(bigBase ? { base: bigBase } : {}), timeoutMs: 1_800_000 });
    }
    if (only.has('steady')) {
      console.error(`steady (${fmt(burstFiles)}-file burst, ${steadyMode}):`);
      steady = await runSteady(steadyMode, burstFiles, burstReps, steadyMode === 'rsyncssh' ? s.ssh : undefined);
    }
  } finally {
    await s.stop();
  }

  // ---------- summary ----------
  const out: string[] = [];
  out.push(
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}, lsyncd ${machine.lsyncd}; trees on tmpfs; max_user_watches ${watches}; ${machine.date}; load average at start ${machine.loadavgStart}, at end ${loadavg()}; git ${machine.git}; total ${fmt((performance.now() - started) / 1000)} s`,
  );
  const restartTable = (title: string, sides: RestartSide[]): void => {
    if (!sides.length) return;
    out.push('', title, '');
    out.push('| daemon | first start (full transfer) | restart: spawn → target matches (median; runs) | / lsyncd | spawn → watches set → catch-up line (lsyncd-ts) / startup line (lsyncd) | whole-tree rsync runs per restart | rsync runs; file-list entries; files sent; bytes sent (per restart, median) | differences left | peak RSS (VmHWM) | state dir (du) |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    const ref = sides.find((x) => x.kind === 'lsyncd');
    for (const x of sides) {
      const m = median(x.samples.map((y) => y.matchMs));
      const mm = median(x.samples.map((y) => y.milestoneMs));
      const whole = x.samples.map((y) => y.rsync.wholeTree);
      const st = x.samples.at(-1)?.stateBytes ?? x.setup.stateBytes;
      const diffs = x.samples.map((y) => y.differences.length);
      const dirT = x.samples.map((y) => y.dirTimesOnly);
      const med = (f: (y: RestartSide['samples'][number]) => number): string => fmt(median(x.samples.map(f)));
      out.push(
        `| ${x.kind} | ${ms(x.setup.startupMs)}${x.setup.settledMs ? ` (settled ${ms(x.setup.settledMs)})` : ''}; ${x.setup.rsync.wholeTree} whole-tree run | ${ms(m)} (${list(x.samples.map((y) => y.matchMs), ms)}) | ${ref && ref !== x ? `**${r2(m, median(ref.samples.map((y) => y.matchMs)))}**` : ''} | ${x.samples.some((y) => y.watchedMs !== undefined) ? `${ms(median(x.samples.map((y) => y.watchedMs ?? NaN)))} → ` : ''}${ms(mm)} | ${whole.join(', ')} | ${med((y) => y.rsync.runs)}; ${med((y) => y.rsync.listed)}; ${med((y) => y.rsync.transferred)}; ${med((y) => y.rsync.sentBytes)} | ${diffs.join(', ')}${dirT.some((d) => d > 0) ? ` (+ directory mtimes only: ${dirT.join(', ')})` : ''} | ${mib(Math.max(...x.samples.map((y) => y.peakRssBytes)))} (first start ${mib(x.setup.peakRssBytes)}) | ${st ? `${mib(st.allocated)}` : ''} |`,
      );
      const odd = x.samples.filter((y) => y.fullInitLine || (y.catchUpChanges !== undefined && y.catchUpChanges !== 20));
      for (const y of odd) out.push(`| | round ${y.round}: ${y.fullInitLine ?? ''} catch-up ${y.catchUpChanges ?? '—'} changes | | | | | | | | |`);
    }
  };
  restartTable(`**Restart after 20 changes** (rsyncssh, ${fmt(shape.dirs)} directories / ${fmt(shape.files)} files; 10 modified, 5 deleted, 5 created while the daemon was down):`, restart.filter((x) => x.samples.length));
  restartTable(`**Restart at scale** (rsyncssh, ${fmt(bigShape.dirs)} directories / ${fmt(bigShape.files)} empty files, 20 changes):`, big);
  if (steady) {
    out.push('', `**Steady state**: lsyncd-ts daemon CPU (utime+stime, children excluded) for a ${fmt(steady.files)}-file burst, ${steady.mode}, interleaved:`, '');
    out.push('| variant | daemon CPU per burst (median; runs) | with reaped children (median) | burst arrives (median) |', '|---|---|---|---|');
    for (const v of steady.variants) out.push(`| ${v.id} | ${fmt(median(v.cpuSec), 2)} s (${list(v.cpuSec, (c) => fmt(c, 2))}) | ${fmt(median(v.treeCpuSec), 2)} s | ${ms(median(v.ms))} |`);
    const on = steady.variants.find((v) => v.id === 'with stateDir')!;
    const off = steady.variants.find((v) => v.id === 'without stateDir')!;
    const extra = median(on.cpuSec) / median(off.cpuSec) - 1;
    const extraTree = median(on.treeCpuSec) / median(off.treeCpuSec) - 1;
    out.push('', `State writes: ${fmt(extra * 100, 1)} % extra daemon CPU (goal ≤ 10 %: ${verdict(extra, 0.1)}); ${fmt(extraTree * 100, 1)} % with the reaped children.`);
  }
  if (verify.length) {
    out.push('', `**verify** on the ${fmt(shape.files)}-file rsyncssh tree (daemon stopped):`, '');
    out.push('| target | `lsyncd-ts verify` (median; runs) | exit | report | `rsync -anc --delete` by hand (median) | / rsync |', '|---|---|---|---|---|---|');
    for (const c of verify) {
      const v = median(c.verify.map((x) => x.ms));
      const r = median(c.rsync.map((x) => x.ms));
      const last = c.verify.at(-1)!;
      out.push(`| ${c.target} | ${ms(v)} (${list(c.verify.map((x) => x.ms), ms)}) | ${[...new Set(c.verify.map((x) => x.exit))].join('/')} | ${last.state}: missing ${last.missing}, changed ${last.changed}, extra ${last.extra} | ${ms(r)} (${c.rsync[0]?.lines ?? 0} itemized lines) | ${r2(v, r)} |`);
      if (c.drift) {
        const found = new Set(last.paths ?? []);
        const all = [...c.drift.missing, ...c.drift.changed, ...c.drift.extra];
        const missed = all.filter((p) => !found.has(p));
        out.push(`| | drift made: missing ${c.drift.missing.length}, changed ${c.drift.changed.length} (2 with size and mtime kept), extra ${c.drift.extra.length}; named by verify: ${all.length - missed.length}/${all.length}${missed.length ? ` (not named: ${missed.join(', ')})` : ''} | | | | |`);
      }
    }
  }
  console.log(out.join('\n'));
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ machine, argv: process.argv.slice(2), restart, big, steady, verify }, null, 2)}\n`);
}

runBench(main);
