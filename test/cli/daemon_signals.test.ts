// The binary as a daemon in the foreground: `lsyncd-ts -nodaemon -rsync SRC TGT` mirrors with
// real inotify and real rsync, and exits with lsyncd's codes on TERM (143) and INT (130) after
// letting running transfers finish (docs/lsyncd-compat.md#signals-and-exit-codes).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';
import { BIN } from './run_bin.js';

function startBin(t: test.TestContext, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => out, exited };
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`-nodaemon -rsync mirrors, then ${signal} exits ${code}`, async (t) => {
    const src = tempDir(t);
    const dst = tempDir(t);
    writeFileSync(path.join(src, 'before'), 'init');
    const d = startBin(t, ['-nodaemon', '-delay', '0', '-rsync', src, dst]);
    await waitFor(() => existsSync(path.join(dst, 'before')), 'the init transfer');
    await waitFor(() => /Startup of .* finished/.test(d.output()), 'the startup message');
    writeFileSync(path.join(src, 'live'), 'changed');
    await waitFor(() => existsSync(path.join(dst, 'live')) && readFileSync(path.join(dst, 'live'), 'utf8') === 'changed', 'the live change');
    d.child.kill(signal);
    assert.equal(await d.exited, code);
    assert.match(d.output(), new RegExp(`--- ${signal === 'SIGTERM' ? 'TERM' : 'INT'} signal, fading ---`));
  });
}
