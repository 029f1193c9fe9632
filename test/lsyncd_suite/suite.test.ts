// lsyncd's own test suite (vendor/tests/, unchanged upstream scripts) against lsyncd-ts through
// the ./lsyncd shim: each script makes real trees under /tmp, starts `./lsyncd` with a config
// file or lsyncd's command line, changes files (churn-*: hundreds of random creates, moves and
// deletes with pauses), kills the daemon and compares the trees with diff / stat. A script passes
// by exiting 0 — its own verdict, nothing is re-judged here.
//
// The rsyncssh scripts log in to `localhost` port 2468 with tests/ssh/id_rsa (the suite's fixed
// layout): a loopback sshd (test/helpers/sshd.ts) is started on that port and its client key is
// put there.
//
// cron-rsync.lua (lsyncd 2.3's crontab, with a Lua action that lets only the crontab's Full
// events through) empties the source and expects the next full sync to empty the target. That is
// exactly what lsyncd-ts's mass-delete guard holds back (a full transfer from an empty source
// would wipe the target; README "Mass-delete guard"), so its config gets `deleteGuard = false` in
// the run's own copy of the script; the vendored file stays as upstream wrote it.
//
// LSYNCD_SUITE_DAEMON=/usr/bin/lsyncd runs the same scripts against another daemon (e.g.
// lsyncd 2.2.3, for bench/RESULTS.md); the default is bin/lsyncd-ts.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { startSshd } from '../helpers/sshd.js';
import { describeRun, runSuiteScript, suiteWorkdir } from './run_script.js';

const SSH_PORT = 2468;
const daemon = process.env['LSYNCD_SUITE_DAEMON'];

// Longest first (the churn scripts pause for about 200 s): they start together below.
const LOCAL_SCRIPTS = ['churn-rsync', 'churn-direct', 'cron-rsync', 'exclude-rsync', 'filter-rsync', 'l4rsyncdata'] as const;

/** The run's copy of a script, where lsyncd-ts needs its config to say what lsyncd assumes. */
function adapt(dir: string, name: string): void {
  if (name !== 'cron-rsync') return;
  const file = path.join(dir, 'tests', `${name}.lua`);
  const text = readFileSync(file, 'utf8');
  const adapted = text.replace('nodaemon = true,', 'nodaemon = true,\n        deleteGuard = false,');
  assert.notEqual(adapted, text, 'cron-rsync.lua: the settings block to adapt was not found');
  writeFileSync(file, adapted);
}
const SSH_SCRIPTS = ['exclude-rsyncssh', 'churn-rsyncssh'] as const;

// Two scripts at a time: each runs in its own workdir (and TMPDIR), and most of a script's time
// is its own pauses, so a pair cuts the suite's wall time nearly in half. Not more: the churn
// scripts give the daemon a fixed 10 s after their last change (delay 5), and three of them side
// by side on 2 cores missed that. The rsyncssh scripts share port 2468, so they run one after the
// other, as one of the pair, started first.
test('lsyncd suite', { concurrency: 2 }, async (suite) => {
  const runs: Promise<void>[] = [];
  const ssh = suite.test(`the rsyncssh scripts (sshd on 127.0.0.1:${SSH_PORT})`, async (group) => {
    for (const name of SSH_SCRIPTS) {
      await group.test(`tests/${name}.lua`, { timeout: 360_000 }, async (t) => {
        const dir = suiteWorkdir(t);
        const sshd = await startSshd(t, { port: SSH_PORT });
        mkdirSync(path.join(dir, 'tests/ssh'), { mode: 0o700 });
        copyFileSync(sshd.identityFile, path.join(dir, 'tests/ssh/id_rsa'));
        const r = await runSuiteScript(dir, name, daemon);
        assert.equal(r.code, 0, `${describeRun(name, r)}\n--- sshd log\n${sshd.log().split('\n').slice(-15).join('\n')}`);
      });
    }
  });
  for (const name of LOCAL_SCRIPTS) {
    const run = suite.test(`tests/${name}.lua`, { timeout: 360_000 }, async (t) => {
      const dir = suiteWorkdir(t);
      adapt(dir, name);
      const r = await runSuiteScript(dir, name, daemon);
      assert.equal(r.code, 0, describeRun(name, r));
    });
    runs.push(run);
  }
  await Promise.all([...runs, ssh]);
});
