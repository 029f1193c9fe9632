// The mass-delete guard's rule and its timing, without I/O (src/engine/delete_guard.ts): the pure
// decision, the bound of the source walk, and when the guard sets deletes aside, walks the
// source, holds or hands the deletes back — with a fake host and mocked timers.
import assert from 'node:assert/strict';
import test, { mock } from 'node:test';

import { DELETE_GUARD_DEFAULTS } from '../../src/config/defaults.js';
import { DeleteGuard, type DeleteGuardHost, type HeldDelete, isMassDelete, SETTLE_MS, sourceBound } from '../../src/engine/delete_guard.js';

const D = DELETE_GUARD_DEFAULTS;

test('isMassDelete: both the minimum and the fraction of source + deleted', () => {
  const cases: [deleted: number, source: number, hold: boolean][] = [
    [49, 0, false], // below the minimum, even a whole small tree
    [50, 0, true],
    [50, 50, true], // exactly half
    [50, 51, false],
    [500, 4500, false], // one directory of 10 %
    [2400, 2600, false], // 48 %
    [5000, 0, true], // the whole tree
    [5000, 3, true],
  ];
  for (const [deleted, sourceEntries, hold] of cases) {
    assert.equal(isMassDelete({ deleted, sourceEntries, fraction: D.fraction, minimum: D.minimum }), hold, `${deleted} deleted, ${sourceEntries} left`);
  }
});

test('sourceBound: the largest source count that still holds', () => {
  for (const fraction of [0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 1]) {
    for (const deleted of [1, 7, 50, 99, 1234]) {
      const b = sourceBound(deleted, fraction);
      assert.equal(isMassDelete({ deleted, sourceEntries: b, fraction, minimum: 1 }), true, `f=${fraction} d=${deleted} at ${b}`);
      assert.equal(isMassDelete({ deleted, sourceEntries: b + 1, fraction, minimum: 1 }), false, `f=${fraction} d=${deleted} above ${b}`);
    }
  }
});

function fakeHost(sourceEntries: () => number, queued: HeldDelete[] = []) {
  const calls = { counted: [] as number[], requeued: [] as HeldDelete[], fulls: [] as string[], warned: [] as string[] };
  const host: DeleteGuardHost = {
    name: 's',
    guardsEvents: true,
    countSource: (stopAfter) => {
      calls.counted.push(stopAfter);
      return Math.min(sourceEntries(), stopAfter + 1);
    },
    existsInSource: () => false,
    takeQueuedDeletes: () => queued.splice(0),
    requeue: (d) => calls.requeued.push(...d),
    queueFull: (r) => calls.fulls.push(r),
    changed: () => {},
    warn: (m) => calls.warned.push(m),
    normal: () => {},
  };
  return { host, calls };
}

test('below the minimum deletes pass and the source is never walked; at it they are set aside until the burst settles', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let clock = 0;
  const queued = Array.from({ length: 10 }, (_, i) => ({ path: `/q${i}`, at: 0 }));
  const { host, calls } = fakeHost(() => 0, queued);
  const g = new DeleteGuard({ fraction: 0.5, minimum: 20, window: 60 }, host, () => clock);
  for (let i = 0; i < 19; i++) assert.equal(g.intercept('Delete', `/f${i}`, undefined), false);
  assert.deepEqual(calls.counted, []);
  assert.equal(g.intercept('Delete', '/f19', undefined), true, 'the 20th is set aside');
  assert.equal(queued.length, 0, 'the queued deletes were taken back');
  assert.equal(g.settling, true);
  clock += 500;
  mock.timers.tick(500);
  assert.equal(g.intercept('Delete', '/f20', undefined), true, 'the burst goes on');
  mock.timers.tick(SETTLE_MS - 1);
  assert.deepEqual(calls.counted, [], 'no verdict while deletes still arrive');
  mock.timers.tick(1);
  assert.deepEqual(calls.counted, [sourceBound(21, 0.5)]);
  assert.equal(g.hold()?.deletes, 12, 'the 10 taken back and the 2 set aside are held');
  assert.equal(calls.warned.length, 1);
  assert.equal(g.intercept('Delete', '/later', undefined), true);
  assert.equal(g.hold()?.deletes, 13);
  assert.equal(g.intercept('Create', '/later', undefined), false);
  assert.equal(g.hold()?.deletes, 12, 'a path back in the source is dropped');
  assert.equal(g.release(), 12);
  assert.equal(calls.requeued.length, 12);
  assert.equal(g.hold(), undefined);
});

