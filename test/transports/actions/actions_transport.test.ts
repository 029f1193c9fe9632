// ActionsTransport with real processes: actions touching files, FIFO batches stopping at the
// first failure, exit codes through `exitcodes` (unknown → die, docs/lsyncd-compat.md#exit-codes-of-transfers), signals, missing
// binaries, ^target without a target, function actions with the run() helper, abort.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import type { ActionEvent, NormalizedCustomSync, SyncActions } from '../../../src/config/schema.js';
import type { TransferContext } from '../../../src/transports/transport.js';
import { memoryLog } from '../../../src/log/log.js';
import type { SyncPath } from '../../../src/paths/byte_path.js';
import type { Delay, DelayKind } from '../../../src/queue/events.js';
import { ActionsTransport } from '../../../src/transports/actions/index.js';
import { tempDir } from '../../helpers/temp_tree.js';

function customSync(source: string, target: string | undefined, actions: SyncActions, exitcodes: Record<number, 'ok' | 'again' | 'die'> = { 0: 'ok' }): NormalizedCustomSync {
  return {
    index: 1, name: 'custom', source: source.endsWith('/') ? source : `${source}/`, delay: 0, maxDelays: 1000, maxProcesses: 1, maxBacklog: 10_000,
    init: true, delete: true, exclude: [], excludeFrom: undefined, filter: [], filterFrom: undefined, batchSizeLimit: undefined, deleteGuard: false, verifyInterval: undefined, verifyRepair: false,
    line: undefined, mode: 'custom', target, actions, exitcodes,
  };
}

let seq = 0;
function delay(kind: DelayKind, p: SyncPath, destination?: SyncPath): Delay {
  const s = typeof p === 'string' ? p : p.toString('latin1');
  return { seq: ++seq, kind, path: p, destination, isDir: s.endsWith('/'), alarm: 0, status: 'active', fromMove: false, attempts: 0, reason: undefined };
}

function context(signal: AbortSignal = new AbortController().signal): TransferContext & { log: ReturnType<typeof memoryLog> } {
  return { log: memoryLog(), signal };
}

test('string actions per kind, FIFO, on real files; kinds without an action are skipped', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const tr = new ActionsTransport(customSync(src, dst, {
    onStartup: 'touch ^target/started',
    onCreate: 'mkdir -p ^targetPathdir && cp ^sourcePathname ^targetPathname',
    onModify: '/usr/bin/cp ^sourcePathname ^targetPathname',
    onDelete: 'rm -f ^targetPathname',
    onMove: 'mv ^o.targetPathname ^d.targetPathname',
  }));
  assert.equal(tr.keepsMoves, true);
  assert.deepEqual(tr.batchOptions, { limit: 1 });
  const ctx = context();
  assert.deepEqual((await tr.full(ctx)).outcome, { kind: 'ok' });
  assert.ok(existsSync(path.join(dst, 'started')));
  writeFileSync(path.join(src, "a 'b' $(c)"), 'one');
  const r = await tr.batch([
    delay('Create', "/a 'b' $(c)"),
    delay('Attrib', "/a 'b' $(c)"),
    delay('Move', "/a 'b' $(c)", '/moved'),
    delay('Delete', '/started'),
  ], ctx);
  assert.deepEqual(r.outcome, { kind: 'ok' });
  assert.equal(readFileSync(path.join(dst, 'moved'), 'utf8'), 'one');
  assert.equal(existsSync(path.join(dst, 'started')), false);
  assert.ok(ctx.log.lines.some((l) => l.includes(`Normal: Event Create spawns shell "mkdir -p ${dst}/ && cp ${src}/a 'b' $(c)`)), ctx.log.lines.join('\n'));
});

test('without onMove, keepsMoves is false and a stray Move runs as Delete + Create', async (t) => {
  const dst = tempDir(t);
  const tr = new ActionsTransport(customSync('/s', dst, { onCreate: 'echo C ^pathname >> ^target/log', onDelete: 'echo D ^pathname >> ^target/log' }));
  assert.equal(tr.keepsMoves, false);
  assert.deepEqual((await tr.full(context())).outcome, { kind: 'ok' }, 'no onStartup: nothing to do');
  assert.deepEqual((await tr.batch([delay('Move', '/x', '/y/')], context())).outcome, { kind: 'ok' });
  assert.equal(readFileSync(path.join(dst, 'log'), 'utf8'), 'D x\nC y\n');
});

