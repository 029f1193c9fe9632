// The catch-up plan (src/state/catch_up.ts): manifest vs. source as walked, to queue events.
import assert from 'node:assert/strict';
import test from 'node:test';

import { planCatchUp, settleCatchUp, type PlannedEvent } from '../../src/state/catch_up.js';
import { PENDING } from '../../src/state/source_scan.js';

const f = (ino: number, mtime = 100): string => `f|1|${mtime}|${ino}|420`;
const d = (ino: number, mode = 493): string => `d|0|0|${ino}|${mode}`;

test('unchanged entries give nothing; changed ones Modify (files) or Attrib (directories)', () => {
  const manifest = new Map([['/a', f(1)], ['/b', f(2)], ['/c/', d(3)]]);
  const local = new Map([['/a', f(1)], ['/b', f(2, 200)], ['/c/', d(3, 448)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Modify', path: '/b' },
    { kind: 'Attrib', path: '/c/' },
  ]);
});

test('a moved directory is ONE Move; its entries are compared at the new path', () => {
  const manifest = new Map([['/old/', d(10)], ['/old/x', f(11)], ['/old/y', f(12)], ['/old/sub/', d(13)], ['/old/sub/z', f(14)]]);
  const local = new Map([['/new/', d(10)], ['/new/x', f(11)], ['/new/y', f(12, 999)], ['/new/sub/', d(13)], ['/new/sub/z', f(14)], ['/new/w', f(15)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Move', path: '/old/', destination: '/new/' },
    { kind: 'Modify', path: '/new/y' },
    { kind: 'Create', path: '/new/w' },
  ]);
});

test('a directory moved inside a moved directory is moved from where the target has it then', () => {
  const manifest = new Map([['/a/', d(1)], ['/a/b/', d(2)], ['/a/b/f', f(3)]]);
  const local = new Map([['/x/', d(1)], ['/x/c/', d(2)], ['/x/c/f', f(3)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Move', path: '/a/', destination: '/x/' },
    { kind: 'Move', path: '/x/b/', destination: '/x/c/' },
  ]);
});

test('a new directory is one Create of its subtree; a deleted one is one Delete; files moved out of it are moves', () => {
  const manifest = new Map([['/gone/', d(1)], ['/gone/p', f(2)], ['/gone/q', f(3)], ['/keep', f(4)]]);
  const local = new Map([['/keep', f(4)], ['/fresh/', d(20)], ['/fresh/n1', f(21)], ['/fresh/n2', f(22)], ['/q2', f(3)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Create', path: '/fresh/', fromMove: true },
    { kind: 'Move', path: '/gone/q', destination: '/q2' },
    { kind: 'Delete', path: '/gone/' },
  ]);
});

test('an inode several manifest paths share (hard links) is never taken for a move', () => {
  const manifest = new Map([['/h1', f(7)], ['/h2', f(7)]]);
  const local = new Map([['/h3', f(7)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Create', path: '/h3' },
    { kind: 'Delete', path: '/h1' },
    { kind: 'Delete', path: '/h2' },
  ]);
});

test('nothing below a pending directory is moved out of it: the target may hold more there', () => {
  const manifest = new Map([['/p/', PENDING], ['/p/sub/', d(2)], ['/p/sub/f', f(3)]]);
  const local = new Map([['/p/', d(1)], ['/moved/', d(2)], ['/moved/f', f(3)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Create', path: '/p/', fromMove: true },
    { kind: 'Create', path: '/moved/', fromMove: true },
    { kind: 'Delete', path: '/p/sub/' },
  ]);
});

test('a path replaced by another entry is created over, never deleted after the create', () => {
  const manifest = new Map([['/r', f(1)]]);
  const local = new Map([['/r', f(2)]]);
  assert.deepEqual(planCatchUp(manifest, local), [{ kind: 'Create', path: '/r' }]);
});

test('a directory that became a file (or the reverse) is deleted first, with its subtree', () => {
  const manifest = new Map([['/x/', d(1)], ['/x/in', f(2)], ['/y', f(3)]]);
  const local = new Map([['/x', f(4)], ['/y/', d(5)]]);
  assert.deepEqual(planCatchUp(manifest, local), [
    { kind: 'Delete', path: '/x/' },
    { kind: 'Create', path: '/x' },
    { kind: 'Delete', path: '/y' },
    { kind: 'Create', path: '/y/', fromMove: true },
  ]);
});

test('settling drops what the file system contradicts now, and turns a broken move into create + delete', () => {
  const now = new Map([['/here', f(1)], ['/moved-dest', d(2)], ['/origin-back', d(3)], ['/dest2', f(4)], ['/now-a-dir', d(5)]]);
  const planned: PlannedEvent[] = [
    { kind: 'Create', path: '/vanished' },
    { kind: 'Modify', path: '/here' },
    { kind: 'Delete', path: '/here' },
    { kind: 'Delete', path: '/really-gone' },
    { kind: 'Delete', path: '/now-a-dir' },
    { kind: 'Move', path: '/origin-gone/', destination: '/moved-dest/' },
    { kind: 'Move', path: '/origin-back/', destination: '/dest2' },
  ];
  // Like statEntry: a directory path is lstat()ed without its trailing '/'.
  assert.deepEqual(settleCatchUp(planned, (p) => now.get(p.replace(/(.)\/$/, '$1'))), [
    { kind: 'Modify', path: '/here' },
    { kind: 'Delete', path: '/really-gone' },
    { kind: 'Delete', path: '/now-a-dir' },
    { kind: 'Move', path: '/origin-gone/', destination: '/moved-dest/' },
    { kind: 'Create', path: '/dest2' },
  ]);
});
