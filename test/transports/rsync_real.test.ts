// The batch argv and include list against the real rsync binary: hostile names reach the
// target, unlisted files do not, deleted directories vanish, excluded names stay out of a
// moved-in subtree, and with `+` filter rules a moved-in tree ends as a full transfer leaves it. Skipped when rsync is not installed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncludeEntry, rsyncBatchCommand, rsyncFullCommand } from '../../src/transports/rsync/index.js';
import type { Command } from '../../src/process/command.js';

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
      { path: '/re/', subtree: true },
      { path: '/re/', subtree: false },
      { path: '/re/M/', subtree: true, moved: true },
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

// Files below `dir` as sorted "rel-path=content" lines (directories as "rel/").
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(r);
      } else out.push(`${r}=${readFileSync(join(dir, r), 'utf8')}`);
    }
  };
  walk('');
  return out.sort();
}

test('moved-in directory with + filter rules: inside it the batch leaves what a full transfer leaves', { skip: !haveRsync }, () => {
  const root = mkdtempSync(join(tmpdir(), 'lsyncd-ts-rsync-'));
  try {
    const src = join(root, 'src');
    const P = 'p[1]*'; // an ancestor whose name needs escaping in the `- X*` rules
    const D = `${P}/m[o]v*ed d`;
    for (const d of [`${D}/sub`, `${D}/we[ird]?`, 'b', 're/M']) mkdirSync(join(src, d), { recursive: true });
    const files: Record<string, string> = {
      [`${D}/x.php`]: 'x', [`${D}/y.txt`]: 'y', [`${D}/sub/z.php`]: 'z', [`${D}/sub/w.log`]: 'w',
      [`${D}/we[ird]?/q.php`]: 'q', [`${P}/changed.php`]: 'c', [`${P}/unlisted.php`]: 'u', 'b/f.php': 'f',
      're/M/a.php': 'a', 're/M/b.txt': 'b',
    };
    for (const [p, c] of Object.entries(files)) writeFileSync(join(src, p), c);
    const rules = [{ include: true, pattern: '*/' }, { include: true, pattern: '*.php' }, { include: false, pattern: '*' }];
    const prepare = (dst: string): void => {
      mkdirSync(join(dst, D, 'sub'), { recursive: true });
      mkdirSync(join(dst, 'gone'), { recursive: true });
      writeFileSync(join(dst, D, 'stale.php'), 'target only, included by the rules: deleted');
      writeFileSync(join(dst, D, 'keep.txt'), 'target only, excluded by the rules: protected');
      writeFileSync(join(dst, D, 'sub', 'old.php'), 'deleted');
      writeFileSync(join(dst, 'gone', 'x.txt'), 'in a deleted directory');
      // /re was deleted and made again on the source, and M moved into it
      mkdirSync(join(dst, 're', 'old'), { recursive: true });
      writeFileSync(join(dst, 're', 'old', 'o.txt'), 'excluded by the rules, in a deleted directory');
      writeFileSync(join(dst, 're', 'old', 'p.php'), 'in a deleted directory');
    };
    const batchDst = join(root, 'batch');
    const fullDst = join(root, 'full');
    prepare(batchDst);
    prepare(fullDst);
    const entries: IncludeEntry[] = [
      { path: `/${D}/`, subtree: true, moved: true },
      { path: `/${D}/sub/z.php`, subtree: false }, // inside the moved tree: covered by it
      { path: `/${P}/changed.php`, subtree: false },
      { path: '/gone/', subtree: true },
      { path: '/re/', subtree: true },
      { path: '/re/', subtree: false },
      { path: '/re/M/', subtree: true, moved: true },
    ];
    const batch = rsyncBatchCommand({ rsync: {}, delete: true, source: `${src}/`, target: `${batchDst}/`, entries, rules, contentChanged: true });
    assert.equal(batch.args.includes('--exclude=*'), false, 'the scoped list excludes level by level');
    run(batch);
    run(rsyncFullCommand({ rsync: {}, delete: true, source: `${src}/`, target: `${fullDst}/`, hasFilters: true, rules }));
    assert.deepEqual(listing(join(batchDst, D)), listing(join(fullDst, D)));
    assert.deepEqual(listing(join(batchDst, D)), [
      'keep.txt=target only, excluded by the rules: protected', 'sub/', 'sub/z.php=z', 'we[ird]?/', 'we[ird]?/q.php=q', 'x.php=x',
    ]);
    // Outside the moved trees only the listed paths: no unlisted file, nothing of /b; the
    // deleted /gone entirely.
    assert.deepEqual(readdirSync(join(batchDst, P)).sort(), ['changed.php', 'm[o]v*ed d']);
    assert.deepEqual(readdirSync(batchDst).sort(), [P, 're']);
    // Made again with a tree moved in: the rules apply inside; what was deleted goes entirely
    // (perishable excludes), where a full transfer would keep the rule-excluded o.txt.
    assert.deepEqual(listing(join(batchDst, 're')), ['M/', 'M/a.php=a']);
    assert.deepEqual(listing(join(fullDst, 're')), ['M/', 'M/a.php=a', 'old/', 'old/o.txt=excluded by the rules, in a deleted directory']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
