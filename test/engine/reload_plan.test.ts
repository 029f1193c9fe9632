// planReload (src/engine/reload_plan.ts), the pure diff behind HUP: what is kept, stopped, started.
import assert from 'node:assert/strict';
import test from 'node:test';

import type { NormalizedConfig, NormalizedSettings, NormalizedSync } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load_config.js';
import { planReload, sameSync } from '../../src/engine/reload_plan.js';
import { tempDir } from '../helpers/temp_tree.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

async function load(t: test.TestContext, json: unknown): Promise<NormalizedConfig> {
  const f = path.join(tempDir(t), 'c.json');
  writeFileSync(f, JSON.stringify(json));
  const r = await loadConfig(f, {});
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.config;
}

const rsync = (source: string, extra: Record<string, unknown> = {}) => ({ mode: 'rsync', source, target: `${source}-dst`, ...extra });

test('position and generated names are ignored; any real difference is a change', async (t) => {
  const a = await load(t, { sync: [rsync('/a'), rsync('/b')] });
  const b = await load(t, { sync: [rsync('/c'), rsync('/b'), rsync('/a', { delay: 3 })] });
  const running = a.syncs.map((s) => ({ unit: s.source, sync: s }));
  const plan = planReload(running, a.settings, b);
  assert.deepEqual(plan.keep.map((k) => k.running), ['/b/']);
  assert.deepEqual(plan.stop, ['/a/']);
  assert.deepEqual(plan.start.map((s) => s.source), ['/c/', '/a/']);
  assert.deepEqual(plan.settings, []);
});

test('explicit names count; a dead sync is restarted even when unchanged', async (t) => {
  const a = await load(t, { sync: [rsync('/a', { name: 'web' }), rsync('/b', { name: 'db' })] });
  const b = await load(t, { sync: [rsync('/a', { name: 'www' }), rsync('/b', { name: 'db' })] });
  const plan = planReload(a.syncs.map((s) => ({ unit: s.name, sync: s })), a.settings, b, (u) => u === 'db');
  assert.deepEqual(plan.keep, []);
  assert.deepEqual(plan.stop.sort(), ['db', 'web']);
  assert.deepEqual(plan.start.map((s) => s.name), ['www', 'db']);
  assert.deepEqual(plan.restarted, ['db']);
  assert.deepEqual(plan.changed, []);
});

test('settings: live ones vs restart-needing ones', async (t) => {
  const a = await load(t, { settings: { maxProcesses: 2, logfile: '/tmp/a.log' }, sync: [rsync('/a')] });
  const b = await load(t, { settings: { maxProcesses: 4, logfile: '/tmp/b.log', statusFile: '/tmp/s' }, sync: [rsync('/a')] });
  const plan = planReload(a.syncs.map((s) => ({ unit: 1, sync: s })), a.settings, b);
  const by = Object.fromEntries(plan.settings.map((c) => [c.key, c.live])) as Partial<Record<keyof NormalizedSettings, boolean>>;
  assert.deepEqual(by, { maxProcesses: true, logfile: false, statusFile: true });
  assert.equal(plan.keep.length, 1, 'a changed global maxProcesses is applied live, without a resync');
  assert.equal(plan.keep[0]!.next.maxProcesses, 4);
});

test('function actions compare by source text', () => {
  const base = { index: 1, name: 'sync[1]', source: '/a/', delay: 0, maxDelays: 1, maxProcesses: 1, init: true, delete: true, exclude: [], excludeFrom: undefined, filter: [], filterFrom: undefined, batchSizeLimit: undefined, line: 3, mode: 'custom', target: undefined, exitcodes: {} } as const;
  const mk = (f: () => void, line: number): NormalizedSync => ({ ...base, line, actions: { onCreate: f } }) as unknown as NormalizedSync;
  assert.ok(sameSync(mk(() => {}, 3), mk(() => {}, 9)));
  assert.ok(!sameSync(mk(() => {}, 3), mk(() => void 0, 3)));
});
