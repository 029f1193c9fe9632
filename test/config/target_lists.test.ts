// Lists of targets: `target: [...]` (rsync, direct) and `host: [...]` (rsyncssh) expand at load
// into one sync per item that shares every other key, with derived, stable names; a one-item list
// is the plain string; bad lists get one-line errors with file and line. JSON, TS and Lua alike:
// in Lua the source document's loop (one sync{} per host) keeps working, and a table reaches the
// same schema.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { defineConfig } from '../../src/config/define_config.js';
import { loadConfig, loadConfigText } from '../../src/config/load_config.js';
import type { NormalizedSync } from '../../src/config/schema.js';
import { planReload } from '../../src/engine/reload_plan.js';
import { tempDir } from '../helpers/temp_tree.js';
import { errorTexts, expectOk, json, lua } from './helpers.js';

const dest = (s: NormalizedSync): string => (s.mode === 'rsyncssh' ? `${s.host}:${s.targetdir}` : s.target ?? '');
const jsonText = (raw: unknown): ReturnType<typeof loadConfigText> => loadConfigText('c.json', JSON.stringify(raw, null, 2), 'json');

test('target list (rsync, direct) and host list (rsyncssh): one sync per item, in list order, names NAME@ITEM or sync[N]@ITEM', () => {
  const cfg = expectOk(json({
    sync: [
      { mode: 'rsync', name: 'www', source: '/src', target: ['/a', 'host:/b'], delay: 3, exclude: ['*.tmp'] },
      { mode: 'direct', source: '/src', target: ['/c', '/d'] },
      { mode: 'rsyncssh', name: 'web', source: '/src', host: ['web1', 'web2'], targetdir: '/srv' },
    ],
  }));
  assert.deepEqual(cfg.syncs.map((s) => [s.index, s.name, s.mode, dest(s)]), [
    [1, 'www@/a', 'rsync', '/a/'],
    [1, 'www@host:/b', 'rsync', 'host:/b/'],
    [2, 'sync[2]@/c', 'direct', '/c/'],
    [2, 'sync[2]@/d', 'direct', '/d/'],
    [3, 'web@web1', 'rsyncssh', 'web1:/srv/'],
    [3, 'web@web2', 'rsyncssh', 'web2:/srv/'],
  ]);
  // everything else is shared
  for (const s of cfg.syncs.slice(0, 2)) {
    assert.equal(s.delay, 3);
    assert.deepEqual(s.exclude, ['*.tmp']);
  }
});

test('a custom-action sync with a target list: one sync per target, each with that target (as written, no slash added)', () => {
  const cfg = expectOk(json({ sync: [{ source: '/src', target: ['/x', '/y'], onCreate: 'cp ^sourcePathname ^targetPathname' }] }));
  assert.deepEqual(cfg.syncs.map((s) => [s.name, s.mode, dest(s)]), [['sync[1]@/x', 'custom', '/x'], ['sync[1]@/y', 'custom', '/y']]);
});

test('a one-item list is exactly the plain string (same name, same sync)', () => {
  for (const [list, plain] of [
    [{ mode: 'rsync', source: '/src', target: ['/a'] }, { mode: 'rsync', source: '/src', target: '/a' }],
    [{ mode: 'rsync', name: 'www', source: '/src', target: ['/a'] }, { mode: 'rsync', name: 'www', source: '/src', target: '/a' }],
    [{ mode: 'rsyncssh', source: '/src', host: ['web1'], targetdir: '/srv' }, { mode: 'rsyncssh', source: '/src', host: 'web1', targetdir: '/srv' }],
  ]) {
    assert.deepEqual(expectOk(json({ sync: [list] })), expectOk(json({ sync: [plain] })));
  }
});

test('empty list, duplicate item, non-string item, empty item, a list on the wrong key: one line each, with file and line', () => {
  const r = jsonText({
    sync: [
      { mode: 'rsync', name: 'www', source: '/src', target: [] },
      { mode: 'direct', source: '/src', target: ['/c', '/c/'] },
      { mode: 'rsyncssh', source: '/src', host: ['web1', 'web1'], targetdir: '/srv' },
      { mode: 'rsyncssh', source: '/src', host: 'h', target: ['/x'], targetdir: '/srv' },
      { mode: 'rsync', source: '/src', host: ['h1', 'h2'], target: '/x' },
    ],
  });
  assert.deepEqual(errorTexts(r), [
    'c.json:7: sync[1].target: empty list — give at least one target, or remove the key',
    'c.json:14: sync[2].target[2]: duplicate target "/c/" (also item 1) — remove one',
    'c.json:22: sync[3].host[2]: duplicate host "web1" (also item 1) — remove one',
    'c.json:30: sync[4].target: a list here is for mode "rsync" or "direct" — for mode "rsyncssh" list the servers in host = [...] with one targetdir',
    'c.json:38: sync[5].host: a list of hosts is for mode "rsyncssh" — for this mode write target = ["HOST:/DIR", ...]',
  ]);
  const types = jsonText({ sync: [{ mode: 'rsyncssh', source: '/src', host: ['web1', 3], targetdir: '/srv' }, { mode: 'direct', source: '/src', target: ['/e', ''] }] });
  assert.deepEqual(errorTexts(types), [
    'c.json:8: sync[1].host[2]: expected a non-empty string, got number — each item of host = [...] is one host',
    'c.json:17: sync[2].target[2]: must not be empty, got ""',
  ]);
});

