// A bounded backlog (src/engine/sync_runner.ts, docs/state.md "A long outage"), through the real
// binary with a state directory, real inotify, rsync and the loopback sshd behind a relay that can
// play dead (test/helpers/stuck_server.ts), for rsyncssh (connect() probes the target before the
// catch-up) and rsync over ssh (no probe: the catch-up runs when the backoff ends):
//   - while the target cannot be reached, a sync whose queue reaches maxBacklog drops it, shows
//     so in its status, and keeps nothing queued however many more changes arrive;
//   - when the target answers again, a catch-up from the state sends exactly what changed — new,
//     changed, deleted files and a moved directory, including changes made after the drop —
//     without a full transfer (a file planted on the target that the source never changed stays);
//   - a restart while the backlog is dropped catches up the same way;
//   - without state there is nothing to catch up from: the queue is kept whole.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { parseStatusJson, type StatusJsonV1 } from '../../src/status/render_json.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { sshTableVia, startSshd, type Sshd } from '../helpers/sshd.js';
import { stuckServer, type StuckServer } from '../helpers/stuck_server.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { startBin, type Running } from '../daemon/daemon_harness.js';

const MAX_BACKLOG = 40;
const SETTLED = /State: hub: settled/;
const DROPPED = /hub: \d+ changes queued while .* cannot take them \(maxBacklog 40\); dropping the queue/;

interface Rig {
  readonly src: string;
  readonly dst: string;
  readonly conf: string;
  readonly statusFile: string;
  readonly relay: StuckServer;
  readonly sshd: Sshd;
}

type Mode = 'rsyncssh' | 'rsync';

async function rig(t: TestContext, mode: Mode, state = true): Promise<Rig> {
  const sshd = await startSshd(t);
  const relay = await stuckServer(t);
  relay.forwardTo(sshd.port);
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  for (const d of ['a', 'b', 'c']) {
    mkdirSync(path.join(src, d));
    for (let f = 0; f < 5; f++) writeFileSync(path.join(src, d, `f${f}`), `${d}/f${f} v0\n`);
  }
  writeFileSync(path.join(src, 'untouched'), 'source\n');
  const ssh = sshTableVia(sshd, relay.port, root);
  const rsh = ['ssh', '-F', 'none', '-i', sshd.identityFile, '-p', String(relay.port), '-o', 'ConnectTimeout=1', ...Object.entries(ssh.options).flatMap(([k, v]) => ['-o', `${k}=${v}`])].join(' ');
  const target = mode === 'rsyncssh'
    ? { mode, host: `${sshd.user}@${sshd.host}`, targetdir: dst, ssh }
    : { mode, target: `${sshd.user}@${sshd.host}:${dst}`, rsync: { rsh } };
  const conf = path.join(root, 'c.json');
  const statusFile = path.join(root, 'status');
  writeFileSync(
    conf,
    JSON.stringify({
      settings: { ...(state ? { stateDir: path.join(root, 'state') } : {}), statusFile, statusInterval: 1, connectTimeout: 1 },
      sync: [{ ...target, name: 'hub', source: src, delay: 0, maxBacklog: MAX_BACKLOG }],
    }),
  );
  return { src, dst, conf, statusFile, relay, sshd };
}

/** The daemon is up, its first full transfer done and settled (a restart would catch up). */
async function started(t: TestContext, r: Rig): Promise<Running> {
  const d = startBin(t, ['run', r.conf, '--nodaemon', '--log', 'State']);
  await waitFor(() => SETTLED.test(d.output()), `settled\n${d.output()}`, 30_000);
  return d;
}

/** Kills the relay's links and waits until the daemon says the target is down, then drops the backlog. */
async function dropBacklog(r: Rig, d: Running): Promise<void> {
  r.relay.stall();
  writeFileSync(path.join(r.src, 'first'), 'first change while down\n');
  await waitFor(() => /hub: .*(target down|retrying in)/.test(d.output()), `the first failure\n${d.output()}`, 20_000);
  // Over maxBacklog: new files, changed ones, deletes, a moved directory.
  for (let i = 0; i < MAX_BACKLOG + 10; i++) writeFileSync(path.join(r.src, `new${i}`), `new ${i}\n`);
  for (let f = 0; f < 3; f++) writeFileSync(path.join(r.src, 'a', `f${f}`), `a/f${f} v1\n`);
  for (let f = 0; f < 2; f++) rmSync(path.join(r.src, 'b', `f${f}`));
  renameSync(path.join(r.src, 'c'), path.join(r.src, 'c-moved'));
  await waitFor(() => DROPPED.test(d.output()), `the backlog dropped\n${d.output()}`, 20_000);
}

function statusJson(r: Rig): StatusJsonV1 | undefined {
  try {
    const st = parseStatusJson(readFileSync(`${r.statusFile}.json`, 'utf8'));
    return 'error' in st ? undefined : st;
  } catch {
    return undefined;
  }
}

