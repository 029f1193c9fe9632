// rsync daemon targets (rsync://…, host::module): where rsync connects, the --contimeout/--timeout
// they get unless the user set their own, and connect() — the daemon's greeting awaited outside
// the process slots, bounded by connectTimeout — against a real rsync daemon, a port nobody
// listens on, and a server that accepts and never greets (src/transports/rsync/daemon_target.ts).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { loadConfigText } from '../../../src/config/load_config.js';
import type { NormalizedRsyncSync } from '../../../src/config/schema.js';
import { loadSyncRules } from '../../../src/filters/sync_rules.js';
import { memoryLog } from '../../../src/log/log.js';
import { daemonAddress, withDaemonBounds } from '../../../src/transports/rsync/daemon_target.js';
import { RsyncTransport } from '../../../src/transports/rsync/rsync_transport.js';
import type { TransferContext } from '../../../src/transports/transport.js';
import { freePort } from '../../helpers/free_port.js';
import { startRsyncd } from '../../helpers/rsyncd.js';
import { stuckServer } from '../../helpers/stuck_server.js';
import { tempDir } from '../../helpers/temp_tree.js';

function rsyncSync(raw: Record<string, unknown>): NormalizedRsyncSync {
  const res = loadConfigText('t.json', JSON.stringify({ sync: [{ mode: 'rsync', ...raw }] }), 'json');
  if (!res.ok) throw new Error(res.errors.map((e) => e.text).join('\n'));
  const s = res.config.syncs[0]!;
  if (s.mode !== 'rsync') throw new Error('not an rsync sync');
  return s;
}

function transport(t: test.TestContext, target: string, connectTimeout: number): RsyncTransport {
  const src = tempDir(t);
  writeFileSync(path.join(src, 'a'), 'a\n');
  const sync = rsyncSync({ source: src, target, connectTimeout });
  const loaded = loadSyncRules(sync);
  if (loaded.rules === undefined) throw new Error('bad rules');
  const tr = new RsyncTransport(sync, { rules: loaded.rules, hasFilters: loaded.hasFilters });
  t.after(() => tr.close());
  return tr;
}

const ctx = (): TransferContext => ({ log: memoryLog(), signal: new AbortController().signal });

test('daemonAddress: rsync:// URLs and host::module, port from the URL, --port or 873; none over a remote shell or a proxy', () => {
  const r = resolveOptions();
  assert.deepEqual(daemonAddress('rsync://backup.example.org/mod/dir/', r), { host: 'backup.example.org', port: 873 });
  assert.deepEqual(daemonAddress('rsync://user@10.0.0.5:8873/mod/', r), { host: '10.0.0.5', port: 8873 });
  assert.deepEqual(daemonAddress('rsync://[::1]:8873/mod', r), { host: '::1', port: 8873 });
  assert.deepEqual(daemonAddress('user@host.example::mod/dir/', r), { host: 'host.example', port: 873 });
  assert.deepEqual(daemonAddress('host::mod/', resolveOptions({ _extra: ['--port=1873'] })), { host: 'host', port: 1873 });
  assert.equal(daemonAddress('host:/srv/dir/', r), undefined, 'rsync over ssh');
  assert.equal(daemonAddress('/srv/dir/', r), undefined, 'a local path');
  assert.equal(daemonAddress('host::mod/', resolveOptions({ rsh: 'ssh -p 2222' })), undefined, 'a daemon over a remote shell');
  assert.equal(daemonAddress('host::mod/', resolveOptions({ _extra: ['-e', 'ssh'] })), undefined);
  assert.equal(daemonAddress('rsync://h/mod/', r, { RSYNC_PROXY: 'proxy:3128' }), undefined, 'through an HTTP proxy');
});

test('withDaemonBounds: --contimeout=<connectTimeout> and --timeout=60 unless the user set them', () => {
  const plain = withDaemonBounds(resolveOptions(), 7);
  assert.deepEqual(plain._extra, ['--contimeout=7']);
  assert.equal(plain.timeout, 60);
  const theirs = withDaemonBounds(resolveOptions({ timeout: 600, _extra: ['--contimeout=3'] }), 7);
  assert.deepEqual(theirs._extra, ['--contimeout=3']);
  assert.equal(theirs.timeout, 600);
  const extraTimeout = withDaemonBounds(resolveOptions({ _extra: ['--timeout=5'] }), 7);
  assert.deepEqual(extraTimeout._extra, ['--timeout=5', '--contimeout=7']);
  assert.equal(extraTimeout.timeout, undefined);
});

test('connect(): a server that accepts and never greets is unreachable within connectTimeout', { timeout: 20_000 }, async (t) => {
  const stuck = await stuckServer(t);
  const tr = transport(t, `rsync://127.0.0.1:${stuck.port}/mirror/`, 1);
  assert.ok(tr.connect !== undefined, 'a daemon target connects first');
  const t0 = Date.now();
  const out = await tr.connect(ctx());
  const elapsed = Date.now() - t0;
  assert.deepEqual(out, { kind: 'again', reason: `rsync daemon 127.0.0.1:${stuck.port} did not answer within 1 s`, unreachable: true });
  assert.ok(elapsed < 5000, `${elapsed} ms`);
});

test('connect(): a refused port is unreachable; a real daemon is ok before and after a transfer; rsync over ssh has none', { timeout: 30_000 }, async (t) => {
  const refused = await freePort();
  const out = await transport(t, `rsync://127.0.0.1:${refused}/mirror/`, 5).connect!(ctx());
  assert.equal(out.kind === 'again' && out.unreachable, true, JSON.stringify(out));

  const rsyncd = await startRsyncd(t);
  const tr = transport(t, `${rsyncd.url}/`, 5);
  assert.deepEqual(await tr.connect!(ctx()), { kind: 'ok' });
  assert.deepEqual((await tr.full(ctx())).outcome, { kind: 'ok' });
  assert.deepEqual(await tr.connect!(ctx()), { kind: 'ok' });
  assert.equal(transport(t, 'host:/srv/dir/', 5).connect, undefined, 'rsync over ssh has no connect()');
});

function resolveOptions(user: Record<string, unknown> = {}): NormalizedRsyncSync['rsync'] {
  return rsyncSync({ source: '/', target: 'h::m', rsync: user }).rsync;
}
