// `tunnel` (lsyncd 2.3 tunnel{}, src/engine/tunnel.ts): a real `ssh -N -L PORT:127.0.0.1:RSYNCD`
// forward over the loopback sshd to a real rsync daemon, both on 127.0.0.1, and a sync to
// rsync://127.0.0.1:PORT/mirror/ through it. No transfer runs before the forward listens; files
// arrive; a killed ssh is restarted and transfers resume; a reload that keeps the sync keeps its
// tunnel, one that removes the sync and the daemon's stop leave no tunnel process behind; status
// and metrics show the tunnel's state, and a sync waiting for its tunnel is not healthy.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { statusJson } from '../../src/status/render_json.js';
import { syncHealth } from '../../src/status/format.js';
import { renderSummary } from '../../src/status/summary.js';
import { renderStatusText } from '../../src/status/render_text.js';
import { startEngine } from '../helpers/engine_harness.js';
import { freePort } from '../helpers/free_port.js';
import { startRsyncd } from '../helpers/rsyncd.js';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

/** True while a process with this pid exists (zombies included: they were not reaped). */
function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Pids whose command line holds `needle` (the forward's -L argument is unique per test). */
function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0').includes(needle)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Plays the forward a tunnel command would open: 127.0.0.1:port relays to 127.0.0.1:to. */
async function relayPort(t: TestContext, port: number, to: number): Promise<void> {
  const relay = net.createServer((c) => {
    const up = net.connect({ host: '127.0.0.1', port: to });
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => relay.close(() => r())));
}

async function tunnelSetup(t: TestContext) {
  const sshd = await startSshd(t);
  const rsyncd = await startRsyncd(t);
  const port = await freePort();
  const forward = `${port}:127.0.0.1:${rsyncd.port}`;
  const tunnel = {
    command: ['ssh', ...sshd.sshArgv, '-N', '-o', 'ExitOnForwardFailure=yes', '-L', forward, `${sshd.user}@${sshd.host}`],
    checkport: port,
    retryDelay: 1,
  };
  return { sshd, rsyncd, port, forward, tunnel };
}

test('a sync through an ssh tunnel: waits for it, transfers through it, survives its death, stops it', { timeout: 120_000 }, async (t) => {
  const { rsyncd, port, forward, tunnel } = await tunnelSetup(t);
  const src = tempDir(t);
  writeFileSync(path.join(src, 'first'), 'before start');
  const { engine, log } = await startEngine(t, { sync: [{ mode: 'rsync', name: 'tun', source: src, target: `rsync://127.0.0.1:${port}/mirror/`, delay: 0, tunnel }] });
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'first')), 'the init transfer through the tunnel');
  await engine.whenIdle();
  let s = engine.status()[0]!;
  assert.equal(s.tunnel?.state, 'ready');
  assert.equal(s.transfersFailed, 0, `no transfer ran before the forward listened: ${log.lines.join('\n')}`);
  const firstPid = s.tunnel?.pid;
  assert.ok(firstPid !== undefined && alive(firstPid));
  assert.deepEqual(pidsWithArg(forward), [firstPid], 'one ssh for the tunnel');

  writeFileSync(path.join(src, 'live'), 'while up');
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'live')), 'a live change through the tunnel');

  // The tunnel dies: it is started again, and transfers resume through the new one.
  process.kill(firstPid, 'SIGKILL');
  await waitFor(() => engine.status()[0]!.tunnel?.restarts === 1 && engine.status()[0]!.tunnel?.state === 'ready', 'the tunnel to be restarted and ready', 30_000);
  s = engine.status()[0]!;
  const secondPid = s.tunnel!.pid!;
  assert.notEqual(secondPid, firstPid);
  assert.match(s.tunnel!.lastError ?? '', /killed by SIGKILL/);
  writeFileSync(path.join(src, 'after'), 'after the restart');
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'after')) && readFileSync(path.join(rsyncd.dir, 'after'), 'utf8') === 'after the restart', 'a change through the restarted tunnel', 60_000);

  // Status text, its JSON twin and the metrics show it.
  const snaps = engine.snapshot();
  assert.match(renderStatusText(snaps), new RegExp(`\\nTunnel: ready \\(restarts 1, pid ${secondPid}\\); last ended: killed by SIGKILL\\n`));
  const json = statusJson(snaps);
  assert.deepEqual(json.syncs[0]!.tunnel, { name: 'tun tunnel', state: 'ready', restarts: 1, pid: secondPid, lastError: 'killed by SIGKILL' });
  const summary = renderSummary(json, { file: 'status.json', hostname: json.hostname, isAlive: () => true });
  assert.ok(summary.text.includes('\ntun: tunnel ready (restarts 1); last ended: killed by SIGKILL\n'), summary.text);
  const metrics = renderMetrics(snaps, { rssBytes: 1, startTimeSeconds: 1 });
  assert.ok(metrics.includes('lsyncd_ts_sync_tunnel_state{sync="tun",state="ready"} 1'), metrics);
  assert.ok(metrics.includes('lsyncd_ts_sync_tunnel_state{sync="tun",state="down"} 0'));
  assert.ok(metrics.includes('lsyncd_ts_sync_tunnel_restarts_total{sync="tun"} 1'));

  await engine.stop(2000);
  assert.equal(alive(secondPid), false, 'the tunnel ssh ended at stop');
  assert.deepEqual(pidsWithArg(forward), [], 'no tunnel process left');
  assert.equal(engine.status()[0]!.tunnel?.state, 'down');
});

