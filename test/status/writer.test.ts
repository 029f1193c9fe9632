// startStatusWriter: atomic replacement (a reader thread never sees a partial file), write at
// start / per interval / on request / at stop, coalescing, error reporting — with injected
// timers, plus one run on real timers that waits for rewrites (no fixed sleeps).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { Worker } from 'node:worker_threads';

import type { SyncSnapshot } from '../../src/engine/engine.js';
import { memoryLog } from '../../src/log/log.js';
import { renderStatusJson } from '../../src/status/render_json.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { MIN_INTERVAL_SEC, startStatusWriter, type StatusTimers } from '../../src/status/status_writer.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { healthy, snap } from './snapshots.js';

function fakeTimers(): StatusTimers & { fn: (() => void) | undefined; ms: number | undefined; cleared: boolean } {
  const t = {
    fn: undefined as (() => void) | undefined,
    ms: undefined as number | undefined,
    cleared: false,
    setInterval(fn: () => void, ms: number): unknown {
      t.fn = fn;
      t.ms = ms;
      return 1;
    },
    clearInterval(): void {
      t.cleared = true;
    },
  };
  return t;
}

function countingSource(make: () => SyncSnapshot[] = () => [healthy()]): { snapshot(): SyncSnapshot[]; calls: number } {
  const s = {
    calls: 0,
    snapshot(): SyncSnapshot[] {
      s.calls++;
      return make();
    },
  };
  return s;
}

test('writes both files at start, on each tick, and a last time at stop; the interval is statusInterval', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'status');
  const timers = fakeTimers();
  let clock = Date.UTC(2026, 0, 1);
  const src = countingSource();
  const w = startStatusWriter(src, { statusFile: file, intervalSec: 10, log: memoryLog(), timers, now: () => new Date((clock += 1000)) });
  assert.equal(timers.ms, 10_000);
  await w.flush();
  assert.equal(src.calls, 1);
  assert.match(readFileSync(file, 'utf8'), /^Lsyncd status report at /);
  const first = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { time: string; statusInterval: number };
  assert.equal(first.statusInterval, 10);

  // Nothing happens without a tick (the file is timer-driven, not event-driven).
  await w.flush();
  assert.equal(src.calls, 1);
  timers.fn!();
  await w.flush();
  assert.equal(src.calls, 2);
  const second = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { time: string };
  assert.notEqual(second.time, first.time);

  w.writeNow();
  await w.flush();
  assert.equal(src.calls, 3);

  await w.stop();
  assert.ok(timers.cleared);
  assert.equal(src.calls, 4, 'stop() writes a last time');
  w.writeNow();
  await w.flush();
  assert.equal(src.calls, 4, 'writeNow after stop is a no-op');
  await w.stop();
  assert.equal(src.calls, 4, 'stop is idempotent');
  // Only the two files are left: no temp files.
  assert.deepEqual(readdirSync(dir).sort(), ['status', 'status.json']);
});

test('statusInterval 0 (lsyncd: on every change) and tiny intervals are raised to the minimum', async (t) => {
  const dir = tempDir(t);
  for (const intervalSec of [0, 0.01]) {
    const timers = fakeTimers();
    const w = startStatusWriter(countingSource(), { statusFile: path.join(dir, `s${intervalSec}`), intervalSec, log: memoryLog(), timers });
    assert.equal(timers.ms, MIN_INTERVAL_SEC * 1000);
    assert.equal(w.intervalSec, MIN_INTERVAL_SEC);
    await w.stop();
  }
});

test('requests during a write coalesce into one more write', async (t) => {
  const dir = tempDir(t);
  const src = countingSource();
  const w = startStatusWriter(src, { statusFile: path.join(dir, 'status'), intervalSec: 10, log: memoryLog(), timers: fakeTimers() });
  for (let i = 0; i < 20; i++) w.writeNow();
  await w.flush();
  assert.equal(src.calls, 2);
  await w.stop();
});

test('an unwritable status file is logged once, never thrown, and recovery is logged', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'missing-dir', 'status');
  const log = memoryLog();
  const timers = fakeTimers();
  const w = startStatusWriter(countingSource(), { statusFile: file, intervalSec: 10, log, timers });
  await w.flush();
  timers.fn!();
  await w.flush();
  timers.fn!();
  await w.flush();
  const errors = log.lines.filter((l) => l.startsWith('Error: cannot write status file'));
  assert.equal(errors.length, 1, log.lines.join('\n'));
  assert.match(errors[0]!, /missing-dir\/status: .*ENOENT.* — fix the directory or its permissions/);
  mkdirSync(path.join(dir, 'missing-dir'));
  timers.fn!();
  await w.flush();
  assert.ok(existsSync(file));
  assert.ok(log.lines.some((l) => l.includes('written again')));
  assert.deepEqual(readdirSync(path.join(dir, 'missing-dir')).sort(), ['status', 'status.json']);
  await w.stop();
});

