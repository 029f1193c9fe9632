// Blocking and move rules of the delay queue (docs/lsyncd-compat.md#collapsing-events-on-one-path, docs/lsyncd-compat.md#startup-order, docs/lsyncd-compat.md#rsyncssh-commands).
import test from 'node:test';
import assert from 'node:assert/strict';
import { type Batch, type Delay, DelayQueue, type QueueEvent } from '../../src/queue/index.js';

const fmt = (d: Delay): string =>
  d.kind === 'Move' ? `Move ${String(d.path)}>${String(d.destination)}` : `${d.kind} ${String(d.path)}`;
const kinds = (b: Batch | null): string[] | null => (b === null ? null : b.delays.map(fmt));
const q = (splitMoves = false) => new DelayQueue({ delayMs: 0, maxDelays: 1000, splitMoves });
const feed = (dq: DelayQueue, evs: QueueEvent[]) => evs.forEach((e) => dq.ingest(e, 0));

interface Case {
  name: string;
  /** events ingested and taken as the first (active) batch */
  first: QueueEvent[];
  /** events ingested while the first batch runs */
  then: QueueEvent[];
  /** what the queue holds after ingest (FIFO) */
  queued: string[];
  /** what a batch taken while the first batch is still active contains (null = nothing runs) */
  during: string[] | null;
}

const CASES: Case[] = [
  {
    name: 'file under an active directory Create is blocked',
    first: [{ kind: 'Create', path: '/d/' }],
    then: [{ kind: 'Modify', path: '/d/f' }],
    queued: ['Create /d/', 'Modify /d/f'],
    during: null,
  },
  {
    name: 'directory Delete waits for an active transfer below it',
    first: [{ kind: 'Modify', path: '/d/f' }],
    then: [{ kind: 'Delete', path: '/d/' }],
    queued: ['Modify /d/f', 'Delete /d/'],
    during: null,
  },
  {
    name: 'siblings do not block each other',
    first: [{ kind: 'Modify', path: '/d/f1' }],
    then: [{ kind: 'Modify', path: '/d/f2' }],
    queued: ['Modify /d/f1', 'Modify /d/f2'],
    during: ['Modify /d/f2'],
  },
  {
    name: 'blocked by ANY older related active delay, not only the newest (lsyncd links one)',
    first: [{ kind: 'Modify', path: '/d/f1' }],
    then: [
      { kind: 'Modify', path: '/d/f2' },
      { kind: 'Delete', path: '/d/' },
    ],
    queued: ['Modify /d/f1', 'Modify /d/f2', 'Delete /d/'],
    during: ['Modify /d/f2'],
  },
  {
    name: 'blocking is transitive through blocked delays',
    first: [{ kind: 'Create', path: '/a/' }],
    then: [
      { kind: 'Create', path: '/a/b/' }, // blocked by /a/
      { kind: 'Modify', path: '/a/b/c' }, // blocked by the blocked /a/b/
      { kind: 'Modify', path: '/z' },
    ],
    queued: ['Create /a/', 'Create /a/b/', 'Modify /a/b/c', 'Modify /z'],
    during: ['Modify /z'],
  },
  {
    name: 'nothing under a directory being moved runs before the move (origin side)',
    first: [{ kind: 'Move', path: '/a/', destination: '/b/' }],
    then: [{ kind: 'Modify', path: '/a/x' }],
    queued: ['Move /a/>/b/', 'Modify /a/x'],
    during: null,
  },
  {
    name: 'nothing under a directory being moved runs before the move (destination side)',
    first: [{ kind: 'Move', path: '/a/', destination: '/b/' }],
    then: [{ kind: 'Create', path: '/b/new' }],
    queued: ['Move /a/>/b/', 'Create /b/new'],
    during: null,
  },
  {
    name: 'a Move is blocked by an active delay on its origin ancestor',
    first: [{ kind: 'Attrib', path: '/p/' }],
    then: [{ kind: 'Move', path: '/p/a', destination: '/q' }],
    // related to a pending delay -> split (docs/lsyncd-compat.md#collapsing-events-on-one-path)
    queued: ['Attrib /p/', 'Delete /p/a', 'Create /q'],
    during: ['Create /q'],
  },
];

