// Recovery: a real kernel overflow resyncs every sync of the inotify instance (the kernel's queue
// is per instance: it cannot say whose events were lost) once, and loses nothing; `again` exit codes
// are retried with backoff and merged with new events; `insist` governs the init transfer; a
// source that disappears pauses its sync (never an rsync of a missing source with --delete) and
// is resynced when it returns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import type { Engine } from '../../src/engine/engine.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

const state = (e: Engine, i = 0) => e.status()[i]!.state;

test('kernel overflow: one full resync of each sync sharing the instance, queued events kept', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const src2 = tempDir(t);
  const dst2 = tempDir(t);
  const { engine, log, watchers } = await startEngine(t, {
    sync: [
      { name: 'busy', mode: 'rsync', source: src, target: dst, delay: 0, rsync: { archive: true } },
      { name: 'calm', mode: 'rsync', source: src2, target: dst2, delay: 0, rsync: { archive: true } },
    ],
  });
  await engine.whenIdle();
  const [w] = watchers;
  w!.__pauseReader(true);
  const maxQueued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
  const files = Math.ceil(maxQueued / 2) + 1000;
  const r = spawnSync(process.execPath, ['-e', `const fs=require('fs');for(let i=0;i<${files};i++)fs.writeFileSync(${JSON.stringify(src)}+'/f'+i,'x'+i)`]);
  assert.equal(r.status, 0);
  w!.__pauseReader(false);
  writeFileSync(path.join(src2, 'other'), 'y');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.deepEqual(compareTrees(src2, dst2), []);
  const [busy, calm] = engine.status();
  assert.equal(busy!.overflows, 1);
  assert.equal(calm!.overflows, 1, 'the calm sync shares the instance whose queue overflowed');
  assert.ok(log.lines.some((l) => /busy: events were lost \(inotify queue overflow\); resyncing/.test(l)));
  assert.equal(engine.watcherStats().instances, 1);
  // The overflow line names the fix: the queue size sysctl and the helper that sets it.
  const line = log.lines.find((l) => /events were lost/.test(l))!;
  assert.match(line, /fs\.inotify\.max_queued_events \(now \d+\)/);
  assert.match(line, /`lsyncd-ts sysctl --apply CONFIG`/);
  assert.equal(log.lines.filter((l) => /full \(overflow\) rsync/.test(l)).length, 2, 'one full resync per sync');
});

