// Direct transport, one operation type at a time, on real files: Create/Modify of files and
// directories (plain and fromMove subtrees with excludes), symlinks (never followed), Attrib
// (mode, times, owner as root), Modify of a directory, FIFO order within a batch, a large batch
// of independent files, and the final byte-for-byte tree comparison.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync,
  statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { IS_ROOT, ctx, delay, roots, transport, treeDiff } from './helpers.js';

test('Create of a file: content, mode, times (and owner as root) copied; no temp file left', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  writeFileSync(`${r.src}/a.txt`, 'hello');
  if (IS_ROOT) chownSync(`${r.src}/a.txt`, 1234, 5678); // before chmod: chown clears setuid
  chmodSync(`${r.src}/a.txt`, 0o4751);
  utimesSync(`${r.src}/a.txt`, 1_000_000_000.5, 1_200_000_000.25);
  const tr = transport(r);
  const c = ctx();
  const rep = await tr.batch([delay('Create', '/a.txt'), delay('Modify', '/a.txt')], c);
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  const st = statSync(`${r.dst}/a.txt`); // before reading it (relatime would update atime)
  assert.equal(readFileSync(`${r.dst}/a.txt`, 'utf8'), 'hello');
  assert.equal(st.mode & 0o7777, 0o4751);
  assert.equal(st.mtimeMs, 1_200_000_000_250);
  // Reading the source bumps its atime (relatime, as with cp -p); the copy carries the source's.
  assert.ok(Math.abs(st.atimeMs - statSync(`${r.src}/a.txt`).atimeMs) < 0.01);
  if (IS_ROOT) assert.deepEqual([st.uid, st.gid], [1234, 5678]);
  assert.equal(rep.filesSent, 2);
  assert.equal(rep.bytesSent, 10);
  assert.deepEqual(readdirSync(r.dst), ['a.txt']);
});

test('Create of a file whose source vanished is skipped (its Delete follows); missing parents are created', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/p/q`, { recursive: true });
  chmodSync(`${r.src}/p`, 0o710);
  writeFileSync(`${r.src}/p/q/f`, 'x');
  const tr = transport(r);
  const rep = await tr.batch([delay('Create', '/gone'), delay('Create', '/p/q/f')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(existsSync(`${r.dst}/gone`), false);
  assert.equal(readFileSync(`${r.dst}/p/q/f`, 'utf8'), 'x');
  assert.equal(statSync(`${r.dst}/p`).mode & 0o7777, 0o710, 'a created parent gets the source mode');
});

test('Modify overwrites the target file atomically (new inode, old one untouched)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  writeFileSync(`${r.src}/f`, 'new content');
  writeFileSync(`${r.dst}/f`, 'old');
  const before = lstatSync(`${r.dst}/f`).ino;
  const rep = await transport(r).batch([delay('Modify', '/f')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readFileSync(`${r.dst}/f`, 'utf8'), 'new content');
  assert.notEqual(lstatSync(`${r.dst}/f`).ino, before, 'replaced by rename, not rewritten in place');
});

test('Create of a directory: mkdir with mode and times, contents NOT copied (the watcher reports them)', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d/sub`, { recursive: true });
  writeFileSync(`${r.src}/d/f`, 'x');
  chmodSync(`${r.src}/d`, 0o750);
  utimesSync(`${r.src}/d`, 1_500_000_000, 1_500_000_000);
  const rep = await transport(r).batch([delay('Create', '/d/')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(readdirSync(`${r.dst}/d`), []);
  const st = statSync(`${r.dst}/d`);
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.mtimeMs, 1_500_000_000_000);
});

test('fromMove Create of a directory copies the whole subtree, respecting excludes', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/moved/node_modules/x`, { recursive: true });
  mkdirSync(`${r.src}/moved/sub/deeper`, { recursive: true });
  writeFileSync(`${r.src}/moved/node_modules/x/y`, 'no');
  writeFileSync(`${r.src}/moved/sub/deeper/f`, 'deep');
  writeFileSync(`${r.src}/moved/keep.txt`, 'k');
  writeFileSync(`${r.src}/moved/skip.tmp`, 'no');
  symlinkSync('sub/deeper/f', `${r.src}/moved/ln`);
  utimesSync(`${r.src}/moved/sub`, 1_400_000_000, 1_400_000_000);
  const tr = transport(r, { exclude: ['node_modules/', '*.tmp'] });
  const rep = await tr.batch([delay('Create', '/moved/', { fromMove: true })], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(readdirSync(`${r.dst}/moved`).sort(), ['keep.txt', 'ln', 'sub']);
  assert.equal(readFileSync(`${r.dst}/moved/sub/deeper/f`, 'utf8'), 'deep');
  assert.equal(readlinkSync(`${r.dst}/moved/ln`), 'sub/deeper/f');
  assert.equal(statSync(`${r.dst}/moved/sub`).mtimeMs, 1_400_000_000_000, 'directory times set after its contents');
  assert.deepEqual(treeDiff(r.src, r.dst, { skip: (p) => p.includes('node_modules') || p.endsWith('.tmp') }), []);
});

test('symlinks are recreated as symlinks (dangling, absolute, to a directory) and never followed', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}`, { recursive: true });
  mkdirSync(`${r.base}/outside`);
  writeFileSync(`${r.base}/outside/secret`, 's');
  symlinkSync('nowhere', `${r.src}/dangling`);
  symlinkSync(`${r.base}/outside`, `${r.src}/todir`);
  symlinkSync(`${r.base}/outside/secret`, `${r.src}/tofile`);
  const tr = transport(r);
  const rep = await tr.batch(
    [delay('Create', '/dangling'), delay('Create', '/todir'), delay('Create', '/tofile'), delay('Attrib', '/todir')],
    ctx(),
  );
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readlinkSync(`${r.dst}/dangling`), 'nowhere');
  assert.equal(readlinkSync(`${r.dst}/todir`), `${r.base}/outside`);
  assert.equal(readlinkSync(`${r.dst}/tofile`), `${r.base}/outside/secret`);
  assert.ok(lstatSync(`${r.dst}/tofile`).isSymbolicLink());
  // Replace the link target: the target link is replaced, not written through.
  symlinkSync('elsewhere', `${r.src}/tofile.new`);
  renameSync(`${r.src}/tofile.new`, `${r.src}/tofile`);
  await tr.batch([delay('Move', '/tofile.new', { destination: '/tofile' })], ctx());
  assert.equal(readFileSync(`${r.base}/outside/secret`, 'utf8'), 's');
  assert.equal(readlinkSync(`${r.dst}/tofile`), 'elsewhere');
});

