// Fan-out benchmark driver ("many servers from one hub"): lsyncd-ts against Debian's lsyncd 2.2.3
// in the same run, both through their binaries, trees on tmpfs (/dev/shm), rsyncssh through
// real loopback sshds playing many servers (common.ts). lsyncd gets the usual Lua loop (one
// sync{} per target); lsyncd-ts the same Lua loop and a JSON config with a list of targets.
// Items (each selectable with --only):
//   watches   inotify watches/instances and RSS with 1, 8, 64 local rsync targets of one
//             ~2,000-directory source (watches.ts);
//   latency16 time until the LAST of 16 rsyncssh targets has a new small file: lsyncd (its
//             rsyncssh runs one process per sync), lsyncd-ts at default settings and with
//             settings.maxProcesses = 1 and 4, and each daemon with one target (ssh_fanout.ts);
//   burst16   a 500-file burst to the same 16 targets: time until all match (ssh_fanout.ts);
//   targets64 64 targets (local rsync and rsyncssh) under `prlimit --nofile=1024`: does it start,
//             last-target latency, hub CPU, RSS, fds, inotify instances (limits.ts);
//   stuck     8 rsyncssh targets, one of them a server that accepts and never answers: latency
//             of the other 7 and a 200-file burst to them, with and without the stuck one;
//   relay     extra latency of a hub → relay → leaf hop against hub → leaf (relay.ts).
// Prints a Markdown summary on stdout (medians; ratios lsyncd-ts / lsyncd, lower is better),
// progress on stderr, every raw sample as JSON with --json, and kills every daemon, sshd and
// listener and removes every temp tree at the end (also on failure or a signal).
//
// Usage: npm run build && node dist/bench/fanout/run.js [--only watches,latency16,burst16,targets64,stuck,relay]
//          [--dirs 2000] [--watch-targets 1,8,64] [--samples 5] [--burst-files 500] [--burst-reps 1]
//          [--limit-targets 64] [--limit-dirs 100] [--limit-samples 3] [--nofile 1024]
//          [--stuck-files 200] [--relay-files 200] [--json FILE]
import fs from 'node:fs';

import { fmt, gitHead, installCleanup, loadavg, machineInfo, makeTempDir, median } from '../sync/common.js';
import { LSYNCD_LOOP, startServers, startStuckServer, TS_LIST, TS_LOOP, tsListCapped, type Servers } from './common.js';
import { type LimitsRow, runLimits } from './limits.js';
import { type RelayResult, runRelay } from './relay.js';
import { runSshCase, type SshCase, type SshCaseResult } from './ssh_fanout.js';
import { runWatches, type WatchesRow } from './watches.js';
import { runBench } from '../cleanup.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string, d: number): number => Number(arg(name) ?? d);

const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `**${(a / b).toFixed(2)}×**` : 'n/a');
const ms = (x: number): string => (Number.isFinite(x) ? `${fmt(x, x < 100 ? 1 : 0)} ms` : 'n/a');
const mib = (b: number): string => (Number.isFinite(b) ? `${fmt(b / 2 ** 20, 1)} MiB` : 'n/a');
const range = (xs: readonly number[]): string => (xs.length > 1 ? ` (${fmt(Math.min(...xs), 0)}-${fmt(Math.max(...xs), 0)})` : '');

async function withServers<T>(count: number, fn: (srv: Servers) => Promise<T>): Promise<T> {
  const srv = await startServers(makeTempDir('lsyncd-ts-bench-fan-srv-'), count);
  try {
    return await fn(srv);
  } finally {
    await srv.stop();
  }
}

