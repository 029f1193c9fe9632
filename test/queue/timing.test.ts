// delay / maxDelays / retry semantics (docs/lsyncd-compat.md#delay-and-maxdelays, docs/lsyncd-compat.md#exit-codes-of-transfers).
import test from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue, MAX_PROBE_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from '../../src/queue/index.js';

const paths = (b: { delays: readonly { path: string | Buffer }[] } | null) => b?.delays.map((d) => String(d.path)) ?? null;

test('delay counts from the OLDEST pending event and takes everything waiting', () => {
  const dq = new DelayQueue({ delayMs: 1000, maxDelays: 1000 });
  assert.equal(dq.nextWakeup(), null);
  dq.ingest({ kind: 'Modify', path: '/a' }, 0);
  dq.ingest({ kind: 'Modify', path: '/b' }, 900);
  assert.equal(dq.nextWakeup(), 1000);
  assert.equal(dq.getBatch(999), null);
  assert.deepEqual(paths(dq.getBatch(1000)), ['/a', '/b']);
});

test('not a debounce: a file written continuously is still synced after `delay`', () => {
  const dq = new DelayQueue({ delayMs: 1000, maxDelays: 1000 });
  for (let t = 0; t <= 1000; t += 100) dq.ingest({ kind: 'Modify', path: '/busy' }, t);
  assert.equal(dq.nextWakeup(), 1000);
  assert.deepEqual(paths(dq.getBatch(1000)), ['/busy']);
});

test('maxDelays: with that many waiting delays a batch is due at once', () => {
  const dq = new DelayQueue({ delayMs: 15_000, maxDelays: 3 });
  dq.ingest({ kind: 'Modify', path: '/1' }, 0);
  dq.ingest({ kind: 'Modify', path: '/2' }, 0);
  assert.equal(dq.getBatch(1), null);
  dq.ingest({ kind: 'Modify', path: '/3' }, 0);
  assert.equal(dq.nextWakeup(), -Infinity);
  assert.deepEqual(paths(dq.getBatch(1)), ['/1', '/2', '/3']);
});

test('again: requeued at retryAt, queue held until then, merged with events that arrived meanwhile', () => {
  const dq = new DelayQueue({ delayMs: 100, maxDelays: 1000 });
  dq.ingest({ kind: 'Modify', path: '/a' }, 0);
  dq.ingest({ kind: 'Create', path: '/c' }, 0);
  const b = dq.getBatch(100)!;
  dq.ingest({ kind: 'Modify', path: '/a' }, 150); // stacked behind the active one
  dq.ingest({ kind: 'Delete', path: '/c' }, 150);
  dq.ingest({ kind: 'Modify', path: '/new' }, 150);
  assert.equal(dq.snapshot().length, 5);
  dq.complete(b, { kind: 'again', retryAt: 5000 });
  // Modify+Modify absorbed; Create+Delete replaced by Delete — at the retried delay's position
  assert.deepEqual(dq.snapshot().map((d) => `${d.kind} ${String(d.path)} ${d.attempts}`), [
    'Modify /a 1',
    'Delete /c 1',
    'Modify /new 0',
  ]);
  assert.equal(dq.nextWakeup(), 5000);
  assert.equal(dq.getBatch(4999), null); // /new is due at 250 but the queue is held
  assert.deepEqual(paths(dq.getBatch(5000)), ['/a', '/c', '/new']);
});

test('again: the hold also applies when maxDelays is exceeded', () => {
  const dq = new DelayQueue({ delayMs: 0, maxDelays: 1 });
  dq.ingest({ kind: 'Modify', path: '/a' }, 0);
  const b = dq.getBatch(0)!;
  dq.complete(b, { kind: 'again', retryAt: 1000 });
  dq.ingest({ kind: 'Modify', path: '/b' }, 10);
  assert.equal(dq.getBatch(10), null);
  assert.equal(dq.nextWakeup(), 1000);
});

test('ok removes; completing twice is an error', () => {
  const dq = new DelayQueue({ delayMs: 0, maxDelays: 10 });
  dq.ingest({ kind: 'Modify', path: '/a' }, 0);
  const b = dq.getBatch(0)!;
  assert.equal(dq.active, 1);
  assert.equal(dq.waiting, 0);
  dq.complete(b, { kind: 'ok' });
  assert.equal(dq.snapshot().length, 0);
  assert.equal(dq.active, 0);
  assert.throws(() => dq.complete(b, { kind: 'ok' }), /already completed/);
});

test('nextWakeup is null while everything waiting is blocked by a running batch', () => {
  const dq = new DelayQueue({ delayMs: 0, maxDelays: 10 });
  dq.ingest({ kind: 'Create', path: '/d/' }, 0);
  const b = dq.getBatch(0)!;
  dq.ingest({ kind: 'Create', path: '/d/x' }, 0);
  assert.equal(dq.nextWakeup(), null);
  dq.complete(b, { kind: 'ok' });
  assert.equal(dq.nextWakeup(), 0);
});

test('retryDelayMs: exponential from max(delay, 1 s), capped at 5 minutes', () => {
  const cases: [number, number, number][] = [
    [1, 0, 1000],
    [2, 0, 2000],
    [1, 15_000, 15_000],
    [2, 15_000, 30_000],
    [5, 15_000, 240_000],
    [6, 15_000, MAX_RETRY_MS],
    [100, 15_000, MAX_RETRY_MS],
  ];
  for (const [attempt, delay, want] of cases) assert.equal(retryDelayMs(attempt, delay), want, `${attempt}/${delay}`);
  // Probing a target that could not be reached again (connect()): at most every minute.
  assert.equal(retryDelayMs(3, 15_000, MAX_PROBE_RETRY_MS), MAX_PROBE_RETRY_MS);
  assert.equal(retryDelayMs(2, 15_000, MAX_PROBE_RETRY_MS), 30_000);
  // A delay above the cap is still waited: the cap never shortens `delay` itself.
  assert.equal(retryDelayMs(1, 120_000, MAX_PROBE_RETRY_MS), 120_000);
});
