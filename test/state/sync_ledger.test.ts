// The ledger's invariant (src/state/sync_ledger.ts): the manifest never claims more than the
// target has — signatures are taken BEFORE the transfer and written only after it succeeded.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compileRuleList } from '../../src/filters/rule_list.js';
import { memoryLog } from '../../src/log/log.js';
import type { Delay, QueueEvent } from '../../src/queue/events.js';
import { PENDING, sourceRootBytes, statEntry } from '../../src/state/source_scan.js';
import { StateStore } from '../../src/state/state_store.js';
import { SyncLedger } from '../../src/state/sync_ledger.js';
import { tempDir } from '../helpers/temp_tree.js';

let seq = 0;
const delay = (kind: Delay['kind'], p: string, extra: Partial<Delay> = {}): Delay => ({
  seq: seq++, kind, path: p, destination: undefined, isDir: p.endsWith('/'), alarm: 0, status: 'active', fromMove: false, attempts: 0, reason: undefined, ...extra,
});

function setup(t: test.TestContext, exclude: string[] = []): { src: string; store: StateStore; ledger: SyncLedger; errors: string[] } {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  mkdirSync(src);
  const store = StateStore.open(path.join(dir, 'state'));
  t.after(() => store.close());
  const log = memoryLog();
  const ledger = new SyncLedger({ store, name: 's', fingerprint: 'fp', rootBytes: sourceRootBytes(src), rules: compileRuleList({ exclude }), log, fullReason: undefined });
  return { src, store, ledger, errors: log.lines };
}

test('a full transfer records the scan taken before it, not what the source holds after it', (t) => {
  const { src, store, ledger } = setup(t, ['*.tmp']);
  writeFileSync(path.join(src, 'a'), 'one');
  writeFileSync(path.join(src, 'skip.tmp'), 'x');
  const root = sourceRootBytes(src);
  const before = statEntry(root, '/a');
  const record = ledger.prepare([delay('Full', '/')], true);
  // Changed while "rsync runs": the live event for it is what sends the new content.
  writeFileSync(path.join(src, 'a'), 'two, longer');
  utimesSync(path.join(src, 'a'), 5, 5);
  writeFileSync(path.join(src, 'b'), 'new during the transfer');
  assert.equal(store.fingerprint('s'), undefined, 'nothing is written before success');
  record([]);
  assert.deepEqual([...store.manifest('s')], [['/a', before]]);
  // So a restart now sees /a changed and /b new: both are sent again.
  const events: QueueEvent[] = [];
  assert.equal(ledger.catchUp((ev) => events.push(ev)), 2);
  assert.deepEqual(events, [{ kind: 'Modify', path: '/a' }, { kind: 'Create', path: '/b' }]);
});

test('a batch that is never recorded (failed transfer, crash) leaves only pending marks for what it may have created', (t) => {
  const { src, store, ledger } = setup(t);
  writeFileSync(path.join(src, 'a'), 'one');
  ledger.prepare([delay('Full', '/')], true)([]);
  const was = store.manifest('s').get('/a');
  writeFileSync(path.join(src, 'a'), 'changed!!');
  writeFileSync(path.join(src, 'b'), 'new');
  ledger.prepare([delay('Modify', '/a'), delay('Create', '/b')], false);
  assert.deepEqual([...store.manifest('s')], [['/a', was], ['/b', PENDING]]);
  // Deleted while the daemon is down: the catch-up deletes it on the target too.
  rmSync(path.join(src, 'b'));
  const events: QueueEvent[] = [];
  ledger.catchUp((ev) => events.push(ev));
  assert.deepEqual(events, [{ kind: 'Modify', path: '/a' }, { kind: 'Delete', path: '/b' }]);
});

