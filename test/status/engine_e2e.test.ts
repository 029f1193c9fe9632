// End to end: a real Engine (real inotify, real rsync) feeding the status writer and the metrics
// server at once; one healthy sync and one whose target cannot be created (dies at startup).
// Checks the text file, the JSON twin, /metrics, /healthz and `lsyncd-ts status` against what
// the engine did, then the last write at stop.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import test from 'node:test';

import { memoryLog } from '../../src/log/log.js';
import { startMetricsServer } from '../../src/metrics/metrics_server.js';
import type { StatusJsonV1 } from '../../src/status/render_json.js';
import { startStatusWriter } from '../../src/status/status_writer.js';
import { runBin } from '../cli/run_bin.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { parseExposition } from '../metrics/prom_format.js';

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('a real engine feeds the status files and the metrics server', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const src2 = tempDir(t);
  const statusDir = tempDir(t);
  const statusFile = path.join(statusDir, 'lsyncd.status');
  mkdirSync(path.join(src, 'a/b'), { recursive: true });
  writeFileSync(path.join(src, 'a/b/f'), 'x');
  const { engine } = await startEngine(t, {
    sync: [
      { mode: 'rsync', source: src, target: dst, delay: 0, exclude: ['*.tmp'], filter: ['+ /a/', '- /skip/'], rsync: { archive: true } },
      { mode: 'rsync', source: src2, target: '/nonexistent-lsyncd-ts/sub/dir', delay: 0, rsync: { archive: true } },
    ],
  });
  const log = memoryLog();
  const writer = startStatusWriter(engine, { statusFile, intervalSec: 1, log });
  t.after(() => writer.stop());
  const metrics = await startMetricsServer(engine, { listen: '127.0.0.1:0', log });
  t.after(() => metrics.close());

  mkdirSync(path.join(src, 'c'));
  writeFileSync(path.join(src, 'c/new'), 'y');
  await engine.whenIdle();
  assert.deepEqual(compareTrees(src, dst), []);
  await waitFor(() => engine.snapshot()[1]?.status.state === 'dead', 'the sync with an impossible target to die');
  writer.writeNow();
  await writer.flush();

  // Text file: lsyncd's layout with the engine's facts.
  const text = readFileSync(statusFile, 'utf8');
  const real = realpathSync(src);
  assert.ok(text.startsWith('Lsyncd status report at '));
  assert.ok(text.includes(`\nsync[1] source=${real}/\nState: running\n`), text);
  assert.match(text, /\nsync\[1\] [^]*?\nTransfers: [1-9]\d* ok, 0 failed; overflows: 0\nWatching 4 directories\nThere are 0 delays\nFiltering:\n\+ \/a\/\n- \/skip\/\n- \*\.tmp\n\n\n/);
  assert.match(text, /\nsync\[2\] source=.*\nState: dead\n[^]*?\nLast error: .*\S/);
  assert.match(text, /\nInotify watching 5 directories\n/);

  // JSON twin.
  const j = JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as StatusJsonV1;
  assert.equal(j.version, 1);
  assert.equal(j.pid, process.pid);
  assert.equal(j.statusInterval, 1);
  assert.deepEqual(j.syncs.map((s) => [s.name, s.state, s.healthy]), [['sync[1]', 'running', true], ['sync[2]', 'dead', false]]);
  assert.equal(j.syncs[0]!.lagSeconds, 0);
  assert.ok(j.syncs[0]!.lastSuccess !== null);
  assert.ok((j.syncs[1]!.lastError ?? '').length > 0);

  // Metrics and health from the same engine.
  const m = parseExposition((await get(metrics.address.port, '/metrics')).body);
  assert.ok(m.get('lsyncd_ts_sync_transfers_total{sync="sync[1]",result="ok"}')! >= 1);
  assert.equal(m.get('lsyncd_ts_sync_transfers_total{sync="sync[2]",result="failed"}'), 1);
  assert.equal(m.get('lsyncd_ts_sync_watched_directories{sync="sync[1]"}'), 4);
  assert.equal(m.get('lsyncd_ts_watched_directories'), 5);
  assert.equal(m.get('lsyncd_ts_sync_queue_depth{sync="sync[1]"}'), 0);
  assert.equal(m.get('lsyncd_ts_sync_lag_seconds{sync="sync[1]"}'), 0);
  assert.equal(m.get('lsyncd_ts_sync_state{sync="sync[2]",state="dead"}'), 1);
  const h = await get(metrics.address.port, '/healthz');
  assert.equal(h.status, 503);
  assert.match(h.body, /^sync\[2\]: stopped after an error: .+\n$/);

  // The status command reads what the daemon wrote (this process is the live writer).
  const r = runBin(['status', statusFile]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^sync\[1\] +running +0 s +0 +0 +.* ago +-$/m);
  assert.match(r.stdout, /^sync\[2\]: stopped after an error: /m);

  // Stop: the last write shows every sync stopped.
  await engine.stop(2000);
  await writer.stop();
  const last = JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as StatusJsonV1;
  assert.deepEqual(last.syncs.map((s) => s.state), ['stopped', 'stopped']);
  assert.ok(!log.lines.some((l) => l.startsWith('Error:')), log.lines.join('\n'));
});
