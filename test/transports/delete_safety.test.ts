import test from 'node:test';
import assert from 'node:assert/strict';
import { UnsafeDeleteError, safeDeletePath } from '../../src/transports/delete_safety.js';
import { deletesOnFull, deletesWhileRunning } from '../../src/transports/delete_mode.js';
import type { DeleteMode } from '../../src/config/schema.js';

const OK: [string, string, string][] = [
  ['/srv/trg/', '/a', '/srv/trg/a'],
  ['/srv/trg', '/d/e/', '/srv/trg/d/e'],
  ['/srv/trg//', '//x//y', '/srv/trg/x/y'],
  ['/srv/trg/', '/...', '/srv/trg/...'],
  ['/srv/trg/', '/-rf', '/srv/trg/-rf'],
];
for (const [root, rel, want] of OK) {
  test(`safeDeletePath(${root}, ${rel}) = ${want}`, () => assert.equal(safeDeletePath(root, rel), want));
}

const REFUSED: [string, string][] = [
  ['/srv/trg/', '/'],
  ['/srv/trg/', ''],
  ['/srv/trg/', '/./'],
  ['/srv/trg/', '/a/../..'],
  ['/srv/trg/', '/..'],
  ['/', '/etc'],
  ['', '/etc'],
  ['relative/', '/x'],
];
for (const [root, rel] of REFUSED) {
  test(`safeDeletePath refuses (${JSON.stringify(root)}, ${JSON.stringify(rel)})`, () => {
    assert.throws(() => safeDeletePath(root, rel), UnsafeDeleteError);
  });
}

test('safeDeletePath keeps non-UTF-8 bytes', () => {
  const rel = Buffer.from([0x2f, 0x61, 0xff]);
  assert.deepEqual(safeDeletePath('/t/', rel), Buffer.from([0x2f, 0x74, 0x2f, 0x61, 0xff]));
});

test('delete modes', () => {
  const modes: DeleteMode[] = [true, false, 'startup', 'running'];
  assert.deepEqual(modes.map(deletesOnFull), [true, false, true, false]);
  assert.deepEqual(modes.map(deletesWhileRunning), [true, false, false, true]);
});
