// Shared pieces of the state benchmarks (bench/state/run.ts): a synthetic tree of D directories
// and F small files, the changes made while a daemon is down, an rsync wrapper that records every
// rsync run of a daemon, the generated configs, and a check that a target matches its source.
//
// Tree: T = ceil(sqrt(D)) top directories `tNNN`, the other D - T directories as leaves
// `tX/dY` spread over them, file k at leaf k mod L (L leaves) named `fK`, ~30 bytes each (or empty). The
// layout is a pure function of (D, F), so changes can name files without listing the tree.
//
// rsync wrapper (`rsync.binary` of the daemon under test): appends one line per run to
// DIR/argv.log (`PID`, then each argument, separated by \x1f) and execs rsync with
// `--log-file=DIR/rsync.PID.log --info=stats2`, so each finished run leaves its itemized
// transfers and its statistics (file-list size, files and bytes transferred) next to its argv.
// exec keeps the pid, so the daemon still signals rsync itself. A run is "whole tree" when it is
// recursive and carries no include or file list (--include-from / --files-from / --filter=. -):
// the shape of the startup transfer (src/transports/rsync/full_argv.ts, lsyncd's rsync.full),
// as opposed to an event batch (batch_argv.ts: `--include-from=- --exclude=*`). Dry runs (verify)
// are counted apart. A standby rsync (src/process/standby_child.ts) that was never fed leaves
// no statistics and is not counted as a run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { luaConfig, type Mode, type SshTarget } from '../sync/common.js';

// ---------- tree ----------

export interface TreeShape {
  readonly dirs: number;
  readonly files: number;
  /** Empty files (tmpfs gives each non-empty file a page: 1M files of content need 4 GiB per copy). */
  readonly empty?: boolean;
}

const tops = (s: TreeShape): number => Math.ceil(Math.sqrt(s.dirs));
const leaves = (s: TreeShape): number => s.dirs - tops(s);

/** Relative path of leaf directory j. */
function leafDir(s: TreeShape, j: number): string {
  const t = tops(s);
  return `t${j % t}/d${Math.floor(j / t)}`;
}

/** Relative path of file k. */
export function fileAt(s: TreeShape, k: number): string {
  return `${leafDir(s, k % leaves(s))}/f${k}`;
}

export const fileContent = (k: number): string => `file ${k} of the state bench ....\n`;

/** Creates the tree under `root` (which must exist and be empty). */
export function makeTree(root: string, s: TreeShape): void {
  const t = tops(s);
  for (let i = 0; i < t; i++) fs.mkdirSync(path.join(root, `t${i}`));
  const l = leaves(s);
  for (let j = 0; j < l; j++) fs.mkdirSync(path.join(root, leafDir(s, j)));
  for (let k = 0; k < s.files; k++) fs.writeFileSync(path.join(root, fileAt(s, k)), s.empty ? '' : fileContent(k));
}

