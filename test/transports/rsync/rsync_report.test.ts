// parseRsyncReport reads rsync's own summary lines (from --stats or -v) into files/bytes sent.
import assert from 'node:assert/strict';
import test from 'node:test';

import { parseRsyncReport } from '../../../src/transports/rsync/rsync_report.js';

test('--stats gives files and content bytes', () => {
  assert.deepEqual(
    parseRsyncReport([
      'Number of files: 3 (reg: 2, dir: 1)',
      'Number of regular files transferred: 1,234',
      'Total transferred file size: 5,678,901 bytes',
      'sent 9,999 bytes  received 54 bytes  446.00 bytes/sec',
    ]),
    { filesSent: 1234, bytesSent: 5678901 },
  );
});

test('-v alone gives the bytes on the wire; nothing printed gives nothing', () => {
  assert.deepEqual(parseRsyncReport(['a', 'b', '', 'sent 169 bytes  received 54 bytes  446.00 bytes/sec', 'total size is 12  speedup is 0.05']), { bytesSent: 169 });
  assert.deepEqual(parseRsyncReport([]), {});
});
