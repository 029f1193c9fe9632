// The logfile: append across restarts, logrotate's rename + reopen (SIGUSR1), a rename or removal
// noticed without any signal (inode check, at most once per interval, driven by an injected clock),
// a failed reopen keeping the old file, JSON lines.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { createLog, type LogSettings } from '../../src/log/create_log.js';
import { tempDir } from '../helpers/temp_tree.js';

const t0 = new Date(2026, 10, 25, 2, 19, 48);
const L = (msg: string, cat = 'Normal'): string => `Wed Nov 25 02:19:48 2026 ${cat}: ${msg}\n`;
const settings = (logfile: string, logFormat: 'text' | 'json' = 'text'): LogSettings => ({
  logfile,
  logfacility: 'user',
  logident: 'lsyncd',
  nodaemon: false,
  logFormat,
});

/** A clock the test moves by hand; Date values all format as t0 in text lines. */
function manualClock(): { now: () => Date; advance(ms: number): void } {
  let ms = t0.getTime();
  return { now: () => new Date(ms), advance: (d) => void (ms += d) };
}

test('appends across restarts', async (t) => {
  const file = path.join(tempDir(t), 'lsyncd.log');
  for (const run of ['first', 'second']) {
    const log = createLog({ settings: settings(file), categories: [], foreground: false, now: () => t0 });
    log.normal(`--- Startup --- ${run}`);
    log.error(`boom ${run}`);
    await log.close();
  }
  assert.equal(
    readFileSync(file, 'utf8'),
    L('--- Startup --- first') + L('boom first', 'Error') + L('--- Startup --- second') + L('boom second', 'Error'),
  );
});

test('logrotate: rename then reopen() — old file keeps old lines, new file gets new ones', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'lsyncd.log');
  const log = createLog({ settings: settings(file), categories: [], foreground: false, now: () => t0, rotationCheckMs: 3_600_000 });
  log.normal('before');
  renameSync(file, `${file}.1`);
  log.normal('after rename, before reopen'); // no check due yet: still the renamed file
  log.reopen();
  log.normal('after reopen');
  await log.close();
  assert.equal(readFileSync(`${file}.1`, 'utf8'), L('before') + L('after rename, before reopen'));
  assert.equal(readFileSync(file, 'utf8'), L('after reopen'));
});

test('rename without reopen is noticed on the next write once the check interval has passed', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'lsyncd.log');
  const clock = manualClock();
  const log = createLog({ settings: settings(file), categories: [], foreground: false, now: clock.now, rotationCheckMs: 1000 });
  log.normal('one');
  renameSync(file, `${file}.1`);
  clock.advance(999);
  log.normal('two'); // within the interval: not checked yet
  clock.advance(1);
  log.normal('three'); // checked: moved away → reopened
  log.normal('four');
  await log.close();
  assert.equal(readFileSync(`${file}.1`, 'utf8').replace(/^\S+ \S+ +\S+ \S+ \S+ /gm, ''), 'Normal: one\nNormal: two\n');
  assert.equal(readFileSync(file, 'utf8').replace(/^\S+ \S+ +\S+ \S+ \S+ /gm, ''), 'Normal: three\nNormal: four\n');
});

test('a removed logfile (logrotate without copy) is recreated', async (t) => {
  const file = path.join(tempDir(t), 'lsyncd.log');
  const clock = manualClock();
  const log = createLog({ settings: settings(file), categories: [], foreground: false, now: clock.now, rotationCheckMs: 1000 });
  log.normal('one');
  unlinkSync(file);
  clock.advance(1000);
  log.normal('two');
  await log.close();
  assert.match(readFileSync(file, 'utf8'), /^.* Normal: two\n$/);
});

test('reopen() that cannot open the path keeps the old file and says why, in it', async (t) => {
  const dir = tempDir(t);
  const sub = path.join(dir, 'logs');
  mkdirSync(sub);
  const file = path.join(sub, 'lsyncd.log');
  const log = createLog({ settings: settings(file), categories: [], foreground: false, now: () => t0, rotationCheckMs: 3_600_000 });
  log.normal('before');
  const moved = path.join(dir, 'moved.log');
  renameSync(file, moved);
  rmSync(sub, { recursive: true });
  log.reopen(); // must not throw
  log.normal('after');
  await log.close();
  assert.equal(existsSync(file), false);
  assert.equal(
    readFileSync(moved, 'utf8'),
    L('before') +
      L(
        `cannot open logfile ${file}: directory ${sub} does not exist; create it or set logfile to a path in an existing directory; still writing to the old file`,
        'Error',
      ) +
      L('after'),
  );
});

test('logFormat json: every logfile line parses as one record', async (t) => {
  const file = path.join(tempDir(t), 'lsyncd.json');
  const log = createLog({ settings: settings(file, 'json'), categories: ['Exec'], foreground: false, now: () => t0 });
  log.normal('Calling rsync with filter-list of new/modified files/dirs\n/a\n/b');
  log.forSync('www').debug('Exec', '/usr/bin/rsync -lts');
  log.warn('w');
  await log.close();
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as unknown),
    [
      { time: t0.toISOString(), level: 'info', category: 'Normal', message: 'Calling rsync with filter-list of new/modified files/dirs\n/a\n/b' },
      { time: t0.toISOString(), level: 'debug', category: 'Exec', message: '/usr/bin/rsync -lts', sync: 'www' },
      { time: t0.toISOString(), level: 'warn', category: 'Warn', message: 'w' },
    ],
  );
});

test('many lines go through in order (the logfile stays open)', async (t) => {
  const file = path.join(tempDir(t), 'lsyncd.log');
  const log = createLog({ settings: settings(file), categories: [], foreground: false, now: () => t0 });
  for (let i = 0; i < 2000; i++) log.normal(`line ${i}`);
  await log.close();
  const got = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  assert.equal(got.length, 2000);
  assert.equal(got[1999], L('line 1999').trimEnd());
});
