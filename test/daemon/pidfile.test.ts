// Pidfile through the real binary : written in nodaemon mode too
// (lsyncd#438), removed on TERM and after a failed start-up, a live one refuses a second
// instance naming the pid and the file, a stale one (dead pid, or a pid reused by another
// program) is replaced, a file that is not a pidfile is refused and left alone, and of several
// instances started at once exactly one survives.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { alive, fileHas, pidIn, runBinSync, startBin, waitFor } from './daemon_harness.js';

function dirs(t: test.TestContext): { src: string; dst: string; pidfile: string } {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  return { src, dst, pidfile: path.join(root, 'run', 'lsyncd-ts.pid') };
}

test('nodaemon writes the pidfile with its own pid and removes it on TERM', async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  writeFileSync(path.join(src, 'a'), 'a');
  const d = startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'the init transfer');
  assert.equal(pidIn(pidfile), d.child.pid);
  assert.ok(fileHas(path.join(dst, 'a'), 'a'));
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
  assert.equal(existsSync(pidfile), false, 'pidfile removed on exit');
});

test('a second instance is refused while the first runs; the first keeps its pidfile', async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  const first = startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]);
  await waitFor(() => /Startup of .* finished/.test(first.output()), 'the first instance');
  const second = startBin(t, ['-nodaemon', '-pidfile', pidfile, '-rsync', src, dst]);
  assert.equal(await second.exited, 255);
  const line = second.stderr().trim().split('\n').at(-1)!;
  assert.match(line, new RegExp(`Error: lsyncd-ts is already running as pid ${first.child.pid} \\(pidfile ${pidfile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
  assert.equal(pidIn(pidfile), first.child.pid, 'the refused instance must not touch the pidfile');
  assert.equal(first.child.exitCode, null);
  first.child.kill('SIGINT');
  assert.equal(await first.exited, 130);
  assert.equal(existsSync(pidfile), false);
});

test('a stale pidfile (dead pid, or a live pid that is not lsyncd-ts) is replaced', async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(!alive(deadPid));
  for (const stale of [deadPid, process.pid]) {
    writeFileSync(pidfile, `${stale}\n`);
    const d = startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]);
    await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up over a stale pidfile');
    assert.equal(pidIn(pidfile), d.child.pid);
    assert.match(d.output(), new RegExp(`replaced stale pidfile .*\\(pid ${stale} is not a running lsyncd-ts\\)`));
    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 143);
    assert.equal(existsSync(pidfile), false);
  }
});

test('a file that is not a pidfile is refused naming the path and the fix, and is never overwritten or removed', { timeout: 90_000 }, async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  const escaped = pidfile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const refusal = new RegExp(`Error: pidfile ${escaped} exists and is not a pidfile \\(it holds something other than a process id\\) — point the pidfile setting \\(-pidfile\\) at another path, or remove the file if it is a leftover`);
  for (const content of ['my notes\n', '123\n456\n', 'pid=42\n', '#!/bin/sh\nexit 0\n']) {
    writeFileSync(pidfile, content);
    const d = startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]);
    assert.equal(await d.exited, 255, JSON.stringify(content));
    assert.match(d.stderr(), refusal);
    assert.equal(readFileSync(pidfile, 'utf8'), content, 'left exactly as it was');
  }
  // settings.pidfile in a config, through the daemonizing launcher: the same refusal, non-zero.
  const cfg = path.join(path.dirname(pidfile), 'c.json');
  writeFileSync(cfg, JSON.stringify({ settings: { pidfile }, sync: [{ mode: 'rsync', source: src, target: dst }] }));
  writeFileSync(pidfile, 'do not delete\n');
  const r = runBinSync([cfg]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, refusal);
  assert.equal(readFileSync(pidfile, 'utf8'), 'do not delete\n');
  // An empty file is a leftover pidfile: replaced, then removed at exit.
  writeFileSync(pidfile, '');
  const d = startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up over an empty pidfile');
  assert.equal(pidIn(pidfile), d.child.pid);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
  assert.equal(existsSync(pidfile), false);
});

test('a failed start-up removes the pidfile it wrote', async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  const d = startBin(t, ['-nodaemon', '-pidfile', pidfile, '-rsync', path.join(src, 'missing'), dst]);
  assert.equal(await d.exited, 255);
  assert.match(d.stderr(), /Cannot access source directory/);
  assert.equal(existsSync(pidfile), false);
});

test('several instances started at once on one pidfile: exactly one keeps running', async (t) => {
  const { src, dst, pidfile } = dirs(t);
  mkdirSync(path.dirname(pidfile));
  writeFileSync(pidfile, '999999999\n'); // stale too: the racers also race on replacing it
  const all = Array.from({ length: 4 }, () => startBin(t, ['-nodaemon', '-delay', '0', '-pidfile', pidfile, '-rsync', src, dst]));
  const codes = new Map<number, number | null>();
  for (const [i, r] of all.entries()) void r.exited.then((c) => codes.set(i, c));
  await waitFor(() => codes.size === 3, 'three instances refused', 60_000);
  assert.deepEqual([...codes.values()], [255, 255, 255]);
  const winner = all.find((_, i) => !codes.has(i))!;
  await waitFor(() => /Startup of .* finished/.test(winner.output()), 'the winner to start');
  assert.equal(pidIn(pidfile), winner.child.pid);
  for (const [i, r] of all.entries()) if (codes.has(i)) assert.match(r.stderr(), /already running as pid \d+ \(pidfile /);
  winner.child.kill('SIGTERM');
  assert.equal(await winner.exited, 143);
  assert.equal(existsSync(pidfile), false);
});
