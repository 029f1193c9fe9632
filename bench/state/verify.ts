// `lsyncd-ts verify` against a hand-run rsync dry run (item `verify` of run.ts), on a synced
// rsyncssh tree (the lsyncd-ts side of the restart item, daemon stopped):
//   - `lsyncd-ts verify --json CONF` (CONF: the same sync, no rsync wrapper), wall time and exit code;
//   - `rsync -anc --delete -e 'ssh …' SRC/ 127.0.0.1:TGT/` over the same sshd and ssh options,
//     what a user would type to check by hand (wall time).
// First on the clean target, then after drifting the target behind the daemon's back: two files
// changed in place with size and mtime kept (only a checksum sees them), one file changed with
// another size, one file deleted, one extra file. Verify must then exit 1 and name them
// (missing 1, changed 3, extra 1). The target is restored (local rsync -a --delete) afterwards.
// Repetitions alternate the two commands.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { LSYNCD_TS } from '../sync/common.js';
import { fileAt, type TreeShape } from './common.js';

export interface VerifyRun {
  ms: number;
  exit: number | null;
  /** verify --json: counts of the sync's report; rsync: itemized lines. */
  missing?: number;
  changed?: number;
  extra?: number;
  state?: string;
  paths?: string[];
  lines?: number;
}

export interface VerifyCase {
  target: 'clean' | 'drifted';
  verify: VerifyRun[];
  rsync: VerifyRun[];
  /** What the drift made (relative paths). */
  drift?: { missing: string[]; changed: string[]; extra: string[] };
}

function timed(argv: string[]): { ms: number; exit: number | null; stdout: string; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ms: performance.now() - t0, exit: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface VerifyJson {
  syncs: { state: string; missing: { count: number; paths: string[] }; changed: { count: number; paths: string[] }; extra: { count: number; paths: string[] } }[];
}

function runVerify(conf: string): VerifyRun {
  const r = timed([LSYNCD_TS, 'verify', '--json', conf]);
  try {
    const j = JSON.parse(r.stdout) as VerifyJson;
    const s = j.syncs[0]!;
    return { ms: r.ms, exit: r.exit, state: s.state, missing: s.missing.count, changed: s.changed.count, extra: s.extra.count, paths: [...s.missing.paths, ...s.changed.paths, ...s.extra.paths] };
  } catch {
    return { ms: r.ms, exit: r.exit, state: `unparsable output: ${(r.stdout + r.stderr).slice(0, 300)}` };
  }
}

function runRsync(src: string, tgt: string, sshArgv: readonly string[]): VerifyRun {
  const rsh = ['ssh', ...sshArgv].join(' ');
  const r = timed(['rsync', '-anc', '--delete', '--itemize-changes', '-e', rsh, `${src}/`, `127.0.0.1:${tgt}/`]);
  return { ms: r.ms, exit: r.exit, lines: r.stdout.split('\n').filter((l) => l.length > 0).length };
}

/** Drifts the target as the header says; returns what it did. */
function drift(src: string, tgt: string, shape: TreeShape): NonNullable<VerifyCase['drift']> {
  const pick = (i: number): string => fileAt(shape, (i * 104729 + 17) % shape.files);
  const changed: string[] = [];
  // Same size, same mtime: only a checksum finds these. Skip files the restart rounds removed.
  for (let i = 1, n = 0; n < 2; i++) {
    const rel = pick(i);
    const p = path.join(tgt, rel);
    if (!fs.existsSync(path.join(src, rel)) || !fs.existsSync(p)) continue;
    const st = fs.statSync(p);
    const b = fs.readFileSync(p);
    b[0] = b[0] === 0x58 ? 0x59 : 0x58;
    fs.writeFileSync(p, b);
    fs.utimesSync(p, st.atime, st.mtime);
    changed.push(rel);
    n++;
  }
  let i = 100;
  const next = (): string => {
    for (;; i++) {
      const rel = pick(i);
      if (fs.existsSync(path.join(src, rel)) && fs.existsSync(path.join(tgt, rel)) && !changed.includes(rel)) {
        i++;
        return rel;
      }
    }
  };
  const grown = next();
  fs.appendFileSync(path.join(tgt, grown), 'drift\n');
  changed.push(grown);
  const missing = [next()];
  fs.unlinkSync(path.join(tgt, missing[0]!));
  const extra = [`${path.dirname(next())}/extra-on-target`];
  fs.writeFileSync(path.join(tgt, extra[0]!), 'not in the source\n');
  return { missing, changed, extra };
}

export function runVerifyBench(o: { src: string; tgt: string; conf: string; sshArgv: readonly string[]; shape: TreeShape; reps: number }): VerifyCase[] {
  const cases: VerifyCase[] = [];
  for (const target of ['clean', 'drifted'] as const) {
    const c: VerifyCase = { target, verify: [], rsync: [] };
    if (target === 'drifted') c.drift = drift(o.src, o.tgt, o.shape);
    for (let r = 0; r < o.reps; r++) {
      const order = r % 2 ? ['rsync', 'verify'] : ['verify', 'rsync'];
      for (const what of order) {
        const x = what === 'verify' ? runVerify(o.conf) : runRsync(o.src, o.tgt, o.sshArgv);
        (what === 'verify' ? c.verify : c.rsync).push(x);
        process.stderr.write(`  verify ${target} ${what}: ${x.ms.toFixed(0)} ms, exit ${x.exit}${x.state ? `, ${x.state} (missing ${x.missing}, changed ${x.changed}, extra ${x.extra})` : ''}${x.lines !== undefined ? `, ${x.lines} lines` : ''}\n`);
      }
    }
    cases.push(c);
  }
  const restore = spawnSync('rsync', ['-a', '--delete', `${o.src}/`, `${o.tgt}/`], { encoding: 'utf8' });
  if (restore.status !== 0) throw new Error(`restoring ${o.tgt}: ${restore.stderr.trim()}`);
  return cases;
}
