// runCommand (src/process/process_runner.ts): every case runs twice, with the native posix_spawn
// spawner (native/addon/child_spawner.cc) and with node:child_process (LSYNCD_TS_NODE_SPAWN=1),
// and must give the same RunResult. Plus the spawner's own contract: exec errors come back as an
// errno (not a child exiting 127), signal dispositions and mask are default in the child, and
// native children and node:child_process children do not reap each other's pids.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Socket } from 'node:net';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

import { runCommand, type RunOptions, type RunResult } from '../../src/process/process_runner.js';
import { loadNative } from '../../src/native/native_binding.js';

const native = loadNative();

function withMode<T>(mode: 'native' | 'node', fn: () => Promise<T>): Promise<T> {
  const saved = process.env.LSYNCD_TS_NODE_SPAWN;
  if (mode === 'node') process.env.LSYNCD_TS_NODE_SPAWN = '1';
  else delete process.env.LSYNCD_TS_NODE_SPAWN;
  // The mode is read synchronously when runCommand spawns, so it can be restored right away.
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.LSYNCD_TS_NODE_SPAWN;
    else process.env.LSYNCD_TS_NODE_SPAWN = saved;
  }
}

function run(mode: 'native' | 'node', binary: string, args: string[], opts: RunOptions = {}, stdin?: Buffer) {
  return withMode(mode, () => runCommand({ binary, args, stdin }, opts));
}

test('the native spawner is available on this machine', () => {
  assert.equal(typeof native.spawnChild, 'function');
  assert.equal(native.spawnerAvailable?.(), true);
});

test('spawnChild: exec failures are an errno, not a child exiting 127', () => {
  const onExit = () => assert.fail('no child should exist');
  assert.deepEqual(native.spawnChild!('/nonexistent/binary', [], null, null, onExit), { errno: 2 });
  assert.deepEqual(native.spawnChild!('no-such-binary-lsyncd-ts', [], null, null, onExit), { errno: 2 });
  assert.deepEqual(native.spawnChild!('true', [], null, '/nonexistent/dir', onExit), { errno: 2 });
  assert.deepEqual(native.spawnChild!('/etc/passwd', [], null, null, onExit), { errno: 13 });
  assert.equal(native.killChild!(1, 0), 3, 'killChild refuses pids that are not our live children (ESRCH)');
});

test('spawnChild: stdin goes into the pipe before the child starts; the rest is the caller\'s', async () => {
  const exited = () => new Promise<void>((resolve) => {
    done = resolve;
  });
  let done: () => void = () => {};
  const small = Buffer.from('a\0b\0');
  let wait = exited();
  const r = native.spawnChild!('cat', [], null, null, () => done(), small);
  assert.ok(!('errno' in r));
  assert.equal(r.stdinFd, -1, 'all of it fit: the pipe is closed, the child sees EOF');
  assert.equal(r.stdinWritten, small.length);
  const out = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    const s = new Socket({ fd: r.stdoutFd, readable: true, writable: false });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
  assert.deepEqual(out, small);
  await wait;
  closeSync(r.stderrFd);

  wait = exited();
  const big = native.spawnChild!('true', [], null, null, () => done(), Buffer.alloc(1 << 20));
  assert.ok(!('errno' in big));
  assert.ok(big.stdinFd >= 0, 'the rest is left to the caller');
  assert.ok(big.stdinWritten > 0 && big.stdinWritten < 1 << 20, `prefilled ${big.stdinWritten} bytes`);
  for (const fd of [big.stdinFd, big.stdoutFd, big.stderrFd]) closeSync(fd);
  await wait;
});

test('spawnChild: a PATH lookup is cached, and searched again once the cached file is gone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lsyncd-ts-path-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['one', 'two']) mkdirSync(join(dir, d));
  const tool = (d: string, text: string) => {
    writeFileSync(join(dir, d, 'lsyncd-ts-tool'), `#!/bin/sh\necho ${text}\n`);
    chmodSync(join(dir, d, 'lsyncd-ts-tool'), 0o755);
  };
  const env = { PATH: `${join(dir, 'one')}:${join(dir, 'two')}:/usr/bin:/bin` };
  const say = async () => (await withMode('native', () => runCommand({ binary: 'lsyncd-ts-tool', args: [], stdin: undefined }, { env, captureStdout: true }))).stdout;
  tool('one', 'first');
  assert.equal(await say(), 'first\n');
  tool('two', 'second');
  assert.equal(await say(), 'first\n', 'the first match in PATH order still wins');
  rmSync(join(dir, 'one', 'lsyncd-ts-tool'));
  assert.equal(await say(), 'second\n', 'the cached path is gone: PATH is searched again');
});

