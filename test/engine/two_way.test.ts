// The two-way recipe (README "Synching in both directions"): two syncs, A -> B and B -> A, both
// rsync with archive + update, temp_dir outside both trees, a short delay — here two engines
// in one process with real inotify and real rsync (locally, and over the loopback sshd for
// rsyncssh). A change must cross once and then stay put: the copy rsync writes on B is an
// event on B, and B's batch for it must find A's file identical (src/transports/rsync/
// content_compare.ts: --checksum with update, the nanosecond mtime window without). Before, --ignore-times rewrote it every delay, each time with a
// new inode, forever.
//
// Quiet is asserted over an observation window of QUIET_PERIODS delays after both engines are
// idle (a bounded watch, not a synchronisation sleep): inodes on both sides and the files rsync
// reports sent (--stats) must not change in it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import type { Engine } from '../../src/engine/engine.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

const DELAY_S = 0.3;
const QUIET_PERIODS = 8;

type Mode = 'rsync' | 'rsyncssh';

interface Pair {
  readonly a: string;
  readonly b: string;
  readonly ab: Engine;
  readonly ba: Engine;
}

/** One direction of the recipe; `tmp` is the sync's temp_dir, outside both trees. */
function recipeSync(mode: Mode, from: string, to: string, tmp: string, sshd: Sshd | undefined, update = true): Record<string, unknown> {
  const rsync = { archive: true, update, temp_dir: tmp, _extra: ['--stats'] };
  if (mode === 'rsync') return { mode, source: from, target: to, delay: DELAY_S, rsync };
  return { mode, source: from, host: `${sshd!.user}@${sshd!.host}`, targetdir: to, ssh: sshd!.sshTable, delay: DELAY_S, rsync };
}

async function startPair(t: TestContext, mode: Mode, update = true): Promise<Pair> {
  const a = tempDir(t);
  const b = tempDir(t);
  const tmpA = tempDir(t); // temp files of transfers INTO A
  const tmpB = tempDir(t);
  const sshd = mode === 'rsyncssh' ? await startSshd(t) : undefined;
  const { engine: ab } = await startEngine(t, { sync: [recipeSync(mode, a, b, tmpB, sshd, update)] });
  const { engine: ba } = await startEngine(t, { sync: [recipeSync(mode, b, a, tmpA, sshd, update)] });
  await Promise.all([ab.whenIdle(), ba.whenIdle()]);
  return { a, b, ab, ba };
}

const filesSent = (e: Engine): number => e.status()[0]!.filesSent;
const inode = (f: string): number => statSync(f).ino;

