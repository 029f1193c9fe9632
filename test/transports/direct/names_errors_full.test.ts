// Direct transport: names are bytes (spaces, newline, leading dash, quotes, $(...), *?[],
// backslash, non-UTF-8 Buffers) through every operation; target-side errors become `again` with
// the path and errno (read-only/immutable directory, a full file system); full() through the real
// rsync with excludes and delete, exit-code mapping through rsyncExitCodes, missing binary → die.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { RSYNC_NOT_FOUND } from '../../../src/transports/direct/index.js';
import { IS_ROOT, at, ctx, delay, roots, transport, treeDiff } from './helpers.js';

const HOSTILE = ['sp ace', 'new\nline', '-dash', '--rf', "quo'te", 'dq"uote', '$(touch pwned)', '`id`', 'x*y', 'q?', '[br]', 'a]b', 'back\\slash', 'semi;colon', 'tab\there', ' lead', 'trail '];
const RAW = (s: string, ...bytes: number[]): Buffer => Buffer.concat([Buffer.from(s), Buffer.from(bytes)]);
const haveRsync = spawnSync('rsync', ['--version']).status === 0;

test('hostile and non-UTF-8 names survive Create, Move, Attrib, Delete and subtree copies', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  const tr = transport(r, { delete: true });
  const delays = [];
  for (const n of HOSTILE) {
    writeFileSync(`${r.src}/${n}`, n);
    delays.push(delay('Create', `/${n}`));
    mkdirSync(`${r.src}/dir ${n}`);
    writeFileSync(`${r.src}/dir ${n}/${n}`, `inner ${n}`);
    delays.push(delay('Create', `/dir ${n}/`), delay('Create', `/dir ${n}/${n}`));
  }
  const rawDir = RAW('/raw', 0xff, 0x2f); // "/raw\xff/"
  const rawFile = RAW('/raw', 0xff, 0x2f, 0x66, 0xfe); // "/raw\xff/f\xfe"
  mkdirSync(at(r.src, rawDir));
  writeFileSync(at(r.src, rawFile), 'raw bytes');
  symlinkSync(RAW('target', 0xc3, 0x28), at(r.src, RAW('/link', 0x80)));
  delays.push(delay('Create', rawDir), delay('Create', rawFile), delay('Create', RAW('/link', 0x80)));
  let rep = await tr.batch(delays, ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
  assert.equal(existsSync(`${r.dst}/pwned`), false);

  // Moves, Attrib and Deletes with the same names.
  const more = [];
  for (const n of HOSTILE) {
    renameSync(`${r.src}/${n}`, `${r.src}/dir ${n}/moved ${n}`);
    more.push(delay('Move', `/${n}`, { destination: `/dir ${n}/moved ${n}` }));
    rmSync(`${r.src}/dir ${n}/${n}`);
    more.push(delay('Delete', `/dir ${n}/${n}`));
  }
  renameSync(at(r.src, RAW('/raw', 0xff)), at(r.src, RAW('/moved', 0xfe, 0xff)));
  more.push(delay('Move', rawDir, { destination: RAW('/moved', 0xfe, 0xff, 0x2f) }));
  rmSync(at(r.src, RAW('/link', 0x80)));
  more.push(delay('Delete', RAW('/link', 0x80)));
  rep = await tr.batch(more, ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);

  // A whole hostile tree moved in at once (fromMove subtree copy).
  mkdirSync(`${r.src}/in [$(x)]`);
  for (const n of HOSTILE) writeFileSync(`${r.src}/in [$(x)]/${n}`, n);
  writeFileSync(at(r.src, RAW('/in [$(x)]/', 0xe9)), 'latin1 name');
  rep = await tr.batch([delay('Create', '/in [$(x)]/', { fromMove: true })], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('target-side error: the target root is a file → again, naming the path and errno', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  writeFileSync(r.dst, 'not a directory');
  writeFileSync(`${r.src}/f`, 'x');
  const rep = await transport(r).batch([delay('Create', '/f')], ctx());
  assert.equal(rep.outcome.kind, 'again');
  assert.match(rep.outcome.kind === 'again' ? rep.outcome.reason : '', new RegExp(`${r.dst}.*(EEXIST|ENOTDIR)`));
});

test('target-side error: immutable target directory → again with EPERM; retry succeeds once writable', { skip: !IS_ROOT }, async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/d`, { recursive: true });
  mkdirSync(`${r.dst}/d`, { recursive: true });
  writeFileSync(`${r.src}/d/f`, 'x');
  if (spawnSync('chattr', ['+i', `${r.dst}/d`]).status !== 0) {
    t.skip('chattr +i not supported here');
    return;
  }
  t.after(() => spawnSync('chattr', ['-i', `${r.dst}/d`]));
  const tr = transport(r);
  const rep = await tr.batch([delay('Create', '/d/f')], ctx());
  assert.equal(rep.outcome.kind, 'again');
  if (rep.outcome.kind === 'again') {
    assert.match(rep.outcome.reason, /EPERM|EACCES/);
    assert.ok(rep.outcome.reason.includes(`${r.dst}/d/f`), rep.outcome.reason);
    assert.ok(!rep.outcome.reason.includes('\n'), 'one line');
  }
  spawnSync('chattr', ['-i', `${r.dst}/d`]);
  assert.deepEqual((await tr.batch([delay('Create', '/d/f')], ctx())).outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('target-side error: a full file system → again with ENOSPC, no temp file left behind', { skip: !IS_ROOT }, async (t) => {
  const base = roots(t);
  // The mount point lives outside the roots' base, so its cleanup does not race the unmount.
  const mnt = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-direct-mnt-'));
  const r = { ...base, dst: mnt };
  mkdirSync(r.src, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]).status !== 0) {
    rmSync(mnt, { recursive: true, force: true });
    t.skip('cannot mount a tmpfs here');
    return;
  }
  t.after(() => {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  writeFileSync(`${r.src}/big`, Buffer.alloc(1024 * 1024, 7));
  writeFileSync(`${r.src}/small`, 'fits');
  const tr = transport(r);
  const rep = await tr.batch([delay('Create', '/small'), delay('Create', '/big')], ctx());
  assert.equal(rep.outcome.kind, 'again');
  if (rep.outcome.kind === 'again') assert.match(rep.outcome.reason, /ENOSPC/);
  assert.deepEqual(readdirSync(r.dst), ['small'], 'the temp file of the failed copy is removed');
  assert.equal(spawnSync('mount', ['-o', 'remount,size=4m', r.dst]).status, 0);
  assert.deepEqual((await tr.batch([delay('Create', '/small'), delay('Create', '/big')], ctx())).outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});

test('full(): real rsync with excludes and delete, then tree identical except excluded names', { skip: !haveRsync }, async (t) => {
  const r = roots(t);
  mkdirSync(`${r.src}/a/node_modules/z`, { recursive: true });
  mkdirSync(`${r.dst}/stale/deeper`, { recursive: true });
  writeFileSync(`${r.dst}/stale/deeper/x`, 'old');
  writeFileSync(`${r.src}/a/f`, 'f');
  writeFileSync(`${r.src}/a/node_modules/z/big`, 'no');
  writeFileSync(`${r.src}/skip.log`, 'no');
  for (const n of HOSTILE) writeFileSync(`${r.src}/a/${n}`, n);
  writeFileSync(at(r.src, RAW('/raw', 0xff)), 'raw');
  symlinkSync('a/f', `${r.src}/ln`);
  const tr = transport(r, { delete: true, exclude: ['node_modules/', '*.log'], rsync: { archive: true } });
  const c = ctx();
  const rep = await tr.full(c);
  assert.deepEqual(rep.outcome, { kind: 'ok' }, c.log.lines.join('\n'));
  const skip = (p: string) => p.includes('node_modules') || p.endsWith('.log');
  assert.deepEqual(treeDiff(r.src, r.dst, { skip }), []);
  assert.equal(existsSync(`${r.dst}/a/node_modules`), false);
  assert.equal(existsSync(`${r.dst}/skip.log`), false);
  assert.equal(existsSync(`${r.dst}/stale`), false);
});

test('full(): delete=false / "running" keep target-only files on the full transfer', { skip: !haveRsync }, async (t) => {
  for (const del of [false, 'running'] as const) {
    const r = roots(t);
    mkdirSync(r.src, { recursive: true });
    mkdirSync(r.dst, { recursive: true });
    writeFileSync(`${r.dst}/extra`, 'e');
    writeFileSync(`${r.src}/f`, 'f');
    const rep = await transport(r, { delete: del }).full(ctx());
    assert.deepEqual(rep.outcome, { kind: 'ok' });
    assert.ok(existsSync(`${r.dst}/extra`));
    assert.ok(existsSync(`${r.dst}/f`));
  }
});

test('full(): exit codes mapped through rsyncExitCodes; missing binary → die with the install hint', { skip: !haveRsync }, async (t) => {
  const r = roots(t);
  mkdirSync(r.dst, { recursive: true });
  // Source missing: rsync exits 23 (partial transfer) → again in the default table…
  const c = ctx();
  const again = await transport(r).full(c);
  assert.equal(again.outcome.kind, 'again');
  if (again.outcome.kind === 'again') assert.match(again.outcome.reason, /code 23/);
  assert.ok(c.log.lines.some((l) => l.startsWith('Warn: rsync:')), 'rsync stderr reaches the log');
  // …and ok when the sync says so (lsyncd's table).
  assert.deepEqual((await transport(r, { rsyncExitCodes: { '23': 'ok' } }).full(ctx())).outcome, { kind: 'ok' });
  // An unknown option: exit 1 → die.
  mkdirSync(r.src, { recursive: true });
  const die = await transport(r, { rsync: { _extra: ['--no-such-option'] } }).full(ctx());
  assert.equal(die.outcome.kind, 'die');
  // No rsync at all.
  const missing = await transport(r, {}, { rsyncBinary: `${r.base}/no/rsync` }).full(ctx());
  assert.deepEqual(missing.outcome, { kind: 'die', reason: RSYNC_NOT_FOUND });
  const viaConfig = await transport(r, { rsync: { binary: 'lsyncd-ts-no-such-rsync' } }).full(ctx());
  assert.equal(viaConfig.outcome.kind, 'die');
  // (a PATH with an unreadable directory makes execvp say EACCES instead of ENOENT)
  assert.ok(viaConfig.outcome.kind === 'die' && viaConfig.outcome.reason.startsWith(RSYNC_NOT_FOUND), JSON.stringify(viaConfig.outcome));
});

test('full(): an aborted transfer is again, promptly', { skip: !haveRsync }, async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  writeFileSync(`${r.src}/f`, 'x');
  const ac = new AbortController();
  ac.abort();
  const rep = await transport(r).full({ log: ctx().log, signal: ac.signal });
  assert.equal(rep.outcome.kind, 'again');
});

test('batch with a Full delay inside runs the full transfer in FIFO position', { skip: !haveRsync }, async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  writeFileSync(`${r.src}/a`, 'a');
  writeFileSync(`${r.src}/b`, 'b');
  const rep = await transport(r).batch([delay('Create', '/a'), delay('Full', '/')], ctx());
  assert.deepEqual(rep.outcome, { kind: 'ok' });
  assert.deepEqual(treeDiff(r.src, r.dst), []);
});
