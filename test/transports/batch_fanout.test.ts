// The argv of batch fan-out (src/transports/rsync/batch_fanout.ts), the outcome check of a
// read and the decision function; the real rsync behaviour is in batch_fanout_real.test.ts.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  ITEMIZE,
  MIN_BATCH_BYTES,
  MIN_REMOTE_TARGETS,
  NO_INC_RECURSIVE,
  batchReadCommand,
  batchReadRejected,
  batchWriteCommand,
  useBatchFanout,
} from '../../src/transports/rsync/batch_fanout.js';

const rsync = { links: true, times: true, protect_args: true };
const entries = [{ path: '/big.bin', subtree: false }];

test('write: the event batch command without --delete, no incremental recursion, --only-write-batch before SRC REF', () => {
  const cmd = batchWriteCommand({ rsync, source: '/s/', reference: '/t0/', entries, batchFile: '/w/b' });
  assert.equal(cmd.binary, 'rsync');
  assert.deepEqual(cmd.args, [
    '-lst', '-r', '--modify-window=-1', '--force', '--from0', '--include-from=-', '--exclude=*',
    NO_INC_RECURSIVE, '--only-write-batch=/w/b', '/s/', '/t0/',
  ]);
  assert.deepEqual(cmd.stdin, Buffer.from('/big.bin\0/'));
});

test('write: a remote reference keeps the sync\'s --rsh', () => {
  const cmd = batchWriteCommand({ rsync, source: '/s/', reference: 'h:/t/', entries, batchFile: '/w/b', extraRsh: '--rsh=ssh -p 2222' });
  assert.deepEqual(cmd.args.slice(0, 2), ['-lst', '--rsh=ssh -p 2222']);
  assert.deepEqual(cmd.args.slice(-4), [NO_INC_RECURSIVE, '--only-write-batch=/w/b', '/s/', 'h:/t/']);
});

test('read, local target: same flags and comparison, names itemized, the batch file, the target', () => {
  const cmd = batchReadCommand({ rsync, batchFile: '/w/b', target: '/t1/' });
  assert.equal(cmd.binary, 'rsync');
  assert.deepEqual(cmd.args, ['-lst', '-r', NO_INC_RECURSIVE, ITEMIZE, '--modify-window=-1', '--read-batch=/w/b', '/t1/']);
  assert.equal(cmd.stdin, undefined);
  assert.equal(cmd.stdinFile, undefined);
});

test('read, remote target: rsync runs on the host through ssh, the batch file is ssh\'s stdin, every remote word quoted', () => {
  const cmd = batchReadCommand({
    rsync: { ...rsync, rsync_path: '/opt/rsync', rsh: 'ssh -x', password_file: '/p', inplace: true },
    batchFile: '/w/b',
    host: 'h',
    targetdir: "/srv/it's/",
    ssh: { identityFile: '/k', port: 2222, options: { BatchMode: 'yes' } },
  });
  assert.equal(cmd.binary, 'ssh');
  assert.deepEqual(cmd.args, [
    '-i', '/k', '-o', 'BatchMode=yes', '-p', '2222', 'h',
    "'/opt/rsync'", "'-lst'", "'--inplace'", "'-r'", `'${NO_INC_RECURSIVE}'`, `'${ITEMIZE}'`, "'--modify-window=-1'", "'--read-batch=-'", "'/srv/it'\\''s/'",
  ]);
  assert.equal(cmd.stdinFile, '/w/b');
  assert.equal(cmd.stdin, undefined);
});

test('write and read compare alike: --checksum with update or an old receiver, nothing extra with the user\'s -c', () => {
  const compare = (args: readonly string[]): string[] => args.filter((a) => a === '--checksum' || a.startsWith('--modify-window'));
  for (const [table, old, want] of [
    [{ ...rsync, update: true }, false, ['--checksum']],
    [rsync, true, ['--checksum']],
    [{ ...rsync, checksum: true }, false, []],
  ] as const) {
    const w = batchWriteCommand({ rsync: table, source: '/s/', reference: '/t/', entries, batchFile: '/b', receiverLacksWindow: old });
    const r = batchReadCommand({ rsync: table, batchFile: '/b', target: '/t/', receiverLacksWindow: old });
    assert.deepEqual(compare(w.args), want);
    assert.deepEqual(compare(r.args), want);
  }
});

test('a read is rejected on any non-zero exit or a verification warning; a skipped up-to-date file is fine', () => {
  assert.equal(batchReadRejected(0, ''), false);
  assert.equal(batchReadRejected(0, 'WARNING: big.bin failed verification -- update discarded (may try again).\n'), true);
  assert.equal(batchReadRejected(0, 'WARNING: big.bin failed verification -- update retained (may try again).\n'), true);
  assert.equal(batchReadRejected(2, 'got a block match with no basis file for "/t/big.bin" [receiver]\n'), true);
  assert.equal(batchReadRejected(255, 'ssh: connect to host h port 22: Connection refused\n'), true);
  assert.equal(batchReadRejected(null, ''), true, 'killed (a timeout)');
  assert.equal(batchReadRejected(0, '(Skipping batched update for "big.bin")\n'), false);
});

test('decision: only change sets without deletions, with enough changed bytes, to enough remote targets', () => {
  const big = { remoteTargets: 16, changedBytes: 200 * 2 ** 20, hasDeletes: false };
  assert.equal(useBatchFanout(big).batch, true);
  assert.match(useBatchFanout(big).reason, /16 remote targets share 200\.0 MiB/);
  assert.equal(useBatchFanout({ ...big, hasDeletes: true }).batch, false);
  assert.match(useBatchFanout({ ...big, hasDeletes: true }).reason, /deletes/);
  assert.equal(useBatchFanout({ ...big, remoteTargets: MIN_REMOTE_TARGETS - 1 }).batch, false);
  assert.equal(useBatchFanout({ ...big, remoteTargets: MIN_REMOTE_TARGETS }).batch, true);
  assert.equal(useBatchFanout({ ...big, changedBytes: MIN_BATCH_BYTES - 1 }).batch, false);
  assert.equal(useBatchFanout({ ...big, changedBytes: MIN_BATCH_BYTES }).batch, true);
  assert.equal(useBatchFanout({ ...big, remoteTargets: 4 }).batch, false, 'at 4 targets the batch costs the hub more than 4 plain transfers');
  assert.equal(useBatchFanout({ ...big, changedBytes: 2 * 2 ** 20 }).batch, false, 'many small new files: no gain even at 16 targets');
});
