// A hub mirroring one source to several rsyncssh targets, one of which is a server that accepts
// TCP and never answers (test/helpers/stuck_server.ts; the others are directories on one loopback
// sshd). What must hold (src/engine/sync_runner.ts, src/transports/transport.ts connect()):
//   - the stuck target's connection is made outside the Scheduler's slots, so under
//     settings.maxProcesses = 1 the healthy targets get a burst of changes while the stuck
//     connection is still waiting (its connect timeout is set far above the wait);
//   - once its connection fails it is *down*: the text status file, its JSON twin, /metrics
//     and /healthz say so, with the reason and the next attempt;
//   - when it answers again it catches up on exactly the changes it missed, collapsed, without a
//     full resync (a file planted on the target that the source never changed stays as it is).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import test from 'node:test';

import { startMetricsServer } from '../../src/metrics/metrics_server.js';
import { parseStatusJson } from '../../src/status/render_json.js';
import { startStatusWriter } from '../../src/status/status_writer.js';
import { renderSummary } from '../../src/status/summary.js';
import { startEngine } from '../helpers/engine_harness.js';
import { sshTableVia, startSshd, type Sshd } from '../helpers/sshd.js';
import { stuckServer } from '../helpers/stuck_server.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

function rsyncssh(sshd: Sshd, name: string, source: string, targetdir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mode: 'rsyncssh', name, source, host: `${sshd.user}@${sshd.host}`, targetdir, ssh: sshd.sshTable, delay: 0, ...extra };
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const count = (dir: string): number => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
};

test('maxProcesses = 1: a stuck target among three healthy ones does not hold the slot; they get a 200-file burst while its connect still waits', async (t) => {
  const sshd = await startSshd(t);
  const stuck = await stuckServer(t);
  const root = tempDir(t);
  const src = path.join(root, 'src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'seed'), 'seed\n');
  const targets = ['t1', 't2', 't3'].map((n) => path.join(root, n));
  const { engine } = await startEngine(t, {
    settings: { maxProcesses: 1, insist: true },
    sync: [
      // First in the rotation, so without the fix it is the one that takes the only slot.
      rsyncssh(sshd, 'stuck', src, path.join(root, 'never'), { ssh: { ...sshd.sshTable, port: stuck.port }, connectTimeout: 30 }),
      ...targets.map((d, i) => rsyncssh(sshd, `healthy${i + 1}`, src, d)),
    ],
  });
  const t0 = Date.now();
  await waitFor(() => targets.every((d) => count(d) === 1), 'the init transfers of the healthy targets', 20_000);
  for (let i = 0; i < 200; i++) writeFileSync(path.join(src, `f${i}`), `${i}\n`);
  await waitFor(() => targets.every((d) => count(d) === 201), 'the 200-file burst on every healthy target', 20_000);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 25_000, `the healthy targets were done after ${elapsed} ms, before the stuck connect could time out (30 s)`);
  assert.equal(stuck.pending(), 1, 'the stuck connection is still waiting for a banner: the healthy transfers ran meanwhile');
  const st = engine.status();
  assert.equal(st[0]!.transfersOk + st[0]!.transfersFailed, 0, 'the stuck target never ran a transfer (it never connected)');
  assert.equal(st[0]!.running, 0);
  for (const s of st.slice(1)) assert.equal(s.state, 'running', `${s.name} is healthy`);
});