async function main(): Promise<void> {
  installCleanup();
  const only = new Set((arg('--only') ?? 'watches,latency16,burst16,targets64,stuck,relay').split(','));
  const known = ['watches', 'latency16', 'burst16', 'targets64', 'stuck', 'relay'];
  for (const o of only) if (!known.includes(o)) throw new Error(`--only: unknown item "${o}" — use a comma-separated list of ${known.join(', ')}`);
  const dirs = num('--dirs', 2000);
  const watchTargets = (arg('--watch-targets') ?? '1,8,64').split(',').map(Number);
  const samples = num('--samples', 5);
  const burstFiles = num('--burst-files', 500);
  const burstReps = num('--burst-reps', 1);
  const limitTargets = num('--limit-targets', 64);
  const limitDirs = num('--limit-dirs', 100);
  const limitSamples = num('--limit-samples', 3);
  const nofile = num('--nofile', 1024);
  const stuckFiles = num('--stuck-files', 200);
  const relayFiles = num('--relay-files', 200);
  const jsonOut = arg('--json');
  const machine: Record<string, string> = { ...machineInfo(), git: gitHead(), loadavgStart: loadavg(), tmpfs: '/dev/shm' };
  console.error(`machine: ${JSON.stringify(machine)}`);
  const started = performance.now();
  const runOpts = { startupTimeoutMs: 120_000, sampleTimeoutMs: 30_000 };

  let watches: WatchesRow[] = [];
  const ssh16: SshCaseResult[] = [];
  let limits: LimitsRow[] = [];
  const stuck: SshCaseResult[] = [];
  const relay: RelayResult[] = [];

  if (only.has('watches')) {
    console.error(`watches (${fmt(dirs)} directories, ${watchTargets.join('/')} local rsync targets):`);
    watches = await runWatches([LSYNCD_LOOP, TS_LOOP, TS_LIST], watchTargets, dirs);
  }
  if (only.has('latency16') || only.has('burst16')) {
    console.error('16 rsyncssh targets:');
    const lat = only.has('latency16') ? samples : 0;
    const reps = only.has('burst16') ? burstReps : 0;
    const all16 = Array.from({ length: 16 }, (_, i) => i);
    const cases: { c: SshCase; burst: boolean }[] = [
      { c: { variant: LSYNCD_LOOP, servers: all16, label: '16 targets' }, burst: true },
      { c: { variant: TS_LOOP, servers: all16, label: '16 targets' }, burst: true },
      { c: { variant: TS_LIST, servers: all16, label: '16 targets' }, burst: true },
      { c: { variant: tsListCapped(1), servers: all16, label: '16 targets' }, burst: true },
      { c: { variant: tsListCapped(4), servers: all16, label: '16 targets' }, burst: true },
      { c: { variant: LSYNCD_LOOP, servers: [0], label: '1 target' }, burst: false },
      { c: { variant: TS_LIST, servers: [0], label: '1 target' }, burst: false },
    ];
    await withServers(16, async (srv) => {
      for (const { c, burst } of cases) {
        if (lat === 0 && !burst) continue;
        ssh16.push(await runSshCase(c, srv, { ...runOpts, samples: lat, burstFiles, burstReps: burst ? reps : 0 }));
      }
    });
  }
  if (only.has('targets64')) {
    console.error(`${limitTargets} targets under prlimit --nofile=${nofile}:`);
    limits = await withServers(limitTargets, (srv) =>
      runLimits([LSYNCD_LOOP, TS_LOOP, TS_LIST], ['rsync', 'rsyncssh'], { targets: limitTargets, dirs: limitDirs, samples: limitSamples, nofile, srv }),
    );
  }
  if (only.has('stuck')) {
    console.error('8 rsyncssh targets, one stuck:');
    await withServers(8, async (srv) => {
      const listener = await startStuckServer();
      srv.setStuckPort(listener.port);
      try {
        const good = [0, 1, 2, 3, 4, 5, 6];
        for (const variant of [LSYNCD_LOOP, TS_LOOP, TS_LIST]) {
          for (const withStuck of [false, true]) {
            const c: SshCase = withStuck
              ? { variant, servers: [...good, 'stuck'], label: '7 + 1 stuck' }
              : { variant, servers: [...good, 7], measured: good, label: '8, none stuck' };
            stuck.push(await runSshCase(c, srv, { ...runOpts, samples, burstFiles: stuckFiles, burstReps: 1, stuck: withStuck ? listener : undefined }));
          }
        }
      } finally {
        listener.stop();
      }
    });
  }
  if (only.has('relay')) {
    console.error('relay (hub → relay → leaf vs hub → leaf):');
    await withServers(3, async (srv) => {
      for (const hubTempDir of [false, true]) relay.push(await runRelay(srv, { samples, burstFiles: relayFiles, burstReps: 1, hubTempDir }));
    });
  }

  // ---------- summary ----------
  const out: string[] = [];
  out.push(
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}, lsyncd ${machine.lsyncd}; trees on tmpfs; ${machine.date}; load average at start ${machine.loadavgStart}, at end ${loadavg()}; git ${machine.git}; total ${fmt((performance.now() - started) / 1000)} s`,
  );
  if (watches.length) {
    out.push('', `**Watches and memory**, one source of ${fmt(dirs)} directories, N local rsync targets (after start-up, idle):`, '');
    out.push('| variant | targets | inotify watches (per directory) | inotify instances | RSS | RSS per extra target (vs 1 target) |');
    out.push('|---|---|---|---|---|---|');
    for (const w of watches) {
      const one = watches.find((x) => x.variant === w.variant && x.targets === 1);
      const per = one && w.targets > 1 ? mib((w.rssBytes - one.rssBytes) / (w.targets - 1)) : '';
      out.push(w.error ? `| ${w.variant} | ${w.targets} | failed: ${w.error} | | | |` : `| ${w.variant} | ${w.targets} | ${fmt(w.watches)} (${(w.watches / w.dirs).toFixed(2)}) | ${w.instances} | ${mib(w.rssBytes)} | ${per} |`);
    }
  }
  const caseTable = (title: string, rows: SshCaseResult[], ref: (r: SshCaseResult) => SshCaseResult | undefined, files: number): void => {
    out.push('', title, '');
    out.push(`| variant | targets | last-target latency (median of ${samples}) | / lsyncd | ${fmt(files)}-file burst, all targets match | / lsyncd | note |`);
    out.push('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const b = ref(r);
      const lat = median(r.last);
      const bu = median(r.burst);
      const note = [r.error ?? '', r.stuckAccepted ? `stuck server accepted ${r.stuckAccepted} connections` : ''].filter(Boolean).join('; ');
      out.push(
        `| ${r.variant} | ${r.label} | ${r.last.length ? `${ms(lat)}${range(r.last)}` : 'n/a'} | ${b && b !== r && r.last.length ? ratio(lat, median(b.last)) : ''} | ${r.burst.length ? ms(bu) : 'n/a'} | ${b && b !== r && r.burst.length ? ratio(bu, median(b.burst)) : ''} | ${note} |`,
      );
    }
  };
  if (ssh16.length) {
    caseTable('**16 rsyncssh targets** (delay 0; Lua loops: 16 targetdirs on one sshd, as lsyncd users write it; JSON list: 16 hosts, each its own sshd):', ssh16, (r) => ssh16.find((x) => x.variant === LSYNCD_LOOP.id && x.label === r.label), burstFiles);
    const one = ssh16.find((x) => x.variant === TS_LIST.id && x.label === '1 target');
    const sixteen = ssh16.find((x) => x.variant === TS_LIST.id && x.label === '16 targets');
    const lone = ssh16.find((x) => x.variant === LSYNCD_LOOP.id && x.label === '1 target');
    const lsixteen = ssh16.find((x) => x.variant === LSYNCD_LOOP.id && x.label === '16 targets');
    if (one?.last.length && sixteen?.last.length) {
      out.push('', `Last of 16 / one target: lsyncd-ts ${ratio(median(sixteen.last), median(one.last))}${lone?.last.length && lsixteen?.last.length ? `, lsyncd ${ratio(median(lsixteen.last), median(lone.last))}` : ''}.`);
    }
  }
  if (limits.length) {
    out.push('', `**${limitTargets} targets** under \`prlimit --nofile=${nofile}\` (max_user_instances ${limits[0]!.maxUserInstances}), source of ${fmt(limitDirs)} directories:`, '');
    out.push(`| variant | mode | started | last-target latency (median of ${limitSamples}) | hub CPU per change | start-up (CPU) | RSS | fds | inotify instances / watches | limit lines in the log |`);
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const l of limits) {
      out.push(
        `| ${l.variant} | ${l.mode} | ${l.started ? 'yes' : `**no**: ${l.error}`} | ${l.last.length ? ms(median(l.last)) : 'n/a'} | ${Number.isFinite(l.cpuPerChangeSec) ? `${fmt(l.cpuPerChangeSec * 1000, 0)} ms` : 'n/a'} | ${ms(l.startupMs)} (${fmt(l.startupCpuSec, 2)} s) | ${mib(l.rssBytes)} | ${fmt(l.fds)} | ${fmt(l.instances)} / ${fmt(l.watches)} | ${l.limitLines}${l.firstLimitLine ? `: \`${l.firstLimitLine.replace(/\|/g, '\\|')}\`` : ''} |`,
      );
    }
  }
  if (stuck.length) {
    caseTable('**One stuck server among 8** (rsyncssh; the 7 others measured; Lua loops: 7 targetdirs on one sshd + the stuck port; JSON list: 7 hosts + the stuck one):', stuck, (r) => stuck.find((x) => x.variant === LSYNCD_LOOP.id && x.label === r.label), stuckFiles);
    out.push('');
    for (const v of [LSYNCD_LOOP, TS_LOOP, TS_LIST]) {
      const a = stuck.find((x) => x.variant === v.id && x.label === '7 + 1 stuck');
      const b = stuck.find((x) => x.variant === v.id && x.label === '8, none stuck');
      if (a && b) out.push(`- ${v.id}, stuck / none stuck: latency ${a.last.length ? ratio(median(a.last), median(b.last)) : 'n/a'}, burst ${a.burst.length ? ratio(median(a.burst), median(b.burst)) : 'n/a'}`);
    }
  }
  if (relay.length) {
    out.push('', '**Relay** (lsyncd-ts hub → lsyncd-ts relay → leaf, rsyncssh both hops, delay 0; the same write timed at a leaf the hub reaches directly):', '');
    out.push('| hub\'s rsync temp files | measurement | hub → leaf | hub → relay → leaf | extra for the hop | temp files in the relay\'s source / sent on to the leaf / left there |', '|---|---|---|---|---|---|');
    for (const r of relay) {
      const where = r.hubTempDir ? '`temp_dir` outside the relayed tree' : 'in the relayed tree (default)';
      if (r.error) {
        out.push(`| ${where} | failed: ${r.error} | | | | |`);
        continue;
      }
      const temps = `${r.hubTempNames} / ${r.tempNamesSeen.length} / ${r.tempNamesLeft.length}`;
      out.push(`| ${where} | single file (median of ${r.samples.length}) | ${ms(median(r.samples.map((s) => s.direct)))} | ${ms(median(r.samples.map((s) => s.relayed)))} | ${ms(median(r.samples.map((s) => s.relayed - s.direct)))} | ${temps} |`);
      const bd = median(r.bursts.map((s) => s.direct));
      const br = median(r.bursts.map((s) => s.relayed));
      out.push(`| ${where} | ${fmt(r.burstFiles)}-file burst | ${ms(bd)} | ${ms(br)} | ${ms(br - bd)} | |`);
    }
  }
  console.log(out.join('\n'));
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ machine, argv: process.argv.slice(2), watches, ssh16, limits, stuck, relay }, null, 2)}\n`);
}

runBench(main);
