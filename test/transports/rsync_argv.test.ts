import test from 'node:test';
import assert from 'node:assert/strict';
import type { DeleteMode } from '../../src/config/schema.js';
import type { Delay } from '../../src/queue/index.js';
import { receiverRejectedWindow } from '../../src/transports/rsync/content_compare.js';
import { hasContentChanges, rsyncBatchCommand, rsyncFullCommand } from '../../src/transports/rsync/index.js';

const rsync = { links: true, times: true, protect_args: true };

const BATCH_DELETE: [DeleteMode, boolean][] = [
  [true, true],
  ['running', true],
  ['startup', false],
  [false, false],
];
for (const [mode, deletes] of BATCH_DELETE) {
  test(`batch argv docs/lsyncd-compat.md#rsync-command-lines, delete=${String(mode)}`, () => {
    const cmd = rsyncBatchCommand({ rsync, delete: mode, source: '/srv/src/', target: '/srv/trg/', entries: [{ path: '/a', subtree: false }] });
    assert.equal(cmd.binary, 'rsync');
    assert.deepEqual(cmd.args, [
      '-lst', '-r', ...(deletes ? ['--delete', '--ignore-errors'] : []),
      '--force', '--from0', '--include-from=-', '--exclude=*', '/srv/src/', '/srv/trg/',
    ]);
    assert.deepEqual(cmd.stdin, Buffer.from('/a\0/'));
  });
}

test('batch argv: a content comparison only for batches that change file content: ns mtimes, or --checksum with update / an old receiver', () => {
  const base = { rsync, delete: true as const, source: '/s/', target: '/t/', entries: [{ path: '/a', subtree: false }] };
  const compareArgs = (args: readonly string[]): string[] => args.filter((a) => a === '--checksum' || a.startsWith('--modify-window') || a === '--ignore-times');
  assert.deepEqual(rsyncBatchCommand({ ...base, contentChanged: true }).args.slice(0, 3), ['-lst', '-r', '--modify-window=-1']);
  assert.deepEqual(compareArgs(rsyncBatchCommand({ ...base, contentChanged: false }).args), []);
  assert.deepEqual(compareArgs(rsyncBatchCommand(base).args), []);
  assert.deepEqual(compareArgs(rsyncBatchCommand({ ...base, rsync: { ...rsync, update: true }, contentChanged: true }).args), ['--checksum']);
  assert.deepEqual(compareArgs(rsyncBatchCommand({ ...base, contentChanged: true, receiverLacksWindow: true }).args), ['--checksum']);
  assert.deepEqual(compareArgs(rsyncBatchCommand({ ...base, rsync: { ...rsync, checksum: true }, contentChanged: true }).args), [], 'the user\'s -c already compares by content');
  assert.equal(receiverRejectedWindow(1, "rsync: -@-1: unknown option\nrsync error: syntax or usage error (code 1) at main.c(1554) [server=3.1.2]"), true);
  assert.equal(receiverRejectedWindow(1, 'rsync: --modify-window=-1: unknown option'), true);
  assert.equal(receiverRejectedWindow(12, 'rsync: on remote machine: -@-1: unknown option\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]'), true);
  assert.equal(receiverRejectedWindow(0, 'rsync: -@-1: unknown option'), false);
  assert.equal(receiverRejectedWindow(1, 'rsync: change_dir "/x" failed: No such file or directory (2)'), false);
  const d = (kind: Delay['kind'], path: string, fromMove = false): Delay => ({
    seq: 0, kind, path, destination: undefined, isDir: path.endsWith('/'), alarm: 0, status: 'wait', fromMove, attempts: 0, reason: undefined,
  });
  assert.equal(hasContentChanges([d('Create', '/f')]), true);
  assert.equal(hasContentChanges([d('Attrib', '/f'), d('Modify', '/g')]), true);
  assert.equal(hasContentChanges([d('Create', '/moved/', true)]), true, 'a moved-in tree');
  assert.equal(hasContentChanges([d('Attrib', '/f'), d('Delete', '/g'), d('Create', '/new-empty-dir/')]), false);
});

