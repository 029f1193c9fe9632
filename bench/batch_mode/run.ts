// Hub CPU of one change set sent to N targets: per-target rsync (what lsyncd-ts runs today,
// batch_argv.ts) against rsync's batch mode (src/transports/rsync/batch_fanout.ts: one
// --only-write-batch against target 0, then one --read-batch per target).
//
// Change sets:
//   - big:   a BIG_MIB file on the hub with CHANGE_MIB rewritten in place at a different offset
//            in each repetition (open without O_TRUNC, pwrite); the targets hold the previous
//            version, identical to each other;
//   - small: SMALL_FILES new files of SMALL_KIB each in a new directory.
// Targets: local directories, and the same directories reached as 127.0.0.1:DIR through a
// loopback sshd (test/helpers/sshd.ts) — then the "remote" rsync and sshd run on this machine
// too, but outside the hub's process tree, and are counted separately.
//
// Measured per change set and target count, every command run one after the other:
//   - hub CPU: user+sys of every process the bench starts and everything below it (rsync
//     client, its forked receiver/generator for local targets, the ssh client), taken from
//     `/usr/bin/time -f '%U %S'`, which reports the rusage of the waited-for children;
//   - remote CPU (ssh targets only): the growth of the sshd listener's cutime+cstime
//     (/proc/PID/stat) once every session below it has been reaped: sshd's session processes,
//     the remote shell and the remote rsync;
//   - wall time from the first command to the end of the last.
// Each repetition is checked: every target equals the source byte for byte afterwards (a
// failed batch read — which would mean the targets were not identical — is counted and fixed
// with the plain rsync, as the fallback would). The targets a smaller N does not use are
// brought to the same state without rsync (the same pwrite, `touch -r`, or `cp -a`), so every
// run starts from N identical targets. No ssh ControlMaster: each call opens its own
// connection, in both modes alike (a master's CPU would fall outside the hub's process tree).
//
// Usage: npm run build && node dist/bench/batch_mode/run.js [--big-mib 200] [--change-mib 1]
//          [--targets 1,4,16] [--reps 3] [--small-files 500] [--small-kib 4]
//          [--kinds local,ssh] [--sets big,small] [--variants plain,batch,plain-inplace,batch-inplace]
//          [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { RsyncOptions } from '../../src/config/schema.js';
import { batchReadCommand, batchReadRejected, batchWriteCommand } from '../../src/transports/rsync/batch_fanout.js';
import { rsyncBatchCommand } from '../../src/transports/rsync/batch_argv.js';
import type { IncludeEntry } from '../../src/transports/rsync/include_list.js';
import { rshOption } from '../../src/transports/rsyncssh/ssh_argv.js';
import { cleanupAll, fmt, gitHead, installCleanup, loadavg, machineInfo, makeTempDir, median, startBenchSshd } from '../sync/common.js';
import { runBench } from '../cleanup.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Kind = 'local' | 'ssh';
type Variant = 'plain' | 'batch' | 'plain-inplace' | 'batch-inplace';
type SetName = 'big' | 'small';

interface Sample {
  set: SetName;
  kind: Kind;
  variant: Variant;
  targets: number;
  rep: number;
  hubCpu: number;
  remoteCpu: number;
  wallMs: number;
  batchBytes: number;
  rejected: number;
  mismatches: number;
}

interface Cmd {
  binary: string;
  args: readonly string[];
  stdin: Buffer | undefined;
  stdinFile?: string | undefined;
}

interface RunResult {
  code: number | null;
  stderr: string;
  cpu: number;
}

/** Runs `cmd` under /usr/bin/time; resolves with exit code, stderr and user+sys of the tree. */
function timed(cmd: Cmd, timeFile: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdinFd = cmd.stdinFile !== undefined ? fs.openSync(cmd.stdinFile, 'r') : undefined;
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd.binary, ...cmd.args], {
      stdio: [stdinFd ?? (cmd.stdin !== undefined ? 'pipe' : 'ignore'), 'ignore', 'pipe'],
    });
    if (stdinFd !== undefined) fs.closeSync(stdinFd);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    if (cmd.stdin !== undefined && child.stdin) child.stdin.end(cmd.stdin);
    child.on('error', reject);
    child.on('close', (code) => {
      const [u, s] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ code, stderr, cpu: u! + s! });
    });
  });
}

