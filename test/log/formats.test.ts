// formats.ts: lsyncd's exact line formats per destination (docs/lsyncd-compat.md#logging) and JSON lines,
// with fixed dates (built in local time, as lsyncd formats local time).
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  MESSAGE,
  ctimeString,
  formatConfigPhase,
  formatConsole,
  formatJson,
  formatLogfile,
  formatSyslog,
  levelOf,
  toInfo,
  winstonFormat,
  type LogRecord,
} from '../../src/log/formats.js';

const t0 = new Date(2026, 10, 25, 2, 19, 48); // Wed Nov 25 02:19:48 2026, local
const rec = (category: string, message: string, sync?: string): LogRecord => ({
  time: t0,
  level: levelOf(category),
  category,
  message,
  sync,
});

test('text formats match lsyncd line for line', () => {
  assert.equal(formatConfigPhase(rec('Error', 'no such file')), 'Error: no such file');
  assert.equal(formatConsole(rec('Normal', '--- Startup ---')), '02:19:48 Normal: --- Startup ---');
  assert.equal(formatLogfile(rec('Normal', '--- Startup ---')), 'Wed Nov 25 02:19:48 2026 Normal: --- Startup ---');
  assert.equal(formatSyslog(rec('Exec', '/usr/bin/rsync -a')), 'Exec, /usr/bin/rsync -a');
  // multi-line messages (filter lists) stay as lsyncd writes them
  assert.equal(
    formatLogfile(rec('Normal', 'Calling rsync with filter-list of new/modified files/dirs\n/a\n/')),
    'Wed Nov 25 02:19:48 2026 Normal: Calling rsync with filter-list of new/modified files/dirs\n/a\n/',
  );
});

test('ctime pads the day of month with a space and the clock with zeros', () => {
  assert.equal(ctimeString(new Date(2026, 10, 5, 7, 3, 9)), 'Thu Nov  5 07:03:09 2026');
  assert.equal(ctimeString(new Date(2027, 0, 1, 0, 0, 0)), 'Fri Jan  1 00:00:00 2027');
  assert.equal(formatConsole({ ...rec('Warn', 'x'), time: new Date(2026, 0, 1, 9, 5, 7) }), '09:05:07 Warn: x');
});

test('levels: Error/Warn/Normal and every debug category', () => {
  assert.deepEqual(
    ['Error', 'Warn', 'Normal', 'Exec', 'Delay', 'Inotify'].map(levelOf),
    ['error', 'warn', 'info', 'debug', 'debug', 'debug'],
  );
});

test('JSON lines: one object per line, newlines escaped, sync only when known', () => {
  const time = new Date(Date.UTC(2026, 10, 25, 2, 19, 48, 123));
  const line = formatJson({ time, level: 'info', category: 'Normal', message: 'a\nb "q"', sync: 'home' });
  assert.equal(line.includes('\n'), false);
  assert.equal(
    line,
    '{"time":"2026-11-25T02:19:48.123Z","level":"info","category":"Normal","message":"a\\nb \\"q\\"","sync":"home"}',
  );
  assert.deepEqual(JSON.parse(formatJson({ time, level: 'error', category: 'Error', message: 'x' })), {
    time: '2026-11-25T02:19:48.123Z',
    level: 'error',
    category: 'Error',
    message: 'x',
  });
});

test('winston formats put the rendered line in info[MESSAGE]', () => {
  const out = winstonFormat('logfile').transform(toInfo(rec('Delay', 'Create /a')));
  assert.ok(out && typeof out === 'object');
  assert.equal(out[MESSAGE], 'Wed Nov 25 02:19:48 2026 Delay: Create /a');
  const sys = winstonFormat('syslog').transform(toInfo(rec('Warn', 'w')));
  assert.ok(sys && typeof sys === 'object');
  assert.equal(sys[MESSAGE], 'Warn, w');
});