interface ReaderResult {
  reads: number;
  partial: number;
  versions: number;
  example: string;
}

/** Runs `writeAll` while a worker thread re-reads `file` and `file.json` in a tight loop. */
async function withReader(file: string, writeAll: () => Promise<void>): Promise<ReaderResult> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const reader = new Worker(
    `
    const { readFileSync } = require('node:fs');
    const { workerData, parentPort } = require('node:worker_threads');
    const stop = workerData.stop;
    let reads = 0, partial = 0; const times = new Set(); let example = '';
    parentPort.postMessage('ready');
    while (Atomics.load(stop, 0) === 0) {
      const text = readFileSync(workerData.file, 'utf8');
      const json = readFileSync(workerData.file + '.json', 'utf8');
      reads++;
      let ok = text.startsWith('Lsyncd status report at ') && text.endsWith('#117)\\n');
      try { times.add(JSON.parse(json).time); } catch { ok = false; }
      if (!ok) { partial++; if (!example) example = text.slice(-80) + ' | ' + json.slice(-80); }
    }
    parentPort.postMessage({ reads, partial, versions: times.size, example });
    `,
    { eval: true, workerData: { file, stop } },
  );
  const messages: unknown[] = [];
  reader.on('message', (m: unknown) => messages.push(m));
  const failed = new Promise<never>((_, reject) => reader.once('error', reject));
  try {
    await Promise.race([waitFor(() => messages.length >= 1, 'reader start'), failed]);
    await writeAll();
    Atomics.store(stop, 0, 1);
    await Promise.race([waitFor(() => messages.length >= 2, 'reader result'), failed]);
    return messages[1] as ReaderResult;
  } finally {
    Atomics.store(stop, 0, 1);
    await reader.terminate();
  }
}

test('a concurrent reader thread never sees a partial text or JSON file (in-place rewrite control: it does)', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'status');
  // ~0.5 MB text, ~1 MB JSON: a rewrite in place is caught half-written (the control shows it).
  const delays = Array.from({ length: 8000 }, (_, i) => ({ state: 'wait' as const, kind: 'Modify', path: `/some/deeper/directory/file-number-${i}` }));
  let n = 0;
  const src = { snapshot: (): SyncSnapshot[] => [snap({ delays: delays.slice(0, 7000 + (n++ % 1000)) })] };
  let clock = Date.UTC(2026, 0, 1);
  const now = (): Date => new Date((clock += 1));
  const w = startStatusWriter(src, { statusFile: file, intervalSec: 10, log: memoryLog(), timers: fakeTimers(), now });
  await w.flush();

  // Control: what lsyncd does (truncate and rewrite in place) — the reader must notice.
  const control = await withReader(file, async () => {
    for (let i = 0; i < 60; i++) {
      const snaps = src.snapshot();
      writeFileSync(file, renderStatusText(snaps, { now: now() }));
      writeFileSync(`${file}.json`, renderStatusJson(snaps, { now: now() }));
      await new Promise((r) => setImmediate(r));
    }
  });
  assert.ok(control.partial > 0, `the reader detects partial files (control: ${control.partial}/${control.reads})`);

  const r = await withReader(file, async () => {
    for (let i = 0; i < 60; i++) {
      w.writeNow();
      await w.flush();
    }
  });
  await w.stop();
  assert.equal(r.partial, 0, `partial read seen: ${r.example}`);
  assert.ok(r.reads > 0);
  assert.ok(r.versions > 1, `the reader ran concurrently with the writes (saw ${r.versions} versions in ${r.reads} reads)`);
});

test('real timers: the file is rewritten every interval even when nothing changes', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'status');
  const w = startStatusWriter({ snapshot: () => [healthy()] }, { statusFile: file, intervalSec: 1, log: memoryLog() });
  t.after(() => w.stop());
  await waitFor(() => existsSync(`${file}.json`), 'first write');
  const seen = new Set<string>();
  const mtimes = new Set<number>();
  await waitFor(
    () => {
      try {
        seen.add((JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { time: string }).time);
        mtimes.add(statSync(file).mtimeMs);
      } catch {
        // not there between rename steps? (never: rename is atomic) — keep polling
      }
      return seen.size >= 3;
    },
    'two timer rewrites',
    10_000,
    50,
  );
  assert.ok(mtimes.size >= 2);
});
