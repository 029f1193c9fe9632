// Memory through a long outage: one source, three daemons mirroring it over rsyncssh to the same
// loopback sshd, all through one TCP relay that this bench switches off (the target is down: every
// connection is cut at once) for the whole outage while the source changes at a steady rate:
//   - lsyncd (Debian's 2.2.3),
//   - lsyncd-ts with a state directory (its queue is bounded by maxBacklog, docs/state.md),
//   - lsyncd-ts without state (keeps every change queued, as lsyncd does).
// Every `--sample` seconds the resident memory (VmRSS) of each daemon is recorded. When the outage
// ends the relay forwards again, and the time until each target matches the source is measured
// (`rsync -anc --delete` dry run between source and target shows nothing). The same Lua config
// is given to all three; lsyncd-ts's with state only adds settings.stateDir.
//
// Usage: node dist/bench/outage/run.js [--minutes 60] [--rate 10] [--sample 60] [--json FILE]
//          [--max-backlog N]   (settings.maxBacklog of the daemon with state; default its default)
//   --rate: new files per second (as many existing files are rewritten, half as many of the new
//   ones deleted again, oldest first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { Daemon, fmt, gitHead, installCleanup, loadavg, machineInfo, makeTempDir, sleep, startBenchSshd, type DaemonKind } from '../sync/common.js';
import { readPeakRss, readRss } from '../watcher/common.js';
import { runBench } from '../cleanup.js';

interface Args {
  minutes: number;
  rate: number;
  sample: number;
  json: string | undefined;
  /** settings.maxBacklog of the daemon with state; undefined: its default. */
  maxBacklog: number | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { minutes: 60, rate: 10, sample: 60, json: undefined, maxBacklog: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--minutes') a.minutes = Number(v);
    else if (k === '--rate') a.rate = Number(v);
    else if (k === '--sample') a.sample = Number(v);
    else if (k === '--json') a.json = v;
    else if (k === '--max-backlog') a.maxBacklog = Number(v);
    else throw new Error(`unknown argument ${k} (use --minutes, --rate, --sample, --json, --max-backlog)`);
    i++;
  }
  if (!(a.minutes > 0 && a.rate > 0 && a.sample > 0)) throw new Error('--minutes, --rate and --sample take numbers > 0');
  return a;
}

