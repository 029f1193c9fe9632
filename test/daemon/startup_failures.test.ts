// A sync that cannot start ends the daemon with 255 and the reason on one line, in -nodaemon mode
// and through the daemonizing launcher: rsync.binary missing, no rsync on PATH, an init transfer
// that fails (target parent missing), rsyncssh to a closed port. With insist the sync retries
// with backoff instead (status "retrying") and converges once the cause is gone.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { findBinary } from '../../src/system/find_binary.js';
import { freePort } from '../helpers/free_port.js';
import { tempDir } from '../helpers/temp_tree.js';
import { killFromPidfileAfter, runBinSync, startBin, waitFor } from './daemon_harness.js';

interface Case {
  readonly name: string;
  /** The sync (source filled in), extra environment, and the reason's pattern. */
  readonly make: (dir: string) => Promise<{ sync: Record<string, unknown>; env?: NodeJS.ProcessEnv; reason: RegExp }>;
}

const cases: Case[] = [
  {
    name: 'rsync.binary that does not exist',
    make: async (dir) => ({
      sync: { mode: 'rsync', target: path.join(dir, 'dst'), rsync: { binary: '/nonexistent/rsync' } },
      reason: /\/nonexistent\/rsync not found: install rsync or set rsync\.binary/,
    }),
  },
  {
    name: 'no rsync on PATH',
    make: async (dir) => {
      const empty = path.join(dir, 'empty-bin');
      mkdirSync(empty);
      return { sync: { mode: 'direct', target: path.join(dir, 'dst') }, env: { PATH: empty }, reason: /rsync not found: install rsync/ };
    },
  },
  {
    name: 'init transfer to a target whose parent is missing',
    make: async (dir) => ({
      sync: { mode: 'rsync', target: path.join(dir, 'missing-parent', 'dst') },
      reason: /rsync exited with code 11: .*mkdir ".*missing-parent\/dst" failed: No such file or directory/,
    }),
  },
  {
    name: 'rsyncssh to a closed port',
    make: async (dir) => ({
      sync: { mode: 'rsyncssh', host: '127.0.0.1', targetdir: path.join(dir, 'dst'), ssh: { port: await freePort(), options: { BatchMode: true } } },
      reason: /127\.0\.0\.1.*Connection refused/,
    }),
  },
];

function writeConfig(t: TestContext, sync: Record<string, unknown>, settings: Record<string, unknown> = {}): { dir: string; config: string; src: string } {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'a'), 'a');
  const config = path.join(dir, 'lsyncd.json');
  writeFileSync(config, JSON.stringify({ settings, sync: [{ ...sync, source: src, delay: 0 }] }));
  return { dir, config, src };
}

for (const c of cases) {
  test(`start-up failure without insist, ${c.name}: exit 255 with the reason, -nodaemon and through the launcher`, { timeout: 60_000 }, async (t) => {
    const dir0 = tempDir(t);
    const { sync, env, reason } = await c.make(dir0);
    const { dir, config } = writeConfig(t, sync);
    const fg = runBinSync(['-nodaemon', config], env);
    assert.equal(fg.code, 255, fg.stdout + fg.stderr);
    const line = fg.stderr.split('\n').find((l) => /start-up failed/.test(l));
    assert.ok(line, fg.stderr);
    assert.match(line, /Error: sync\[1\]: start-up failed: /);
    assert.match(line, reason);
    assert.match(line, /set insist = true to keep retrying/);
    const pidfile = path.join(dir, 'pid');
    killFromPidfileAfter(t, pidfile);
    const launched = runBinSync(['-pidfile', pidfile, config], env);
    assert.equal(launched.code, 255, launched.stdout + launched.stderr);
    assert.match(launched.stderr, reason);
    assert.match(launched.stderr, /start-up failed/);
  });
}

test('start-up failure with insist: the sync retries with backoff (status "retrying"), then converges', { timeout: 60_000 }, async (t) => {
  const dir0 = tempDir(t);
  const target = path.join(dir0, 'missing-parent', 'dst');
  const statusFile = path.join(dir0, 'status');
  const { src } = writeConfig(t, { mode: 'rsync', target }, { insist: true, statusFile, statusInterval: 1 });
  const config = path.join(path.dirname(src), 'lsyncd.json');
  const d = startBin(t, ['-nodaemon', config]);
  const state = (): string | undefined => {
    try {
      return (JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as { syncs: { state: string }[] }).syncs[0]?.state;
    } catch {
      return undefined;
    }
  };
  await waitFor(() => state() === 'retrying', `retrying\n${d.output()}`);
  assert.match(d.output(), /rsync exited with code 11.*; retrying in \d+ s/);
  mkdirSync(path.dirname(target));
  await waitFor(() => existsSync(path.join(target, 'a')), `init transfer after the parent exists\n${d.output()}`);
  await waitFor(() => state() === 'running', 'running');
  assert.equal(d.child.exitCode, null);
});

test('start-up failure with insist, rsync.binary missing: retried with backoff until it exists', { timeout: 60_000 }, async (t) => {
  const dir0 = tempDir(t);
  const binary = path.join(dir0, 'bin', 'rsync');
  const target = path.join(dir0, 'dst');
  const { src } = writeConfig(t, { mode: 'rsync', target, rsync: { binary } }, { insist: true });
  const d = startBin(t, ['-nodaemon', path.join(path.dirname(src), 'lsyncd.json')]);
  await waitFor(() => /rsync not found: install rsync or set rsync\.binary to its path; retrying in \d+ s/.test(d.output()), `retrying\n${d.output()}`);
  mkdirSync(path.dirname(binary));
  symlinkSync(findBinary('rsync')!, binary);
  await waitFor(() => existsSync(path.join(target, 'a')), `init transfer once rsync exists\n${d.output()}`);
  assert.equal(d.child.exitCode, null);
});