test('a problem in a key the list shares is reported once, not once per target', () => {
  assert.deepEqual(errorTexts(json({ sync: [{ mode: 'rsync', source: '/src', target: ['/a', '/b', '/c'], onCreate: 'echo' }] })), [
    'c.json: sync[1].onCreate: not allowed with mode "rsync", which defines its own actions — remove it, or remove mode to write a custom-action sync',
  ]);
});

test('TS config: defineConfig types accept the lists, and the loaded module expands them like JSON', async (t) => {
  // compile-time: the input types (derived from the schema) take a list for target and host
  const typed = defineConfig({ sync: [{ mode: 'rsyncssh', source: '/src', host: ['web1', 'web2'], targetdir: '/srv' }] });
  const file = path.join(tempDir(t), 'lsyncd.conf.ts');
  writeFileSync(file, [
    "import { defineConfig } from 'lsyncd-ts';",
    'const servers: string[] = ["/a", "h:/b"];',
    'export default defineConfig({ sync: [',
    '  { mode: "rsync", name: "www", source: "/src", target: servers },',
    `  ${JSON.stringify(typed.sync[0])},`,
    '] });',
  ].join('\n'));
  const cfg = expectOk(await loadConfig(file));
  assert.deepEqual(cfg.syncs.map((s) => [s.name, dest(s)]), [['www@/a', '/a/'], ['www@h:/b', 'h:/b/'], ['sync[2]@web1', 'web1:/srv/'], ['sync[2]@web2', 'web2:/srv/']]);
});

test("Lua: the source document's loop over a host list, unchanged, and a Lua table as target or host", () => {
  const loop = expectOk(lua([
    'hosts = { "web1", "web2", "web3" }',
    'for _, host in ipairs(hosts) do',
    '  sync{ default.rsyncssh, source = "/src", host = host, targetdir = "/srv" }',
    'end',
  ].join('\n')));
  assert.deepEqual(loop.syncs.map((s) => [s.name, dest(s)]), [['sync[1]', 'web1:/srv/'], ['sync[2]', 'web2:/srv/'], ['sync[3]', 'web3:/srv/']]);
  const tables = expectOk(lua([
    'sync{ default.rsync, source = "/src", target = { "/a", "h:/b" } }',
    'sync{ default.rsyncssh, name = "web", source = "/src", host = { "web1", "web2" }, targetdir = "/srv" }',
  ].join('\n')));
  assert.deepEqual(tables.syncs.map((s) => [s.name, dest(s)]), [['sync[1]@/a', '/a/'], ['sync[1]@h:/b', 'h:/b/'], ['web@web1', 'web1:/srv/'], ['web@web2', 'web2:/srv/']]);
  // an empty Lua table cannot be told from an empty map: refused as a table
  assert.deepEqual(errorTexts(lua('sync{ default.rsync, source = "/src", target = {} }')), ['t.lua:1: sync[1].target: expected a string or a list of strings, got table']);
  assert.deepEqual(errorTexts(lua('sync{ default.rsync, source = "/src",\n  target = { "/a", true } }')), ['t.lua:2: sync[1].target[2]: expected a non-empty string, got boolean — each item of target = [...] is one target']);
});

test('reload identity: a list that gains a target keeps the others (even when an earlier sync{} is removed) and starts only the new one', () => {
  const before = expectOk(json({ sync: [{ mode: 'rsync', source: '/x', target: '/x-dst' }, { mode: 'rsync', source: '/src', target: ['/a', '/b', '/c'] }] }));
  const after = expectOk(json({ sync: [{ mode: 'rsync', source: '/src', target: ['/a', '/b', '/c', '/d'] }] }));
  const plan = planReload(before.syncs.map((s) => ({ unit: s.name, sync: s })), before.settings, after);
  assert.deepEqual(plan.keep.map((k) => [k.running, k.next.name]), [['sync[2]@/a', 'sync[1]@/a'], ['sync[2]@/b', 'sync[1]@/b'], ['sync[2]@/c', 'sync[1]@/c']]);
  assert.deepEqual(plan.start.map((s) => s.name), ['sync[1]@/d']);
  assert.deepEqual(plan.stop, ['sync[1]']);
});
