import test from 'node:test';
import assert from 'node:assert/strict';
import { RSYNC_EXIT_CODES } from '../../src/config/defaults.js';
import { classifyExit } from '../../src/transports/exit_outcome.js';

const CASES: [number | null, string][] = [
  [0, 'ok'], [23, 'again'], [24, 'ok'], [1, 'die'], [12, 'again'], [255, 'again'], // 23: a partial transfer is retried, not counted as done
  [13, 'die'], [28, 'die'], // not in the table -> die (docs/lsyncd-compat.md#exit-codes-of-transfers)
  [null, 'again'], // killed by a signal
];
for (const [code, want] of CASES) {
  test(`classifyExit(${String(code)}) with the rsync table = ${want}`, () => assert.equal(classifyExit(code, RSYNC_EXIT_CODES), want));
}

test('classifyExit honours user overrides', () => {
  assert.equal(classifyExit(13, { ...RSYNC_EXIT_CODES, 13: 'again' }), 'again');
});
