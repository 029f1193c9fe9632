import test from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue } from '../../src/queue/index.js';
import {
  escapeIncludePattern,
  includeEntriesFromDelays,
  includeListBytes,
  includePatterns,
} from '../../src/transports/rsync/index.js';
import { needsScopedList, scopedIncludeListBytes, scopedRuleArgs } from '../../src/transports/rsync/scoped_include_list.js';

const f = (path: string) => ({ path, subtree: false });

test('docs/lsyncd-compat.md#rsync-command-lines example list (observed on lsyncd 2.2.3), same order', () => {
  const entries = [
    f('/new1'), f('/d1/d2/f1'), f('/nd/'), f('/nd/zz'), f('/moved1'), f('/gone'),
    { path: '/d1/', subtree: true }, f('/d1r/'), f('/d1r/d2/'), f('/d1r/d2/f1'), f('/sp ace*?[x].txt'),
  ];
  assert.deepEqual(includePatterns(entries), [
    '/new1', '/', '/d1/d2/f1', '/d1/d2/', '/d1/', '/nd/', '/nd/zz', '/moved1', '/gone', '/d1/***',
    '/d1r/', '/d1r/d2/', '/d1r/d2/f1', '/sp ace\\*\\?\\[x\\].txt',
  ]);
});

const ESCAPES: [string, boolean, string][] = [
  ['/plain', false, '/plain'],
  ['/a]b', false, '/a]b'], // no wildcard: rsync compares literally, "\]" would never match
  ['/a\\b', false, '/a\\b'],
  ['/x*y', false, '/x\\*y'],
  ['/x*\\y', false, '/x\\*\\\\y'], // wildcard present: backslash must be escaped too
  ['/q?', false, '/q\\?'],
  ['/[br]', false, '/\\[br\\]'],
  ['/d]/', true, '/d\\]/***'], // *** makes it a wildcard pattern
  ['/d/', true, '/d/***'],
];
for (const [path, subtree, want] of ESCAPES) {
  test(`escapeIncludePattern ${JSON.stringify(path)}${subtree ? ' (subtree)' : ''}`, () => {
    assert.equal(escapeIncludePattern(path, subtree), want);
  });
}

test('ancestors are escaped independently of the leaf', () => {
  assert.deepEqual(includePatterns([f('/a]b/x*y')]), ['/a\\]b/x\\*y', '/a]b/', '/']);
});

test('bytes: NUL-joined, non-UTF-8 names preserved, empty list is empty', () => {
  const raw = Buffer.from([0x2f, 0x66, 0xff, 0x0a, 0x67]); // "/f\xff\ng"
  const bytes = includeListBytes([{ path: raw, subtree: false }]);
  assert.deepEqual(bytes, Buffer.concat([raw, Buffer.from('\0/')]));
  assert.equal(includeListBytes([]).length, 0);
  assert.deepEqual(includeListBytes([f('/é')]), Buffer.from('/é\0/'));
});

test('subtree only applies to directories', () => {
  assert.deepEqual(includePatterns([{ path: '/file', subtree: true }]), ['/file', '/']);
});

test('includeEntriesFromDelays: deleted paths are listed as a file and as a directory (***), so either type goes; dirs created by a split Move get ***', () => {
  const dq = new DelayQueue({ delayMs: 0, maxDelays: 100, splitMoves: true });
  dq.ingest({ kind: 'Move', path: '/old/', destination: '/new/' }, 0);
  dq.ingest({ kind: 'Create', path: '/made/' }, 0);
  dq.ingest({ kind: 'Delete', path: '/f' }, 0);
  dq.ingest({ kind: 'Modify', path: '/m' }, 0);
  const b = dq.getBatch(0)!;
  assert.deepEqual(includeEntriesFromDelays(b.delays), [
    { path: '/old', subtree: false },
    { path: '/old/', subtree: true },
    { path: '/new/', subtree: true, moved: true },
    { path: '/made/', subtree: false },
    { path: '/f', subtree: false },
    { path: '/f/', subtree: true },
    { path: '/m', subtree: false },
  ]);
});

test('scoped list (+ filter rules and a moved-in directory): includes, then level excludes; the rules follow as options', () => {
  const entries = [
    { path: '/a b/D*/', subtree: true, moved: true },
    { path: '/a b/D*/inner', subtree: false }, // inside the moved tree: dropped
    { path: '/a b/f', subtree: false },
    { path: '/del/', subtree: true },
    { path: '/del/x/', subtree: false }, // below a deleted tree: no level exclude
    { path: '/re/', subtree: true }, // deleted, made again, a tree moved into it: scoped
    { path: '/re/', subtree: false },
    { path: '/re/M/', subtree: true, moved: true },
  ];
  const rules = [{ include: true, pattern: '*.php' }, { include: false, pattern: '*' }];
  assert.equal(needsScopedList(entries, rules), true);
  assert.equal(needsScopedList(entries, [{ include: false, pattern: '*.tmp' }]), false, 'exclude-only: perishable excludes');
  assert.equal(needsScopedList([{ path: '/del/', subtree: true }], rules), false, 'a deleted tree alone keeps ***');
  assert.deepEqual(scopedIncludeListBytes(entries).toString('latin1').split('\0'), [
    '/a b/D\\*/',
    '/a b/',
    '/',
    '/a b/f',
    '/del/***',
    '/del/x/',
    '/del/',
    '/re/',
    '- /a b/*',
    '- /*',
    '- /a b/f/*',
  ]);
  assert.deepEqual(scopedRuleArgs(rules), ['--filter=+ *.php', '--filter=-p *']);
});
