// Batch fan-out (src/transports/rsync/batch_fanout.ts) with the real rsync: a batch written
// once updates identical targets to the source's bytes; a target that differs from the
// reference, or is behind it, rejects the batch and is left without the change; the fallback
// (the ordinary per-target rsync) then makes that target right. Local targets, and targets
// behind the loopback sshd, where the read runs on the "remote" side through ssh.
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../../src/process/command.js';
import { rsyncBatchCommand } from '../../src/transports/rsync/batch_argv.js';
import { type BatchReadCommand, batchReadCommand, batchReadRejected, batchWriteCommand } from '../../src/transports/rsync/batch_fanout.js';
import type { IncludeEntry } from '../../src/transports/rsync/include_list.js';
import { rshOption } from '../../src/transports/rsyncssh/ssh_argv.js';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';

const rsync = { links: true, times: true, protect_args: true };
const SIZE = 4 * 2 ** 20;
/** A read that waits longer than this has hung (rsync's incremental-recursion batch does). */
const RUN_TIMEOUT_MS = 30_000;

interface Ran {
  code: number | null;
  stderr: string;
  /** Killed after RUN_TIMEOUT_MS (rsync then exits 20, "received SIGTERM"). */
  hung: boolean;
}

function run(cmd: Command | BatchReadCommand): Ran {
  const stdinFile = 'stdinFile' in cmd ? cmd.stdinFile : undefined;
  const fd = stdinFile !== undefined ? openSync(stdinFile, 'r') : undefined;
  try {
    const r = spawnSync(cmd.binary, [...cmd.args], {
      input: fd === undefined ? (cmd.stdin ?? Buffer.alloc(0)) : undefined,
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return { code: r.status, stderr: r.stderr.toString(), hung };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function cpA(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', '--', from, to], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function pwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

/**
 * SRC and its previous state OLD (a SIZE-byte big.bin and keep.txt); SRC then gets 64 KiB of
 * big.bin rewritten in the middle and a new file. Returns the dirs and the include entries.
 */
function scenario(t: TestContext): { root: string; src: string; old: string; entries: IncludeEntry[] } {
  const root = tempDir(t, 'lsyncd-ts-batchfanout-');
  const src = path.join(root, 'src');
  const old = path.join(root, 'old');
  mkdirSync(old);
  writeFileSync(path.join(old, 'big.bin'), crypto.randomBytes(SIZE));
  writeFileSync(path.join(old, 'keep.txt'), 'keep');
  // An mtime well in the past, so the rewrite below always moves it.
  spawnSync('touch', ['-d', '2020-01-01', path.join(old, 'big.bin'), path.join(old, 'keep.txt')]);
  cpA(old, src);
  pwrite(path.join(src, 'big.bin'), SIZE / 2, crypto.randomBytes(64 * 1024));
  writeFileSync(path.join(src, 'new.txt'), 'new');
  return { root, src, old, entries: [{ path: '/big.bin', subtree: false }, { path: '/new.txt', subtree: false }] };
}

function assertLikeSource(src: string, tgt: string, what: string): void {
  for (const f of ['big.bin', 'new.txt', 'keep.txt']) {
    assert.ok(readFileSync(path.join(src, f)).equals(readFileSync(path.join(tgt, f))), `${what}: ${f} differs from the source`);
  }
}

test('local: one batch updates three identical targets; a differing and an incomplete target reject it and the fallback rsync repairs them', (t) => {
  const { root, src, old, entries } = scenario(t);
  const same = ['t1', 't2', 't3'].map((n) => path.join(root, n));
  for (const d of same) cpA(old, d);
  const differs = path.join(root, 'differs');
  cpA(old, differs);
  pwrite(path.join(differs, 'big.bin'), SIZE / 4, crypto.randomBytes(4096));
  spawnSync('touch', ['-r', path.join(old, 'big.bin'), path.join(differs, 'big.bin')]);
  const lacks = path.join(root, 'lacks');
  cpA(old, lacks);
  rmSync(path.join(lacks, 'big.bin'));
  const work = path.join(root, 'work');
  mkdirSync(work);
  const batchFile = path.join(work, 'batch');

  const w = run(batchWriteCommand({ rsync, source: `${src}/`, reference: `${same[0]}/`, entries, batchFile }));
  assert.equal(w.code, 0, w.stderr);
  assert.ok(readFileSync(path.join(same[0]!, 'big.bin')).equals(readFileSync(path.join(old, 'big.bin'))), 'writing the batch leaves the reference alone');
  assert.equal(existsSync(path.join(same[0]!, 'new.txt')), false);
  assert.ok(readFileSync(batchFile).length < SIZE / 8, 'the batch holds the change, not the file');

  for (const d of same) {
    const r = run(batchReadCommand({ rsync, batchFile, target: `${d}/` }));
    assert.equal(batchReadRejected(r.code, r.stderr), false, `${d}: ${r.code} ${r.stderr}`);
    assertLikeSource(src, d, d);
  }

  for (const [d, bytes] of [[differs, 'differs'], [lacks, 'lacks big.bin']] as const) {
    const r = run(batchReadCommand({ rsync, batchFile, target: `${d}/` }));
    assert.equal(r.hung, false, `${bytes}: the read hung`);
    assert.equal(batchReadRejected(r.code, r.stderr), true, `${bytes}: the batch was taken (${r.code}) ${r.stderr}`);
    assert.equal(existsSync(path.join(d, 'big.bin')) && readFileSync(path.join(d, 'big.bin')).equals(readFileSync(path.join(src, 'big.bin'))), false, `${bytes}: big.bin cannot be the source's yet`);
    const fallback = run(rsyncBatchCommand({ rsync, delete: true, source: `${src}/`, target: `${d}/`, entries, contentChanged: true }));
    assert.equal(fallback.code, 0, fallback.stderr);
    assertLikeSource(src, d, `${bytes} after the fallback`);
  }
});

test('local: a target behind the reference (which already had the change) rejects the batch, which holds no data for that file', (t) => {
  const { root, src, old, entries } = scenario(t);
  const ref = path.join(root, 'ref');
  cpA(old, ref);
  cpA(path.join(src, 'big.bin'), path.join(ref, 'big.bin'));
  const behind = path.join(root, 'behind');
  cpA(old, behind);
  const batchFile = path.join(root, 'batch');
  const w = run(batchWriteCommand({ rsync, source: `${src}/`, reference: `${ref}/`, entries, batchFile }));
  assert.equal(w.code, 0, w.stderr);

  const r = run(batchReadCommand({ rsync, batchFile, target: `${behind}/` }));
  assert.equal(r.hung, false, 'the read hung');
  assert.equal(batchReadRejected(r.code, r.stderr), true, `the batch was taken (${r.code}) ${r.stderr}`);
  assert.match(r.stderr, /No batched update for "big\.bin"/);
  assert.ok(readFileSync(path.join(behind, 'big.bin')).equals(readFileSync(path.join(old, 'big.bin'))), 'big.bin is still the old one');
  const fallback = run(rsyncBatchCommand({ rsync, delete: true, source: `${src}/`, target: `${behind}/`, entries, contentChanged: true }));
  assert.equal(fallback.code, 0, fallback.stderr);
  assertLikeSource(src, behind, 'after the fallback');
});

test('ssh: the read runs on the target host from the streamed batch; a differing remote target rejects it and the fallback over ssh repairs it', async (t) => {
  const sshd = await startSshd(t, { extraConfig: ['SetEnv SHLVL=1'] });
  const { root, src, old, entries } = scenario(t);
  const ref = path.join(root, "ref it's");
  const other = path.join(root, 'other');
  const differs = path.join(root, 'differs');
  for (const d of [ref, other, differs]) cpA(old, d);
  pwrite(path.join(differs, 'big.bin'), 0, crypto.randomBytes(4096));
  spawnSync('touch', ['-r', path.join(old, 'big.bin'), path.join(differs, 'big.bin')]);
  const batchFile = path.join(root, 'batch');
  const extraRsh = rshOption(sshd.sshTable);
  const logins = sshd.countLog(/Accepted publickey/);

  const w = run(batchWriteCommand({ rsync, source: `${src}/`, reference: `${sshd.host}:${ref}/`, entries, extraRsh, batchFile }));
  assert.equal(w.code, 0, w.stderr);
  assert.equal(existsSync(path.join(ref, 'new.txt')), false, 'writing the batch leaves the reference alone');

  for (const d of [ref, other]) {
    const r = run(batchReadCommand({ rsync, batchFile, host: sshd.host, targetdir: `${d}/`, ssh: sshd.sshTable }));
    assert.equal(batchReadRejected(r.code, r.stderr), false, `${d}: ${r.code} ${r.stderr}`);
    assertLikeSource(src, d, d);
  }
  assert.equal(sshd.countLog(/Accepted publickey/) - logins, 3, 'one login for the write, one per read: the reads went through ssh');

  const r = run(batchReadCommand({ rsync, batchFile, host: sshd.host, targetdir: `${differs}/`, ssh: sshd.sshTable }));
  assert.equal(r.hung, false, 'the read hung');
  assert.equal(batchReadRejected(r.code, r.stderr), true, `the batch was taken (${r.code}) ${r.stderr}`);
  assert.match(r.stderr, /big\.bin failed verification/);
  assert.equal(readFileSync(path.join(differs, 'big.bin')).equals(readFileSync(path.join(src, 'big.bin'))), false);
  const fallback = run(rsyncBatchCommand({ rsync, delete: true, source: `${src}/`, target: `${sshd.host}:${differs}/`, entries, extraRsh, contentChanged: true }));
  assert.equal(fallback.code, 0, fallback.stderr);
  assertLikeSource(src, differs, 'after the fallback');
});
