// sd_notify through the addon reaches a real AF_UNIX datagram socket (a Python receiver stands in
// for systemd's NOTIFY_SOCKET; Node itself cannot bind one), by path and in the abstract namespace.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';

import { sdNotify } from '../../src/system/system_calls.js';
import { startDatagramReceiver } from '../helpers/datagram_receiver.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

test('sdNotify sends datagrams to a path socket and an abstract one', async (t) => {
  const dir = tempDir(t);
  for (const sock of [path.join(dir, 'notify.sock'), `@lsyncd-ts-test-${process.pid}`]) {
    const r = await startDatagramReceiver(t, sock);
    assert.equal(sdNotify('READY=1\nSTATUS=watching 3 dirs', sock), true);
    assert.equal(sdNotify('WATCHDOG=1', sock), true);
    await waitFor(() => r.messages().length >= 2, 'two datagrams');
    assert.deepEqual(r.messages(), ['READY=1\nSTATUS=watching 3 dirs', 'WATCHDOG=1']);
  }
});

test('no NOTIFY_SOCKET: nothing sent; a dead socket: a clear error', (t) => {
  assert.equal(sdNotify('READY=1', undefined), false);
  const dir = tempDir(t);
  assert.throws(() => sdNotify('READY=1', path.join(dir, 'nobody-listens')), /sd_notify to .* failed: errno/);
});