for (const mode of ['rsyncssh', 'rsync'] as const) {
test(`${mode}: a target down past maxBacklog: the queue is dropped and stays empty; when it answers, a catch-up from the state sends exactly what changed`, async (t) => {
  const r = await rig(t, mode);
  const d = await started(t, r);
  // Planted on the target only: a full transfer would put the source's content back.
  writeFileSync(path.join(r.dst, 'untouched'), 'planted on the target\n');
  await dropBacklog(r, d);

  // Changes after the drop are not queued either: the catch-up finds them in the source.
  for (let i = 0; i < 2 * MAX_BACKLOG; i++) writeFileSync(path.join(r.src, `late${i}`), `late ${i}\n`);
  rmSync(path.join(r.src, 'new0'));
  writeFileSync(path.join(r.src, 'a', 'f0'), 'a/f0 v2\n');
  await waitFor(() => {
    const s = statusJson(r)?.syncs[0];
    return s !== undefined && s.backlogDropped === true && (s.state === 'down' || s.state === 'retrying') && s.waiting === 0;
  }, `the status shows the dropped backlog and nothing queued\n${d.output()}`, 20_000);
  // The text file is written right after its JSON twin.
  await waitFor(() => /^Backlog: backlog over maxBacklog dropped; a catch-up from the state sends the changes once the target answers$/m.test(readFileSync(r.statusFile, 'utf8')), 'the text status shows it', 5_000);

  r.relay.forwardTo(r.sshd.port);
  await waitFor(() => /hub: catch-up: \d+ changes \(in place of the dropped backlog\)/.test(d.output()), `catch-up\n${d.output()}`, 30_000);
  await waitFor(() => compareTrees(r.src, r.dst, { modes: false, ignore: (p) => p === '/untouched' }).length === 0, `target matches\n${d.output()}`, 30_000);
  const out = d.output();
  assert.doesNotMatch(out.slice(out.search(DROPPED)), /recursive startup|full transfer in place|full \(/, 'no full transfer after the drop');
  assert.equal(readFileSync(path.join(r.dst, 'untouched'), 'utf8'), 'planted on the target\n', 'a path the source did not change was not transferred');
  if (mode === 'rsyncssh') assert.match(out, /Moving \/c\/ -> \/c-moved\//, 'the moved directory is one remote mv');
  await waitFor(() => statusJson(r)?.syncs[0]?.backlogDropped === false && statusJson(r)?.syncs[0]?.state === 'running', `the status is back to running\n${d.output()}`, 20_000);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143, d.output());
});
}

test('rsyncssh: a restart while the backlog is dropped catches up from the state', async (t) => {
  const r = await rig(t, 'rsyncssh');
  const d = await started(t, r);
  await dropBacklog(r, d);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143, d.output());
  writeFileSync(path.join(r.src, 'while-stopped'), 'while the daemon was stopped\n');

  r.relay.forwardTo(r.sshd.port);
  const again = startBin(t, ['run', r.conf, '--nodaemon']);
  await waitFor(() => /hub: catch-up: \d+ changes/.test(again.output()), `catch-up at start\n${again.output()}`, 30_000);
  await waitFor(() => compareTrees(r.src, r.dst, { modes: false }).length === 0, `target matches\n${again.output()}`, 30_000);
  assert.doesNotMatch(again.output(), /recursive startup|full init transfer/);
  again.child.kill('SIGTERM');
  assert.equal(await again.exited, 143, again.output());
});

test('rsyncssh without state: the queue is kept whole past maxBacklog, and sent once the target answers', async (t) => {
  const r = await rig(t, 'rsyncssh', false);
  const d = startBin(t, ['run', r.conf, '--nodaemon']);
  await waitFor(() => /Startup of .* finished\./.test(d.output()), `start-up\n${d.output()}`, 30_000);
  r.relay.stall();
  writeFileSync(path.join(r.src, 'first'), 'first change while down\n');
  await waitFor(() => /hub: .*target down/.test(d.output()), `target down\n${d.output()}`, 20_000);
  for (let i = 0; i < 2 * MAX_BACKLOG; i++) writeFileSync(path.join(r.src, `new${i}`), `new ${i}\n`);
  await waitFor(() => (statusJson(r)?.syncs[0]?.waiting ?? 0) > MAX_BACKLOG, `more than maxBacklog queued\n${d.output()}`, 20_000);
  assert.doesNotMatch(d.output(), /dropping the queue/);
  assert.equal(statusJson(r)?.syncs[0]?.backlogDropped, false);
  r.relay.forwardTo(r.sshd.port);
  await waitFor(() => compareTrees(r.src, r.dst, { modes: false }).length === 0, `target matches\n${d.output()}`, 30_000);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143, d.output());
});
