// Every cell of lsyncd's intended collapse table (docs/lsyncd-compat.md#collapsing-events-on-one-path), for files and
// directories, against a waiting old delay and against an active one.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue, type PathEventKind, collapse } from '../../src/queue/index.js';

const K: PathEventKind[] = ['Attrib', 'Modify', 'Create', 'Delete'];
type Cell = 'absorb' | 'replace' | 'stack';
// rows = old, columns = new (Attrib, Modify, Create, Delete); [file, dir] where they differ
const TABLE: Record<PathEventKind, (Cell | [Cell, Cell])[]> = {
  Attrib: ['absorb', 'replace', 'replace', 'replace'],
  Modify: ['absorb', 'absorb', 'replace', 'replace'],
  Create: ['absorb', 'absorb', 'absorb', 'replace'],
  Delete: ['absorb', 'absorb', ['replace', 'stack'], 'absorb'],
};

function expected(old: PathEventKind, neu: PathEventKind, dir: boolean): Cell {
  const c = TABLE[old][K.indexOf(neu)]!;
  return Array.isArray(c) ? c[dir ? 1 : 0] : c;
}

const q = () => new DelayQueue({ delayMs: 1000, maxDelays: 1000 });

for (const old of K) {
  for (const neu of K) {
    for (const dir of [false, true]) {
      const path = dir ? '/d/' : '/f';
      const cell = expected(old, neu, dir);
      test(`collapse ${old} then ${neu} on ${dir ? 'dir' : 'file'} -> ${cell}`, () => {
        assert.equal(collapse(old, dir, neu, dir), cell);
        const dq = q();
        dq.ingest({ kind: old, path }, 0);
        dq.ingest({ kind: neu, path }, 10);
        const kinds = dq.snapshot().map((d) => d.kind);
        const want = cell === 'absorb' ? [old] : cell === 'replace' ? [neu] : [old, neu];
        assert.deepEqual(kinds, want);
        // collapsing keeps the OLDER alarm: delay counts from the oldest event
        assert.equal(dq.snapshot()[0]!.alarm, 1000);
      });
      test(`no collapse into an ACTIVE ${old} for a new ${neu} on ${dir ? 'dir' : 'file'}`, () => {
        const dq = q();
        dq.ingest({ kind: old, path }, 0);
        const b = dq.getBatch(1000);
        assert.ok(b);
        dq.ingest({ kind: neu, path }, 1010);
        assert.deepEqual(
          dq.snapshot().map((d) => [d.kind, d.status]),
          [
            [old, 'active'],
            [neu, 'wait'],
          ],
        );
        // and the new one is blocked until the active one completes
        assert.equal(dq.getBatch(99_999), null);
        assert.equal(dq.nextWakeup(), null);
        dq.complete(b, { kind: 'ok' });
        assert.deepEqual(dq.getBatch(99_999)?.delays.map((d) => d.kind), [neu]);
      });
    }
  }
}

test('50 writes to one file are one delay (lsyncd 2.2.3 left 43)', () => {
  const dq = q();
  dq.ingest({ kind: 'Create', path: '/a' }, 0);
  for (let i = 1; i <= 50; i++) dq.ingest({ kind: 'Modify', path: '/a' }, i);
  assert.deepEqual(dq.snapshot().map((d) => d.kind), ['Create']);
});

test('Create, Modify, Delete of a short-lived file is a single Delete', () => {
  const dq = q();
  for (const kind of ['Create', 'Modify', 'Delete'] as const) dq.ingest({ kind, path: '/gone' }, 0);
  assert.deepEqual(dq.snapshot().map((d) => d.kind), ['Delete']);
});

test('a file replaced by a directory of the same name is ordered, not merged', () => {
  const dq = q();
  dq.ingest({ kind: 'Delete', path: '/x' }, 0);
  dq.ingest({ kind: 'Create', path: '/x/' }, 1);
  assert.deepEqual(dq.snapshot().map((d) => [d.kind, d.path]), [
    ['Delete', '/x'],
    ['Create', '/x/'],
  ]);
});