/** A TCP relay to `port` that can be switched off: off, every connection is cut and new ones are closed at once. */
function relay(port: number): Promise<{ port: number; set(up: boolean): void; close(): void }> {
  let up = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    if (!up) return void sock.destroy();
    const peer = net.connect(port, '127.0.0.1');
    open.add(sock).add(peer);
    const drop = (): void => {
      sock.destroy();
      peer.destroy();
      open.delete(sock);
      open.delete(peer);
    };
    sock.on('error', drop).on('close', drop);
    peer.on('error', drop).on('close', drop);
    sock.pipe(peer).pipe(sock);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        set(v: boolean) {
          up = v;
          if (!v) for (const s of open) s.destroy();
        },
        close() {
          for (const s of open) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

interface Runner {
  readonly label: string;
  readonly kind: DaemonKind;
  readonly tgt: string;
  readonly daemon: Daemon;
}

const INITIAL_DIRS = 20;
const INITIAL_FILES = 50;

async function main(): Promise<void> {
  installCleanup();
  const args = parseArgs(process.argv.slice(2));
  const root = makeTempDir('lsyncd-ts-outage-');
  const src = path.join(root, 'src');
  for (let d = 0; d < INITIAL_DIRS; d++) {
    fs.mkdirSync(path.join(src, `d${d}`), { recursive: true });
    fs.mkdirSync(path.join(src, 'up', `u${d}`), { recursive: true });
    for (let f = 0; f < INITIAL_FILES; f++) fs.writeFileSync(path.join(src, `d${d}`, `f${f}`), `d${d}/f${f} v0\n`);
  }
  const { sshd, stop: stopSshd } = await startBenchSshd();
  const link = await relay(sshd.port);
  const knownHosts = path.join(root, 'known_hosts');
  fs.writeFileSync(knownHosts, fs.readFileSync(sshd.knownHostsFile, 'utf8').replace(`]:${sshd.port} `, `]:${link.port} `));
  const options = { ...sshd.sshOptions, UserKnownHostsFile: knownHosts };
  const conf = (tgt: string, stateDir?: string): string =>
    [
      `settings{ nodaemon = true${stateDir !== undefined ? `, stateDir = "${stateDir}"${args.maxBacklog !== undefined ? `, maxBacklog = ${args.maxBacklog}` : ''}` : ''} }`,
      'sync{ default.rsyncssh,',
      `  source = "${src}", host = "${sshd.user}@127.0.0.1", targetdir = "${tgt}", delay = 5,`,
      `  ssh = { identityFile = "${sshd.identityFile}", port = ${link.port}, options = { ${Object.entries(options).map(([k, v]) => `${k} = "${v}"`).join(', ')} } },`,
      '}',
      '',
    ].join('\n');
  const runners: Runner[] = [];
  for (const [label, kind, state] of [['lsyncd', 'lsyncd', false], ['lsyncd-ts (state)', 'lsyncd-ts', true], ['lsyncd-ts (no state)', 'lsyncd-ts', false]] as const) {
    const dir = path.join(root, label.replace(/[^a-z-]/g, '_'));
    const tgt = path.join(dir, 'tgt');
    fs.mkdirSync(tgt, { recursive: true });
    const file = path.join(dir, 'c.lua');
    fs.writeFileSync(file, conf(tgt, state ? path.join(dir, 'state') : undefined));
    runners.push({ label, kind, tgt, daemon: Daemon.start(kind, ['-nodaemon', file], path.join(dir, 'log')) });
  }
  for (const r of runners) await r.daemon.waitStartup(120_000);
  await sleep(3000); // the state's settle period (sync_ledger.ts SETTLE_MS) and a quiet start
  const rss0 = runners.map((r) => readRss(r.daemon.pid));
  console.log(`start: ${runners.map((r, i) => `${r.label} ${fmt(rss0[i]! / 1048576, 1)} MiB`).join(', ')}`);

  link.set(false);
  const samples: { minute: number; rssMiB: number[] }[] = [];
  const began = performance.now();
  const endAt = began + args.minutes * 60_000;
  let nextSample = began + args.sample * 1000;
  let created = 0;
  let deleted = 0;
  let rewritten = 0;
  const live: string[] = [];
  for (let tick = 0; performance.now() < endAt; tick++) {
    for (let i = 0; i < args.rate; i++) {
      const p = path.join(src, 'up', `u${created % INITIAL_DIRS}`, `n${created}`);
      fs.writeFileSync(p, `upload ${created}\n`);
      live.push(p);
      created++;
      const d = (tick * args.rate + i) % INITIAL_DIRS;
      fs.writeFileSync(path.join(src, `d${d}`, `f${(tick + i) % INITIAL_FILES}`), `rewrite ${tick} ${i}\n`);
      rewritten++;
    }
    for (let i = 0; i < args.rate / 2 && live.length > 0; i++) {
      fs.rmSync(live.shift()!);
      deleted++;
    }
    if (performance.now() >= nextSample) {
      const minute = (performance.now() - began) / 60_000;
      const rss = runners.map((r) => readRss(r.daemon.pid) / 1048576);
      samples.push({ minute, rssMiB: rss });
      console.log(`${fmt(minute, 1)} min: ${runners.map((r, i) => `${r.label} ${fmt(rss[i]!, 1)} MiB`).join(', ')} (load ${loadavg()})`);
      nextSample += args.sample * 1000;
    }
    const wait = began + (tick + 1) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  for (const r of runners) if (!r.daemon.alive) throw new Error(`${r.label} died during the outage (${r.daemon.exitInfo}):\n${r.daemon.tail()}`);
  const peak = runners.map((r) => readPeakRss(r.daemon.pid) / 1048576);

  // The target is back: time until each one matches the source.
  link.set(true);
  const back = performance.now();
  const matchedAfter: (number | undefined)[] = runners.map(() => undefined);
  const deadline = back + 30 * 60_000;
  while (matchedAfter.some((m) => m === undefined) && performance.now() < deadline) {
    for (const [i, r] of runners.entries()) {
      if (matchedAfter[i] !== undefined) continue;
      const dry = spawnSync('rsync', ['-anc', '--delete', '--itemize-changes', '--exclude=/.lsyncd-ts*', `${src}/`, `${r.tgt}/`], { encoding: 'utf8' });
      const diffs = dry.stdout.split('\n').filter((l) => l !== '' && !/^\.d/.test(l));
      if (dry.status === 0 && diffs.length === 0) matchedAfter[i] = (performance.now() - back) / 1000;
    }
    await sleep(2000);
  }
  const dropped = runners.map((r) => (r.daemon.log().match(/dropping the queue/g) ?? []).length);
  const result = {
    date: new Date().toISOString(),
    commit: gitHead(),
    machine: machineInfo(),
    args,
    changes: { created, rewritten, deleted },
    daemons: runners.map((r, i) => ({
      label: r.label,
      rssStartMiB: rss0[i]! / 1048576,
      rssEndMiB: samples.at(-1)?.rssMiB[i],
      peakMiB: peak[i],
      matchedAfterS: matchedAfter[i],
      queueDrops: dropped[i],
    })),
    samples,
  };
  console.log(JSON.stringify(result.daemons, null, 2));
  console.log(`changes: ${created} files created, ${rewritten} rewrites, ${deleted} deleted`);
  if (args.json !== undefined) fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  for (const r of runners) await r.daemon.stop();
  link.close();
  await stopSshd();
}

runBench(main);
