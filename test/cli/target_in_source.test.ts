// A local target inside its own source is refused at load (daemon, check-config) with both fixes,
// unless the sync's own excludes/filters exclude it; then it runs without nesting the target into
// itself. Real binary, real inotify and rsync.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileHas, startBin, waitFor } from '../daemon/daemon_harness.js';
import { tempDir } from '../helpers/temp_tree.js';
import { BIN, type BinResult, runBin } from './run_bin.js';

function tree(t: test.TestContext): string {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'a'), 'a');
  return dir;
}
const PATH = process.env['PATH'] ?? '/usr/bin:/bin';

/** The daemon, expected to refuse at once; killed after 20 s so that a regression (nesting forever) fails instead of hanging. */
function runRefused(args: readonly string[], cwd: string): BinResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { PATH }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const refusal = (target: string, source: string, rel: string): string =>
  `sync[1].target: target "${target}" is inside its own source "${source}"; every transfer would be synced again, one level deeper — move the target out of the source, or add "${rel}" to the sync's exclude list`;

test('command line: -direct src src/t is refused before anything is written', (t) => {
  const dir = tree(t);
  const r = runRefused(['-nodaemon', '-direct', 'src', 'src/t'], dir);
  assert.equal(r.code, 255);
  assert.equal(r.stderr.split('\n')[0], `Error: <command line>: ${refusal(`${dir}/src/t/`, `${dir}/src/`, '/t/')}`);
  assert.equal(existsSync(path.join(dir, 'src', 't')), false);
  const same = runRefused(['-nodaemon', '-rsync', `${dir}/src`, `${dir}/src/`], dir);
  assert.equal(same.code, 255);
  assert.match(same.stderr, /sync\[1\]\.target: target ".*\/src\/" is the source ".*\/src\/" itself — point target at another directory/);
});

test('Lua config (rsync, deeper target, and through a symlink): check-config and the daemon refuse it', (t) => {
  const dir = tree(t);
  mkdirSync(path.join(dir, 'src', 'sub'));
  symlinkSync(path.join(dir, 'src', 'sub'), path.join(dir, 'link'));
  for (const [target, rel] of [['src/sub/mirror', '/sub/mirror/'], ['link/mirror', '/sub/mirror/']] as const) {
    const cfg = path.join(dir, 'c.lua');
    writeFileSync(cfg, `sync { default.rsync, source = "src", target = "${target}", delay = 1 }\n`);
    const check = runBin(['check-config', cfg], { PATH }, dir);
    assert.equal(check.code, 1, target);
    assert.equal(check.stderr.split('\n')[0], `error: ${cfg}:1: ${refusal(`${dir}/${target}/`, `${dir}/src/`, rel)}`);
    const run = runRefused(['-nodaemon', cfg], dir);
    assert.equal(run.code, 255, target);
    assert.match(run.stderr, /is inside its own source/);
  }
  assert.equal(existsSync(path.join(dir, 'src', 'sub', 'mirror')), false);
});

for (const [mode, rule] of [['direct', 'exclude = { "/t/" }'], ['rsync', 'filter = { "- /t/" }'], ['direct', 'exclude = "t"']] as const) {
  test(`${mode} with the target excluded (${rule}): accepted, syncs, and never nests`, async (t) => {
    const dir = tree(t);
    const cfg = path.join(dir, 'c.lua');
    writeFileSync(cfg, `sync { default.${mode}, source = "src", target = "src/t", delay = 1, ${rule} }\n`);
    assert.equal(runBin(['check-config', cfg], { PATH }, dir).code, 0);
    const d = startBin(t, ['-nodaemon', cfg], {}, dir);
    await waitFor(() => fileHas(path.join(dir, 'src', 't', 'a'), 'a') && /Startup of .* finished/.test(d.output()), 'the init transfer');
    writeFileSync(path.join(dir, 'src', 'b'), 'b');
    await waitFor(() => fileHas(path.join(dir, 'src', 't', 'b'), 'b'), 'a later change to arrive');
    assert.equal(existsSync(path.join(dir, 'src', 't', 't')), false, 'the target was copied into itself');
    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 143);
  });
}
