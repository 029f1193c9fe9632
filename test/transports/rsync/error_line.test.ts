// rsyncFailureLine: the stderr line that names why rsync failed (src/transports/rsync/error_line.ts).
import assert from 'node:assert/strict';
import test from 'node:test';

import { rsyncFailureLine } from '../../../src/transports/rsync/error_line.js';

test('the cause, not the broken pipe that follows it', () => {
  const tail = [
    'rsync: [receiver] write failed on "/t/big": No space left on device (28)',
    'rsync error: error in file IO (code 11) at receiver.c(657) [receiver=3.5.0]',
    'rsync: [sender] write error: Broken pipe (32)',
  ].join('\n');
  assert.equal(rsyncFailureLine(tail), 'rsync: [receiver] write failed on "/t/big": No space left on device (28)');
});

test('only echoes of the other side ending: the rsync error summary', () => {
  const tail = 'rsync: connection unexpectedly closed (0 bytes received so far) [sender]\nrsync error: error in rsync protocol data stream (code 12) at io.c(232) [sender=3.5.0]\n';
  assert.equal(rsyncFailureLine(tail), 'rsync error: error in rsync protocol data stream (code 12) at io.c(232) [sender=3.5.0]');
});

test('ssh or a wrapper script failing: their own line; nothing: undefined', () => {
  const tail = 'ssh: connect to host h port 22: Connection refused\r\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\r\nrsync error: unexplained error (code 255) at io.c(232) [sender=3.5.0]\r\n';
  assert.equal(rsyncFailureLine(tail), 'ssh: connect to host h port 22: Connection refused');
  assert.equal(rsyncFailureLine(''), undefined);
});
