// `crontab` (lsyncd 2.3, src/config/crontab.ts + src/engine/cron_timer.ts): six-field cron
// expressions (seconds first) that queue a full transfer of the sync, with real inotify and real
// rsync. Drift made behind the daemon's back is repaired by the next tick; a Full already waiting
// absorbs the next tick (DelayQueue.addFull; in a running sync, its init Full held back by a
// tunnel that never gets ready); a bad expression is a config error naming the sync, the
// expression and the fix (in a Lua config at the line of its `crontab =`); status (text and JSON)
// and metrics show the next scheduled full sync; the timer is cleared at stop.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { CronExpressionParser } from 'cron-parser';

import { parseCronEntry } from '../../src/config/crontab.js';
import { loadConfigText } from '../../src/config/load_config.js';
import { CronTimer } from '../../src/engine/cron_timer.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { DelayQueue } from '../../src/queue/delay_queue.js';
import { statusJson } from '../../src/status/render_json.js';
import { renderSummary } from '../../src/status/summary.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { startEngine } from '../helpers/engine_harness.js';
import { freePort } from '../helpers/free_port.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

test('a */1 crontab repairs drift made behind the daemon\'s back within seconds', { timeout: 60_000 }, async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(path.join(src, 'f'), 'source content');
  // delay 60: only a full transfer can bring the file back quickly (no event reaches the queue
  // anyway: the change is on the target).
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', source: src, target: dst, delay: 60, crontab: ['*/1 * * * * *'] }] });
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(dst, 'f'), 'utf8'), 'source content');
  const okBefore = engine.status()[0]!.transfersOk;
  writeFileSync(path.join(dst, 'f'), 'drifted!');
  writeFileSync(path.join(dst, 'extra'), 'not in the source');
  const t0 = Date.now();
  await waitFor(() => readFileSync(path.join(dst, 'f'), 'utf8') === 'source content', 'the crontab full transfer to repair the target', 10_000);
  // The next tick is at most 1 s away; the rest is one rsync run (slack for a loaded machine).
  assert.ok(Date.now() - t0 < 4000, `repaired after ${Date.now() - t0} ms`);
  await waitFor(() => engine.status()[0]!.transfersOk > okBefore, 'the full transfer to be counted');
  // delete defaults to true: the full transfer also removes what is not in the source.
  await waitFor(() => { try { readFileSync(path.join(dst, 'extra')); return false; } catch { return true; } }, 'the extra file to be deleted', 5_000);
});

test('status text, its JSON twin and the metrics show the next scheduled full sync', { timeout: 30_000 }, async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const { engine } = await startEngine(t, { sync: [
    { mode: 'rsync', source: src, target: dst, name: 'nightly', crontab: ['1 0 3 * * *'] },
    { mode: 'rsync', source: src, target: tempDir(t), name: 'plain' },
  ] });
  await engine.whenIdle();
  const [nightly, plain] = engine.status();
  const expected = CronExpressionParser.parse('1 0 3 * * *', { currentDate: new Date() }).next().getTime();
  assert.equal(nightly!.nextFullSyncAt, expected, 'the next 03:00:01, local time');
  assert.equal(plain!.nextFullSyncAt, undefined);
  const snaps = engine.snapshot();
  const text = renderStatusText(snaps, { now: new Date() });
  assert.match(text, /nightly source=[^\n]*\n(?:[^\n]*\n)*?Next full sync at [^\n]*\(in [^\n]*\) \(crontab\)\n/);
  assert.equal(text.match(/Next full sync at/g)?.length, 1, 'only the sync with a crontab has the line');
  const json = statusJson(snaps);
  assert.equal(json.syncs[0]!.nextFullSync, new Date(expected).toISOString());
  assert.equal('nextFullSync' in json.syncs[1]!, false);
  const summary = renderSummary(json, { file: 'status.json', hostname: json.hostname, isAlive: () => true });
  assert.match(summary.text, /\nnightly: next full sync at .* \(in .*\) \(crontab\)\n/);
  assert.doesNotMatch(summary.text, /plain: next full sync/);
  const metrics = renderMetrics(snaps, { rssBytes: 1, startTimeSeconds: 1 });
  assert.ok(metrics.includes(`lsyncd_ts_sync_next_full_sync_timestamp_seconds{sync="nightly"} ${expected / 1000}`), metrics);
  assert.ok(metrics.includes('lsyncd_ts_sync_next_full_sync_timestamp_seconds{sync="plain"} 0'));
});

