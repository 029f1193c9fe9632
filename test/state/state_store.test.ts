// The state store (src/state/state_store.ts) on a real LMDB file: manifests round-trip, a batch's
// changes apply as one unit (put, subtree remove, subtree rename), a stale fingerprint changes
// nothing, and bad databases and directories give one-line errors or a logged recovery.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { open } from 'lmdb';

import { StateError, StateStore, STATE_SCHEMA } from '../../src/state/state_store.js';
import { mountPoint, readOnlyBind, smallTmpfs } from '../helpers/mounts.js';
import { tempDir } from '../helpers/temp_tree.js';

const sig = (ino: number, t = 'f'): string => `${t}|1|100|${ino}|420`;

function openStore(t: test.TestContext, dir: string): StateStore {
  const s = StateStore.open(dir);
  t.after(() => s.close());
  return s;
}

test('a replaced manifest reads back per sync, with its fingerprint', (t) => {
  const s = openStore(t, path.join(tempDir(t), 'state'));
  s.replace('a', 'fp1', new Map([['/x', sig(1)], ['/d/', sig(2, 'd')], ['/d/y', sig(3)]]));
  s.replace('b', 'fp2', new Map([['/z', sig(4)]]));
  assert.equal(s.fingerprint('a'), 'fp1');
  assert.equal(s.fingerprint('b'), 'fp2');
  assert.equal(s.fingerprint('c'), undefined);
  assert.deepEqual([...s.manifest('a')], [['/d/', sig(2, 'd')], ['/d/y', sig(3)], ['/x', sig(1)]]);
  s.replace('a', 'fp3', new Map([['/n', sig(5)]]));
  assert.deepEqual([...s.manifest('a')], [['/n', sig(5)]]);
  assert.deepEqual([...s.manifest('b')], [['/z', sig(4)]]);
});

test('apply: remove takes the subtree, move renames it, a different fingerprint applies nothing', (t) => {
  const s = openStore(t, path.join(tempDir(t), 'state'));
  s.replace('a', 'fp', new Map([['/d/', sig(1, 'd')], ['/d/e/', sig(2, 'd')], ['/d/e/f', sig(3)], ['/d-x', sig(4)], ['/g', sig(5)], ['/m/', sig(6, 'd')], ['/m/k', sig(7)]]));
  s.apply('a', 'fp', [
    { kind: 'move', path: '/d/', to: '/moved/' },
    { kind: 'remove', path: '/m/' },
    { kind: 'put', path: '/g', sig: sig(8) },
  ]);
  assert.deepEqual(Object.fromEntries(s.manifest('a')), {
    '/d-x': sig(4), '/g': sig(8), '/moved/': sig(1, 'd'), '/moved/e/': sig(2, 'd'), '/moved/e/f': sig(3),
  });
  s.apply('a', 'other', [{ kind: 'remove', path: '/g' }]);
  assert.equal(s.manifest('a').get('/g'), sig(8));
});

test('a database of another schema version is emptied, and says so', async (t) => {
  const dir = path.join(tempDir(t), 'state');
  mkdirSync(dir);
  const root = open({ path: path.join(dir, 'state.mdb'), maxDbs: 4, compression: false });
  const meta = root.openDB({ name: 'meta', encoding: 'msgpack' });
  const entries = root.openDB({ name: 'entries', encoding: 'string' });
  root.transactionSync(() => {
    meta.putSync('\u0000schema', STATE_SCHEMA + 1);
    meta.putSync('a', { fingerprint: 'fp' });
    entries.putSync('a\u0000/x', sig(1));
  });
  await root.close();
  const s = openStore(t, dir);
  assert.match(s.discarded ?? '', /schema version 2, this lsyncd-ts writes 1; its manifests were discarded/);
  assert.equal(s.fingerprint('a'), undefined);
  assert.equal(s.manifest('a').size, 0);
});

test('a corrupt database is moved aside and a fresh one is used', (t) => {
  const dir = path.join(tempDir(t), 'state');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'state.mdb'), Buffer.alloc(20000, 0x5a));
  const s = openStore(t, dir);
  assert.match(s.recovered ?? '', /could not be opened .*moved aside to .*state\.mdb\.corrupt-\d+/);
  assert.equal(s.fingerprint('a'), undefined);
  s.replace('a', 'fp', new Map([['/x', sig(1)]]));
  assert.equal(s.manifest('a').get('/x'), sig(1));
});

test('a read-only state directory is a one-line error naming the path and the fix', (t) => {
  const mp = mountPoint(t);
  mkdirSync(path.join(mp.dir, 'state'), { mode: 0o700 });
  readOnlyBind(mp);
  assert.throws(() => StateStore.open(path.join(mp.dir, 'state')), (e: Error) => {
    assert.ok(e instanceof StateError);
    assert.match(e.message, new RegExp(`^state directory ${mp.dir}/state is not writable \\(.*\\) — make it writable .*settings\\.stateDir`));
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test('a full state file system is a one-line error naming the path and the fix', (t) => {
  const mp = mountPoint(t);
  smallTmpfs(mp, '64k');
  // Fill it: what is left is too little for the database's first pages.
  try {
    writeFileSync(path.join(mp.dir, 'filler'), Buffer.alloc(1024 * 1024));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  assert.throws(() => StateStore.open(path.join(mp.dir, 'state')), (e: Error) => {
    assert.ok(e instanceof StateError);
    assert.match(e.message, new RegExp(`^state directory ${mp.dir}/state (cannot be created|is not writable) \\(.*\\) — .*settings\\.stateDir`));
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});
