// USR1 and HUP edge cases through the real binary: USR1 reopens the logfile after a
// logrotate-style rename (the old file gets no more lines, the new one does); HUP with
// command-line syncs (nothing to re-read) is logged and the daemon keeps mirroring.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { fileHas, startBin, waitFor } from './daemon_harness.js';

const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

test('USR1 reopens the logfile after logrotate renamed it', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  const logfile = path.join(root, 'lsyncd-ts.log');
  const d = startBin(t, ['-nodaemon', '-delay', '0', '-logfile', logfile, '-rsync', src, dst]);
  await waitFor(() => /Startup of .* finished/.test(read(logfile)), 'start-up lines in the logfile');
  renameSync(logfile, `${logfile}.1`);
  d.child.kill('SIGUSR1');
  await waitFor(() => /USR1: log reopened/.test(read(logfile)), 'the reopened logfile');
  writeFileSync(path.join(src, 'after-rotate'), 'x');
  await waitFor(() => fileHas(path.join(dst, 'after-rotate'), 'x'), 'mirroring after USR1');
  assert.equal(d.child.exitCode, null, 'USR1 must not stop the daemon (nor start the inspector)');
  assert.doesNotMatch(read(`${logfile}.1`), /USR1: log reopened/);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
  assert.match(read(logfile), /--- TERM signal, fading ---/);
});

test('HUP with command-line syncs: nothing to re-read, logged, mirroring goes on', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  const d = startBin(t, ['-nodaemon', '-delay', '0', '-rsync', src, dst]);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up');
  d.child.kill('SIGHUP');
  await waitFor(() => /HUP signal: the syncs come from the command line; nothing to re-read/.test(d.output()), 'the HUP line');
  writeFileSync(path.join(src, 'after-hup'), 'x');
  await waitFor(() => fileHas(path.join(dst, 'after-hup'), 'x'), 'mirroring after HUP');
  assert.equal(d.count(/recursive startup rsync/), 1, 'no resync');
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
});
