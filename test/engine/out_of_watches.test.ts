// Out of inotify watches, with the real kernel limit: at start-up the daemon exits 255 with the
// fix (the launcher too), unless `insist` lets it start degraded; at run time a directory that
// cannot be watched makes the sync degraded (status JSON, text, /healthz 503, metrics), and once
// the limit is raised its watch is set and its content synced.
//
// The limit is lowered only inside a user namespace (`unshare -U -r`, /proc/sys/user/
// max_inotify_watches): it is per namespace and hierarchical, so other processes on the machine
// keep theirs. The daemon runs inside it (bin/lsyncd-ts); the test raises the namespace's limit
// from outside with nsenter.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { BIN } from '../cli/run_bin.js';
import { freePort } from '../helpers/free_port.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

interface Daemon {
  readonly pid: number;
  output(): string;
  readonly exited: Promise<number | null>;
}

/**
 * Daemons of one test, killed (and waited for) when it ends. Created first thing in a test, so
 * that this runs before the temp directories are removed (after-hooks run in order).
 */
function daemons(t: TestContext): Set<ChildProcess> {
  const running = new Set<ChildProcess>();
  t.after(async () => {
    for (const c of running) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
  });
  return running;
}

/** bin/lsyncd-ts `args` in a new user namespace whose watch limit is `limit`. */
function startInNamespace(running: Set<ChildProcess>, limit: number, args: readonly string[]): Daemon {
  const child = spawn(
    'unshare',
    ['-U', '-r', 'sh', '-c', `echo ${limit} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`, process.execPath, BIN, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  running.add(child);
  return { pid: child.pid!, output: () => out, exited };
}

/** Sets the watch limit of `pid`'s user namespace (from outside, through nsenter). */
function setNamespaceLimit(pid: number, limit: number): void {
  const r = spawnSync('nsenter', ['--user', `--target=${pid}`, 'sh', '-c', `echo ${limit} > /proc/sys/user/max_inotify_watches`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function getHealth(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function getMetrics(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

interface SyncJson {
  state: string;
  unwatchedDirs: number;
  reason: string;
  waiting: number;
  running: number;
}

function statusOf(statusFile: string): SyncJson | undefined {
  try {
    return (JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as { syncs: SyncJson[] }).syncs[0];
  } catch {
    return undefined;
  }
}

/** A source with `dirs` subdirectories, an empty target, and a JSON config. */
function setup(t: TestContext, dirs: number, settings: Record<string, unknown>): { src: string; dst: string; config: string; statusFile: string } {
  const base = tempDir(t);
  const src = path.join(base, 'src');
  const dst = path.join(base, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  for (let i = 0; i < dirs; i++) mkdirSync(path.join(src, `d${i}`));
  const statusFile = path.join(base, 'status');
  const config = path.join(base, 'lsyncd.json');
  writeFileSync(
    config,
    JSON.stringify({
      settings: { statusFile, statusInterval: 0, ...settings },
      sync: [{ mode: 'rsync', source: src, target: dst, delay: 0 }],
    }),
  );
  return { src, dst, config, statusFile };
}

test('start-up out of watches: exit 255 with the sysctl and the helper command, in -nodaemon and through the launcher', { timeout: 90_000 }, async (t) => {
  const running = daemons(t);
  const { config } = setup(t, 10, {});
  for (const args of [['-nodaemon', config], [config]]) {
    const d = startInNamespace(running, 5, args);
    const code = await d.exited;
    assert.equal(code, 255, d.output());
    const line = d.output().split('\n').find((l) => /Terminating since out of inotify watches/.test(l));
    assert.ok(line, d.output());
    assert.match(line, /fs\.inotify\.max_user_watches needs at least 11, it is 5/);
    assert.ok(line.includes(`lsyncd-ts sysctl --apply ${config}`), line);
  }
});

test('start-up out of watches with insist: starts degraded, /healthz 503, then heals when the limit is raised', { timeout: 90_000 }, async (t) => {
  const running = daemons(t);
  const port = await freePort();
  const { src, dst, config, statusFile } = setup(t, 10, { insist: true, nodaemon: true, metrics: `127.0.0.1:${port}` });
  writeFileSync(path.join(src, 'd9', 'f'), 'in an unwatched directory');
  const d = startInNamespace(running, 5, [config]);
  // root + 4 directories are watched; the other 6 are not.
  await waitFor(() => statusOf(statusFile)?.state === 'degraded', `degraded state\n${d.output()}`);
  assert.equal(statusOf(statusFile)!.unwatchedDirs, 6);
  const h = await getHealth(port);
  assert.equal(h.status, 503);
  assert.match(h.body, /degraded: 6 directories not watched/);
  assert.match(await getMetrics(port), /^lsyncd_ts_sync_unwatched_directories\{sync="sync\[1\]"\} 6$/m);
  setNamespaceLimit(d.pid, 1000);
  await waitFor(() => statusOf(statusFile)?.state === 'running', `running state\n${d.output()}`);
  assert.equal(statusOf(statusFile)!.unwatchedDirs, 0);
  assert.equal((await getHealth(port)).status, 200);
  // Every directory is watched now: a new file in a formerly unwatched one syncs.
  writeFileSync(path.join(src, 'd8', 'g'), 'after the watch');
  await waitFor(() => existsSync(path.join(dst, 'd8', 'g')), 'd8/g on the target');
  assert.equal(readFileSync(path.join(dst, 'd9', 'f'), 'utf8'), 'in an unwatched directory');
});

test('run time out of watches: degraded with the count, then watched, resynced and healthy once the limit is raised', { timeout: 90_000 }, async (t) => {
  const running = daemons(t);
  const port = await freePort();
  const { src, dst, config, statusFile } = setup(t, 3, { nodaemon: true, metrics: `127.0.0.1:${port}` });
  const d = startInNamespace(running, 5, [config]); // root + 3 directories + 1 to spare
  await waitFor(() => statusOf(statusFile)?.state === 'running' && existsSync(path.join(dst, 'd2')), `init transfer\n${d.output()}`);
  for (const n of ['n0', 'n1', 'n2', 'n3']) mkdirSync(path.join(src, n));
  await waitFor(() => statusOf(statusFile)?.state === 'degraded' && statusOf(statusFile)?.unwatchedDirs === 3, `3 unwatched\n${d.output()}`);
  const h = await getHealth(port);
  assert.equal(h.status, 503);
  assert.match(h.body, /sync\[1\]: degraded: 3 directories not watched \(out of inotify watches/);
  // The JSON twin is written just before the text file: wait for the text to catch up.
  await waitFor(() => /^State: degraded$/m.test(readFileSync(statusFile, 'utf8')), 'text status says degraded');
  assert.match(readFileSync(statusFile, 'utf8'), /^Not watched: 3 directories/m);
  // One of the four got the spare watch: its file syncs; the others produce no events.
  const names = ['n0', 'n1', 'n2', 'n3'];
  for (const n of names) writeFileSync(path.join(src, n, 'f'), n);
  const synced = (): string[] => names.filter((n) => existsSync(path.join(dst, n, 'f')));
  await waitFor(() => synced().length === 1, 'the watched one syncs');
  setNamespaceLimit(d.pid, 1000);
  await waitFor(() => statusOf(statusFile)?.state === 'running', `healthy again\n${d.output()}`);
  for (const n of names) {
    await waitFor(() => existsSync(path.join(dst, n, 'f')), `${n}/f resynced`);
    assert.equal(readFileSync(path.join(dst, n, 'f'), 'utf8'), n);
  }
  // Only the subtrees were resynced, not the whole tree: one full transfer (the init) in the log.
  assert.equal(d.output().split('\n').filter((l) => /full \(|recursive startup/.test(l)).length, 1, d.output());
  writeFileSync(path.join(src, 'n2', 'g'), 'watched now');
  await waitFor(() => existsSync(path.join(dst, 'n2', 'g')), 'n2/g synced by its own event');
  assert.equal((await getHealth(port)).status, 200);
});

test('insist when not even the source root can be watched: degraded, init transfer runs, the root is watched and resynced once the limit is raised', { timeout: 90_000 }, async (t) => {
  const running = daemons(t);
  const { src, dst, config, statusFile } = setup(t, 2, { insist: true, nodaemon: true });
  writeFileSync(path.join(src, 'd0', 'before'), 'x');
  const d = startInNamespace(running, 0, [config]);
  await waitFor(() => statusOf(statusFile)?.state === 'degraded' && existsSync(path.join(dst, 'd0', 'before')), `degraded, init done\n${d.output()}`);
  assert.equal(statusOf(statusFile)!.unwatchedDirs, 1);
  writeFileSync(path.join(src, 'd1', 'unseen'), 'y');
  setNamespaceLimit(d.pid, 1000);
  await waitFor(() => existsSync(path.join(dst, 'd1', 'unseen')), `resynced once the root is watched\n${d.output()}`);
  await waitFor(() => statusOf(statusFile)?.state === 'running', 'running');
  writeFileSync(path.join(src, 'd1', 'after'), 'z');
  await waitFor(() => existsSync(path.join(dst, 'd1', 'after')), 'a change after the watch is set');
});