/** Inodes of `files` and both engines' sent counts, observed for QUIET_PERIODS delays: unchanged. */
async function assertQuiet(p: Pair, files: readonly string[]): Promise<void> {
  await Promise.all([p.ab.whenIdle(), p.ba.whenIdle()]);
  const snap = (): string =>
    JSON.stringify({
      a: files.map((f) => inode(path.join(p.a, f))),
      b: files.map((f) => inode(path.join(p.b, f))),
      sent: [filesSent(p.ab), filesSent(p.ba)],
    });
  const before = snap();
  const end = Date.now() + QUIET_PERIODS * DELAY_S * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(snap(), before, 'a change echoed back: a file was rewritten or rsync sent files again');
  }
  await Promise.all([p.ab.whenIdle(), p.ba.whenIdle()]);
  assert.equal(snap(), before);
}

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode} two-way: one new file crosses once and is never echoed back`, async (t) => {
    const p = await startPair(t, mode);
    writeFileSync(path.join(p.a, 'file1'), 'x\n');
    await waitFor(() => {
      try {
        return readFileSync(path.join(p.b, 'file1'), 'utf8') === 'x\n';
      } catch {
        return false;
      }
    }, 'file1 on B');
    await assertQuiet(p, ['file1']);
    assert.equal(filesSent(p.ba), 0, 'B sent the file back to A');
    assert.ok(filesSent(p.ab) >= 1);
  });

  test(`${mode} two-way: 50 files in a new directory cross once and stay quiet`, async (t) => {
    const p = await startPair(t, mode);
    const names: string[] = [];
    mkdirSync(path.join(p.a, 'd'));
    for (let i = 0; i < 50; i++) {
      names.push(`d/f${i}`);
      writeFileSync(path.join(p.a, 'd', `f${i}`), `content ${i}\n`);
    }
    await waitFor(() => compareTrees(p.a, p.b).length === 0, 'B to mirror A');
    await assertQuiet(p, names);
    assert.equal(filesSent(p.ba), 0, 'B sent files back to A');
    assert.ok(filesSent(p.ab) >= 50);
  });

  test(`${mode} two-way: concurrent edits on both sides converge, the last writer of each file wins`, async (t) => {
    const p = await startPair(t, mode);
    for (const f of ['x', 'y', 'z']) writeFileSync(path.join(p.a, f), 'base\n');
    await waitFor(() => compareTrees(p.a, p.b).length === 0, 'the base files on B');
    await assertQuiet(p, ['x', 'y', 'z']);
    // Both sides edit the same files at once. Which write is the last is what their mtimes say
    // (rsync's --update compares them in whole seconds), so the times are pinned: the later
    // writer's file is 1 s newer — the smallest difference --update can see, and one that
    // --modify-window=-1 would overwrite (batch_argv.ts). B last for x and z, A last for y.
    const now = Math.floor(Date.now() / 1000);
    const edit = (dir: string, f: string, text: string, mtime: number): void => {
      writeFileSync(path.join(dir, f), text);
      utimesSync(path.join(dir, f), mtime, mtime);
    };
    edit(p.a, 'x', 'from A\n', now - 1);
    edit(p.b, 'y', 'from B, earlier\n', now - 1);
    edit(p.a, 'z', 'from A\n', now - 1);
    edit(p.b, 'x', 'from B, later\n', now);
    edit(p.a, 'y', 'from A, later\n', now);
    edit(p.b, 'z', 'from B, later\n', now);
    const want = JSON.stringify({ x: 'from B, later\n', y: 'from A, later\n', z: 'from B, later\n' });
    const read = (dir: string): string => JSON.stringify(Object.fromEntries(['x', 'y', 'z'].map((f) => [f, readFileSync(path.join(dir, f), 'utf8')])));
    await waitFor(() => read(p.a) === want && read(p.b) === want, 'both sides to hold the last writes');
    await assertQuiet(p, ['x', 'y', 'z']);
    assert.equal(read(p.a), want);
    assert.equal(read(p.b), want);
  });

  test(`${mode} two-way: edits of one file on both sides within the same second end equal on both`, async (t) => {
    const p = await startPair(t, mode);
    writeFileSync(path.join(p.a, 'f'), 'base\n');
    await waitFor(() => compareTrees(p.a, p.b).length === 0, 'the base file on B');
    await assertQuiet(p, ['f']);
    writeFileSync(path.join(p.a, 'f'), 'edited on A\n');
    writeFileSync(path.join(p.b, 'f'), 'edited on B, longer\n');
    const same = (): boolean => readFileSync(path.join(p.a, 'f'), 'utf8') === readFileSync(path.join(p.b, 'f'), 'utf8');
    await waitFor(() => same() && p.ab.status()[0]!.waiting === 0 && p.ba.status()[0]!.waiting === 0, 'both sides to agree');
    await assertQuiet(p, ['f']);
    assert.ok(same());
    assert.match(readFileSync(path.join(p.a, 'f'), 'utf8'), /^edited on (A|B, longer)\n$/);
  });
}

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode} two-way without update: a change crosses once and stays put (nanosecond mtime window)`, async (t) => {
    const p = await startPair(t, mode, false);
    writeFileSync(path.join(p.a, 'file1'), 'x\n');
    await waitFor(() => { try { return readFileSync(path.join(p.b, 'file1'), 'utf8') === 'x\n'; } catch { return false; } }, 'file1 on B');
    await assertQuiet(p, ['file1']);
    assert.equal(filesSent(p.ba), 0, 'B sent nothing back');
  });
}