// An rsync wrapper that exits 10 ("error in socket I/O": again) while FLAG exists.
function flakyRsync(dir: string, flag: string): string {
  const p = path.join(dir, 'flaky-rsync');
  writeFileSync(p, `#!/bin/sh\nif [ -e '${flag}' ]; then echo 'simulated outage' >&2; exit 10; fi\nexec rsync "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

test('again: retried with backoff, new events merged, then converges', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const bin = tempDir(t);
  const flag = path.join(bin, 'down');
  const { engine, log } = await startEngine(t, {
    sync: [{ mode: 'rsync', source: src, target: dst, delay: 0, rsync: { archive: true, binary: flakyRsync(bin, flag) } }],
  });
  await engine.whenIdle();
  writeFileSync(flag, '');
  writeFileSync(path.join(src, 'during-outage'), '1');
  await waitFor(() => state(engine) === 'retrying', 'the retrying state');
  const s = engine.status()[0]!;
  assert.match(s.lastError ?? '', /exited with code 10: simulated outage/);
  assert.ok(s.retryAt !== undefined && s.retryAt > Date.now() - 1000);
  writeFileSync(path.join(src, 'more'), '2'); // arrives while retrying: merged, not lost
  rmSync(flag);
  await waitFor(() => state(engine) === 'running', 'recovery', 20_000);
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  assert.ok(log.lines.some((l) => /retrying in \d+ s/.test(l)));
});

test('init transfer failing with an again code: dies without insist, retries with insist', async (t) => {
  const bin = tempDir(t);
  const flag = path.join(bin, 'down');
  writeFileSync(flag, '');
  const rsync = flakyRsync(bin, flag);
  {
    const src = tempDir(t);
    const { engine, log } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: tempDir(t), delay: 0, rsync: { binary: rsync } }] });
    await engine.whenIdle();
    assert.equal(state(engine), 'dead');
    assert.ok(log.lines.some((l) => /the init transfer failed and "insist" is not set \(set insist = true to keep retrying\)/.test(l)));
  }
  {
    const src = tempDir(t);
    const dst = tempDir(t);
    writeFileSync(path.join(src, 'f'), 'x');
    const { engine } = await startEngine(t, {
      settings: { insist: true },
      sync: [{ mode: 'rsync', source: src, target: dst, delay: 0, rsync: { archive: true, binary: rsync } }],
    });
    await waitFor(() => state(engine) === 'retrying', 'the retrying state');
    rmSync(flag);
    await waitFor(() => existsSync(path.join(dst, 'f')), 'the init transfer after the outage', 20_000);
    await engine.whenIdle();
    assert.equal(state(engine), 'running');
  }
});

test('a transfer that fails after its source vanished leaves the sync paused; the return still resyncs', async (t) => {
  const base = tempDir(t);
  const src = path.join(base, 'src');
  const dst = tempDir(t);
  const bin = tempDir(t);
  const hold = path.join(bin, 'hold');
  const started = path.join(bin, 'started');
  // While HOLD exists: announce, wait for HOLD to go, then fail with 10 (again).
  const wrapper = path.join(bin, 'held-rsync');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ -e '${hold}' ]; then touch '${started}'; while [ -e '${hold}' ]; do sleep 0.01; done; echo 'simulated outage' >&2; exit 10; fi\nexec rsync "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  mkdirSync(src);
  writeFileSync(path.join(src, 'keep'), 'x');
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0, rsync: { archive: true, binary: wrapper } }] });
  await engine.whenIdle();
  writeFileSync(hold, '');
  writeFileSync(path.join(src, 'during'), 'y');
  await waitFor(() => existsSync(started), 'the held transfer to start');
  rmSync(src, { recursive: true });
  await waitFor(() => state(engine) === 'source-gone', 'source-gone');
  rmSync(hold);
  await waitFor(() => engine.status()[0]!.transfersFailed === 1, 'the held transfer to fail');
  assert.equal(state(engine), 'source-gone', 'a failure while the source is gone does not turn into retrying');
  mkdirSync(src);
  writeFileSync(path.join(src, 'back'), 'z');
  await waitFor(() => state(engine) === 'running', 'the sync to resume');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
});

test('hub and spoke: one source, two targets transfer in parallel', async (t) => {
  const src = tempDir(t);
  const bin = tempDir(t);
  const marks = tempDir(t);
  // Each rsync announces itself and waits (up to 10 s) until both have started.
  const wrapper = path.join(bin, 'rendezvous-rsync');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ntouch '${marks}'/$$\nfor i in $(seq 1 500); do [ "$(ls '${marks}' | wc -l)" -ge 2 ] && exec rsync "$@"; sleep 0.02; done\necho 'never ran in parallel' >&2; exit 1\n`,
  );
  chmodSync(wrapper, 0o755);
  writeFileSync(path.join(src, 'f'), 'x');
  const targets = [tempDir(t), tempDir(t)];
  const { engine } = await startEngine(t, {
    sync: targets.map((dst, i) => ({ name: `spoke${i}`, mode: 'rsync', source: src, target: dst, delay: 0, rsync: { binary: wrapper } })),
  });
  await engine.whenIdle();
  assert.deepEqual(engine.status().map((s) => s.state), ['running', 'running']);
  for (const dst of targets) assert.ok(existsSync(path.join(dst, 'f')));
});

test('source deleted: the sync pauses and the target is kept; restored: resynced', async (t) => {
  const base = tempDir(t);
  const src = path.join(base, 'src');
  const dst = tempDir(t);
  mkdirSync(src);
  writeFileSync(path.join(src, 'keep'), 'x');
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 0 }] });
  await engine.whenIdle();
  rmSync(src, { recursive: true });
  await waitFor(() => state(engine) === 'source-gone', 'source-gone');
  assert.ok(existsSync(path.join(dst, 'keep')), 'the target is not emptied when the source vanishes');
  mkdirSync(src);
  writeFileSync(path.join(src, 'new'), 'y');
  await waitFor(() => state(engine) === 'running', 'the source to be watched again', 20_000);
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst, { modes: false }), []);
  writeFileSync(path.join(src, 'after'), 'z');
  await engine.whenIdle();
  assert.ok(existsSync(path.join(dst, 'after')));
});
