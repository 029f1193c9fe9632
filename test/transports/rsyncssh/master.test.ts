// The persistent ssh ControlMaster (a change does not pay a new handshake), a dead
// target (sshd stopped → 'again', never 'die'; docs/lsyncd-compat.md#exit-codes-of-transfers: 255 is again for both
// rsync and ssh), and a master that dies with its daemon (kill -9), against a real loopback sshd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { alive, fileHas, startBin, waitFor } from '../../daemon/daemon_harness.js';
import { startSshd } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp_tree.js';
import { delay, fixture, snapshot } from './fixture.js';

const ACCEPTED = /Accepted publickey for /;

test('one master per target: socket in a private 0700 dir, ssh -O check, no new TCP login per batch', async (t) => {
  const f = await fixture(t);
  writeFileSync(path.join(f.src, 'a'), '1');
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  const master = f.transport.master;
  assert.ok(master !== undefined);
  assert.equal(existsSync(master.socketPath), true, 'master socket exists');
  assert.equal(statSync(master.dir).mode & 0o777, 0o700);
  const check = spawnSync('/usr/bin/ssh', [...f.sshd.sshArgv, '-o', `ControlPath=${master.socketPath}`, '-O', 'check', f.sync.host], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.equal(await master.check(), true);
  assert.equal(f.sshd.countLog(ACCEPTED), 1, f.sshd.log());

  // More transfers and moves: all multiplexed over the same authenticated connection.
  for (let i = 0; i < 3; i++) {
    writeFileSync(path.join(f.src, `n${i}`), `${i}`);
    assert.deepEqual((await f.transport.batch([delay('Create', `/n${i}`)], f.ctx)).outcome, { kind: 'ok' });
    renameSync(path.join(f.src, `n${i}`), path.join(f.src, `m${i}`));
    assert.deepEqual((await f.transport.batch([delay('Move', `/n${i}`, `/m${i}`)], f.ctx)).outcome, { kind: 'ok' });
  }
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
  assert.equal(f.sshd.countLog(ACCEPTED), 1, 'no new TCP connection/handshake after the first');

  // A second transport to the same target shares the master.
  const { RsyncsshTransport } = await import('../../../src/transports/rsyncssh/index.js');
  const { loadSyncRules } = await import('../../../src/filters/sync_rules.js');
  const second = new RsyncsshTransport(f.sync, { rules: loadSyncRules(f.sync).rules!, hasFilters: false }, { masters: f.registry });
  t.after(() => second.close());
  assert.equal(second.master, master);
  assert.equal(f.registry.size, 1);
  await second.close();
  assert.equal(await master.check(), true, 'still held by the first transport');

  await f.transport.close();
  assert.equal(existsSync(master.dir), false, 'runtime dir removed');
  const after = spawnSync('/usr/bin/ssh', [...f.sshd.sshArgv, '-o', `ControlPath=${master.socketPath}`, '-O', 'check', f.sync.host]);
  assert.notEqual(after.status, 0, 'master exited on close');
  assert.equal(f.registry.size, 0);
});

test('without a managed master (user sets ControlPath itself) every call logs in anew', async (t) => {
  const f = await fixture(t);
  const { RsyncsshTransport } = await import('../../../src/transports/rsyncssh/index.js');
  const { loadSyncRules } = await import('../../../src/filters/sync_rules.js');
  const sync = { ...f.sync, ssh: { ...f.sync.ssh, options: { ...f.sync.ssh.options, ControlPath: 'none' } } };
  const tr = new RsyncsshTransport(sync, { rules: loadSyncRules(sync).rules!, hasFilters: false }, { masters: f.registry });
  t.after(() => tr.close());
  assert.equal(tr.master, undefined);
  writeFileSync(path.join(f.src, 'a'), '1');
  assert.deepEqual((await tr.full(f.ctx)).outcome, { kind: 'ok' });
  assert.deepEqual((await tr.batch([delay('Create', '/a')], f.ctx)).outcome, { kind: 'ok' });
  assert.equal(f.sshd.countLog(ACCEPTED), 2);
});

test('dead target (sshd and its sessions stopped): full, transfer and moves → again, not die', async (t) => {
  const f = await fixture(t);
  writeFileSync(path.join(f.src, 'a'), '1');
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  await f.sshd.stop();
  writeFileSync(path.join(f.src, 'b'), '2');
  const results = [
    await f.transport.batch([delay('Create', '/b')], f.ctx),
    await f.transport.batch([delay('Move', '/a', '/c')], f.ctx),
    await f.transport.full(f.ctx),
  ];
  for (const r of results) {
    t.diagnostic(JSON.stringify(r.outcome));
    assert.equal(r.outcome.kind, 'again', JSON.stringify(r.outcome));
    assert.match((r.outcome as { reason: string }).reason, /255/);
  }
});

// rsync reports the dead remote shell as 12 (protocol stream) or 255 (ssh's status), depending on
// which it notices first: both are 'again' in lsyncd's table (docs/lsyncd-compat.md#exit-codes-of-transfers).
test('dead target without a managed master: rsync (12/255) and ssh (255) → again', async (t) => {
  const f = await fixture(t);
  const { RsyncsshTransport } = await import('../../../src/transports/rsyncssh/index.js');
  const { loadSyncRules } = await import('../../../src/filters/sync_rules.js');
  const tr = new RsyncsshTransport(f.sync, { rules: loadSyncRules(f.sync).rules!, hasFilters: false }, { controlMaster: false });
  t.after(() => tr.close());
  writeFileSync(path.join(f.src, 'a'), '1');
  assert.deepEqual((await tr.full(f.ctx)).outcome, { kind: 'ok' });
  await f.sshd.stop();
  const transfer = await tr.batch([delay('Create', '/a')], f.ctx);
  assert.equal(transfer.outcome.kind, 'again');
  assert.match((transfer.outcome as { reason: string }).reason, /^rsync failed with exit code (12|255): ssh: connect to host .*Connection refused/);
  const moves = await tr.batch([delay('Move', '/a', '/c')], f.ctx);
  assert.equal(moves.outcome.kind, 'again');
  assert.match((moves.outcome as { reason: string }).reason, /^ssh \(moves\) failed with exit code 255/);
});

test('dead target before the first connection: again (master start fails with 255)', async (t) => {
  const f = await fixture(t);
  await f.sshd.stop();
  const r = await f.transport.batch([delay('Move', '/a', '/c')], f.ctx);
  assert.equal(r.outcome.kind, 'again', JSON.stringify(r.outcome));
  assert.match((r.outcome as { reason: string }).reason, /ssh master connection .* exit code 255/);
});

test('a missing ssh binary is die with a clear reason', async (t) => {
  const f = await fixture(t);
  const { RsyncsshTransport } = await import('../../../src/transports/rsyncssh/index.js');
  const { loadSyncRules } = await import('../../../src/filters/sync_rules.js');
  const sync = { ...f.sync, ssh: { ...f.sync.ssh, binary: path.join(f.src, 'no-such-ssh') } };
  const tr = new RsyncsshTransport(sync, { rules: loadSyncRules(sync).rules!, hasFilters: false }, { masters: f.registry });
  t.after(() => tr.close());
  const r = await tr.batch([delay('Move', '/a', '/c')], f.ctx);
  assert.equal(r.outcome.kind, 'die');
  assert.match((r.outcome as { reason: string }).reason, /cannot start .*ENOENT/);
});

test('concurrent first use by two transports of one target starts ONE master', async (t) => {
  const f = await fixture(t);
  const { RsyncsshTransport } = await import('../../../src/transports/rsyncssh/index.js');
  const { loadSyncRules } = await import('../../../src/filters/sync_rules.js');
  const other = new RsyncsshTransport(f.sync, { rules: loadSyncRules(f.sync).rules!, hasFilters: false }, { masters: f.registry });
  t.after(() => other.close());
  writeFileSync(path.join(f.src, 'a'), '1');
  writeFileSync(path.join(f.src, 'b'), '2');
  const [ra, rb] = await Promise.all([f.transport.batch([delay('Create', '/a')], f.ctx), other.batch([delay('Create', '/b')], f.ctx)]);
  assert.deepEqual([ra.outcome, rb.outcome], [{ kind: 'ok' }, { kind: 'ok' }], f.log.lines.join('\n'));
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
  assert.equal(f.sshd.countLog(ACCEPTED), 1, f.sshd.log());
});

test('an aborted context (shutdown) ends promptly with again', async (t) => {
  const f = await fixture(t);
  const ac = new AbortController();
  ac.abort();
  const r = await f.transport.batch([delay('Move', '/a', '/b')], { log: f.log, signal: ac.signal });
  assert.equal(r.outcome.kind, 'again', JSON.stringify(r.outcome));
});

/** Pids of ssh ControlMaster processes whose command line names a socket below `dir`. */
function mastersBelow(dir: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let cmd: string[];
    try {
      cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (cmd.includes('ControlMaster=yes') && cmd.some((a) => a.startsWith(`ControlPath=${dir}/`)) && alive(Number(e))) pids.push(Number(e));
  }
  return pids;
}

test('kill -9 of the daemon takes its ssh master down with it (no orphan under PID 1)', async (t) => {
  const sshd = await startSshd(t);
  const root = tempDir(t, 'lsyncd-ts-master-orphan-');
  const [src, dst, runtime] = ['src', 'dst', 'run'].map((d) => path.join(root, d)) as [string, string, string];
  for (const d of [src, dst, runtime]) mkdirSync(d);
  writeFileSync(path.join(src, 'a'), 'synced over the master');
  const config = path.join(root, 'config.json');
  const sync = { mode: 'rsyncssh', source: src, host: `${sshd.user}@${sshd.host}`, targetdir: dst, ssh: sshd.sshTable, delay: 0 };
  writeFileSync(config, JSON.stringify({ sync: [sync] }));
  t.after(() => {
    for (const pid of mastersBelow(runtime)) process.kill(pid, 'SIGKILL');
  });
  const daemon = startBin(t, ['-nodaemon', config], { XDG_RUNTIME_DIR: runtime });
  await waitFor(() => fileHas(path.join(dst, 'a'), 'synced over the master'), `the init transfer over ssh\n${daemon.output()}`);
  await waitFor(() => mastersBelow(runtime).length === 1, 'the ssh master process');
  const [master] = mastersBelow(runtime);

  daemon.child.kill('SIGKILL');
  await daemon.exited;
  await waitFor(() => !alive(master!), `ssh master ${master} to exit after its daemon was killed`, 10_000);
});

test('a master killed with SIGKILL (stale socket left) is replaced by a new one on the next transfer', async (t) => {
  const f = await fixture(t);
  writeFileSync(path.join(f.src, 'a'), '1');
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  const master = f.transport.master!;
  const [first] = mastersBelow(master.dir);
  assert.ok(first !== undefined, 'a master process is running');
  process.kill(first, 'SIGKILL');
  await waitFor(() => !master.up, 'the transport to notice that its master exited');
  assert.equal(existsSync(master.socketPath), true, 'SIGKILL leaves the socket behind');

  writeFileSync(path.join(f.src, 'b'), '2');
  assert.deepEqual((await f.transport.batch([delay('Create', '/b')], f.ctx)).outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
  const now = mastersBelow(master.dir);
  assert.equal(now.length, 1, 'one new master');
  assert.notEqual(now[0], first);
  assert.equal(await master.check(), true, 'the new master answers on the socket');
});