test('a Full already waiting absorbs the next tick (one full transfer, not two)', () => {
  const q = new DelayQueue({ delayMs: 0, maxDelays: 1000 });
  assert.equal(q.addFull(0, 'init'), true);
  q.ingest({ kind: 'Modify', path: '/a' }, 0);
  // The Full is no longer at the tail: it still waits, so it will read /a and everything else.
  assert.equal(q.addFull(1, 'crontab'), false);
  assert.deepEqual(q.snapshot().map((d) => d.kind), ['Full', 'Modify']);
  const b = q.getBatch(2, {});
  assert.ok(b?.full);
  // Running, it may have read past a change: a new tick queues a Full behind it.
  assert.equal(q.addFull(3, 'crontab'), true);
  assert.deepEqual(q.snapshot().map((d) => d.kind), ['Full', 'Modify', 'Full']);
  assert.equal(q.addFull(4, 'crontab'), false);
});

test('in a running sync, a Full still waiting absorbs every tick, even with events queued behind it', { timeout: 30_000 }, async (t) => {
  const src = tempDir(t);
  const port = await freePort();
  // A tunnel that never gets ready holds the sync's transfers, so the init Full keeps waiting.
  const { engine } = await startEngine(t, { sync: [{
    mode: 'rsync', name: 'held', source: src, target: `rsync://127.0.0.1:${port}/m/`, delay: 0,
    crontab: ['* * * * * *'], tunnel: { command: ['sleep', '600'], checkport: port },
  }] });
  writeFileSync(path.join(src, 'new'), 'x');
  await waitFor(() => engine.snapshot()[0]!.delays.some((d) => d.kind === 'Create'), 'the change to be queued behind the init Full');
  const first = engine.status()[0]!.nextFullSyncAt!;
  await waitFor(() => (engine.status()[0]!.nextFullSyncAt ?? 0) >= first + 2000, 'two crontab ticks', 10_000);
  assert.deepEqual(engine.snapshot()[0]!.delays.map((d) => d.kind), ['Full', 'Create']);
});

test('the timer ticks at each match, collapses missed ones into one tick, and stops for good', async () => {
  let clock = Date.parse('2030-01-01T00:00:00.500Z');
  let ticks = 0;
  const timer = new CronTimer(['*/1 * * * * *'], () => ticks++, () => clock);
  timer.start();
  assert.equal(timer.next, Date.parse('2030-01-01T00:00:01.000Z'));
  // The fake clock jumps 10 s: the overdue match fires once and the next is planned from now.
  clock += 10_000;
  await waitFor(() => ticks === 1, 'the overdue tick', 5_000);
  assert.equal(timer.next, Date.parse('2030-01-01T00:00:11.000Z'));
  timer.stop();
  timer.start();
  assert.equal(timer.next, undefined, 'a stopped timer does not start again');
  clock += 60_000;
  await new Promise((r) => setImmediate(r));
  assert.equal(ticks, 1);
});

test('cron expressions: six fields, seconds first, as lsyncd 2.3 (lua-crontab) reads them', () => {
  const at = Date.parse('2030-06-15T10:20:30Z');
  const p = parseCronEntry('1 0 3 * * *');
  assert.ok(p.ok);
  const next = new Date(p.entry.next(at));
  assert.deepEqual([next.getHours(), next.getMinutes(), next.getSeconds()], [3, 0, 1]);
  const every10 = parseCronEntry('*/10 * * * * *');
  assert.ok(every10.ok);
  assert.equal(every10.entry.next(at), at + 10_000);
  assert.equal(every10.entry.next(at + 10_000), at + 20_000, 'strictly after the given time');
});

