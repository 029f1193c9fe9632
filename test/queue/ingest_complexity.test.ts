// Correctness-of-complexity guard: ingest must be O(depth) per event, not lsyncd's O(queue)
// (16k events cost lsyncd 94 s of CPU, docs/lsyncd-compat.md#performance-baseline). Real timings live in bench/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue } from '../../src/queue/index.js';

const N = 100_000;

function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

test(`ingesting ${N} distinct-path events while a batch is active stays well under 3 s CPU`, () => {
  const dq = new DelayQueue({ delayMs: 15_000, maxDelays: 1000 });
  dq.addFull(0, 'init'); // the init transfer is running
  const init = dq.getBatch(0)!;
  assert.equal(init.full, true);
  const cpu = cpuSeconds(() => {
    for (let i = 0; i < N; i++) dq.ingest({ kind: 'Modify', path: `/d${i % 97}/sub${i % 13}/f${i}` }, i);
  });
  assert.ok(cpu < 3, `ingest took ${cpu.toFixed(2)} s CPU`);
  assert.equal(dq.waiting, N);
  assert.equal(dq.getBatch(1e9), null); // all blocked behind the running init
  const drain = cpuSeconds(() => dq.complete(init, { kind: 'ok' }));
  assert.ok(drain < 3, `complete took ${drain.toFixed(2)} s CPU`);
  const b = dq.getBatch(1e9)!;
  assert.equal(b.delays.length, N);
  assert.equal(String(b.delays[0]!.path), '/d0/sub0/f0');
});

test(`ingesting ${N} events below an active directory delay stays well under 3 s CPU`, () => {
  const dq = new DelayQueue({ delayMs: 0, maxDelays: 1000 });
  dq.ingest({ kind: 'Create', path: '/big/' }, 0);
  const b = dq.getBatch(0)!;
  const cpu = cpuSeconds(() => {
    for (let i = 0; i < N; i++) {
      dq.ingest({ kind: 'Create', path: `/big/f${i}` }, 1);
      dq.ingest({ kind: 'Modify', path: `/big/f${i}` }, 2); // absorbed
    }
  });
  assert.ok(cpu < 3, `ingest took ${cpu.toFixed(2)} s CPU`);
  assert.equal(dq.waiting, N);
  dq.complete(b, { kind: 'ok' });
  assert.equal(dq.getBatch(10)!.delays.length, N);
});