for (const c of CASES) {
  test(`blocking: ${c.name}`, () => {
    const dq = q();
    feed(dq, c.first);
    const b1 = dq.getBatch(0);
    assert.ok(b1);
    feed(dq, c.then);
    assert.deepEqual(dq.snapshot().map(fmt), c.queued);
    const b2 = dq.getBatch(0);
    assert.deepEqual(kinds(b2), c.during);
    if (b2) dq.complete(b2, { kind: 'ok' });
    dq.complete(b1, { kind: 'ok' });
    // after the blocker finishes, everything left runs, in FIFO order
    const rest = c.queued.slice(c.first.length).filter((s) => !(c.during ?? []).includes(s));
    assert.deepEqual(kinds(dq.getBatch(0)) ?? [], rest);
  });
}

test('related delays that are all waiting go into one batch in FIFO order', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Create', path: '/d/' },
    { kind: 'Create', path: '/d/f' },
    { kind: 'Modify', path: '/e' },
  ]);
  assert.deepEqual(kinds(dq.getBatch(0)), ['Create /d/', 'Create /d/f', 'Modify /e']);
});

test('move rules: split when the Move touches anything pending (docs/lsyncd-compat.md#collapsing-events-on-one-path split)', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Create', path: '/a' },
    { kind: 'Move', path: '/a', destination: '/b' },
  ]);
  const s = dq.snapshot();
  assert.deepEqual(s.map(fmt), ['Delete /a', 'Create /b']); // Create then Delete -> Delete
  assert.deepEqual(s.map((d) => d.fromMove), [true, true]);
});

test('move rules: Move upon a related Move splits, and turns the first into Delete', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Move', path: '/a', destination: '/b' },
    { kind: 'Move', path: '/b', destination: '/c' },
  ]);
  assert.deepEqual(dq.snapshot().map(fmt), ['Delete /a', 'Delete /b', 'Create /c']);
});

test('move rules: unrelated Moves stay Moves', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Move', path: '/a', destination: '/b' },
    { kind: 'Move', path: '/c/', destination: '/d/' },
  ]);
  assert.deepEqual(dq.snapshot().map(fmt), ['Move /a>/b', 'Move /c/>/d/']);
});

for (const kind of ['Delete', 'Create'] as const) {
  test(`move rules: ${kind} on a waiting Move's destination -> Move becomes Delete(origin) (toDelete,stack)`, () => {
    const dq = q();
    feed(dq, [
      { kind: 'Move', path: '/a', destination: '/b' },
      { kind, path: '/b' },
    ]);
    assert.deepEqual(dq.snapshot().map(fmt), ['Delete /a', `${kind} /b`]);
  });
}

for (const kind of ['Modify', 'Attrib'] as const) {
  test(`move rules: ${kind} on a Move's destination stacks behind the Move`, () => {
    const dq = q();
    feed(dq, [
      { kind: 'Move', path: '/a', destination: '/b' },
      { kind, path: '/b' },
    ]);
    assert.deepEqual(dq.snapshot().map(fmt), ['Move /a>/b', `${kind} /b`]);
  });
}

test('move rules: a Delete on an ACTIVE Move destination only stacks', () => {
  const dq = q();
  feed(dq, [{ kind: 'Move', path: '/a', destination: '/b' }]);
  const b = dq.getBatch(0);
  assert.ok(b);
  dq.ingest({ kind: 'Delete', path: '/b' }, 0);
  assert.deepEqual(dq.snapshot().map(fmt), ['Move /a>/b', 'Delete /b']);
});

test('splitMoves (default.rsync): every Move is Delete + Create', () => {
  const dq = q(true);
  feed(dq, [{ kind: 'Move', path: '/a/', destination: '/b/' }]);
  assert.deepEqual(dq.snapshot().map(fmt), ['Delete /a/', 'Create /b/']);
});