test('subtree transfers stay unsettled until the queue stays empty for a second; the catch-up re-sends an unsettled directory whole', (t) => {
  const { src, store, ledger } = setup(t);
  writeFileSync(path.join(src, 'a'), 'one');
  ledger.prepare([delay('Full', '/')], true)([]);
  ledger.prepare([delay('Full', '/')], true)([]);
  assert.deepEqual(store.unsettled('s'), ['/']);
  // Not while events keep the queue busy, nor when a transfer ran in the quiet period.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  ledger.settled(() => false);
  t.mock.timers.tick(1000);
  assert.deepEqual(store.unsettled('s'), ['/']);
  ledger.settled(() => true);
  ledger.prepare([delay('Modify', '/a')], false)([]);
  t.mock.timers.tick(1000);
  assert.deepEqual(store.unsettled('s'), ['/']);
  ledger.settled(() => true);
  t.mock.timers.tick(999);
  assert.deepEqual(store.unsettled('s'), ['/']);
  t.mock.timers.tick(1);
  assert.deepEqual(store.unsettled('s'), []);
  t.mock.timers.reset();
  mkdirSync(path.join(src, 'in'));
  ledger.prepare([delay('Create', '/in/', { fromMove: true })], false)([]);
  // rsync's in/*** also sent what appeared after the walk; its own event is not recorded yet.
  writeFileSync(path.join(src, 'in', 'late'), 'x');
  assert.deepEqual(store.unsettled('s'), ['/in/']);
  const events: QueueEvent[] = [];
  ledger.catchUp((ev) => events.push(ev));
  assert.deepEqual(events, [{ kind: 'Create', path: '/in/', fromMove: true }]);
});

test('batches record pre-transfer stats, deletes, moved-in subtrees; a requeued move forgets both ends', (t) => {
  const { src, store, ledger } = setup(t);
  mkdirSync(path.join(src, 'd'));
  writeFileSync(path.join(src, 'd', 'x'), 'x');
  writeFileSync(path.join(src, 'f'), 'f');
  ledger.prepare([delay('Full', '/')], true)([]);
  const root = sourceRootBytes(src);
  // A directory moved in from outside the source: its subtree is one transfer.
  mkdirSync(path.join(src, 'in'));
  writeFileSync(path.join(src, 'in', 'y'), 'y');
  rmSync(path.join(src, 'f'));
  ledger.prepare([delay('Create', '/in/', { fromMove: true }), delay('Delete', '/f')], false)([]);
  assert.deepEqual([...store.manifest('s').keys()], ['/d/', '/d/x', '/in/', '/in/y']);
  assert.equal(store.manifest('s').get('/in/y'), statEntry(root, '/in/y'));
  // A remote mv that failed comes back as a Create of the destination: claim neither end.
  renameSync(path.join(src, 'd'), path.join(src, 'e'));
  ledger.prepare([delay('Move', '/d/', { destination: '/e/' })], false)([{ kind: 'Create', path: '/e/', fromMove: true }]);
  assert.deepEqual([...store.manifest('s')].map(([p, sig]) => (sig === PENDING ? `${p} pending` : p)), ['/d/', '/d/x', '/e/ pending', '/in/', '/in/y']);
  store.apply('s', 'fp', [{ kind: 'remove', path: '/e/' }, { kind: 'remove', path: '/d/' }]);
  // One that worked renames the subtree.
  renameSync(path.join(src, 'in'), path.join(src, 'out'));
  ledger.prepare([delay('Move', '/in/', { destination: '/out/' })], false)([]);
  assert.deepEqual([...store.manifest('s').keys()], ['/out/', '/out/y']);
});

test('a failing write is one error line; the database is dropped and the ledger stops recording', (t) => {
  const { src, store, ledger, errors } = setup(t);
  writeFileSync(path.join(src, 'a'), 'one');
  const record = ledger.prepare([delay('Full', '/')], true);
  void store.close();
  record([]);
  ledger.prepare([delay('Modify', '/a')], false)([]);
  assert.equal(existsSync(path.join(store.dir, 'state.mdb')), false);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^Error: s: cannot write the sync state in .*state \(.*\) — free space or make it writable; no state is kept until the restart, which does full transfers$/);
});
