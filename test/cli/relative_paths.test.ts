// Relative local paths on the real binary, run from the directory they are relative to: a
// relative -direct target receives deletes (the delete-safety check only ever sees the absolute
// path the loader resolved), and so do relative source/target in a Lua config, in direct and in
// rsync mode (real inotify, real rsync).
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileHas, startBin, waitFor } from '../daemon/daemon_harness.js';
import { tempDir } from '../helpers/temp_tree.js';

function tree(t: test.TestContext): string {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'src'));
  mkdirSync(path.join(dir, 't'));
  writeFileSync(path.join(dir, 'src', 'a'), 'a');
  writeFileSync(path.join(dir, 'src', 'b'), 'b');
  return dir;
}

async function deleteReachesTarget(t: test.TestContext, dir: string, args: string[]): Promise<void> {
  const d = startBin(t, args, {}, dir);
  await waitFor(() => fileHas(path.join(dir, 't', 'a'), 'a') && /Startup of .* finished/.test(d.output()), `the init transfer (${args.join(' ')})`);
  rmSync(path.join(dir, 'src', 'a'));
  writeFileSync(path.join(dir, 'src', 'c'), 'c');
  await waitFor(() => !existsSync(path.join(dir, 't', 'a')) && fileHas(path.join(dir, 't', 'c'), 'c'), `the delete and the create on the target (${args.join(' ')})\n${d.output()}`);
  assert.ok(fileHas(path.join(dir, 't', 'b'), 'b'));
  assert.doesNotMatch(d.output(), /Refusing to erase/);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
}

test('-nodaemon -direct src t run from the parent directory: a deleted file is deleted on t', async (t) => {
  const dir = tree(t);
  await deleteReachesTarget(t, dir, ['-nodaemon', '-direct', 'src', 't']);
});

test('-nodaemon -rsync src t run from the parent directory: a deleted file is deleted on t', async (t) => {
  const dir = tree(t);
  await deleteReachesTarget(t, dir, ['-nodaemon', '-delay', '1', '-rsync', 'src', 't']);
});

for (const mode of ['direct', 'rsync']) {
  test(`Lua config with source = "src", target = "t" (${mode}): a deleted file is deleted on t`, async (t) => {
    const dir = tree(t);
    writeFileSync(path.join(dir, 'c.lua'), `sync { default.${mode}, source = "src", target = "t", delay = 1 }\n`);
    await deleteReachesTarget(t, dir, ['-nodaemon', 'c.lua']);
  });
}
