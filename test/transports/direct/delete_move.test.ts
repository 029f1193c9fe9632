// Direct transport: Delete in every delete mode, the target root is never deleted, no deletion
// through a target symlink, moves (rename on the target, inode kept) with every fallback and the
// lsyncd move/exclude table, and type changes (file ↔ directory ↔ symlink, lsyncd issue #290).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import type { DeleteMode } from '../../../src/config/schema.js';
import { ctx, delay, roots, transport, treeDiff } from './helpers.js';

const MODES: { mode: DeleteMode; running: boolean }[] = [
  { mode: true, running: true },
  { mode: false, running: false },
  { mode: 'startup', running: false },
  { mode: 'running', running: true },
];

for (const { mode, running } of MODES) {
  test(`delete = ${JSON.stringify(mode)}: Delete events ${running ? 'remove' : 'keep'} target files and trees`, async (t) => {
    const r = roots(t);
    mkdirSync(r.src, { recursive: true });
    mkdirSync(`${r.dst}/tree/deep`, { recursive: true });
    writeFileSync(`${r.dst}/f`, 'x');
    writeFileSync(`${r.dst}/tree/deep/g`, 'y');
    const rep = await transport(r, { delete: mode }).batch(
      [delay('Delete', '/f'), delay('Delete', '/tree/'), delay('Delete', '/never-existed')],
      ctx(),
    );
    assert.deepEqual(rep.outcome, { kind: 'ok' });
    assert.equal(existsSync(`${r.dst}/f`), !running);
    assert.equal(existsSync(`${r.dst}/tree`), !running);
    assert.ok(existsSync(r.dst), 'the target root stays');
  });
}

test('a Delete of "/" is refused ("Refusing to erase your harddisk!"), the target root stays', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  writeFileSync(`${r.dst}/keep`, 'k');
  const c = ctx();
  const tr = transport(r, { delete: true });
  for (const p of ['/', '//', '/./', '/../', '/a/../']) {
    const rep = await tr.batch([delay('Delete', p)], c);
    assert.deepEqual(rep.outcome, { kind: 'ok' });
  }
  assert.equal(readFileSync(`${r.dst}/keep`, 'utf8'), 'k');
  assert.ok(c.log.lines.some((l) => l.includes('Refusing to erase your harddisk!')), c.log.lines.join('\n'));
});

test('no deletion through a symlink on the target where the source had a directory (lsyncd #290)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  mkdirSync(`${r.base}/precious`);
  writeFileSync(`${r.base}/precious/file`, 'p');
  symlinkSync(`${r.base}/precious`, `${r.dst}/d`);
  const rep = await transport(r, { delete: true }).batch([delay('Delete', '/d/file'), delay('Create', '/d/new')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readFileSync(`${r.base}/precious/file`, 'utf8'), 'p');
  assert.deepEqual(readdirSync(`${r.base}/precious`), ['file']);
});

