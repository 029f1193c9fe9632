// `lsyncd-ts release` against a real daemon (bin/lsyncd-ts run, real inotify, rsync mode to a
// local target): a real `rm -rf src/*` is held, `status` reports it (exit 1), `release` finds the
// daemon through its config (status file JSON → pid), signals it, confirms, and the deletes are
// applied; before the hold it says there is nothing to release (exit 1); an unknown sync name
// and a dead daemon are exit 2. The pidfile route sends the request without confirmation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { runBinSync, startBin, waitFor } from '../daemon/daemon_harness.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { tempDir } from '../helpers/temp_tree.js';

function tree(root: string): void {
  for (let d = 0; d < 5; d++) {
    mkdirSync(path.join(root, `d${d}`));
    for (let f = 0; f < 15; f++) writeFileSync(path.join(root, `d${d}`, `f${f}`), `${d}/${f}`);
  }
}

const heldIn = (statusFile: string): number | undefined => {
  try {
    const st = JSON.parse(readFileSync(`${statusFile}.json`, 'utf8')) as { syncs: { deleteHold: { deletes: number } | null }[] };
    return st.syncs[0]?.deleteHold?.deletes;
  } catch {
    return undefined;
  }
};

test('release: a real daemon holds rm -rf src/*, release CONFIG NAME applies the deletes', async (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  tree(src);
  const statusFile = path.join(dir, 'status');
  const pidfile = path.join(dir, 'pid');
  const config = path.join(dir, 'lsyncd-ts.json');
  writeFileSync(config, JSON.stringify({
    settings: { statusFile, statusInterval: 1, pidfile, nodaemon: true },
    sync: [{ name: 'www', mode: 'rsync', source: src, target: dst, delay: 0.5, rsync: { archive: true } }],
  }));
  const daemon = startBin(t, ['run', config]);
  await waitFor(() => compareTrees(src, dst).length === 0 && heldIn(statusFile) === undefined && readdirSync(dir).includes('status.json'), 'the init transfer and the status file');

  const none = runBinSync(['release', config]);
  assert.equal(none.code, 1, none.stdout + none.stderr);
  assert.match(none.stdout, /nothing to release/);

  assert.equal(spawnSync('sh', ['-c', 'rm -rf -- "$1"/*', 'sh', src]).status, 0);
  await waitFor(() => heldIn(statusFile) === 80, 'the hold in the status file', 30_000);
  assert.equal(readdirSync(dst).length, 5, 'nothing deleted on the target');
  await waitFor(() => /Warn: www: mass-delete guard: holding 80 deletes/.test(daemon.output()), 'the hold logged at the default level');

  const status = runBinSync(['status', config]);
  assert.equal(status.code, 1, 'a held sync is not healthy');
  assert.match(status.stdout, /www: held by the mass-delete guard/);

  const unknown = runBinSync(['release', config, 'nosuch']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no sync named "nosuch" — the daemon runs "www"/);

  const rel = runBinSync(['release', config, 'www']);
  assert.equal(rel.code, 0, rel.stdout + rel.stderr);
  assert.match(rel.stdout, /released www: 80 held deletes/);
  await waitFor(() => readdirSync(dst).length === 0, 'the deletes applied on the target');
  await waitFor(() => /USR2: release of www: www \(80 deletes\)/.test(daemon.output()), 'the daemon logged the release');
  assert.equal(runBinSync(['status', config]).code, 0, 'healthy again');

  // The pidfile route: sent without confirmation.
  const byPid = runBinSync(['release', pidfile]);
  assert.equal(byPid.code, 0, byPid.stderr);
  assert.match(byPid.stdout, /release requested from pid \d+/);
  await waitFor(() => /USR2: release of every held sync: nothing was held/.test(daemon.output()), 'the daemon got it');

  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 143);
  const dead = runBinSync(['release', pidfile]);
  assert.equal(dead.code, 2);
});
