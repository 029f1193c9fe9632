// Scheduler (pure): the global cap holds across syncs, each sync's own cap holds, and slots go
// round-robin so a sync with endless work cannot starve the others (lsyncd tests/schedule.lua).
import assert from 'node:assert/strict';
import test from 'node:test';

import { Scheduler, type Schedulable } from '../../src/engine/scheduler.js';

class FakeSync implements Schedulable {
  running = 0;
  started: number[] = [];
  constructor(
    readonly name: string,
    readonly maxProcesses: number,
    public work: number,
    private readonly order: string[],
  ) {}
  tryStart(): boolean {
    if (this.work === 0) return false;
    this.work--;
    this.running++;
    this.order.push(this.name);
    return true;
  }
  finish(s: Scheduler): void {
    this.running--;
    s.done();
    s.pump();
  }
}

test('global cap across syncs, served round-robin', () => {
  const order: string[] = [];
  const s = new Scheduler(1);
  const a = new FakeSync('a', 5, 100, order);
  const b = new FakeSync('b', 5, 3, order);
  const c = new FakeSync('c', 5, 3, order);
  for (const x of [a, b, c]) s.add(x);
  s.pump();
  assert.equal(s.running, 1);
  for (let i = 0; i < 8; i++) {
    const busy = [a, b, c].find((x) => x.running > 0)!;
    busy.finish(s);
    assert.ok(s.running <= 1);
  }
  assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
});

test('per-sync cap with no global cap: parallel up to each sync\'s maxProcesses', () => {
  const order: string[] = [];
  const s = new Scheduler();
  const a = new FakeSync('a', 2, 10, order);
  const b = new FakeSync('b', 1, 10, order);
  s.add(a);
  s.add(b);
  s.pump();
  assert.equal(a.running, 2);
  assert.equal(b.running, 1);
  assert.equal(s.running, 3);
});

test('a removed sync is no longer offered slots', () => {
  const order: string[] = [];
  const s = new Scheduler(2);
  const a = new FakeSync('a', 1, 10, order);
  const b = new FakeSync('b', 1, 10, order);
  s.add(a);
  s.add(b);
  s.remove(a);
  s.pump();
  assert.deepEqual(order, ['b']);
});

test('members added after a slot was served still get their turn before the served one repeats', () => {
  const order: string[] = [];
  const s = new Scheduler(1);
  const a = new FakeSync('a', 1, 10, order);
  s.add(a);
  s.pump(); // a starts while it is the only member
  const b = new FakeSync('b', 1, 10, order);
  const c = new FakeSync('c', 1, 10, order);
  s.add(b);
  s.add(c);
  a.finish(s);
  b.finish(s);
  c.finish(s);
  assert.deepEqual(order, ['a', 'b', 'c', 'a']);
});