test('bad crontab expressions: one error each, naming the sync, the expression and the fix', () => {
  const res = loadConfigText('cfg.json', JSON.stringify({ sync: [{ mode: 'rsync', name: 'web', source: '/tmp', target: '/x', crontab: ['*/5 * * * *', '61 * * * * *', '0 0 3 * * *'] }] }), 'json');
  assert.equal(res.ok, false);
  assert.ok(!res.ok);
  const texts = res.errors.map((e) => e.text);
  assert.equal(texts.length, 2, texts.join('\n'));
  assert.match(texts[0]!, /sync\[1\]\.crontab\[1\]: sync "web": cron expression "\*\/5 \* \* \* \*" has 5 fields, .*put the seconds first, e\.g\. "0 \*\/5 \* \* \* \*"/);
  assert.match(texts[1]!, /sync\[1\]\.crontab\[2\]: sync "web": cron expression "61 \* \* \* \* \*" is not valid \(.*59.*\) — fields are second minute hour/);
});

test('a bad expression in a Lua config is reported at the line of its crontab', () => {
  const lua = ['settings { nodaemon = true }', 'sync {', '  default.rsync,', '  source = "/tmp",', '  target = "/x",', '  crontab = {', '    "0 0 3 * * *",', '    "0 0 25 * * *",', '  },', '}', ''].join('\n');
  const res = loadConfigText('cfg.lua', lua, 'lua');
  assert.ok(!res.ok);
  assert.equal(res.errors.length, 1);
  assert.equal(res.errors[0]!.line, 6, res.errors[0]!.text);
  assert.match(res.errors[0]!.text, /^cfg\.lua:6: sync\[1\]\.crontab\[2\]: sync "sync\[1\]": cron expression "0 0 25 \* \* \*" is not valid/);
});

test('crontab needs a transfer mode: a custom-action sync is told so', () => {
  const res = loadConfigText('cfg.json', JSON.stringify({ sync: [{ source: '/tmp', onCreate: 'true', crontab: ['0 0 3 * * *'] }] }), 'json');
  assert.ok(!res.ok);
  assert.match(res.errors.map((e) => e.text).join('\n'), /sync\[1\]\.crontab: has no effect without mode/);
});

test('a reload that keeps the sync keeps its schedule, one that changes only the crontab replaces it without a resync; stop clears it', { timeout: 30_000 }, async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const cfg = { sync: [{ mode: 'rsync', source: src, target: dst, name: 's', crontab: ['0 0 3 * * *'] }] };
  const { engine } = await startEngine(t, cfg);
  await engine.whenIdle();
  const runner = engine.runners[0]!;
  const next = runner.status().nextFullSyncAt;
  assert.ok(next !== undefined);
  const again = loadConfigText('test-config.json', JSON.stringify(cfg), 'json');
  assert.ok(again.ok);
  const report = await engine.reload(again.config);
  assert.deepEqual(report.kept, ['s']);
  assert.equal(engine.runners[0], runner, 'the same runner');
  assert.equal(runner.status().nextFullSyncAt, next, 'the same schedule');
  // Only the crontab changed: the sync is kept (no init transfer) and runs the new schedule.
  const okBefore = runner.status().transfersOk;
  const hourly = loadConfigText('test-config.json', JSON.stringify({ sync: [{ ...cfg.sync[0], crontab: ['0 30 * * * *'] }] }), 'json');
  assert.ok(hourly.ok);
  assert.deepEqual((await engine.reload(hourly.config)).kept, ['s']);
  assert.equal(engine.runners[0], runner);
  assert.equal(runner.status().nextFullSyncAt, CronExpressionParser.parse('0 30 * * * *', { currentDate: new Date() }).next().getTime());
  await engine.whenIdle();
  assert.equal(runner.status().transfersOk, okBefore, 'no transfer for a schedule change');
  await engine.stop(1000);
  assert.equal(runner.status().nextFullSyncAt, undefined, 'no schedule after stop');
});
