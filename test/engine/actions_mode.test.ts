// Custom-action syncs end to end (lsyncd Layer 2/3, docs/lsyncd-compat.md#sync-keys): real inotify, the real engine, action
// strings run per event; lsyncd's tests/schedule.lua (three syncs under settings.maxProcesses = 1
// all get their turn, docs/lsyncd-compat.md#test-suite-conventions).
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { startEngine } from '../helpers/engine_harness.js';
import { tempDir } from '../helpers/temp_tree.js';

test('Layer-2 strings: onStartup/onCreate/onModify/onMove/onDelete with hostile names', async (t) => {
  const src = tempDir(t);
  const out = tempDir(t);
  const log = path.join(out, 'log');
  const { engine } = await startEngine(t, {
    sync: [{
      source: src, target: out, delay: 0,
      onStartup: "printf 'S %s\\n' ^source >> ^target/log",
      onCreate: "printf 'C %s\\n' ^pathname >> ^target/log",
      onModify: "printf 'M %s\\n' \"^pathname\" >> ^target/log",
      onMove: "printf 'V %s %s\\n' '^o.pathname' ^d.pathname >> ^target/log",
      onDelete: '/usr/bin/touch ^target/deleted:^pathname',
    }],
  });
  const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  await engine.whenIdle();
  assert.deepEqual(lines(), [`S ${src}/`]);
  const name = "it's $(touch CANARY) \"q\" `x`";
  writeFileSync(path.join(src, name), 'one');
  await engine.whenIdle();
  // At delay 0 the Create may run before the write's Modify arrives (then both actions run, as
  // in docs/lsyncd-compat.md#move-pairing-in-lsyncd); what must hold is that onCreate saw the name intact.
  assert.ok(lines().includes(`C ${name}`), lines().join('\n'));
  appendFileSync(path.join(src, name), 'two');
  await engine.whenIdle();
  assert.equal(lines().at(-1), `M ${name}`);
  renameSync(path.join(src, name), path.join(src, 'moved -n'));
  await engine.whenIdle();
  assert.equal(lines().at(-1), `V ${name} moved -n`);
  rmSync(path.join(src, 'moved -n'));
  await engine.whenIdle();
  assert.ok(existsSync(path.join(out, 'deleted:moved -n')), 'onDelete ran without a shell, value in one word');
  assert.equal(existsSync(path.join(src, 'CANARY')) || existsSync(path.join(out, 'CANARY')) || existsSync('CANARY'), false);
  assert.equal(engine.status()[0]?.state, 'running');
});

test('a failing action stops only its own sync (unknown exit code → die, docs/lsyncd-compat.md#exit-codes-of-transfers)', async (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  const { engine, log } = await startEngine(t, {
    sync: [
      { source: a, delay: 0, onCreate: 'exit 3' },
      { source: b, target: b, delay: 0, onCreate: '[ ^pathname = marker ] || touch ^target/marker' },
    ],
  });
  await engine.whenIdle();
  writeFileSync(path.join(a, 'f'), '');
  writeFileSync(path.join(b, 'f'), '');
  await engine.whenIdle();
  assert.deepEqual(engine.status().map((s) => s.state), ['dead', 'running']);
  assert.ok(existsSync(path.join(b, 'marker')));
  assert.ok(log.lines.some((l) => /Failure with Create on .*\/f = 3/.test(l)), log.lines.join('\n'));
});

async function scheduleScenario(t: TestContext): Promise<{ src: string; order: string[] }> {
  const src = tempDir(t);
  const out = tempDir(t);
  const circuit = (letter: string) => ({
    source: src, target: out, delay: 0,
    onStartup: `sleep 0.3 && echo ${letter} >> ^target/order && touch ^source/${letter}`,
    onCreate: `sleep 0.3 && echo ${letter} >> ^target/order && touch ^source/${letter}`,
  });
  const { engine } = await startEngine(t, { settings: { maxProcesses: 1 }, sync: ['a', 'b', 'c'].map(circuit) });
  // Each touch can queue more work for every sync; wait (event-driven) until the files exist and
  // a whole round found nothing more to do.
  for (let round = 0; round < 50 && !['a', 'b', 'c'].every((f) => existsSync(path.join(src, f))); round++) await engine.whenIdle();
  await engine.whenIdle();
  return { src, order: readFileSync(path.join(out, 'order'), 'utf8').split('\n').filter(Boolean) };
}

test('tests/schedule.lua: three syncs, delay 0, maxProcesses 1 globally — every sync gets its turn', async (t) => {
  const { src, order } = await scheduleScenario(t);
  for (const f of ['a', 'b', 'c']) assert.ok(existsSync(path.join(src, f)), `${f} missing: sync never got a turn (${order.join(' ')})`);
});

// Engine.start() sets every watch before any transfer runs, so all three are in the rotation
// from the first slot (it used to start sync 1 while syncs 2/3 were still being watched: "a a b c").
test('schedule: no sync runs a second action before every sync ran its first', async (t) => {
  const { order } = await scheduleScenario(t);
  assert.deepEqual([...order.slice(0, 3)].sort(), ['a', 'b', 'c'], order.join(' '));
});