test('batch argv: no stdin pipe for an empty list', () => {
  const cmd = rsyncBatchCommand({ rsync, delete: true, source: '/s/', target: 'h:/t/', entries: [] });
  assert.equal(cmd.stdin, undefined);
});

test('batch argv: perishable excludes only for subtrees with an exclude-only rule list', () => {
  const rules = [{ include: false, pattern: '*.tmp' }, { include: false, pattern: 'node_modules/' }];
  const sub = rsyncBatchCommand({ rsync: {}, delete: true, source: '/s/', target: '/t/', entries: [{ path: '/d/', subtree: true }], rules });
  assert.deepEqual(sub.args.slice(sub.args.indexOf('--from0') + 1, sub.args.indexOf('--include-from=-')), [
    '--filter=-p *.tmp',
    '--filter=-p node_modules/',
  ]);
  const noSub = rsyncBatchCommand({ rsync: {}, delete: true, source: '/s/', target: '/t/', entries: [{ path: '/d/', subtree: false }], rules });
  assert.equal(noSub.args.some((a) => a.startsWith('--filter')), false);
  const mixed = rsyncBatchCommand({
    rsync: {}, delete: true, source: '/s/', target: '/t/', entries: [{ path: '/d/', subtree: true }],
    rules: [{ include: true, pattern: 'x' }, ...rules],
  });
  assert.equal(mixed.args.some((a) => a.startsWith('--filter')), false);
});

test('batch argv: generated --rsh is part of the flags', () => {
  const cmd = rsyncBatchCommand({ rsync, delete: false, source: '/s/', target: 'h:/t/', entries: [], extraRsh: '--rsh=ssh -p 2222' });
  assert.deepEqual(cmd.args.slice(0, 3), ['-lst', '--rsh=ssh -p 2222', '-r']);
});

test('full argv docs/lsyncd-compat.md#init-and-full-transfers: no rules', () => {
  const cmd = rsyncFullCommand({ rsync, delete: true, source: '/s/', target: '/t/', hasFilters: false, rules: [] });
  assert.deepEqual(cmd.args, ['--delete', '--ignore-errors', '-lst', '-r', '/s/', '/t/']);
  assert.equal(cmd.stdin, undefined);
});

test('full argv docs/lsyncd-compat.md#init-and-full-transfers: excludes only -> --exclude-from=- (NUL separated)', () => {
  const cmd = rsyncFullCommand({
    rsync, delete: 'startup', source: '/s/', target: '/t/', hasFilters: false,
    rules: [{ include: false, pattern: '*.tmp' }, { include: false, pattern: '/top/' }],
  });
  assert.deepEqual(cmd.args, ['--from0', '--exclude-from=-', '--delete', '--ignore-errors', '-lst', '-r', '/s/', '/t/']);
  assert.deepEqual(cmd.stdin, Buffer.from('*.tmp\0/top/'));
});

test('full argv docs/lsyncd-compat.md#init-and-full-transfers: filters -> --filter=. - with filter lines then excludes', () => {
  const cmd = rsyncFullCommand({
    rsync: { ...rsync, delete_excluded: true }, delete: 'running', source: '/s/', target: '/t/', hasFilters: true,
    rules: [{ include: false, pattern: '/ab**' }, { include: true, pattern: '/a**' }, { include: false, pattern: 'x' }],
  });
  assert.deepEqual(cmd.args, ['--from0', '--filter=. -', '--delete-excluded', '-lst', '-r', '/s/', '/t/']);
  assert.deepEqual(cmd.stdin, Buffer.from('- /ab**\0+ /a**\0- x'));
});

for (const [mode, deletes] of [[true, true], ['startup', true], ['running', false], [false, false]] as [DeleteMode, boolean][]) {
  test(`full argv delete=${String(mode)}`, () => {
    const cmd = rsyncFullCommand({ rsync: {}, delete: mode, source: '/s/', target: '/t/', hasFilters: false, rules: [] });
    assert.equal(cmd.args.includes('--delete'), deletes);
  });
}
