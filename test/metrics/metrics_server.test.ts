// The metrics server over real HTTP on 127.0.0.1 (port 0 → ephemeral): /metrics in Prometheus
// text format with per-sync labels and the documented values, /healthz 200/503 with reasons,
// 404/405, listen-address parsing, bind failures, close() with a keep-alive client.
import assert from 'node:assert/strict';
import http from 'node:http';
import test from 'node:test';

import type { SyncSnapshot } from '../../src/engine/engine.js';
import { memoryLog } from '../../src/log/log.js';
import { ListenAddressError, parseListen } from '../../src/config/metrics_listen.js';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/metrics_server.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { T, dead, healthy, retrying, snap } from '../status/snapshots.js';
import { parseExposition } from './prom_format.js';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(t: test.TestContext, snaps: () => SyncSnapshot[]): Promise<MetricsServer> {
  const s = await startMetricsServer({ snapshot: snaps }, { listen: '127.0.0.1:0', log: memoryLog() });
  t.after(() => s.close());
  return s;
}

test('listen addresses: host:port, [v6]:port, empty host = loopback; no port is refused with the fix', () => {
  assert.deepEqual(parseListen('127.0.0.1:9873'), { host: '127.0.0.1', port: 9873 });
  assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
  assert.deepEqual(parseListen('[::1]:9873'), { host: '::1', port: 9873 });
  assert.deepEqual(parseListen(':9873'), { host: '127.0.0.1', port: 9873 });
  assert.deepEqual(parseListen('0.0.0.0:9873'), { host: '0.0.0.0', port: 9873 });
  for (const bad of ['127.0.0.1', 'localhost', '127.0.0.1:', 'host:http', 'host:70000', '::1:9873']) {
    assert.throws(() => parseListen(bad), (e: unknown) => e instanceof ListenAddressError && /— write settings\.metrics as "host:port", e\.g\. "127\.0\.0\.1:9873"$/.test(e.message), bad);
  }
  assert.throws(() => parseListen('127.0.0.1'), /"127\.0\.0\.1": no port/);
});

test('/metrics: Prometheus text format, per-sync labels, documented values', async (t) => {
  const snaps = [healthy(), retrying(), dead()];
  const s = await serve(t, () => snaps);
  assert.equal(s.address.host, '127.0.0.1');
  assert.ok(s.address.port > 0);
  const r = await get(s.address.port, '/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
  const m = parseExposition(r.body);
  const v = (k: string): number | undefined => m.get(k);
  assert.equal(v('lsyncd_ts_up'), 1);
  assert.equal(v('lsyncd_ts_syncs'), 3);
  assert.equal(v('lsyncd_ts_watched_directories'), 16);
  assert.equal(v('lsyncd_ts_sync_queue_depth{sync="sync[1]"}'), 3);
  assert.equal(v('lsyncd_ts_sync_queue_depth{sync="backup"}'), 7);
  assert.equal(v('lsyncd_ts_sync_delays{sync="sync[1]",state="wait"}'), 2);
  assert.equal(v('lsyncd_ts_sync_delays{sync="sync[1]",state="active"}'), 1);
  assert.equal(v('lsyncd_ts_sync_delays{sync="sync[1]",state="block"}'), 1);
  assert.equal(v('lsyncd_ts_sync_running_transfers{sync="sync[1]"}'), 1);
  assert.equal(v('lsyncd_ts_sync_lag_seconds{sync="sync[1]"}'), 3.2);
  assert.equal(v('lsyncd_ts_sync_lag_seconds{sync="backup"}'), 45);
  assert.equal(v('lsyncd_ts_sync_transfers_total{sync="sync[1]",result="ok"}'), 12);
  assert.equal(v('lsyncd_ts_sync_transfers_total{sync="sync[1]",result="failed"}'), 1);
  assert.equal(v('lsyncd_ts_sync_retries_total{sync="backup"}'), 2);
  assert.equal(v('lsyncd_ts_sync_retries_total{sync="media"}'), 0, 'the failure that killed the sync was not retried');
  assert.equal(v('lsyncd_ts_sync_files_sent_total{sync="sync[1]"}'), 40);
  assert.equal(v('lsyncd_ts_sync_bytes_sent_total{sync="sync[1]"}'), 123456);
  assert.equal(v('lsyncd_ts_sync_next_retry_timestamp_seconds{sync="backup"}'), (T + 12_000) / 1000);
  assert.equal(v('lsyncd_ts_sync_next_retry_timestamp_seconds{sync="sync[1]"}'), 0);
  assert.equal(v('lsyncd_ts_sync_last_success_timestamp_seconds{sync="sync[1]"}'), (T - 11_000) / 1000);
  assert.equal(v('lsyncd_ts_sync_last_success_timestamp_seconds{sync="media"}'), 0);
  assert.equal(v('lsyncd_ts_sync_overflows_total{sync="backup"}'), 1);
  assert.equal(v('lsyncd_ts_sync_watched_directories{sync="backup"}'), 10);
  assert.equal(v('lsyncd_ts_sync_up{sync="sync[1]"}'), 1);
  assert.equal(v('lsyncd_ts_sync_up{sync="backup"}'), 0);
  for (const [sync, cur] of [['sync[1]', 'running'], ['backup', 'retrying'], ['media', 'dead']] as const) {
    for (const st of ['starting', 'running', 'degraded', 'retrying', 'source-gone', 'dead', 'stopped']) {
      assert.equal(v(`lsyncd_ts_sync_state{sync="${sync}",state="${st}"}`), st === cur ? 1 : 0, `${sync} ${st}`);
    }
  }
  const rss = v('process_resident_memory_bytes')!;
  assert.ok(rss > 10_000_000 && rss < 4e9, String(rss));
  const start = v('process_start_time_seconds')!;
  assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 5, String(start));
  // HEAD: same status, no body.
  const h = await get(s.address.port, '/metrics', 'HEAD');
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
});