test('writes never go through a stale target symlink: the directory replaces it', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d`, { recursive: true });
  writeFileSync(`${r.src}/d/new`, 'n');
  mkdirSync(r.dst, { recursive: true });
  mkdirSync(`${r.base}/precious`);
  symlinkSync(`${r.base}/precious`, `${r.dst}/d`);
  const rep = await transport(r, { delete: true }).batch([delay('Create', '/d/new')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(readdirSync(`${r.base}/precious`), []);
  assert.ok(lstatSync(`${r.dst}/d`).isDirectory());
  assert.equal(readFileSync(`${r.dst}/d/new`, 'utf8'), 'n');
});

test('Move renames on the target (same inode), for files and directories, creating parents', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/a/sub`, { recursive: true });
  writeFileSync(`${r.src}/a/sub/f`, 'f');
  writeFileSync(`${r.src}/file`, 'big');
  const tr = transport(r, { delete: true });
  await tr.batch([delay('Create', '/a/', { fromMove: true }), delay('Create', '/file')], ctx());
  const dirIno = lstatSync(`${r.dst}/a`).ino;
  const fileIno = lstatSync(`${r.dst}/file`).ino;
  mkdirSync(`${r.src}/new/parent`, { recursive: true });
  renameSync(`${r.src}/a`, `${r.src}/new/parent/b`);
  renameSync(`${r.src}/file`, `${r.src}/new/file2`);
  const rep = await tr.batch(
    [delay('Move', '/a/', { destination: '/new/parent/b/' }), delay('Move', '/file', { destination: '/new/file2' })],
    ctx(),
  );
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(lstatSync(`${r.dst}/new/parent/b`).ino, dirIno);
  assert.equal(lstatSync(`${r.dst}/new/file2`).ino, fileIno);
  assert.equal(rep.filesSent, 0, 'nothing copied');
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('Move whose origin is missing on the target copies the destination subtree from the source', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/dest/x`, { recursive: true });
  writeFileSync(`${r.src}/dest/x/f`, 'content');
  const rep = await transport(r).batch([delay('Move', '/nowhere/', { destination: '/dest/' })], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

for (const del of [true, false] as const) {
  test(`Move onto a non-empty target directory, delete=${del}: ${del ? 'replaced' : 'merged by copy, origin kept'}`, async (t) => {
    const r = roots(t);
    mkdirSync(`${r.src}/to`, { recursive: true });
    writeFileSync(`${r.src}/to/moved`, 'm');
    mkdirSync(`${r.dst}/from`, { recursive: true });
    writeFileSync(`${r.dst}/from/moved`, 'm');
    mkdirSync(`${r.dst}/to`, { recursive: true });
    writeFileSync(`${r.dst}/to/stale`, 's');
    const rep = await transport(r, { delete: del }).batch([delay('Move', '/from/', { destination: '/to/' })], ctx());
    assert.deepEqual(rep.outcome, { kind: 'ok' });
    assert.equal(readFileSync(`${r.dst}/to/moved`, 'utf8'), 'm');
    assert.equal(existsSync(`${r.dst}/to/stale`), !del);
    assert.equal(existsSync(`${r.dst}/from`), !del);
  });
}

test('Move and excludes: excluded destination → Delete(origin); excluded origin → Create(destination)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  writeFileSync(`${r.dst}/doc.txt`, 'old');
  writeFileSync(`${r.src}/result.txt`, 'fresh');
  writeFileSync(`${r.src}/doc.tmp`, 'tmp');
  const tr = transport(r, { exclude: ['*.tmp'], delete: true });
  const rep = await tr.batch(
    [delay('Move', '/doc.txt', { destination: '/doc.tmp' }), delay('Move', '/work.tmp', { destination: '/result.txt' })],
    ctx(),
  );
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(readdirSync(r.dst), ['result.txt']);
  assert.equal(readFileSync(`${r.dst}/result.txt`, 'utf8'), 'fresh');
});

test('Move of a file over a target symlink and of a symlink over a file replace like rename(2)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(r.dst, { recursive: true });
  writeFileSync(`${r.src}/b`, 'B');
  writeFileSync(`${r.dst}/a`, 'B');
  symlinkSync('x', `${r.dst}/b`);
  const rep = await transport(r).batch([delay('Move', '/a', { destination: '/b' })], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readFileSync(`${r.dst}/b`, 'utf8'), 'B');
  assert.ok(lstatSync(`${r.dst}/b`).isFile());
});

test('type changes: file → directory, directory → file, file → symlink, symlink → directory, directory → symlink', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  const tr = transport(r, { delete: true });
  const step = async (mutate: () => void, delays: ReturnType<typeof delay>[]) => {
    mutate();
    const rep = await tr.batch(delays, ctx());
    assert.deepEqual(rep.outcome, { kind: 'ok' });
    assert.deepEqual(treeDiff(r.src, r.dst), []);
  };
  await step(() => writeFileSync(`${r.src}/x`, 'file'), [delay('Create', '/x')]);
  // file → directory (event order of a real tree: Delete, Create dir, Create child)
  await step(() => {
    rmSync(`${r.src}/x`);
    mkdirSync(`${r.src}/x`);
    writeFileSync(`${r.src}/x/in`, 'i');
  }, [delay('Create', '/x/'), delay('Create', '/x/in')]);
  // directory → file with the Delete dropped (rename over): the non-empty directory is replaced
  await step(() => {
    rmSync(`${r.src}/x`, { recursive: true });
    writeFileSync(`${r.src}/x`, 'file again');
  }, [delay('Create', '/x')]);
  // file → symlink
  await step(() => {
    rmSync(`${r.src}/x`);
    symlinkSync('/etc', `${r.src}/x`);
  }, [delay('Create', '/x')]);
  // symlink → directory: a file created below is not written through the old link
  await step(() => {
    rmSync(`${r.src}/x`);
    mkdirSync(`${r.src}/x`);
    writeFileSync(`${r.src}/x/passwd`, 'mine');
  }, [delay('Create', '/x/passwd')]);
  // directory → symlink (#290): the target directory is replaced, nothing followed
  mkdirSync(`${r.base}/elsewhere`);
  writeFileSync(`${r.base}/elsewhere/keep`, 'k');
  await step(() => {
    rmSync(`${r.src}/x`, { recursive: true });
    symlinkSync(`${r.base}/elsewhere`, `${r.src}/x`);
  }, [delay('Create', '/x'), delay('Delete', '/x/passwd')]);
  assert.equal(readlinkSync(`${r.dst}/x`), `${r.base}/elsewhere`);
  assert.deepEqual(readdirSync(`${r.base}/elsewhere`), ['keep']);
});

test('delete=false: a non-empty target directory is kept when the source has a file there (warned)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  mkdirSync(`${r.dst}/x`, { recursive: true });
  writeFileSync(`${r.dst}/x/only-on-target`, 't');
  writeFileSync(`${r.src}/x`, 'file');
  mkdirSync(`${r.dst}/empty`);
  writeFileSync(`${r.src}/empty`, 'replaces an empty dir');
  const c = ctx();
  const rep = await transport(r, { delete: false }).batch([delay('Create', '/x'), delay('Create', '/empty')], c);
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readFileSync(`${r.dst}/x/only-on-target`, 'utf8'), 't');
  assert.equal(readFileSync(`${r.dst}/empty`, 'utf8'), 'replaces an empty dir');
  assert.ok(c.log.lines.some((l) => l.startsWith('Warn:') && l.includes('kept non-empty directory')), c.log.lines.join('\n'));
  assert.deepEqual(readdirSync(`${r.dst}/x`), ['only-on-target'], 'no temp file left');
});

test('a stale event below a source directory that became a symlink never reads through it', async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/a`, { recursive: true });
  mkdirSync(`${r.base}/outside`);
  writeFileSync(`${r.base}/outside/f`, 'secret outside the source');
  const tr = transport(r, { delete: true });
  await tr.batch([delay('Create', '/a/')], ctx());
  rmSync(`${r.src}/a`, { recursive: true });
  symlinkSync(`${r.base}/outside`, `${r.src}/a`);
  let rep = await tr.batch([delay('Create', '/a/f')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(existsSync(`${r.dst}/a/f`), false, 'nothing copied from outside the source tree');
  rep = await tr.batch([delay('Delete', '/a/'), delay('Create', '/a')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.equal(readlinkSync(`${r.dst}/a`), `${r.base}/outside`);
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});
