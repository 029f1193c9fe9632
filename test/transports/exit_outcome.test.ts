import test from 'node:test';
import assert from 'node:assert/strict';
import { RSYNC_EXIT_CODES } from '../../src/config/defaults.js';
import { classifyExit, processOutcome } from '../../src/transports/exit_outcome.js';

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

const WORDS = {
  cannotStart: (e: NodeJS.ErrnoException) => `cannot start: ${e.code ?? ''}`,
  killed: (signal: NodeJS.Signals | null) => `killed by ${signal ?? 'nothing'}`,
  exited: (code: number) => `exit ${code}`,
};

test('processOutcome: a process that could not start is die, whatever the table says', () => {
  const spawnError = Object.assign(new Error('spawn rsync ENOENT'), { code: 'ENOENT' });
  assert.deepEqual(processOutcome({ code: null, signal: null, spawnError }, { ...RSYNC_EXIT_CODES }, WORDS), { kind: 'die', reason: 'cannot start: ENOENT' });
});

test('processOutcome: no exit code is again; an exit code is judged by the table, unknown codes die', () => {
  assert.deepEqual(processOutcome({ code: null, signal: 'SIGKILL' }, RSYNC_EXIT_CODES, WORDS), { kind: 'again', reason: 'killed by SIGKILL' });
  assert.deepEqual(processOutcome({ code: null, signal: null }, RSYNC_EXIT_CODES, WORDS), { kind: 'again', reason: 'killed by nothing' });
  assert.deepEqual(processOutcome({ code: 24, signal: null }, RSYNC_EXIT_CODES, WORDS), { kind: 'ok' });
  assert.deepEqual(processOutcome({ code: 23, signal: null }, RSYNC_EXIT_CODES, WORDS), { kind: 'again', reason: 'exit 23' });
  assert.deepEqual(processOutcome({ code: 13, signal: null }, RSYNC_EXIT_CODES, WORDS), { kind: 'die', reason: 'exit 13' });
});