test('label values are escaped (backslash, quote, newline)', () => {
  const text = renderMetrics([snap({ status: { name: 'we"ird\\na\nme' } })], { rssBytes: 1, startTimeSeconds: 2 });
  const m = parseExposition(text);
  assert.equal(m.get('lsyncd_ts_sync_queue_depth{sync="we\\"ird\\\\na\\nme"}'), 0);
});

test('/healthz: 200 "ok" when every sync runs, else 503 with one reason line per unhealthy sync', async (t) => {
  let snaps: SyncSnapshot[] = [healthy(), snap({ status: { name: 'two' } })];
  const s = await serve(t, () => snaps);
  let r = await get(s.address.port, '/healthz');
  assert.deepEqual([r.status, r.body], [200, 'ok\n']);
  snaps = [healthy(), retrying(), dead()];
  r = await get(s.address.port, '/healthz');
  assert.equal(r.status, 503);
  const lines = r.body.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.body);
  assert.match(lines[0]!, /^backup: retrying after a failed transfer; next attempt .*: rsync exited 12/);
  assert.match(lines[1]!, /^media: stopped after an error: rsync exited 23 at startup/);
  snaps = [snap({ status: { name: 'gone', state: 'source-gone', lastError: 'source /srv/src/ disappeared; transfers paused until it is back' } })];
  r = await get(s.address.port, '/healthz');
  assert.deepEqual([r.status, r.body], [503, 'gone: source /srv/src/ disappeared; transfers paused until it is back\n']);
  snaps = [];
  r = await get(s.address.port, '/healthz');
  assert.equal(r.status, 503);
});

test('other paths → 404, other methods → 405; a failing snapshot → 500 and a log line', async (t) => {
  const log = memoryLog();
  let fail = false;
  const s = await startMetricsServer(
    {
      snapshot: () => {
        if (fail) throw new Error('boom');
        return [healthy()];
      },
    },
    { listen: '127.0.0.1:0', log },
  );
  t.after(() => s.close());
  for (const p of ['/', '/metric', '/metrics/x', '/healthz/']) assert.equal((await get(s.address.port, p)).status, 404, p);
  assert.equal((await get(s.address.port, '/metrics?x=1')).status, 200);
  assert.equal((await get(s.address.port, '/metrics', 'POST')).status, 405);
  fail = true;
  assert.equal((await get(s.address.port, '/metrics')).status, 500);
  assert.ok(log.lines.some((l) => l === 'Error: metrics: /metrics: boom'));
});

test('a port in use rejects with the address and the fix; close() ends keep-alive connections', async (t) => {
  const a = await serve(t, () => [healthy()]);
  await assert.rejects(
    startMetricsServer({ snapshot: () => [] }, { listen: `127.0.0.1:${a.address.port}`, log: memoryLog() }),
    new RegExp(`^Error: metrics: cannot listen on 127\\.0\\.0\\.1:${a.address.port}: EADDRINUSE \\(the port is in use — pick another in settings\\.metrics\\)$`),
  );
  await assert.rejects(startMetricsServer({ snapshot: () => [] }, { listen: 'localhost', log: memoryLog() }), /no port/);

  const b = await startMetricsServer({ snapshot: () => [healthy()] }, { listen: '127.0.0.1:0', log: memoryLog() });
  const agent = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: b.address.port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  await b.close(); // would hang until the keep-alive timeout without closeAllConnections()
  await b.close();
  agent.destroy();
  await assert.rejects(get(b.address.port, '/healthz'), /ECONNREFUSED/);
});