function statFields(pid: number): string[] {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function hasChildren(pid: number): boolean {
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (Number(statFields(Number(e))[1]) === pid) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

/** cutime+cstime of the sshd listener once all its sessions have been reaped. */
async function reapedChildCpu(pid: number): Promise<number> {
  const end = performance.now() + 10_000;
  while (hasChildren(pid) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  const f = statFields(pid);
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

function cpA(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', '--', from, to]);
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr}`);
}

function touchRef(ref: string, file: string): void {
  const r = spawnSync('touch', ['-r', ref, '--', file]);
  if (r.status !== 0) throw new Error(`touch -r: ${r.stderr}`);
}

async function main(): Promise<void> {
  installCleanup();
  const bigMiB = Number(arg('--big-mib') ?? 200);
  const changeMiB = Number(arg('--change-mib') ?? 1);
  const targetCounts = (arg('--targets') ?? '1,4,16').split(',').map(Number);
  const reps = Number(arg('--reps') ?? 3);
  const smallFiles = Number(arg('--small-files') ?? 500);
  const smallKiB = Number(arg('--small-kib') ?? 4);
  const kinds = (arg('--kinds') ?? 'local,ssh').split(',') as Kind[];
  const sets = (arg('--sets') ?? 'big,small').split(',') as SetName[];
  const variants = (arg('--variants') ?? 'plain,batch,plain-inplace,batch-inplace').split(',') as Variant[];
  const jsonOut = arg('--json');
  const maxN = Math.max(...targetCounts);
  const rsyncVersion = spawnSync('rsync', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
  const machine: Record<string, string> = { ...machineInfo(), rsync: rsyncVersion, git: gitHead(), loadavgStart: loadavg(), tmpfs: '/dev/shm' };
  console.error(`machine: ${JSON.stringify(machine)}`);

  const dir = makeTempDir('lsyncd-ts-bench-batchmode-');
  const src = path.join(dir, 'src');
  const tgts = Array.from({ length: maxN }, (_, i) => path.join(dir, `t${i}`));
  const work = path.join(dir, 'work');
  fs.mkdirSync(src);
  fs.mkdirSync(work);
  const timeFile = path.join(work, 'time');
  const batchFile = path.join(work, 'batch');

  const big = path.join(src, 'big.bin');
  {
    const size = bigMiB * 2 ** 20;
    const fd = fs.openSync(big, 'w');
    const chunk = Buffer.alloc(4 * 2 ** 20);
    for (let off = 0; off < size; off += chunk.length) {
      crypto.randomFillSync(chunk);
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
    }
    fs.closeSync(fd);
  }
  for (const t of tgts) {
    fs.mkdirSync(t);
    cpA(big, path.join(t, 'big.bin'));
  }

  const needSsh = kinds.includes('ssh');
  const s = needSsh ? await startBenchSshd(['SetEnv SHLVL=1']) : undefined;
  const samples: Sample[] = [];
  let smallRound = 0;
  let bigRound = 0;

  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const set of sets) {
        for (const kind of kinds) {
          for (const variant of variants) {
            if (set === 'small' && variant.endsWith('inplace')) continue;
            for (const n of targetCounts) {
              // ---- the change ----
              let entries: IncludeEntry[];
              let catchUp: (t: string) => void;
              if (set === 'big') {
                bigRound++;
                const size = bigMiB * 2 ** 20;
                const len = changeMiB * 2 ** 20;
                const offset = Math.floor((((bigRound * 0.6180339887) % 1) * (size - len)) / 4096) * 4096;
                const bytes = crypto.randomBytes(len);
                const fd = fs.openSync(big, 'r+');
                fs.writeSync(fd, bytes, 0, len, offset);
                fs.closeSync(fd);
                entries = [{ path: '/big.bin', subtree: false }];
                catchUp = (t) => {
                  const f = path.join(t, 'big.bin');
                  const tfd = fs.openSync(f, 'r+');
                  fs.writeSync(tfd, bytes, 0, len, offset);
                  fs.closeSync(tfd);
                  touchRef(big, f);
                };
              } else {
                smallRound++;
                const sub = `s${smallRound}`;
                fs.mkdirSync(path.join(src, sub));
                entries = [{ path: `/${sub}/`, subtree: false }];
                for (let i = 0; i < smallFiles; i++) {
                  fs.writeFileSync(path.join(src, sub, `f${i}`), crypto.randomBytes(smallKiB * 1024));
                  entries.push({ path: `/${sub}/f${i}`, subtree: false });
                }
                catchUp = (t) => {
                  cpA(path.join(src, sub), path.join(t, sub));
                  touchRef(src, t);
                };
              }
              const inplace = variant.endsWith('inplace');
              const rsync: RsyncOptions = { links: true, times: true, protect_args: true, ...(inplace ? { inplace: true } : {}) };
              const remote = (t: string): string => `${s!.ssh.host}:${t}/`;
              const extraRsh = kind === 'ssh' ? rshOption(s!.sshd.sshTable) : undefined;
              const plainCmd = (t: string): Cmd =>
                rsyncBatchCommand({ rsync, delete: true, source: `${src}/`, target: kind === 'ssh' ? remote(t) : `${t}/`, entries, extraRsh, contentChanged: true });

              // ---- the measured sync ----
              const used = tgts.slice(0, n);
              let hubCpu = 0;
              let rejected = 0;
              let batchBytes = 0;
              const remoteBefore = s ? await reapedChildCpu(s.sshd.pid) : 0;
              const t0 = performance.now();
              const mustPass = async (c: Cmd, what: string): Promise<void> => {
                const r = await timed(c, timeFile);
                hubCpu += r.cpu;
                if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr.trim().split('\n').pop()}`);
              };
              if (variant.startsWith('plain')) {
                for (const t of used) await mustPass(plainCmd(t), 'rsync');
              } else {
                await mustPass(batchWriteCommand({ rsync, source: `${src}/`, reference: kind === 'ssh' ? remote(used[0]!) : `${used[0]!}/`, entries, extraRsh, batchFile }), 'write-batch');
                batchBytes = fs.statSync(batchFile).size;
                for (const t of used) {
                  const c =
                    kind === 'ssh'
                      ? batchReadCommand({ rsync, batchFile, host: s!.ssh.host, targetdir: `${t}/`, ssh: s!.sshd.sshTable })
                      : batchReadCommand({ rsync, batchFile, target: `${t}/` });
                  const r = await timed(c, timeFile);
                  hubCpu += r.cpu;
                  if (batchReadRejected(r.code, r.stderr)) {
                    rejected++;
                    await mustPass(plainCmd(t), 'fallback rsync');
                  }
                }
              }
              const wallMs = performance.now() - t0;
              const remoteCpu = s && kind === 'ssh' ? (await reapedChildCpu(s.sshd.pid)) - remoteBefore : 0;

              // ---- check, and bring the unused targets along ----
              let mismatches = 0;
              if (set === 'big') {
                const want = fs.readFileSync(big);
                for (const t of used) if (!fs.readFileSync(path.join(t, 'big.bin')).equals(want)) mismatches++;
              } else {
                const sub = `s${smallRound}`;
                for (const t of used) {
                  for (let i = 0; i < smallFiles; i++) {
                    const f = `${sub}/f${i}`;
                    if (!fs.readFileSync(path.join(src, f)).equals(fs.readFileSync(path.join(t, f)))) {
                      mismatches++;
                      break;
                    }
                  }
                }
              }
              for (const t of tgts.slice(n)) catchUp(t);
              const sample: Sample = { set, kind, variant, targets: n, rep, hubCpu, remoteCpu, wallMs, batchBytes, rejected, mismatches };
              samples.push(sample);
              console.error(
                `rep ${rep} ${set} ${kind} ${variant} N=${n}: hub ${hubCpu.toFixed(2)} s, remote ${remoteCpu.toFixed(2)} s, wall ${wallMs.toFixed(0)} ms` +
                  `${batchBytes ? `, batch ${fmt(batchBytes)} B` : ''}${rejected ? `, REJECTED ${rejected}` : ''}${mismatches ? `, MISMATCH ${mismatches}` : ''}`,
              );
            }
          }
        }
      }
    }
  } finally {
    await s?.stop();
  }

  // ---- summary ----
  const out: string[] = [];
  out.push(`Change sets: big = ${bigMiB} MiB file, ${changeMiB} MiB rewritten in place; small = ${smallFiles} new files × ${smallKiB} KiB. Medians of ${reps} repetitions.`);
  out.push('');
  out.push('| change set | targets | mode | N | hub CPU s | remote CPU s | wall ms | batch bytes | hub CPU N/N=1 |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const set of sets) {
    for (const kind of kinds) {
      for (const variant of variants) {
        if (set === 'small' && variant.endsWith('inplace')) continue;
        const pick = (n: number): Sample[] => samples.filter((x) => x.set === set && x.kind === kind && x.variant === variant && x.targets === n);
        const base = median(pick(Math.min(...targetCounts)).map((x) => x.hubCpu));
        for (const n of targetCounts) {
          const xs = pick(n);
          const hub = median(xs.map((x) => x.hubCpu));
          out.push(
            `| ${set} | ${kind} | ${variant} | ${n} | ${hub.toFixed(2)} | ${kind === 'ssh' ? median(xs.map((x) => x.remoteCpu)).toFixed(2) : '—'} | ${fmt(median(xs.map((x) => x.wallMs)))} | ` +
              `${variant.startsWith('batch') ? fmt(median(xs.map((x) => x.batchBytes))) : '—'} | ${(hub / base).toFixed(2)}× |`,
          );
        }
      }
    }
  }
  const bad = samples.filter((x) => x.mismatches > 0 || x.rejected > 0).length;
  out.push('');
  out.push(`Samples with a rejected batch or a target that differs from the source afterwards: ${bad}.`);
  console.log(out.join('\n'));
  machine.loadavgEnd = loadavg();
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ machine, args: process.argv.slice(2), samples }, null, 1)}\n`);
  cleanupAll();
}

runBench(main);
