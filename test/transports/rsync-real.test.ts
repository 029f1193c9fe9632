// The batch argv and include list against the real rsync binary: hostile names reach the
// target, unlisted files do not, deleted directories vanish, excluded names stay out of a
// moved-in subtree. Skipped when rsync is not installed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncludeEntry, rsyncBatchCommand } from '../../src/transports/rsync/index.js';
import type { Command } from '../../src/transports/command.js';

const haveRsync = spawnSync('rsync', ['--version']).status === 0;

function run(cmd: Command): void {
  const r = spawnSync(cmd.binary, [...cmd.args], { input: cmd.stdin ?? Buffer.alloc(0) });
  assert.equal(r.status, 0, r.stderr.toString());
}

const HOSTILE = ['a]b', 'a\\b', 'x*y', 'q?', '[br]', 'new\nline', "quo'te", '-dash', 'sp ace', '$(x)', 'b]*\\'];

test('batch rsync with hostile names, unlisted files and a deleted directory', { skip: !haveRsync }, () => {
  const root = mkdtempSync(join(tmpdir(), 'lsyncd-ts-rsync-'));
  try {
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(join(src, 'd[1]'), { recursive: true });
    mkdirSync(join(dst, 'gone', 'deep'), { recursive: true });
    writeFileSync(join(dst, 'gone', 'deep', 'f'), 'old');
    const raw = Buffer.concat([Buffer.from(`${src}/raw`), Buffer.from([0xff])]);
    writeFileSync(raw, 'r');
    for (const n of HOSTILE) writeFileSync(join(src, n), n);
    writeFileSync(join(src, 'd[1]', 'f*'), 'nested');
    writeFileSync(join(src, 'unlisted'), 'u');
    const entries: IncludeEntry[] = [
      ...HOSTILE.map((n) => ({ path: `/${n}`, subtree: false })),
      { path: '/d[1]/f*', subtree: false },
      { path: Buffer.concat([Buffer.from('/raw'), Buffer.from([0xff])]), subtree: false },
      { path: '/gone/', subtree: true },
    ];
    run(rsyncBatchCommand({ rsync: { times: true }, delete: true, source: `${src}/`, target: `${dst}/`, entries }));
    const got = readdirSync(dst).sort();
    const want = [...HOSTILE, 'd[1]', Buffer.from([0x72, 0x61, 0x77, 0xff]).toString()].sort();
    assert.deepEqual(got, want);
    assert.equal(existsSync(join(dst, 'd[1]', 'f*')), true);
    assert.equal(existsSync(join(dst, 'unlisted')), false);
    assert.equal(existsSync(join(dst, 'gone')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('moved-in directory subtree: content copied, excluded names kept out', { skip: !haveRsync }, () => {
  const root = mkdtempSync(join(tmpdir(), 'lsyncd-ts-rsync-'));
  try {
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(join(src, 'moved', 'node_modules'), { recursive: true });
    mkdirSync(join(src, 'moved', 'sub'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(join(src, 'moved', 'a'), 'a');
    writeFileSync(join(src, 'moved', 'x.tmp'), 't');
    writeFileSync(join(src, 'moved', 'sub', 'b'), 'b');
    writeFileSync(join(src, 'moved', 'node_modules', 'big'), 'n');
    run(
      rsyncBatchCommand({
        rsync: {}, delete: true, source: `${src}/`, target: `${dst}/`,
        entries: [{ path: '/moved/', subtree: true }],
        rules: [{ include: false, pattern: '*.tmp' }, { include: false, pattern: 'node_modules/' }],
      }),
    );
    assert.deepEqual(readdirSync(join(dst, 'moved')).sort(), ['a', 'sub']);
    assert.deepEqual(readdirSync(join(dst, 'moved', 'sub')), ['b']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