test('Attrib propagates chmod and utimes (and chown as root); lsyncd drops Attrib', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d`, { recursive: true });
  writeFileSync(`${r.src}/d/f`, 'x');
  symlinkSync('f', `${r.src}/d/l`);
  const tr = transport(r);
  await tr.batch([delay('Create', '/d/'), delay('Create', '/d/f'), delay('Create', '/d/l')], ctx());
  chmodSync(`${r.src}/d/f`, 0o600);
  chmodSync(`${r.src}/d`, 0o711);
  utimesSync(`${r.src}/d/f`, 1_111_111_111, 1_222_222_222);
  if (IS_ROOT) {
    chownSync(`${r.src}/d/f`, 4242, 4343);
    chownSync(`${r.src}/d`, 4444, 4545);
  }
  const inoBefore = lstatSync(`${r.dst}/d/f`).ino;
  const rep = await tr.batch([delay('Attrib', '/d/f'), delay('Attrib', '/d/'), delay('Attrib', '/d/l')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  const st = lstatSync(`${r.dst}/d/f`);
  assert.equal(st.ino, inoBefore, 'Attrib does not re-copy');
  assert.equal(st.mode & 0o7777, 0o600);
  assert.equal(st.mtimeMs, 1_222_222_222_000);
  assert.equal(lstatSync(`${r.dst}/d`).mode & 0o7777, 0o711);
  if (IS_ROOT) {
    assert.deepEqual([st.uid, st.gid], [4242, 4343]);
    assert.deepEqual([lstatSync(`${r.dst}/d`).uid, lstatSync(`${r.dst}/d`).gid], [4444, 4545]);
  }
  assert.equal(rep.filesSent, 0);
});

test('Attrib / Modify of a directory on a missing target entry creates it; Attrib of a file whose size differs re-copies', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d`, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  writeFileSync(`${r.src}/f`, 'longer content');
  writeFileSync(`${r.dst}/f`, 'short');
  const rep = await transport(r).batch([delay('Modify', '/d/'), delay('Attrib', '/f')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.ok(statSync(`${r.dst}/d`).isDirectory());
  assert.equal(readFileSync(`${r.dst}/f`, 'utf8'), 'longer content');
});

test('FIFO order inside one batch: file → deleted → directory with contents → symlink', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  const tr = transport(r);
  writeFileSync(`${r.src}/x`, 'file');
  await tr.batch([delay('Create', '/x')], ctx());
  // Now the source went through: x deleted, x/ created with a file, then x/ replaced by a symlink.
  symlinkSync('target-of-x', `${r.src}/x.tmp`);
  rmSync(`${r.src}/x`);
  renameSync(`${r.src}/x.tmp`, `${r.src}/x`);
  const rep = await tr.batch(
    [delay('Delete', '/x'), delay('Create', '/x/'), delay('Create', '/x/f'), delay('Delete', '/x/'), delay('Create', '/x')],
    ctx(),
  );
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readlinkSync(`${r.dst}/x`), 'target-of-x');
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('a batch of 3000 independent new files (run concurrently) plus repeated paths ends identical', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/burst`, { recursive: true });
  const delays = [delay('Create', '/burst/')];
  for (let i = 0; i < 3000; i++) {
    writeFileSync(`${r.src}/burst/f${i}`, `content ${i}\n`.repeat(i % 7));
    chmodSync(`${r.src}/burst/f${i}`, 0o600 + (i % 64));
    delays.push(delay('Create', `/burst/f${i}`));
    if (i % 100 === 0) delays.push(delay('Modify', `/burst/f${i}`), delay('Attrib', `/burst/f${i}`));
  }
  const tr = transport(r);
  const t0 = performance.now();
  const rep = await tr.batch(delays, ctx());
  const ms = performance.now() - t0;
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  t.diagnostic(`3000 files in ${ms.toFixed(0)} ms`);
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('special files (FIFO) are skipped, not read (lsyncd cp would block on them)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  assert.equal(spawnSync('mkfifo', [`${r.src}/fifo`]).status, 0);
  writeFileSync(`${r.src}/after`, 'a');
  const rep = await transport(r).batch([delay('Create', '/fifo'), delay('Create', '/after')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(existsSync(`${r.dst}/fifo`), false);
  assert.equal(readFileSync(`${r.dst}/after`, 'utf8'), 'a');
});

test('directory times on the target are restored after writing into them', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d`, { recursive: true });
  const tr = transport(r);
  await tr.batch([delay('Create', '/d/')], ctx());
  writeFileSync(`${r.src}/d/f`, 'x');
  utimesSync(`${r.src}/d`, 1_300_000_000, 1_300_000_000);
  await tr.batch([delay('Create', '/d/f')], ctx());
  assert.equal(statSync(`${r.dst}/d`).mtimeMs, 1_300_000_000_000);
});
