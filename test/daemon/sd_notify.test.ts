// systemd notify through the real binary: a Python receiver binds a real AF_UNIX datagram socket
// (Node cannot) and is passed as NOTIFY_SOCKET, as systemd does for Type=notify. Checks READY=1
// with STATUS= after start-up, periodic STATUS=, WATCHDOG=1 at half of WATCHDOG_USEC,
// RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a HUP, and STOPPING=1 on TERM.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startDatagramReceiver } from '../helpers/datagram_receiver.js';
import { tempDir } from '../helpers/temp_tree.js';
import { startBin, waitFor, writeConfig } from './daemon_harness.js';

test('sd_notify: READY=1 with STATUS, periodic STATUS, WATCHDOG=1, RELOADING/READY around HUP, STOPPING=1', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  writeFileSync(path.join(src, 'f'), 'x');
  const conf = path.join(root, 'lsyncd-ts.json');
  writeConfig(conf, [{ name: 'web', source: src, target: dst }]);
  const sock = path.join(root, 'notify.sock');
  const r = await startDatagramReceiver(t, sock);
  const d = startBin(t, ['run', conf, '--nodaemon'], { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '200000' });
  const msgs = r.messages;
  await waitFor(() => msgs().some((m) => m.split('\n').includes('READY=1')), 'READY=1');
  const ready = msgs().find((m) => m.split('\n').includes('READY=1'))!;
  assert.match(ready, /^STATUS=1 sync: \d+ queued, \d+ running, lag \d+s$/m);
  assert.match(ready, new RegExp(`^MAINPID=${d.child.pid}$`, 'm'));
  assert.match(d.output(), /recursive startup rsync/, 'READY=1 comes after the init transfer was started');
  await waitFor(() => msgs().filter((m) => m === 'WATCHDOG=1').length >= 3, 'watchdog pings every WATCHDOG_USEC/2');
  await waitFor(() => msgs().some((m) => /^STATUS=1 sync: \d+ queued, \d+ running, lag \d+s$/.test(m)), 'a periodic STATUS= update', 15_000);

  d.child.kill('SIGHUP');
  await waitFor(() => /--- reload done ---/.test(d.output()), 'the reload');
  await waitFor(() => msgs().filter((m) => m.split('\n').includes('READY=1')).length >= 2, 'READY=1 after the reload');
  const reloading = msgs().findIndex((m) => m.split('\n').includes('RELOADING=1'));
  assert.ok(reloading >= 0, 'RELOADING=1 sent');
  assert.match(msgs()[reloading]!, /^MONOTONIC_USEC=\d+$/m);
  const readyAgain = msgs().findIndex((m, i) => i > reloading && m.split('\n').includes('READY=1'));
  assert.ok(readyAgain > reloading, 'READY=1 follows RELOADING=1');

  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
  await waitFor(() => msgs().some((m) => m.split('\n').includes('STOPPING=1')), 'STOPPING=1');
});

test('sd_notify: a NOTIFY_SOCKET nobody listens on is one warning; the daemon runs normally', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  mkdirSync(src);
  const d = startBin(t, ['-nodaemon', '-delay', '0', '-rsync', src, path.join(root, 'dst')], { NOTIFY_SOCKET: path.join(root, 'nobody-listens') });
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up');
  // READY=1 goes out after the start-up line; its failure is reported when the send fails.
  await waitFor(() => /Warn: systemd notify: sd_notify to .* failed/.test(d.output()), 'the warning about the failed notify', 10_000);
  assert.equal(d.count(/systemd notify: sd_notify to .* failed/), 1, d.output());
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});
