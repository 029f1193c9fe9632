// Every inotifyMode, on real files: when a write is reported as Modify.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { InotifyModes, type InotifyMode } from '../../src/watcher/index.js';
import { tempDir } from '../helpers/temp_tree.js';
import { WatchRecorder } from '../helpers/watch_recorder.js';

// For each mode: [after a write with the file still open, after close, after open+close with no write]
const expected: Record<InotifyMode, [string[], string[], string[]]> = {
  CloseWrite: [[], ['Modify f'], ['Modify f']],
  Modify: [['Modify f'], [], []],
  'CloseWrite or Modify': [['Modify f'], ['Modify f'], ['Modify f']],
  'CloseWrite after Modify': [[], ['Modify f'], []],
};

for (const mode of InotifyModes) {
  test(`inotifyMode "${mode}"`, async (t) => {
    const root = tempDir(t);
    const file = path.join(root, 'f');
    writeFileSync(file, 'initial');
    const rec = new WatchRecorder(t, { mode });
    await rec.add(root);
    const [whileOpen, afterClose, noWrite] = expected[mode];

    const fd = openSync(file, 'r+');
    writeSync(fd, 'changed');
    await rec.settle();
    assert.deepEqual(rec.lines(), whileOpen, 'write, still open');
    rec.clear();
    closeSync(fd);
    await rec.settle();
    assert.deepEqual(rec.lines(), afterClose, 'after close');
    rec.clear();
    closeSync(openSync(file, 'r+'));
    await rec.settle();
    assert.deepEqual(rec.lines(), noWrite, 'opened for writing, closed without a write');
  });
}

test('an unknown inotifyMode is refused with the valid list', () => {
  assert.throws(() => new WatchRecorder({ after() {} } as never, { mode: 'Closewrite' as InotifyMode }), /is not one of CloseWrite, Modify/);
});