test('transfers wait while the tunnel is not ready, and start once its checkport accepts', { timeout: 60_000 }, async (t) => {
  const rsyncd = await startRsyncd(t);
  const port = await freePort();
  const src = tempDir(t);
  writeFileSync(path.join(src, 'f'), 'x');
  // A command that never opens the port itself: the test plays the forward (a TCP relay) later.
  const { engine } = await startEngine(t, { sync: [{ mode: 'rsync', name: 'w', source: src, target: `rsync://127.0.0.1:${port}/mirror/`, delay: 0, tunnel: { command: ['sleep', '600'], checkport: port } }] });
  await waitFor(() => engine.status()[0]!.tunnel?.pid !== undefined, 'the tunnel command to run');
  const s = engine.status()[0]!;
  assert.equal(s.tunnel?.state, 'connecting');
  assert.equal(s.running, 0);
  assert.equal(s.waiting, 1, 'the init transfer waits');
  assert.equal(s.transfersOk + s.transfersFailed, 0);
  assert.deepEqual(syncHealth(s), { healthy: false, reason: 'transfers wait for the tunnel w tunnel (connecting, restarts 0)' });
  await relayPort(t, port, rsyncd.port);
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'f')), 'the init transfer once the port accepts');
  assert.equal(engine.status()[0]!.tunnel?.state, 'ready');
  assert.equal(syncHealth(engine.status()[0]!).healthy, true);
  const pid = engine.status()[0]!.tunnel!.pid!;
  await engine.stop(2000);
  assert.equal(alive(pid), false, 'the tunnel command ended at stop (SIGTERM)');
});

test('a reload that keeps the sync keeps its tunnel; one that removes the sync stops it', { timeout: 60_000 }, async (t) => {
  const src = tempDir(t);
  const port = await freePort();
  const other = { mode: 'rsync', name: 'other', source: src, target: tempDir(t), delay: 0 };
  const withTunnel = { mode: 'rsync', name: 'tun', source: src, target: `rsync://127.0.0.1:${port}/mirror/`, delay: 0, init: false, tunnel: { command: ['sleep', '600'], checkport: port } };
  const { engine } = await startEngine(t, { sync: [other, withTunnel] });
  await waitFor(() => engine.status()[1]!.tunnel?.pid !== undefined, 'the tunnel command to run');
  const pid = engine.status()[1]!.tunnel!.pid!;
  const same = loadConfigText('test-config.json', JSON.stringify({ sync: [other, withTunnel] }), 'json');
  assert.ok(same.ok);
  assert.deepEqual((await engine.reload(same.config)).kept, ['other', 'tun']);
  assert.equal(engine.status()[1]!.tunnel?.pid, pid, 'the same tunnel process');
  assert.equal(engine.status()[1]!.tunnel?.restarts, 0);
  const next = loadConfigText('test-config.json', JSON.stringify({ sync: [other] }), 'json');
  assert.ok(next.ok);
  const report = await engine.reload(next.config);
  assert.deepEqual(report.stopped, ['tun']);
  await waitFor(() => !alive(pid), 'the removed sync\'s tunnel to end', 10_000);
});

