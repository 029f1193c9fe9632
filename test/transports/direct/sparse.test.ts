// Direct mode keeps holes: a file with a 100 MiB hole arrives with its few data blocks allocated,
// not 100 MiB of zeros, byte-identical, both through the init transfer and through an event
// copy (real inotify, the real engine, real rsync for the init).
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startEngine } from '../../helpers/engine_harness.js';
import { tempDir } from '../../helpers/temp_tree.js';

const MiB = 1024 * 1024;
const HOLE_SIZE = 100 * MiB;
/** More than the few data blocks need, far less than the hole. */
const MAX_ALLOCATED = 1 * MiB;

/** A file of `size` bytes that is all hole except a few bytes at the start, middle and end. */
function writeSparse(file: string, size: number): void {
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, size);
    writeSync(fd, 'head', 0);
    writeSync(fd, 'middle', Math.floor(size / 2));
    writeSync(fd, 'tail', size - 4);
  } finally {
    closeSync(fd);
  }
}

function assertSparseCopy(src: string, dst: string): void {
  const s = statSync(src);
  const d = statSync(dst);
  assert.ok(s.blocks * 512 < MAX_ALLOCATED, `the source itself is sparse (${s.blocks} blocks)`);
  assert.equal(d.size, s.size);
  assert.ok(d.blocks * 512 < MAX_ALLOCATED, `${dst}: ${d.blocks * 512} bytes allocated for ${d.size} bytes of mostly hole`);
  assert.ok(readFileSync(dst).equals(readFileSync(src)), `${dst}: content differs from the source`);
}

test('direct mode: a file with a 100 MiB hole stays sparse on the target, at init and after an event', async (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeSparse(path.join(src, 'at-init.img'), HOLE_SIZE);
  const { engine } = await startEngine(t, { sync: [{ mode: 'direct', source: src, target: dst, delay: 0 }] });
  await engine.whenIdle();
  assertSparseCopy(path.join(src, 'at-init.img'), path.join(dst, 'at-init.img'));

  // A trailing hole (no data at the end) must keep the size too.
  writeSparse(path.join(src, 'by-event.img'), HOLE_SIZE + 12345);
  truncateSync(path.join(src, 'by-event.img'), HOLE_SIZE + 5 * MiB);
  await engine.whenIdle();
  assertSparseCopy(path.join(src, 'by-event.img'), path.join(dst, 'by-event.img'));
});