/** `cp -a FROM TO` (TO must not exist): copies with modes and mtimes, so rsync's quick check sees no difference. */
export function copyTree(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr.trim().split('\n')[0]}`);
}

// ---------- changes while the daemon is down ----------

/** What the target must show for one changed path: its content, or null for "gone". */
export interface Expect {
  readonly rel: string;
  readonly content: string | null;
}

export interface ChangeCounts {
  readonly modify: number;
  readonly remove: number;
  readonly create: number;
}

export const TWENTY: ChangeCounts = { modify: 10, remove: 5, create: 5 };

/**
 * Applies round `round`'s changes to `src`: `modify` files get new content (another length),
 * `remove` are deleted, `create` new files appear in existing leaves. Each round uses files no
 * earlier round touched (spread over the tree by a stride), so every change is a real one.
 */
export function applyChanges(src: string, s: TreeShape, round: number, c: ChangeCounts): Expect[] {
  const per = c.modify + c.remove + c.create;
  const stride = Math.floor(s.files / (per * 64)) || 1;
  const pick = (i: number): number => ((round * per + i) * stride * 7919) % s.files;
  const out: Expect[] = [];
  let i = 0;
  for (let n = 0; n < c.modify; n++, i++) {
    const rel = fileAt(s, pick(i));
    const content = `changed in round ${round}, change ${n}: a longer line than before\n`;
    fs.writeFileSync(path.join(src, rel), content);
    out.push({ rel, content });
  }
  for (let n = 0; n < c.remove; n++, i++) {
    const rel = fileAt(s, pick(i));
    fs.unlinkSync(path.join(src, rel));
    out.push({ rel, content: null });
  }
  for (let n = 0; n < c.create; n++, i++) {
    const rel = `${path.dirname(fileAt(s, pick(i)))}/new-${round}-${n}`;
    const content = `created in round ${round}\n`;
    fs.writeFileSync(path.join(src, rel), content);
    out.push({ rel, content });
  }
  return out;
}

/** Whether `tgt` shows every expectation. */
export function expectationsMet(tgt: string, want: readonly Expect[]): boolean {
  for (const e of want) {
    const p = path.join(tgt, e.rel);
    if (e.content === null) {
      if (fs.existsSync(p)) return false;
    } else {
      try {
        if (fs.readFileSync(p, 'utf8') !== e.content) return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}

export interface TreeDiff {
  /** Lines of `rsync -anci --delete SRC/ TGT/` other than directory-time-only ones. */
  readonly differences: string[];
  /** `.d..t......` lines: a directory whose mtime differs, nothing else. */
  readonly dirTimesOnly: number;
}

/** Compares two local trees with checksums: an rsync dry run, changing nothing. */
export function compareTrees(src: string, tgt: string): TreeDiff {
  const r = spawnSync('rsync', ['-anci', '--delete', `${src}/`, `${tgt}/`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`rsync -anci ${src}/ ${tgt}/: exit ${r.status}: ${r.stderr.trim()}`);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  const dirTimes = lines.filter((l) => /^\.d\.\.t\.+ /.test(l));
  return { differences: lines.filter((l) => !/^\.d\.\.t\.+ /.test(l)), dirTimesOnly: dirTimes.length };
}

// ---------- rsync wrapper ----------

export interface RsyncRun {
  readonly pid: number;
  readonly argv: string[];
  readonly wholeTree: boolean;
  readonly dryRun: boolean;
  /** From --info=stats2 (undefined when the run left none: a standby that was never used). */
  readonly stats?: { readonly listed: number; readonly transferred: number; readonly sentBytes: number };
}

/** Writes DIR/rsync (see the header) and returns its path. */
export function writeRsyncWrapper(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'rsync');
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      `d='${dir}'`,
      `{ printf '%s' "$$"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\n'; } >> "$d/argv.log"`,
      `exec rsync --log-file="$d/rsync.$$.log" --info=stats2 "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

const num = (s: string | undefined): number => Number((s ?? 'NaN').replace(/,/g, ''));

/** The runs recorded in DIR since the last clearRsyncRuns. */
export function readRsyncRuns(dir: string): RsyncRun[] {
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, 'argv.log'), 'utf8');
  } catch {
    return [];
  }
  const runs: RsyncRun[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [pidS, ...argv] = line.split('\x1f');
    const pid = Number(pidS);
    if (argv.length === 1 && /^--version$/.test(argv[0]!)) continue;
    const lists = argv.some((a) => /^--(include-from|files-from|exclude-from)(=|$)/.test(a) || a === '--filter=. -');
    const recursive = argv.some((a) => a === '-r' || a === '--recursive' || /^-[a-zA-Z]*[ar][a-zA-Z]*$/.test(a));
    const dryRun = argv.some((a) => a === '--dry-run' || a === '-n' || /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a));
    let stats: RsyncRun['stats'];
    try {
      const log = fs.readFileSync(path.join(dir, `rsync.${pid}.log`), 'utf8');
      const listed = /Number of files: ([\d,]+)/.exec(log);
      if (listed) {
        stats = {
          listed: num(listed[1]),
          transferred: num(/Number of regular files transferred: ([\d,]+)/.exec(log)?.[1]),
          sentBytes: num(/Total bytes sent: ([\d,]+)/.exec(log)?.[1]),
        };
      }
    } catch {
      /* no log: never ran */
    }
    runs.push({ pid, argv, wholeTree: recursive && !lists && !dryRun, dryRun, ...(stats ? { stats } : {}) });
  }
  return runs;
}

/** Forgets the runs recorded so far (argv.log and the per-run logs). */
export function clearRsyncRuns(dir: string): void {
  for (const f of fs.readdirSync(dir)) if (f === 'argv.log' || /^rsync\.\d+\.log$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
}

export interface RunSummary {
  /** Runs that did something (left statistics). */
  runs: number;
  wholeTree: number;
  /** Entries in the file lists of all runs (rsync's "Number of files"). */
  listed: number;
  transferred: number;
  sentBytes: number;
}

export function summarizeRuns(runs: readonly RsyncRun[]): RunSummary {
  const done = runs.filter((r) => r.stats !== undefined && !r.dryRun);
  return {
    runs: done.length,
    wholeTree: done.filter((r) => r.wholeTree).length,
    listed: done.reduce((a, r) => a + r.stats!.listed, 0),
    transferred: done.reduce((a, r) => a + r.stats!.transferred, 0),
    sentBytes: done.reduce((a, r) => a + r.stats!.sentBytes, 0),
  };
}

// ---------- configs ----------

/**
 * bench/sync's generated Lua config (the same for lsyncd and lsyncd-ts), with
 * `settings.stateDir` added when `stateDir` is given (lsyncd-ts only: lsyncd 2.2.3 refuses
 * unknown settings).
 */
export function stateLuaConfig(o: { mode: Mode; source: string; target: string; delay: number; ssh?: SshTarget; rsyncBinary?: string; stateDir?: string }): string {
  const base = luaConfig(o);
  if (o.stateDir === undefined) return base;
  const head = 'settings{ nodaemon = true }';
  if (!base.includes(head)) throw new Error('bench/sync luaConfig changed: no settings line to extend');
  if (!/^[\w./-]+$/.test(o.stateDir)) throw new Error(`state dir not safe for the generated Lua config: ${o.stateDir}`);
  return base.replace(head, `settings{ nodaemon = true, stateDir = "${o.stateDir}" }`);
}

export { readPeakRss } from '../watcher/common.js';

/** `du -sb DIR` in bytes (apparent size) and `du -sk` (allocated), NaN on failure. */
export function duBytes(dir: string): { apparent: number; allocated: number } {
  const a = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  const k = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return { apparent: Number(a.stdout.split('\t')[0]), allocated: Number(k.stdout.split('\t')[0]) * 1024 };
}

/** Raises fs.inotify.max_user_watches to at least `n` (never lowers it). Returns the value in force. */
export function ensureWatches(n: number): number {
  const f = '/proc/sys/fs/inotify/max_user_watches';
  const cur = Number(fs.readFileSync(f, 'utf8').trim());
  if (cur >= n) return cur;
  try {
    fs.writeFileSync(f, String(n));
  } catch (e) {
    throw new Error(`need fs.inotify.max_user_watches >= ${n} (is ${cur}) and could not raise it: ${(e as Error).message}`);
  }
  return n;
}