for (const mode of ['native', 'node'] as const) {
  test(`${mode}: exit codes, stdout capture and stderr tail`, async () => {
    const r = await run(mode, 'sh', ['-c', 'echo one; echo two; echo e1 >&2; echo e2 >&2; exit 7'], { captureStdout: true });
    assert.deepEqual(r, { code: 7, signal: null, stdout: 'one\ntwo\n', stderrTail: 'e1\ne2' });
    assert.equal((await run(mode, 'true', [])).code, 0);
    assert.equal((await run(mode, 'false', [])).code, 1);
    const noCapture = await run(mode, 'sh', ['-c', 'echo hidden']);
    assert.equal(noCapture.stdout, '');
  });

  test(`${mode}: stderr tail keeps the last 20 lines; onLine sees every line of both streams`, async () => {
    const lines: string[] = [];
    const r = await run(mode, 'sh', ['-c', 'i=0; while [ $i -lt 30 ]; do echo err$i >&2; i=$((i+1)); done; printf "a\\nb"'], {
      onLine: (s, l) => lines.push(`${s}:${l}`),
    });
    assert.equal(r.code, 0);
    assert.deepEqual(r.stderrTail.split('\n'), Array.from({ length: 20 }, (_, i) => `err${i + 10}`));
    assert.equal(lines.filter((l) => l.startsWith('stderr:')).length, 30);
    // a trailing partial line is not emitted (as before)
    assert.deepEqual(lines.filter((l) => l.startsWith('stdout:')), ['stdout:a']);
  });

  test(`${mode}: stdin bytes round-trip (1 MiB, binary)`, async () => {
    // Larger than a pipe: on the native path the first 64 KiB are in the pipe before the child
    // starts and the rest is streamed; the child must see exactly the bytes, in order.
    const data = randomBytes(1 << 20);
    const r = await run(mode, 'sha256sum', [], { captureStdout: true }, data);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
    const echo = await run(mode, 'cat', [], { captureStdout: true }, Buffer.from('a\0b\nc\n'));
    assert.equal(echo.stdout, 'a\0b\nc\n');
    const none = await run(mode, 'cat', [], { captureStdout: true });
    assert.deepEqual(none, { code: 0, signal: null, stdout: '', stderrTail: '' });
  });

  test(`${mode}: a child that does not read stdin is no EPIPE crash`, async () => {
    const r = await run(mode, 'true', [], {}, randomBytes(4 << 20));
    assert.equal(r.code, 0);
  });

  test(`${mode}: ENOENT is a spawnError, not a rejection`, async () => {
    const r = await run(mode, 'no-such-binary-lsyncd-ts', ['x']);
    assert.equal(r.code, null);
    assert.equal(r.signal, null);
    assert.equal(r.spawnError?.code, 'ENOENT');
    assert.equal(r.spawnError?.errno, -2);
    assert.equal(r.spawnError?.syscall, 'spawn no-such-binary-lsyncd-ts');
    assert.equal(r.spawnError?.message, 'spawn no-such-binary-lsyncd-ts ENOENT');
    const abs = await run(mode, '/nonexistent/rsync', []);
    assert.equal(abs.spawnError?.code, 'ENOENT');
  });

  test(`${mode}: abort sends SIGTERM, then SIGKILL to a child ignoring TERM`, async () => {
    const term = new AbortController();
    const p1 = run(mode, 'sleep', ['10'], { signal: term.signal, killAfterMs: 5000 });
    setTimeout(() => term.abort(), 50);
    const r1 = await p1;
    assert.deepEqual([r1.code, r1.signal], [null, 'SIGTERM']);

    const stubborn = new AbortController();
    const t0 = Date.now();
    // `exec` keeps one process: SIG_IGN for TERM survives exec, SIGKILL does not care.
    const p2 = run(mode, 'sh', ['-c', 'trap "" TERM; echo ready; exec sleep 10'], {
      signal: stubborn.signal,
      killAfterMs: 300,
      onLine: (_s, l) => {
        if (l === 'ready') stubborn.abort();
      },
    });
    const r2 = await p2;
    assert.deepEqual([r2.code, r2.signal], [null, 'SIGKILL']);
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 5000, `killed after ${took} ms`);

    const already = new AbortController();
    already.abort();
    const r3 = await run(mode, 'sleep', ['10'], { signal: already.signal });
    assert.equal(r3.signal, 'SIGTERM');
  });

  test(`${mode}: signal dispositions and mask are default in the child (Node ignores SIGPIPE)`, async () => {
    // `trap - PIPE` cannot undo an ignored-at-entry SIGPIPE in sh; `yes` must die of SIGPIPE.
    const r = await run(mode, 'sh', ['-c', 'trap - PIPE; yes | head -1'], { captureStdout: true });
    assert.deepEqual([r.code, r.stdout], [0, 'y\n']);
    const st = await run(mode, 'grep', ['-E', '^Sig(Ign|Blk):', '/proc/self/status'], { captureStdout: true });
    assert.equal(st.stdout, 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  test(`${mode}: cwd and env are honoured; env PATH decides the lookup`, async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'lsyncd-ts-pr-')));
    try {
      const r = await run(mode, 'pwd', [], { cwd: dir, captureStdout: true });
      assert.equal(r.stdout, `${dir}\n`);
      const e = await run(mode, 'sh', ['-c', 'echo "$FOO|${HOME-unset}"'], {
        env: { FOO: 'bar baz', PATH: process.env.PATH },
        captureStdout: true,
      });
      assert.equal(e.stdout, 'bar baz|unset\n');
      process.env.LSYNCD_TS_PR_TEST = 'inherited';
      const inh = await run(mode, 'sh', ['-c', 'echo $LSYNCD_TS_PR_TEST'], { captureStdout: true });
      delete process.env.LSYNCD_TS_PR_TEST;
      assert.equal(inh.stdout, 'inherited\n');
      const noPath = await run(mode, 'sh', ['-c', 'true'], { env: { PATH: dir } });
      assert.equal(noPath.spawnError?.code, 'ENOENT');
      const missingCwd = await run(mode, 'true', [], { cwd: join(dir, 'missing') });
      assert.equal(missingCwd.spawnError?.code, 'ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${mode}: many concurrent children, each with its own result`, async () => {
    const n = 64;
    const results: RunResult[] = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        run(mode, 'sh', ['-c', `cat; echo err${i} >&2; exit ${i % 7}`], { captureStdout: true }, Buffer.from(`in${i}\n`)),
      ),
    );
    results.forEach((r, i) => {
      assert.deepEqual(r, { code: i % 7, signal: null, stdout: `in${i}\n`, stderrTail: `err${i}` });
    });
  });
}