test('exit codes: 0 ok, unknown die, exitcodes table honoured, signal again; the batch stops at the first failure', async (t) => {
  const dst = tempDir(t);
  const run = async (cmd: string, codes?: Record<number, 'ok' | 'again' | 'die'>) =>
    (await new ActionsTransport(customSync('/s', dst, { onCreate: cmd, onModify: 'touch ^target/after' }, codes)).batch([delay('Create', '/f'), delay('Modify', '/f')], context())).outcome;
  assert.deepEqual(await run('exit 3'), { kind: 'die', reason: 'Failure with Create on /s/f = 3' });
  assert.equal(existsSync(path.join(dst, 'after')), false, 'nothing after the failing action ran');
  assert.equal((await run('exit 3', { 0: 'ok', 3: 'again' })).kind, 'again');
  assert.equal((await run('echo oops >&2; exit 3', { 0: 'die', 3: 'die' })).kind, 'die');
  assert.match(JSON.stringify(await run('echo oops >&2; exit 3')), /= 3: oops/);
  assert.equal((await run('exit 3', { 0: 'ok', 3: 'ok' })).kind, 'ok');
  assert.ok(existsSync(path.join(dst, 'after')));
  assert.equal((await run('kill -TERM $$')).kind, 'again');
  const missing = await run('/nonexistent/bin/tool ^pathname');
  assert.equal(missing.kind, 'die');
  assert.match(JSON.stringify(missing), /\/nonexistent\/bin\/tool not found/);
});

test('^target without a target: every run dies with the fix', async () => {
  const tr = new ActionsTransport(customSync('/s', undefined, { onCreate: 'cp ^sourcePath ^targetPath' }));
  const out = (await tr.batch([delay('Create', '/f')], context())).outcome;
  assert.equal(out.kind, 'die');
  assert.match(JSON.stringify(out), /onCreate uses a \^target variable but the sync has no target/);
  assert.equal((await tr.full(context())).outcome.kind, 'die');
});

test('function actions: typed event, run() helper, returned codes judged by exitcodes, throw → die', async (t) => {
  const dst = tempDir(t);
  const seen: ActionEvent[] = [];
  const tr = new ActionsTransport(customSync('/s', dst, {
    onStartup: async (e) => { seen.push(e); },
    onCreate: async (e) => { seen.push(e); return e.run('touch', [path.join(dst, e.path)]); },
    onModify: async (e) => e.run('/bin/sh', ['-c', 'exit "$1"', 'sh', e.path.slice(1)]),
    onDelete: () => { throw new Error('boom'); },
    onMove: (e) => { seen.push(e); return 'again'; },
  }, { 0: 'ok', 7: 'again' }));
  assert.equal((await tr.full(context())).outcome.kind, 'ok');
  assert.deepEqual((await tr.batch([delay('Create', '/new')], context())).outcome, { kind: 'ok' });
  assert.ok(existsSync(path.join(dst, 'new')));
  assert.equal((await tr.batch([delay('Modify', '/7')], context())).outcome.kind, 'again');
  assert.equal((await tr.batch([delay('Modify', '/9')], context())).outcome.kind, 'die');
  assert.deepEqual((await tr.batch([delay('Delete', '/x')], context())).outcome, { kind: 'die', reason: 'onDelete on /s/x threw: boom' });
  assert.equal((await tr.batch([delay('Move', '/d/', '/e/')], context())).outcome.kind, 'again');
  const [init, create, move] = seen;
  assert.deepEqual([init?.etype, init?.path, init?.sourcePath, init?.isdir], ['Init', '/', '/s/', true]);
  assert.deepEqual([create?.etype, create?.path, create?.sourcePath, create?.targetPath, create?.isdir], ['Create', '/new', '/s/new', `${dst}/new`, false]);
  assert.deepEqual([move?.destPath, move?.destSourcePath, move?.destTargetPath, move?.isdir], ['/e/', '/s/e/', `${dst}/e/`, true]);
  assert.ok(move?.pathBytes.equals(Buffer.from('/d/')));
});

test('function actions: non-UTF-8 names as exact bytes through run()', async (t) => {
  const dst = tempDir(t);
  const raw = Buffer.from([0x2f, 0x66, 0xff]);
  const tr = new ActionsTransport(customSync('/s', dst, {
    onCreate: (e) => e.run('touch', [Buffer.concat([Buffer.from(dst), e.pathBytes])]),
  }));
  assert.equal((await tr.batch([delay('Create', raw)], context())).outcome.kind, 'ok');
  assert.ok(existsSync(Buffer.concat([Buffer.from(dst), raw])));
});

test('abort ends a running action promptly', async () => {
  const ac = new AbortController();
  const tr = new ActionsTransport(customSync('/s', undefined, { onCreate: 'sleep 30' }));
  const started = performance.now();
  const p = tr.batch([delay('Create', '/f')], context(ac.signal));
  setImmediate(() => ac.abort());
  const out = (await p).outcome;
  assert.equal(out.kind, 'again');
  assert.ok(performance.now() - started < 5000);
});

test('an action is done when it exits, even if a background child keeps its output open', async (t) => {
  const dst = tempDir(t);
  const tr = new ActionsTransport(customSync('/s', dst, { onCreate: '(sleep 10; touch ^target/late) & touch ^target/now' }));
  const started = performance.now();
  assert.equal((await tr.batch([delay('Create', '/f')], context())).outcome.kind, 'ok');
  assert.ok(performance.now() - started < 5000);
  assert.ok(existsSync(path.join(dst, 'now')));
});