test('a "no" verdict hands the deletes back with their times; the next judgement waits for `minimum` more', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const clock = 100;
  const { host, calls } = fakeHost(() => 1000);
  const g = new DeleteGuard({ fraction: 0.5, minimum: 20, window: 60 }, host, () => clock);
  for (let i = 0; i < 25; i++) g.intercept('Delete', `/f${i}`, undefined);
  mock.timers.tick(SETTLE_MS);
  assert.equal(g.hold(), undefined);
  assert.equal(calls.requeued.length, 6, 'the 20th to 25th delete come back');
  assert.ok(calls.requeued.every((d) => d.at === 100));
  for (let i = 25; i < 44; i++) assert.equal(g.intercept('Delete', `/f${i}`, undefined), false, `delete ${i} passes`);
  assert.equal(g.intercept('Delete', '/f44', undefined), true, '25 + 20 = 45th settles again');
});

test('a steady stream of deletes is judged `window` seconds after settling began', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let clock = 0;
  const { host, calls } = fakeHost(() => 100_000);
  const g = new DeleteGuard({ fraction: 0.5, minimum: 5, window: 3 }, host, () => clock);
  for (let i = 0; i < 5; i++) g.intercept('Delete', `/f${i}`, undefined);
  for (let i = 5; i < 40; i++) {
    clock += 100;
    mock.timers.tick(100);
    g.intercept('Delete', `/f${i}`, undefined);
  }
  assert.equal(calls.counted.length, 1, 'judged once the window had passed');
  assert.equal(g.settling, false);
});

test('an empty source before a full transfer: held unless the target is empty', async () => {
  const { host } = fakeHost(() => 0);
  const g = new DeleteGuard(D, host);
  assert.equal(await g.fullMustKeep(async () => false), false, 'empty target: delete away');
  assert.equal(await g.fullMustKeep(async () => true), true);
  assert.match(g.hold()!.reason, /source is empty and the target is not/);
  const full = fakeHost(() => 3);
  assert.equal(await new DeleteGuard(D, full.host).fullMustKeep(async () => true), false, 'non-empty source: no question asked');
});

test('paths created within the window are scratch: deleting them never counts', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let clock = 0;
  const { host, calls } = fakeHost(() => 0);
  const g = new DeleteGuard({ fraction: 0.5, minimum: 20, window: 60 }, host, () => clock);
  for (let i = 0; i < 100; i++) g.intercept('Create', `/tmp${i}/`, undefined);
  for (let i = 0; i < 100; i++) assert.equal(g.intercept('Delete', `/tmp${i}/`, undefined), false, 'made and removed within the window');
  assert.deepEqual(calls.counted, []);
  // Created longer ago than the window: kept data, counted.
  for (let i = 0; i < 30; i++) g.intercept('Create', `/old${i}`, undefined);
  clock += 61_000;
  for (let i = 0; i < 19; i++) assert.equal(g.intercept('Delete', `/old${i}`, undefined), false);
  assert.equal(g.intercept('Delete', '/old19', undefined), true, 'the 20th delete of old paths settles');
});

test('a directory made or moved into place within the window: everything under it is scratch', () => {
  const { host, calls } = fakeHost(() => 0);
  const g = new DeleteGuard({ fraction: 0.5, minimum: 20, window: 60 }, host, () => 0);
  g.intercept('Move', '/old/', '/renamed/');
  g.intercept('Create', '/built/', undefined);
  for (let i = 0; i < 50; i++) {
    assert.equal(g.intercept('Delete', `/renamed/f${i}`, undefined), false);
    assert.equal(g.intercept('Delete', `/built/sub/f${i}`, undefined), false);
  }
  assert.deepEqual(calls.counted, []);
});
