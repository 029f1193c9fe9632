// The ABI between the addon and TypeScript: record kinds, flags, the typed array of each record
// field, and the inotifyMode names agree on both sides (the addon exports its side as
// `watcherAbi`, built from native/core/record.h, batch_builder.h and inotify_mode.h), and the
// loader refuses an addon built for another ABI with one line naming the fix.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { inotifyModeSchema } from '../../src/config/schema.js';
import { checkNativeAbi, loadNative, NATIVE_ABI_VERSION, NativeAbiError, RECORD_FIELDS, type RawBatch, type RawMessage } from '../../src/native/native_binding.js';
import { InotifyModes } from '../../src/watcher/inotify_mode.js';
import { RecordFlag, RecordKind } from '../../src/watcher/record_kind.js';
import { WATCHER_DEFAULTS } from '../../src/watcher/watcher.js';
import { runBin } from '../cli/run_bin.js';
import { tempDir } from '../helpers/temp_tree.js';

test('the loaded addon speaks the ABI version the TypeScript side expects', () => {
  assert.equal(loadNative().abiVersion, NATIVE_ABI_VERSION);
});

test('an addon built for another ABI is refused with one line naming the fix', () => {
  for (const abiVersion of [NATIVE_ABI_VERSION + 1, undefined]) {
    assert.throws(
      () => checkNativeAbi({ abiVersion }, 'build/Release/lsyncd_ts_native.node'),
      (e: unknown) =>
        e instanceof NativeAbiError &&
        !e.message.includes('\n') &&
        e.message === `the native addon build/Release/lsyncd_ts_native.node has watcher ABI ${String(abiVersion)}, this lsyncd-ts needs ${NATIVE_ABI_VERSION} — rebuild it (npm rebuild, or npx node-gyp rebuild in the lsyncd-ts directory)`,
    );
  }
  assert.doesNotThrow(() => checkNativeAbi({ abiVersion: NATIVE_ABI_VERSION }, 'x.node'));
});

test('the daemon refuses such an addon at start-up: exit 255, the one line, no stack trace', (t) => {
  const dir = tempDir(t);
  const addon = path.join(dir, 'old_addon.cjs');
  writeFileSync(addon, `module.exports = { abiVersion: ${NATIVE_ABI_VERSION + 1} };\n`);
  mkdirSync(path.join(dir, 's'));
  const r = runBin(['-nodaemon', '-direct', path.join(dir, 's'), path.join(dir, 't')], { LSYNCD_TS_ADDON: addon });
  assert.equal(r.code, 255);
  const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => / Error: /.test(l));
  assert.deepEqual(errors.map((l) => l.replace(/^[\d:]+ /, '')), [
    `Error: the native addon ${addon} has watcher ABI ${NATIVE_ABI_VERSION + 1}, this lsyncd-ts needs ${NATIVE_ABI_VERSION} — rebuild it (npm rebuild, or npx node-gyp rebuild in the lsyncd-ts directory)`,
  ]);
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, /\n\s+at /);
});

test('record kinds and flags: native/core/record.h and record_kind.ts hold the same names and numbers', () => {
  const abi = loadNative().watcherAbi;
  assert.deepEqual(abi.recordKinds, { ...RecordKind });
  assert.deepEqual(abi.recordFlags, { ...RecordFlag });
});

test('record fields: each arrives in the typed array RawBatch declares, in the addon\'s report and in a real batch', async (t) => {
  const native = loadNative();
  const declared = Object.fromEntries(Object.entries(RECORD_FIELDS).map(([field, ctor]) => [field, ctor.name]));
  assert.deepEqual(native.watcherAbi.recordFields, declared);

  const root = tempDir(t);
  const replies = new Map<number, () => void>();
  let batch: ((b: RawBatch) => void) | undefined;
  const batchArrived = new Promise<RawBatch>((resolve) => (batch = resolve));
  const w = new native.NativeWatcher({ mode: 0, ...WATCHER_DEFAULTS }, (m: RawMessage) => {
    if (m.type === 2) replies.get(m.reqId)?.();
    else if (m.flushIds.includes(2)) batch?.(m);
    else w.ack();
  });
  t.after(() => w.close());
  await new Promise<void>((resolve) => {
    replies.set(1, resolve);
    w.add(1, 0, root, []);
  });
  mkdirSync(path.join(root, 'd'));
  w.flush(2);
  const b = await batchArrived;
  w.ack();
  for (const [field, ctor] of Object.entries(RECORD_FIELDS)) {
    assert.ok(b[field as keyof typeof RECORD_FIELDS] instanceof ctor, `${field} is a ${ctor.name}`);
  }
  assert.equal(b.kind[0], RecordKind.Create);
  assert.equal(b.flags[0]! & RecordFlag.IsDir, RecordFlag.IsDir);
  assert.equal(b.pathBytes.toString('utf8', b.pathOff[0]!, b.pathOff[1]!), 'd');
});

test('inotifyMode: the config schema, the watcher and native/core/inotify_mode.h know the same names', () => {
  assert.deepEqual(inotifyModeSchema.options, [...InotifyModes]);
  assert.deepEqual([...loadNative().watcherAbi.inotifyModes].sort(), [...InotifyModes].sort());
});

test('the addon takes no option from a default of its own: a missing one is a TypeError naming it', () => {
  const { NativeWatcher } = loadNative();
  for (const missing of Object.keys(WATCHER_DEFAULTS)) {
    const opts: Record<string, number> = { mode: 0, ...WATCHER_DEFAULTS };
    delete opts[missing];
    assert.throws(
      () => new NativeWatcher(opts as never, () => {}),
      (e: unknown) => e instanceof TypeError && e.message === `NativeWatcher option ${missing} must be a number`,
    );
  }
});
