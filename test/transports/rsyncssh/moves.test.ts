// rsyncssh moves against a real loopback sshd: many moves in ONE ssh invocation (lsyncd issue
// #367: one ssh per move), hostile names byte-exact, a failed move re-queued as a transfer
// instead of killing the daemon (lsyncd issue #719), excluded move ends (docs/lsyncd-compat.md#paths-moves-and-excludes).
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { delay, delayOf, fixture, snapshot } from './fixture.js';

const movesCalls = (calls: string[]) => calls.filter((c) => / sh -s$/.test(c));

test('40 moves in one batch are ONE ssh invocation', async (t) => {
  const f = await fixture(t);
  for (let i = 0; i < 20; i++) writeFileSync(path.join(f.src, `f${i}`), `content ${i}`);
  for (let i = 0; i < 20; i++) {
    mkdirSync(path.join(f.src, `d${i}`));
    writeFileSync(path.join(f.src, `d${i}`, 'inner'), `inner ${i}`);
  }
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  const delays = [];
  for (let i = 0; i < 20; i++) {
    renameSync(path.join(f.src, `f${i}`), path.join(f.src, `g${i}`));
    delays.push(delay('Move', `/f${i}`, `/g${i}`));
    renameSync(path.join(f.src, `d${i}`), path.join(f.src, `e${i}`));
    delays.push(delay('Move', `/d${i}/`, `/e${i}/`));
  }
  const before = f.sshCalls();
  const r = await f.transport.batch(delays, f.ctx);
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.equal(r.requeue, undefined);
  const after = f.sshCalls();
  assert.equal(after.length - before.length, 1, `ssh calls: ${after.slice(before.length).join('\n')}`);
  assert.equal(movesCalls(after).length, 1);
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
});

test('moves with hostile names (quotes, newline, $(...), backticks, leading dash, spaces, globs, non-UTF-8)', async (t) => {
  const f = await fixture(t);
  // The remote shell starts in the (local) user's home: a name executed there leaves a canary.
  const tag = `lsyncd-ts-pwned-${process.pid}-${Date.now()}`;
  const canary = path.join(os.homedir(), tag);
  t.after(() => rmSync(canary, { force: true }));
  const names: Buffer[] = [
    "it's", 'a"b', 'new\nline', `$(touch ${tag})`, `\`touch ${tag}\``, '-rf', '--', ' lead and trail ', '*?[x]', 'back\\slash', `'; touch ${tag}; '`, `"; touch ${tag}; "`,
  ].map((n) => Buffer.from(n));
  names.push(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe])); // not UTF-8
  const abs = (name: Buffer, suffix: string) => Buffer.concat([Buffer.from(`${f.src}/`), name, Buffer.from(suffix)]);
  const rel = (name: Buffer, suffix: string, dir = false) => Buffer.concat([Buffer.from('/'), name, Buffer.from(suffix + (dir ? '/' : ''))]);
  for (const n of names) {
    writeFileSync(abs(n, '.f'), Buffer.concat([Buffer.from('data of '), n]));
    mkdirSync(abs(n, '.d'));
    writeFileSync(Buffer.concat([abs(n, '.d'), Buffer.from('/'), n]), n);
  }
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  const delays = [];
  for (const n of names) {
    renameSync(abs(n, '.f'), abs(n, '.moved'));
    delays.push(delay('Move', rel(n, '.f'), rel(n, '.moved')));
    renameSync(abs(n, '.d'), abs(n, '.dmoved'));
    delays.push(delay('Move', rel(n, '.d', true), rel(n, '.dmoved', true)));
  }
  const r = await f.transport.batch(delays, f.ctx);
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.equal(r.requeue, undefined, 'no move failed');
  assert.equal(movesCalls(f.sshCalls()).length, 1);
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
  assert.equal(existsSync(canary), false, 'a name was executed by a shell');
});

test('a failed move is re-queued as Create(destination) and then transferred; no die (lsyncd#719)', async (t) => {
  const f = await fixture(t, { delete: true });
  writeFileSync(path.join(f.src, 'ok'), 'ok');
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  // The target lacks 'never-sent' (its Create was lost): mv fails there.
  writeFileSync(path.join(f.src, 'arrived'), 'late content');
  mkdirSync(path.join(f.src, 'newdir'));
  writeFileSync(path.join(f.src, 'newdir', 'inside'), 'i');
  renameSync(path.join(f.src, 'ok'), path.join(f.src, 'ok2'));
  const r = await f.transport.batch(
    [delay('Move', '/never-sent', '/arrived'), delay('Move', '/ok', '/ok2'), delay('Move', '/never-dir/', '/newdir/')],
    f.ctx,
  );
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.deepEqual(r.requeue, [
    { kind: 'Create', path: '/arrived', fromMove: true },
    { kind: 'Create', path: '/newdir/', fromMove: true },
  ]);
  assert.ok(f.log.lines.some((l) => /Warn: Move \/never-sent -> \/arrived failed/.test(l)));
  assert.equal(existsSync(path.join(f.dst, 'ok2')), true, 'the other moves still ran');
  const again = await f.transport.batch((r.requeue ?? []).map(delayOf), f.ctx);
  assert.deepEqual(again.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
});

test('move onto an existing directory or symlink behaves like rename(2)', async (t) => {
  const f = await fixture(t);
  writeFileSync(path.join(f.src, 'a'), 'a');
  writeFileSync(path.join(f.src, 'b'), 'b');
  mkdirSync(path.join(f.src, 'emptydir'));
  mkdirSync(path.join(f.src, 'linked'));
  symlinkSync('linked', path.join(f.src, 'link'));
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });
  rmSync(path.join(f.src, 'emptydir'), { recursive: true });
  renameSync(path.join(f.src, 'a'), path.join(f.src, 'emptydir'));
  rmSync(path.join(f.src, 'link'));
  renameSync(path.join(f.src, 'b'), path.join(f.src, 'link'));
  const r = await f.transport.batch([delay('Move', '/a', '/emptydir'), delay('Move', '/b', '/link')], f.ctx);
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.deepEqual(snapshot(f.dst), snapshot(f.src));
});

test('excluded move ends: Create(destination), Delete(origin) or dropped — without any ssh call', async (t) => {
  const f = await fixture(t, { exclude: ['*.tmp'] });
  const before = f.sshCalls().length;
  const r = await f.transport.batch(
    [delay('Move', '/x.tmp', '/x'), delay('Move', '/y', '/y.tmp'), delay('Move', '/a.tmp', '/b.tmp'), delay('Move', '/d.tmp/', '/d/')],
    f.ctx,
  );
  assert.deepEqual(r.outcome, { kind: 'ok' });
  assert.deepEqual(r.requeue, [
    { kind: 'Create', path: '/x', fromMove: true },
    { kind: 'Delete', path: '/y' },
    { kind: 'Create', path: '/d/', fromMove: true },
  ]);
  assert.equal(f.sshCalls().length, before);
});