test('tunnel config: lsyncd keys and defaults; pool mode, parallel and ^localport refused with the fix', () => {
  const ok = loadConfigText('cfg.lua', [
    'sync {', '  default.rsync,', '  source = "/tmp",', '  target = "rsync://localhost:8873/m/",',
    '  tunnel = { command = "ssh -N -L 8873:^localhost:873 host", checkCommand = "true" },', '}', ''].join('\n'), 'lua');
  assert.ok(ok.ok, ok.ok ? '' : ok.errors.map((e) => e.text).join('\n'));
  assert.deepEqual(ok.config.syncs[0]!.tunnel, { name: 'sync[1] tunnel', command: ['ssh', '-N', '-L', '8873:localhost:873', 'host'], checkport: undefined, readyDelay: 5, retryDelay: 10 });
  assert.match(ok.warnings.map((w) => w.text).join('\n'), /^cfg\.lua:5: sync\[1\]\.tunnel\.checkCommand: lsyncd 2\.3 declares it but never runs a check command; ignored — set checkport/m);

  // lsyncd 2.3's call form: tunnel{ ... } (a global function returning its table).
  const called = loadConfigText('cfg.lua', [
    'local tun = tunnel { command = { "ssh", "-N", "-L", "8873:localhost:873", "host" }, checkport = 8873 }',
    'sync { default.rsync, source = "/tmp", target = "rsync://localhost:8873/m/", tunnel = tun }', ''].join('\n'), 'lua');
  assert.ok(called.ok, called.ok ? '' : called.errors.map((e) => e.text).join('\n'));
  assert.deepEqual(called.config.syncs[0]!.tunnel?.command, ['ssh', '-N', '-L', '8873:localhost:873', 'host']);
  assert.equal(called.config.syncs[0]!.tunnel?.checkport, 8873);
  const notTable = loadConfigText('cfg.lua', 'sync { default.rsync, source = "/tmp", target = "/x", tunnel = tunnel("ssh -N") }\n', 'lua');
  assert.ok(!notTable.ok);
  assert.match(notTable.errors.map((e) => e.text).join('\n'), /tunnel\{\} expects a table/);

  const bad = loadConfigText('cfg.json', JSON.stringify({ sync: [{ mode: 'rsync', source: '/tmp', target: 'rsync://localhost:^localport/m/', tunnel: { command: ['ssh', '-L', '^localport:localhost:873', 'h'], mode: 'pool', parallel: 2 } }] }), 'json');
  assert.ok(!bad.ok);
  const texts = bad.errors.map((e) => e.text).join('\n');
  assert.match(texts, /sync\[1\]\.tunnel\.mode: mode = "pool" is not supported by lsyncd-ts .* — use mode = "command"/);
  assert.match(texts, /sync\[1\]\.tunnel\.parallel: parallel > 1 needs mode = "pool"/);
  assert.match(texts, /sync\[1\]\.tunnel\.command: \^localport is only filled in by lsyncd's mode = "pool".* — write the local port itself/);
  assert.equal(bad.errors.length, 3);

  const typo = loadConfigText('cfg.json', JSON.stringify({ sync: [{ mode: 'rsync', source: '/tmp', target: '/x', tunnel: { command: ['true'], chekport: 1 } }] }), 'json');
  assert.ok(!typo.ok);
  assert.match(typo.errors[0]!.text, /sync\[1\]\.tunnel\.chekport: unknown key — did you mean "checkport"\?/);
});

test('syncs naming the same tunnel share one process; it stops when the last of them goes', { timeout: 60_000 }, async (t) => {
  const rsyncd = await startRsyncd(t);
  const port = await freePort();
  const marker = String(100_000 + port); // a `sleep` argument no other test uses
  const tunnel = { command: ['sleep', marker], checkport: port };
  const a = { mode: 'rsync', name: 'a', source: tempDir(t), target: `rsync://127.0.0.1:${port}/mirror/a/`, delay: 0, tunnel };
  const b = { mode: 'rsync', name: 'b', source: tempDir(t), target: `rsync://127.0.0.1:${port}/mirror/b/`, delay: 0, tunnel };
  writeFileSync(path.join(a.source, 'fa'), 'a');
  writeFileSync(path.join(b.source, 'fb'), 'b');
  const { engine } = await startEngine(t, { sync: [a, b] });
  await waitFor(() => engine.status().every((s) => s.tunnel?.pid !== undefined), 'the tunnel command to run');
  const pid = engine.status()[0]!.tunnel!.pid!;
  assert.equal(engine.status()[1]!.tunnel!.pid, pid, 'one process for both syncs');
  assert.deepEqual(pidsWithArg(marker), [pid]);
  await relayPort(t, port, rsyncd.port);
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'a/fa')) && existsSync(path.join(rsyncd.dir, 'b/fb')), 'both syncs to transfer once the tunnel is ready');
  // A reload that removes one of them keeps the tunnel for the other.
  const onlyB = loadConfigText('test-config.json', JSON.stringify({ sync: [b] }), 'json');
  assert.ok(onlyB.ok);
  assert.deepEqual((await engine.reload(onlyB.config)).stopped, ['a']);
  await engine.whenIdle();
  assert.ok(alive(pid), 'still used by b');
  writeFileSync(path.join(b.source, 'later'), 'x');
  await waitFor(() => existsSync(path.join(rsyncd.dir, 'b/later')), 'b to keep transferring through it');
  await engine.stop(2000);
  assert.equal(alive(pid), false, 'stopped with its last sync');
  assert.deepEqual(pidsWithArg(marker), []);
});
