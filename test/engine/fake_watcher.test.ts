// The engine driven through its watcher seam: records pushed through a FakeWatcher
// (test/helpers/fake_watcher.ts) instead of inotify reach a fake transport as the engine would
// hand them to rsync — translated to queue paths, excludes dropped, one watcher batch in one
// transfer batch, a later one in the next — and an Overflow record queues a full resync of the
// sync. No inotify, no rsync: what is checked is the engine between the two seams.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import type { Delay } from '../../src/queue/events.js';
import type { FullOptions, TransferContext, TransferReport, Transport } from '../../src/transports/transport.js';
import { startEngine } from '../helpers/engine_harness.js';
import { fakeWatchers } from '../helpers/fake_watcher.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

/** Records what the engine hands it; batch() can be held open to see what arrives meanwhile. */
class RecordingTransport implements Transport {
  readonly description = 'fake source -> fake target';
  readonly keepsMoves = false;
  readonly batchOptions = {};
  readonly fulls: (FullOptions | undefined)[] = [];
  /** Each batch as "Kind /path" lines, in the order they were handed over. */
  readonly batches: string[][] = [];
  private gate: Promise<void> | undefined;
  private open: () => void = () => {};

  /** Batches started from now on wait until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.open();
  }

  async full(_ctx: TransferContext, opts?: FullOptions): Promise<TransferReport> {
    this.fulls.push(opts);
    return { outcome: { kind: 'ok' } };
  }

  async targetHasEntries(): Promise<boolean> {
    return false;
  }

  async batch(delays: readonly Delay[], _ctx: TransferContext): Promise<TransferReport> {
    this.batches.push(delays.map((d) => `${d.kind} ${d.path.toString()}`));
    await this.gate;
    return { outcome: { kind: 'ok' } };
  }

  async close(): Promise<void> {}
}

async function startFake(t: TestContext) {
  const src = tempDir(t);
  writeFileSync(path.join(src, 'keep'), 'an entry, so the init transfer finds a non-empty source');
  const transport = new RecordingTransport();
  const fake = fakeWatchers();
  const { engine, log } = await startEngine(
    t,
    { sync: [{ name: 'fake', mode: 'rsync', source: src, target: tempDir(t), delay: 0, exclude: ['*.tmp'] }] },
    { transportFactory: () => transport, watcherFactory: fake.factory },
  );
  await engine.whenIdle();
  const [watcher] = fake.watchers;
  assert.ok(watcher, 'the engine created its watcher through the factory');
  return { engine, log, transport, watcher };
}

test('a Create and a Delete pushed through the fake watcher reach the transport in one batch; a later Modify in the next', async (t) => {
  const { engine, transport, watcher } = await startFake(t);
  assert.equal(transport.fulls.length, 1, 'the init transfer ran');
  assert.equal(watcher.roots.length, 1, 'the source was added as one root');

  transport.hold();
  await watcher.push([
    { kind: 'Create', path: 'a' },
    { kind: 'Create', path: 'scratch.tmp' },
    { kind: 'Create', path: 'd', isDir: true },
    { kind: 'Delete', path: 'b' },
  ]);
  await waitFor(() => transport.batches.length === 1, 'the first transfer batch');
  assert.deepEqual(transport.batches[0], ['Create /a', 'Create /d/', 'Delete /b'], 'queue paths, the excluded file dropped');

  // Pushed while that batch is still being transferred: it must wait for the next one.
  await watcher.push([{ kind: 'Modify', path: 'a' }]);
  transport.release();
  await engine.whenIdle();
  assert.deepEqual(transport.batches, [['Create /a', 'Create /d/', 'Delete /b'], ['Modify /a']]);
  assert.equal(transport.fulls.length, 1, 'no full resync for ordinary records');
});

test('an Overflow record pushed through the fake watcher queues a full resync of the sync', async (t) => {
  const { engine, log, transport, watcher } = await startFake(t);
  assert.equal(transport.fulls.length, 1, 'the init transfer ran');

  await watcher.push([{ kind: 'Overflow' }]);
  await engine.whenIdle();
  assert.equal(transport.fulls.length, 2, 'a second full transfer: the resync');
  assert.deepEqual(transport.batches, [], 'nothing else was transferred');
  assert.equal(engine.status()[0]!.overflows, 1);
  assert.equal(engine.snapshot()[0]!.watcherOverflows, 1, 'the watcher stats reach the snapshot');
  assert.ok(log.lines.some((l) => /fake: events were lost \(inotify queue overflow\); resyncing/.test(l)), log.lines.join('\n'));
});
