// createLog: destinations as lsyncd chooses them, console streams, categories through the service
// log, JSON console lines, syslog priorities (through a recording SyslogApi; real delivery is in
// syslog_delivery.test.ts), configuration errors, and the repeat guard.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { CategoryError, FacilityError, LogfileError, createLog, type LogSettings } from '../../src/log/create_log.js';
import type { SyslogApi } from '../../src/log/syslog_sink.js';
import { tempDir } from '../helpers/temp_tree.js';

const t0 = new Date(2026, 10, 25, 2, 19, 48);
const base: LogSettings = { logfile: undefined, logfacility: 'user', logident: 'lsyncd', nodaemon: false, logFormat: 'text' };

function sinks(): { stdout: { write(s: string): void }; stderr: { write(s: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) } };
}

function recordingSyslog(): SyslogApi & { opened: [string, number][]; lines: [number, string][] } {
  const opened: [string, number][] = [];
  const lines: [number, string][] = [];
  return { opened, lines, open: (i, f) => void opened.push([i, f]), write: (p, m) => void lines.push([p, m]) };
}

test('foreground: console lines, Error on stderr, Warn on stdout', async () => {
  const s = sinks();
  const log = createLog({ settings: base, categories: [], foreground: true, now: () => t0, ...s });
  assert.deepEqual(log.destinations, ['console']);
  log.normal('--- Startup ---');
  log.warn('careful');
  log.error('broken');
  log.debug('Exec', 'hidden');
  await log.close();
  assert.deepEqual(s.out, ['02:19:48 Normal: --- Startup ---\n', '02:19:48 Warn: careful\n']);
  assert.deepEqual(s.err, ['02:19:48 Error: broken\n']);
});

test('-log Exec / scarce / all through the service log; enabled() agrees', async () => {
  const s = sinks();
  const log = createLog({ settings: base, categories: ['Exec'], foreground: true, now: () => t0, ...s });
  log.debug('Exec', '/usr/bin/rsync');
  log.debug('Delay', 'hidden');
  assert.equal(log.enabled('Exec'), true);
  assert.equal(log.enabled('Delay'), false);
  await log.close();
  assert.deepEqual(s.out, ['02:19:48 Exec: /usr/bin/rsync\n']);

  const q = sinks();
  const scarce = createLog({ settings: base, categories: ['scarce'], foreground: true, now: () => t0, ...q });
  scarce.normal('quiet');
  scarce.warn('loud');
  assert.equal(scarce.enabled('Normal'), false);
  await scarce.close();
  assert.deepEqual(q.out, ['02:19:48 Warn: loud\n']);

  const a = sinks();
  const all = createLog({ settings: base, categories: ['all'], foreground: true, now: () => t0, ...a });
  all.debug('Masterloop', 'tick');
  all.debug('Whatever', 'x');
  await all.close();
  assert.deepEqual(a.out, ['02:19:48 Masterloop: tick\n', '02:19:48 Whatever: x\n']);
});

test('an unknown -log name is accepted as lsyncd does, with a warning', async () => {
  const s = sinks();
  const log = createLog({ settings: base, categories: ['Exce'], foreground: true, now: () => t0, ...s });
  await log.close();
  assert.equal(s.out.length, 1);
  assert.match(s.out[0]!, /^02:19:48 Warn: -log Exce: not a built-in logging category/);
});

test('logFormat json: console lines are JSON, sync tagged through forSync', async () => {
  const s = sinks();
  const log = createLog({ settings: { ...base, logFormat: 'json' }, categories: [], foreground: true, now: () => t0, ...s });
  log.forSync('home').normal('Finished a list after exitcode: 0');
  log.error('bad');
  await log.close();
  assert.deepEqual(JSON.parse(s.out[0]!), {
    time: t0.toISOString(),
    level: 'info',
    category: 'Normal',
    message: 'Finished a list after exitcode: 0',
    sync: 'home',
  });
  assert.deepEqual(JSON.parse(s.err[0]!), { time: t0.toISOString(), level: 'error', category: 'Error', message: 'bad' });
});

test('daemon without logfile: syslog with ident, facility and lsyncd priorities; `Cat, msg`', async () => {
  const sys = recordingSyslog();
  const log = createLog({
    settings: { ...base, logfacility: 'LOCAL3', logident: 'mirror' },
    categories: ['Exec'],
    foreground: false,
    syslog: sys,
  });
  assert.deepEqual(log.destinations, ['syslog']);
  log.normal('n');
  log.warn('w');
  log.error('e');
  log.debug('Exec', 'x');
  await log.close();
  const local3 = 19 << 3;
  assert.deepEqual(sys.opened, [['mirror', local3]]);
  assert.deepEqual(sys.lines, [
    [local3 | 5, 'Normal, n'],
    [local3 | 4, 'Warn, w'],
    [local3 | 3, 'Error, e'],
    [local3 | 7, 'Exec, x'],
  ]);
});

