// StandbyChild (src/process/standby_child.ts): a batch rsync started ahead of time, blocked on
// its stdin. Real rsync, real files. It is handed out only for the identical command and only
// while it is still waiting with its stdin untouched; anything else is started fresh, and an
// unused standby is killed without touching either tree.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { runCommand } from '../../src/process/process_runner.js';
import { StandbyChild } from '../../src/process/standby_child.js';
import type { Delay } from '../../src/queue/index.js';
import { smallBatch, STANDBY_MAX_BYTES, STANDBY_MAX_DELAYS } from '../../src/transports/rsync/rsync_transport.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

function batchArgs(src: string, dst: string): string[] {
  return ['-lst', '-r', '--delete', '--ignore-errors', '--force', '--from0', '--include-from=-', '--exclude=*', `${src}/`, `${dst}/`];
}

for (const mode of ['native', 'node'] as const) {
  test(`${mode}: a standby rsync runs the batch it is handed, with the list written later`, async (t) => {
    if (mode === 'node') process.env.LSYNCD_TS_NODE_SPAWN = '1';
    t.after(() => delete process.env.LSYNCD_TS_NODE_SPAWN);
    const src = tempDir(t);
    const dst = tempDir(t);
    const args = batchArgs(src, dst);
    const standby = StandbyChild.start('rsync', args);
    t.after(() => standby.dispose());
    // Created after the standby started: rsync looks at the source only once it has its list.
    writeFileSync(path.join(src, 'late'), 'written after the standby started');
    writeFileSync(path.join(src, 'unlisted'), 'not in the list');
    assert.equal(standby.waiting, true);
    const r = await runCommand({ binary: 'rsync', args, stdin: Buffer.from('/late\0') }, { standby });
    assert.equal(r.code, 0, r.stderrTail);
    assert.equal(readFileSync(path.join(dst, 'late'), 'utf8'), 'written after the standby started');
    assert.equal(existsSync(path.join(dst, 'unlisted')), false, 'only the listed path was sent');
    assert.equal(standby.waiting, false, 'the standby ran it (a fresh child would have left it waiting)');
    assert.equal(standby.take({ binary: 'rsync', args, stdin: undefined }), undefined, 'handed out once');
  });
}

test('a standby is not handed out for another command, and dispose kills it harmlessly', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(path.join(src, 'f'), 'x');
  const args = batchArgs(src, dst);
  const standby = StandbyChild.start('rsync', args);
  assert.equal(standby.take({ binary: 'rsync', args: [...args.slice(0, -2), '--filter=-p x', ...args.slice(-2)], stdin: undefined }), undefined);
  assert.equal(standby.take({ binary: '/usr/bin/rsync', args, stdin: undefined }), undefined);
  // Still waiting: it is ours to kill. It sends nothing.
  const child = standby.take({ binary: 'rsync', args, stdin: undefined });
  assert.ok(child);
  const ended = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  child.kill('SIGTERM');
  child.stdout?.resume();
  child.stderr?.resume();
  const [, sig] = await ended;
  assert.equal(sig, 'SIGTERM');
  assert.equal(existsSync(path.join(dst, 'f')), false);

  const other = StandbyChild.start('rsync', args);
  other.dispose();
  assert.equal(other.take({ binary: 'rsync', args, stdin: undefined }), undefined, 'disposed');
  assert.equal(existsSync(path.join(dst, 'f')), false, 'a disposed standby transferred nothing');
});

test('a standby that ended on its own, or whose stdin is no longer untouched, is never handed out', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  const args = batchArgs(src, dst);
  const exits = StandbyChild.start('sh', ['-c', 'exit 3']); // ends without reading stdin
  t.after(() => exits.dispose());
  await waitFor(() => !exits.waiting, 'the standby to end');
  assert.equal(exits.take({ binary: 'sh', args: ['-c', 'exit 3'], stdin: undefined }), undefined);

  const gone = StandbyChild.start('no-such-binary-lsyncd-ts', []);
  t.after(() => gone.dispose());
  await waitFor(() => !gone.waiting, 'the spawn error');
  assert.equal(gone.take({ binary: 'no-such-binary-lsyncd-ts', args: [], stdin: undefined }), undefined);

  const closed = StandbyChild.start('rsync', args);
  t.after(() => closed.dispose());
  assert.equal(closed.waiting, true);
  (closed as unknown as { child: { stdin: { end(): void } } }).child.stdin.end();
  assert.equal(closed.waiting, false);
  assert.equal(closed.take({ binary: 'rsync', args, stdin: undefined }), undefined, 'stdin ended: never handed out');
});

test('smallBatch: the standby serves only a few small files, never a tree or a full run', (t) => {
  const src = tempDir(t);
  writeFileSync(path.join(src, 'small'), 'x'.repeat(1000));
  writeFileSync(path.join(src, 'big'), Buffer.alloc(STANDBY_MAX_BYTES + 1));
  const d = (kind: Delay['kind'], p: string, fromMove = false): Delay => ({
    seq: 0, kind, path: p, destination: undefined, isDir: p.endsWith('/'), alarm: 0, status: 'wait', fromMove, attempts: 0, reason: undefined,
  });
  const source = `${src}/`;
  assert.equal(smallBatch(source, [d('Modify', '/small'), d('Delete', '/gone'), d('Create', '/new-dir/'), d('Create', '/vanished')]), true);
  assert.equal(smallBatch(source, [d('Modify', '/big')]), false, 'more than STANDBY_MAX_BYTES');
  assert.equal(smallBatch(source, Array.from({ length: STANDBY_MAX_DELAYS + 1 }, () => d('Modify', '/small'))), false, 'too many delays');
  assert.equal(smallBatch(source, [d('Create', '/moved/', true)]), false, 'a moved-in tree');
  assert.equal(smallBatch(source, [d('Full', '/')]), false);
});
