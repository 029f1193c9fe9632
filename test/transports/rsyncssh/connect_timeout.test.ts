// How long an rsyncssh target may take to answer (sync/settings `connectTimeout`): every ssh the
// transport starts carries ConnectTimeout (which in OpenSSH also bounds the wait for the banner)
// and ServerAlive keep-alives, unless the user's ssh options set them (ssh_argv.ts
// withLinkBounds). connect() against a server that accepts and never speaks, or a port nobody
// listens on, ends as `again` + `unreachable` — the runner's "down" — within that timeout; one that
// greets and then stalls (ConnectTimeout does not cover the key exchange) within 3 × that timeout.
import assert from 'node:assert/strict';
import test from 'node:test';

import type { NormalizedRsyncsshSync } from '../../../src/config/schema.js';
import { loadSyncRules } from '../../../src/filters/sync_rules.js';
import { RsyncsshTransport, SshMasterRegistry } from '../../../src/transports/rsyncssh/index.js';
import { sshArgs, withLinkBounds } from '../../../src/transports/rsyncssh/ssh_argv.js';
import { freePort } from '../../helpers/free_port.js';
import { stuckServer } from '../../helpers/stuck_server.js';
import { fixture } from './fixture.js';

function transportTo(t: test.TestContext, sync: NormalizedRsyncsshSync): RsyncsshTransport {
  const loaded = loadSyncRules(sync);
  if (loaded.rules === undefined) throw new Error('bad rules');
  const tr = new RsyncsshTransport(sync, { rules: loaded.rules, hasFilters: loaded.hasFilters }, { masters: new SshMasterRegistry() });
  t.after(() => tr.close());
  return tr;
}

test('a server that accepts and never answers: connect() ends within connectTimeout as unreachable', { timeout: 25_000 }, async (t) => {
  const f = await fixture(t);
  const stuck = await stuckServer(t);
  const tr = transportTo(t, { ...f.sync, ssh: { ...f.sync.ssh, port: stuck.port }, connectTimeout: 2 });
  const t0 = Date.now();
  const out = await tr.connect(f.ctx);
  const elapsed = Date.now() - t0;
  assert.equal(out.kind, 'again');
  assert.equal(out.kind === 'again' && out.unreachable, true, JSON.stringify(out));
  assert.match(out.kind === 'again' ? out.reason : '', /^ssh master connection to .* failed with exit code 255/);
  assert.ok(elapsed >= 1500 && elapsed < 8000, `ended after ${elapsed} ms (connectTimeout 2 s)`);
  assert.ok(f.sshCalls().some((c) => /-o ConnectTimeout=2 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 /.test(c)), f.sshCalls().join('\n'));
});

test('a server that greets and then stalls: the master start ends after 3 × connectTimeout as unreachable', { timeout: 25_000 }, async (t) => {
  const f = await fixture(t);
  const stalls = await stuckServer(t, { banner: 'SSH-2.0-OpenSSH_9.2p1\r\n' });
  const tr = transportTo(t, { ...f.sync, ssh: { ...f.sync.ssh, port: stalls.port }, connectTimeout: 1 });
  const t0 = Date.now();
  const out = await tr.connect(f.ctx);
  const elapsed = Date.now() - t0;
  assert.deepEqual(out, {
    kind: 'again',
    reason: `ssh master connection to ${f.sync.host}: no login within 3 s (the server answers but does not complete the handshake)`,
    unreachable: true,
  });
  assert.ok(elapsed >= 2500 && elapsed < 8000, `ended after ${elapsed} ms`);
});

test('a port nobody listens on: connect() is unreachable at once', { timeout: 25_000 }, async (t) => {
  const f = await fixture(t);
  const tr = transportTo(t, { ...f.sync, ssh: { ...f.sync.ssh, port: await freePort() } });
  const out = await tr.connect(f.ctx);
  assert.deepEqual(out.kind === 'again' ? { kind: out.kind, unreachable: out.unreachable } : out, { kind: 'again', unreachable: true });
});

test('a reachable target: connect() is ok, and again at once while the master is up', async (t) => {
  const f = await fixture(t);
  assert.deepEqual(await f.transport.connect(f.ctx), { kind: 'ok' });
  const calls = f.sshCalls().length;
  assert.deepEqual(await f.transport.connect(f.ctx), { kind: 'ok' });
  assert.equal(f.sshCalls().length, calls, 'no new ssh process once the master is up');
});

test('link bounds: appended after the user options; any the user set (options or -o in _extra, any case) are left alone', () => {
  const base = { binary: 'ssh', options: {}, _extra: [] };
  assert.deepEqual(sshArgs(withLinkBounds(base, 10)), ['-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4']);
  const user = { binary: 'ssh', options: { connecttimeout: '3', Compression: 'yes' }, _extra: ['-o', 'ServerAliveInterval=5', '-oServerAliveCountMax=2'] };
  assert.deepEqual(sshArgs(withLinkBounds(user, 10)), ['-o', 'connecttimeout=3', '-o', 'Compression=yes', '-o', 'ServerAliveInterval=5', '-oServerAliveCountMax=2']);
  const some = { binary: 'ssh', options: { ServerAliveInterval: '60' }, _extra: ['-v'] };
  assert.deepEqual(sshArgs(withLinkBounds(some, 7)), ['-o', 'ServerAliveInterval=60', '-o', 'ConnectTimeout=7', '-o', 'ServerAliveCountMax=4', '-v']);
});