test('native children and node:child_process children do not steal each other', async () => {
  const execFileP = promisify(execFile);
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    jobs.push(
      run('native', 'sh', ['-c', `sleep 0.0$((${i} % 5)); exit ${i % 5}`]).then((r) => assert.equal(r.code, i % 5)),
    );
    jobs.push(
      execFileP('sh', ['-c', `sleep 0.0$((${i} % 3)); echo ${i}`]).then(({ stdout }) => assert.equal(stdout, `${i}\n`)),
    );
    jobs.push(
      execFileP('sh', ['-c', `exit ${(i % 4) + 1}`]).then(
        () => assert.fail('must fail'),
        (e: { code: number }) => assert.equal(e.code, (i % 4) + 1),
      ),
    );
  }
  await Promise.all(jobs);
});

test('a worker that ends while its native child runs shuts the spawner down (waiter joined)', async () => {
  const src = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../src/process/process_runner.js', import.meta.url).href)}).then(({ runCommand }) => {
      runCommand({ binary: 'sh', args: ['-c', 'echo up; exec sleep 3'], stdin: undefined }, {
        onLine: (_s, l) => { if (l === 'up') parentPort.postMessage('started'); },
      });
    });`;
  const w = new Worker(src, { eval: true });
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  const t0 = Date.now();
  await w.terminate();
  assert.ok(Date.now() - t0 < 2000, 'terminate did not wait for the child');
});