test('numeric logfacility is the raw value, as lsyncd passes it to openlog', async () => {
  const sys = recordingSyslog();
  const log = createLog({ settings: { ...base, logfacility: 24 }, categories: [], foreground: false, syslog: sys });
  await log.close();
  assert.deepEqual(sys.opened, [['lsyncd', 24]]);
});

test('daemon with logfile: logfile only; foreground with logfile: console and logfile', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'l.log');
  const sys = recordingSyslog();
  const d = createLog({ settings: { ...base, logfile: file }, categories: [], foreground: false, syslog: sys, now: () => t0 });
  assert.deepEqual(d.destinations, ['logfile']);
  d.normal('daemon');
  await d.close();
  assert.deepEqual(sys.lines, []);

  const s = sinks();
  const f = createLog({ settings: { ...base, logfile: file }, categories: [], foreground: true, now: () => t0, ...s });
  assert.deepEqual(f.destinations, ['console', 'logfile']);
  f.normal('both');
  await f.close();
  assert.deepEqual(s.out, ['02:19:48 Normal: both\n']);
  assert.equal(
    readFileSync(file, 'utf8'),
    'Wed Nov 25 02:19:48 2026 Normal: daemon\nWed Nov 25 02:19:48 2026 Normal: both\n',
  );
});

test("configuration errors carry lsyncd's wording", (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => createLog({ settings: base, categories: ['exec'], foreground: true }),
    (e: unknown) => e instanceof CategoryError && e.message === "'exec' is not a valid logging category",
  );
  for (const f of ['nosuch', 7, 1000]) {
    assert.throws(
      () => createLog({ settings: { ...base, logfacility: f }, categories: [], foreground: true }),
      (e: unknown) => e instanceof FacilityError && e.message === `Logging facility '${f}' unknown.`,
    );
  }
  const missing = path.join(dir, 'no', 'such', 'l.log');
  assert.throws(
    () => createLog({ settings: { ...base, logfile: missing }, categories: [], foreground: true }),
    (e: unknown) =>
      e instanceof LogfileError &&
      e.code === 'ENOENT' &&
      e.message ===
        `cannot open logfile ${missing}: directory ${path.dirname(missing)} does not exist; create it or set logfile to a path in an existing directory`,
  );
  assert.throws(
    () => createLog({ settings: { ...base, logfile: dir }, categories: [], foreground: true }),
    (e: unknown) => e instanceof LogfileError && e.code === 'EISDIR' && !e.message.includes('\n') && e.message.includes(dir),
  );
});

test('lines after close() are dropped, close() twice is harmless', async () => {
  const s = sinks();
  const log = createLog({ settings: base, categories: [], foreground: true, now: () => t0, ...s });
  await log.close();
  log.normal('late');
  await log.close();
  assert.deepEqual(s.out, []);
});

test('repeat guard: identical consecutive lines collapse; count written on change, close, or timer', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const s = sinks();
  const log = createLog({ settings: base, categories: [], foreground: true, now: () => t0, repeatFlushMs: 30_000, ...s });
  for (let i = 0; i < 5; i++) log.normal('waiting for 3 more child processes.');
  log.normal('other');
  log.normal('other'); // a single repeat is written as itself
  log.warn('other'); // another category is another line
  for (let i = 0; i < 4; i++) log.error('flood');
  t.mock.timers.tick(30_000); // timer flushes the pending count
  log.error('flood'); // the flood goes on: still suppressed
  log.error('flood');
  await log.close(); // close flushes the rest
  assert.deepEqual(s.out, [
    '02:19:48 Normal: waiting for 3 more child processes.\n',
    '02:19:48 Normal: last message repeated 4 times\n',
    '02:19:48 Normal: other\n',
    '02:19:48 Normal: other\n',
    '02:19:48 Warn: other\n',
  ]);
  assert.deepEqual(s.err, [
    '02:19:48 Error: flood\n',
    '02:19:48 Error: last message repeated 3 times\n',
    '02:19:48 Error: last message repeated 2 times\n',
  ]);

  const n = sinks();
  const off = createLog({ settings: base, categories: [], foreground: true, now: () => t0, collapseRepeats: false, ...n });
  off.normal('x');
  off.normal('x');
  await off.close();
  assert.equal(n.out.length, 2);
});