test('an event on a path is not merged past a newer related event on its parent', () => {
  // Create /d/x, Delete /d/, Create /d/x: the last Create must stay after the Delete of /d/.
  const dq = q();
  dq.ingest({ kind: 'Create', path: '/d/x' }, 0);
  dq.ingest({ kind: 'Delete', path: '/d/' }, 1);
  dq.ingest({ kind: 'Create', path: '/d/' }, 2);
  dq.ingest({ kind: 'Create', path: '/d/x' }, 3);
  assert.deepEqual(dq.snapshot().map((d) => `${d.kind} ${String(d.path)}`), [
    'Create /d/x',
    'Delete /d/',
    'Create /d/',
    'Create /d/x',
  ]);
});

// A file and a directory of the same name never collapse, in any order of any kinds.
for (const old of K) {
  for (const neu of K) {
    for (const [oldDir, newDir] of [[true, false], [false, true]] as const) {
      test(`no collapse across types: ${old} ${oldDir ? 'dir' : 'file'} then ${neu} ${newDir ? 'dir' : 'file'}`, () => {
        assert.equal(collapse(old, oldDir, neu, newDir), 'stack');
      });
    }
  }
}

test('Delete of a directory then Create of a file with its name: both run, in order (churn regression)', () => {
  const dq = q();
  dq.ingest({ kind: 'Delete', path: '/x/' }, 0);
  dq.ingest({ kind: 'Create', path: '/x' }, 10);
  assert.deepEqual(
    dq.snapshot().map((d) => `${d.kind} ${String(d.path)}`),
    ['Delete /x/', 'Create /x'],
  );
});

test('blockedSeqs: a delay queued behind a related active one is blocked, an unrelated one waits', () => {
  const dq = q();
  dq.ingest({ kind: 'Modify', path: '/a' }, 0);
  const b = dq.getBatch(5000)!;
  dq.ingest({ kind: 'Modify', path: '/a' }, 10);
  dq.ingest({ kind: 'Modify', path: '/b' }, 10);
  const snap = dq.snapshot();
  const blocked = dq.blockedSeqs();
  assert.deepEqual(
    snap.map((d) => `${d.status}${blocked.has(d.seq) ? '+blocked' : ''} ${String(d.path)}`),
    ['active /a', 'wait+blocked /a', 'wait /b'],
  );
  dq.complete(b, { kind: 'ok' });
  assert.equal(dq.blockedSeqs().size, 0);
});

test('a directory moved over a pending Create of an empty one: the kept Create stands for the moved-in subtree', () => {
  for (const splitMoves of [false, true]) {
    const dq = new DelayQueue({ delayMs: 1000, maxDelays: 1000, splitMoves });
    dq.ingest({ kind: 'Create', path: '/d/' }, 0); // mkdir d
    dq.ingest({ kind: 'Move', path: '/x/', destination: '/d/' }, 10); // mv -T x d
    assert.deepEqual(
      dq.snapshot().map((d) => `${d.kind} ${String(d.path)} ${d.fromMove}`),
      ['Create /d/ true', 'Delete /x/ true'],
      `splitMoves=${splitMoves}`,
    );
  }
});

test('after an again, a retried Create absorbing a moved-in Create keeps its subtree', () => {
  const dq = q();
  dq.ingest({ kind: 'Create', path: '/d/' }, 0);
  const b = dq.getBatch(1000)!;
  dq.ingest({ kind: 'Move', path: '/x/', destination: '/d/' }, 1010); // while the batch runs
  dq.complete(b, { kind: 'again', retryAt: 2000 });
  const d = dq.snapshot().find((x) => String(x.path) === '/d/');
  assert.equal(d?.kind, 'Create');
  assert.equal(d?.fromMove, true);
});
