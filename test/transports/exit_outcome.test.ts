import test from 'node:test';
import assert from 'node:assert/strict';
import { RSYNC_EXIT_CODES } from '../../src/config/defaults.js';
import { cannotConnect, classifyExit, processOutcome } from '../../src/transports/exit_outcome.js';

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

test('cannotConnect: ssh 255; rsync 10/30/35/255, and 12 only when stderr shows no connection; never a spawn failure or a signal', () => {
  const r = (code: number | null, stderrTail = '') => ({ code, signal: null, stderrTail });
  assert.equal(cannotConnect(r(255), 'ssh'), true);
  for (const code of [0, 1, 2, 12]) assert.equal(cannotConnect(r(code), 'ssh'), false, `ssh ${code}`);
  for (const code of [10, 30, 35, 255]) assert.equal(cannotConnect(r(code), 'rsync'), true, `rsync ${code}`);
  for (const code of [0, 5, 11, 23, 24]) assert.equal(cannotConnect(r(code), 'rsync'), false, `rsync ${code}`);
  assert.equal(cannotConnect(r(12, 'rsync: connection unexpectedly closed (0 bytes received so far) [sender]'), 'rsync'), true);
  assert.equal(cannotConnect(r(12, 'ssh: connect to host h port 22: Connection refused'), 'rsync'), true);
  assert.equal(cannotConnect(r(12, 'rsync: connection unexpectedly closed (8123 bytes received so far) [sender]'), 'rsync'), false);
  assert.equal(cannotConnect(r(12, 'rsync: protocol version mismatch -- is your shell clean?'), 'rsync'), false);
  assert.equal(cannotConnect(r(null), 'ssh'), false);
  const spawnError = Object.assign(new Error('spawn ssh ENOENT'), { code: 'ENOENT' });
  assert.equal(cannotConnect({ code: null, signal: null, spawnError }, 'ssh'), false);
});

test('processOutcome with a tool: an again that cannot connect is marked unreachable; the table still decides', () => {
  const table = { ...RSYNC_EXIT_CODES };
  assert.deepEqual(processOutcome({ code: 255, signal: null }, table, WORDS, 'rsync'), { kind: 'again', reason: 'exit 255', unreachable: true });
  assert.deepEqual(processOutcome({ code: 23, signal: null }, table, WORDS, 'rsync'), { kind: 'again', reason: 'exit 23' });
  assert.deepEqual(processOutcome({ code: 255, signal: null }, table, WORDS), { kind: 'again', reason: 'exit 255' }, 'without a tool: no judgement');
  assert.deepEqual(processOutcome({ code: 255, signal: null }, { ...table, 255: 'die' }, WORDS, 'rsync'), { kind: 'die', reason: 'exit 255' });
});
