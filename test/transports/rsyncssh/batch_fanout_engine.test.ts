// rsync batch mode in the engine: ten rsyncssh targets of one source over a real loopback sshd.
// A 64 MiB file changed in place is computed once (one --only-write-batch) and read by every
// target; a target whose copy was changed behind the hub's back rejects the batch and gets its
// own rsync; every target ends identical to the source. Small changes never go by batch.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startEngine } from '../../helpers/engine_harness.js';
import { startSshd } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp_tree.js';
import { waitFor } from '../../helpers/wait_for.js';

const MIB = 2 ** 20;
const digest = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

/** Overwrites `len` bytes at `offset` of `file` in place (same inode, same size). */
function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

test('a 64 MiB in-place change to 10 rsyncssh targets: one batch, read by all; a differing target falls back to its own rsync', { timeout: 180_000 }, async (t) => {
  const src = tempDir(t);
  const big = path.join(src, 'big.bin');
  const seed = randomBytes(MIB);
  const fd = openSync(big, 'w');
  for (let i = 0; i < 64; i++) writeSync(fd, seed, 0, MIB, i * MIB);
  closeSync(fd);
  writeFileSync(path.join(src, 'note.txt'), 'small');
  const sshd = await startSshd(t);
  const targets = Array.from({ length: 10 }, () => tempDir(t));
  const { engine, log } = await startEngine(t, {
    sync: targets.map((dir, i) => ({
      name: `t${i}`,
      mode: 'rsyncssh',
      source: src,
      host: `${sshd.user}@${sshd.host}`,
      targetdir: dir,
      ssh: sshd.sshTable,
      delay: 0.2,
      rsync: { archive: true },
    })),
  });
  await engine.whenIdle();
  for (const dir of targets) assert.equal(digest(path.join(dir, 'big.bin')), digest(big));

  // Target 3's copy changes behind the hub's back: it is no longer identical to the reference.
  // Its mtime is put back: two writes a few microseconds apart get the same mtime to the
  // nanosecond (the kernel stamps files from a coarse clock), so a patched copy would carry
  // the new source's exact size and mtime, and rsync's quick check — a plain rsync's as much as
  // the batch read's — would call it up to date ("Skipping batched update") and leave it wrong.
  const t3 = path.join(targets[3]!, 'big.bin');
  const { atime, mtime } = statSync(t3);
  patch(t3, 5 * MIB, Buffer.alloc(4096, 0x55));
  utimesSync(t3, atime, mtime);
  const before = log.lines.length;
  patch(big, 30 * MIB, randomBytes(MIB));
  const want = digest(big);
  await waitFor(() => targets.every((dir) => digest(path.join(dir, 'big.bin')) === want), 'every target to have the change', 120_000, 200).catch((e: unknown) => { console.log(log.lines.slice(before).join('\n')); throw e; });
  await engine.whenIdle();
  const lines = log.lines.slice(before);
  assert.equal(lines.filter((l) => /rsync batch mode: 10 remote targets share 64\.0 MiB/.test(l)).length, 1, lines.join('\n'));
  assert.ok(lines.some((l) => /rsync batch mode: .* was not identical to the reference/.test(l)), 'target 3 rejected the batch');
  assert.ok(engine.status().every((s) => s.state === 'running' && s.transfersFailed === 0), JSON.stringify(engine.status()));
  for (const dir of targets) assert.equal(digest(path.join(dir, 'big.bin')), want, dir);

  // A change to a small file goes the ordinary way (below the size where batch mode pays).
  const small = log.lines.length;
  writeFileSync(path.join(src, 'note.txt'), 'changed');
  await waitFor(() => targets.every((dir) => existsSync(path.join(dir, 'note.txt')) && readFileSync(path.join(dir, 'note.txt'), 'utf8') === 'changed'), 'the small change everywhere', 60_000, 50);
  assert.ok(!log.lines.slice(small).some((l) => /rsync batch mode/.test(l)), 'a small file is sent by each target\'s own rsync');
});