test('movesSeparately: a batch is a run of Moves or of non-Moves, ending at the class change', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Modify', path: '/x' },
    { kind: 'Move', path: '/a/', destination: '/b/' },
    { kind: 'Move', path: '/c', destination: '/d' },
    { kind: 'Modify', path: '/a/y' }, // under the moved dir: must wait for the moves
    { kind: 'Modify', path: '/z' },
  ]);
  const opts = { movesSeparately: true };
  const b1 = dq.getBatch(0, opts);
  assert.deepEqual(kinds(b1), ['Modify /x']);
  dq.complete(b1!, { kind: 'ok' });
  const b2 = dq.getBatch(0, opts);
  assert.deepEqual(kinds(b2), ['Move /a/>/b/', 'Move /c>/d']);
  // the scheduler is told the truth: /z is runnable right away, /a/y is not counted as due
  assert.equal(dq.nextWakeup(), 0);
  // while the moves run, /a/y is blocked, /z is not
  assert.deepEqual(kinds(dq.getBatch(0, opts)), ['Modify /z']);
  assert.equal(dq.nextWakeup(), null); // only /a/y is left and it is blocked
  dq.complete(b2!, { kind: 'ok' });
  assert.deepEqual(kinds(dq.getBatch(0, opts)), ['Modify /a/y']);
});

test('limit caps the batch size and later related delays stay blocked', () => {
  const dq = q();
  feed(dq, [
    { kind: 'Modify', path: '/a' },
    { kind: 'Modify', path: '/b' },
    { kind: 'Delete', path: '/' + 'c/' },
  ]);
  assert.deepEqual(kinds(dq.getBatch(0, { limit: 2 })), ['Modify /a', 'Modify /b']);
  assert.deepEqual(kinds(dq.getBatch(0, { limit: 2 })), ['Delete /c/']);
  assert.equal(dq.getBatch(0), null);
});

test('Full marker: runs alone after what is queued before it, blocks what comes after', () => {
  const dq = q();
  dq.ingest({ kind: 'Modify', path: '/before' }, 0);
  dq.addFull(0, 'overflow');
  dq.ingest({ kind: 'Modify', path: '/after' }, 0);
  dq.ingest({ kind: 'Modify', path: '/before' }, 0); // still merges into the waiting one
  assert.deepEqual(dq.snapshot().map(fmt), ['Modify /before', 'Full /', 'Modify /after']);
  const b1 = dq.getBatch(0);
  assert.deepEqual(kinds(b1), ['Modify /before']);
  assert.equal(b1!.full, false);
  assert.equal(dq.getBatch(0), null); // Full waits until nothing is before it
  dq.complete(b1!, { kind: 'ok' });
  const b2 = dq.getBatch(0);
  assert.equal(b2!.full, true);
  assert.deepEqual(kinds(b2), ['Full /']);
  assert.equal(b2!.delays[0]!.reason, 'overflow');
  dq.ingest({ kind: 'Modify', path: '/during' }, 0);
  assert.equal(dq.getBatch(0), null); // events arriving during the full run wait for it (docs/lsyncd-compat.md#startup-order)
  dq.complete(b2!, { kind: 'ok' });
  assert.deepEqual(kinds(dq.getBatch(0)), ['Modify /after', 'Modify /during']);
});

test('Full marker: init first, then events; duplicate waiting markers collapse', () => {
  const dq = q();
  dq.addFull(0, 'init');
  dq.addFull(0, 'overflow');
  dq.ingest({ kind: 'Create', path: '/x' }, 0);
  assert.deepEqual(dq.snapshot().map(fmt), ['Full /', 'Create /x']);
  const b = dq.getBatch(0);
  assert.equal(b!.full, true);
  dq.complete(b!, { kind: 'ok' });
  assert.deepEqual(kinds(dq.getBatch(0)), ['Create /x']);
});