test('a stuck target shows as down in the status file, its JSON twin, /metrics and /healthz; the summary names the slowest target', async (t) => {
  const sshd = await startSshd(t);
  const stuck = await stuckServer(t);
  const root = tempDir(t);
  const src = path.join(root, 'src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'a'), 'a\n');
  const { engine, log } = await startEngine(t, {
    settings: { insist: true, connectTimeout: 1 },
    sync: [
      rsyncssh(sshd, 'healthy', src, path.join(root, 'ok')),
      rsyncssh(sshd, 'stuck', src, path.join(root, 'never'), { ssh: { ...sshd.sshTable, port: stuck.port } }),
    ],
  });
  await waitFor(() => engine.status()[1]!.state === 'down', 'the stuck target to be down', 15_000);
  await waitFor(() => engine.status()[0]!.state === 'running' && count(path.join(root, 'ok')) === 1, 'the healthy target in sync', 15_000);

  const statusFile = path.join(root, 'status');
  const writer = startStatusWriter(engine, { statusFile, intervalSec: 3600, log });
  t.after(() => writer.stop());
  writer.writeNow();
  await writer.flush();
  const text = readFileSync(statusFile, 'utf8');
  const block = text.slice(text.indexOf('stuck source='));
  assert.match(block, /\nState: down\n/);
  assert.match(block, /\nRetry: next attempt at .*\(in /);
  assert.match(block, /\nLast error: ssh master connection to .* failed with exit code 255/);

  const json = parseStatusJson(readFileSync(`${statusFile}.json`, 'utf8'));
  assert.ok(!('error' in json), 'the JSON twin parses');
  const [ok, down] = json.syncs;
  assert.equal(ok!.state, 'running');
  assert.equal(down!.state, 'down');
  assert.equal(down!.healthy, false);
  assert.match(down!.reason, /^target down \(cannot connect\); next attempt /);
  assert.notEqual(down!.retryAt, null);
  const summary = renderSummary(json, { file: statusFile, hostname: json.hostname, isAlive: () => true });
  assert.match(summary.text, /\nslowest target: stuck \(lag [^,]+, down\)\n/);
  assert.match(summary.text, /\nstuck: target down \(cannot connect\)/);
  assert.equal(summary.healthy, false);

  const metrics = await startMetricsServer(engine, { listen: '127.0.0.1:0', log });
  t.after(() => metrics.close());
  const health = await get(metrics.address.port, '/healthz');
  assert.equal(health.status, 503);
  assert.match(health.body, /^stuck: target down \(cannot connect\)/m);
  assert.doesNotMatch(health.body, /^healthy:/m);
  const prom = await get(metrics.address.port, '/metrics');
  assert.match(prom.body, /^lsyncd_ts_sync_target_down\{sync="stuck"\} 1$/m);
  assert.match(prom.body, /^lsyncd_ts_sync_target_down\{sync="healthy"\} 0$/m);
  assert.match(prom.body, /^lsyncd_ts_sync_state\{sync="stuck",state="down"\} 1$/m);
  assert.match(prom.body, /^lsyncd_ts_sync_up\{sync="stuck"\} 0$/m);
});

test('a target that went down catches up on exactly what it missed when it answers again, without a full resync', async (t) => {
  const sshd = await startSshd(t);
  const relay = await stuckServer(t);
  relay.forwardTo(sshd.port);
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  writeFileSync(path.join(src, 'untouched'), 'source\n');
  writeFileSync(path.join(src, 'edited'), 'v0\n');
  const { engine, log } = await startEngine(t, {
    settings: { connectTimeout: 1 },
    // --stats: rsync reports the files it sent (filesSent).
    sync: [rsyncssh(sshd, 'flaky', src, dst, { ssh: sshTableVia(sshd, relay.port, root), rsync: { _extra: ['--stats'] } })],
  });
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(dst, 'untouched'), 'utf8'), 'source\n');
  // Planted on the target only: a full resync would put the source's content back.
  writeFileSync(path.join(dst, 'untouched'), 'planted on the target\n');
  const fullRuns = (): number => log.lines.filter((l) => /full transfer|recursive startup|full \(/.test(l)).length;
  const fullBefore = fullRuns();
  const before = engine.status()[0]!;

  relay.stall(); // the link dies under the master; new connections are never answered
  for (let i = 0; i < 5; i++) writeFileSync(path.join(src, `new${i}`), `${i}\n`);
  for (let v = 1; v <= 3; v++) writeFileSync(path.join(src, 'edited'), `v${v}\n`);
  await waitFor(() => engine.status()[0]!.state === 'down', 'the target to be down', 20_000);
  assert.equal(count(dst), 2, 'nothing reached the target while it was down');

  relay.forwardTo(sshd.port);
  await waitFor(() => count(dst) === 7 && readFileSync(path.join(dst, 'edited'), 'utf8') === 'v3\n', 'the missed changes on the target', 30_000);
  await engine.whenIdle();
  const after = engine.status()[0]!;
  assert.equal(after.state, 'running');
  assert.equal(fullRuns(), fullBefore, 'no full resync');
  assert.equal(readFileSync(path.join(dst, 'untouched'), 'utf8'), 'planted on the target\n', 'a path the source did not change was not transferred');
  assert.equal(after.filesSent - before.filesSent, 6, 'five new files and the edited one (its three writes collapsed) were sent');
  assert.ok(log.lines.some((l) => /flaky: .* answers again; catching up on \d+ queued changes/.test(l)), log.lines.join('\n'));
});
