// JSON and TS/JS loaders produce the same validated config as Lua; errors carry lines.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadConfig, configFormatOf } from '../../src/config/load_config.js';
import { loadJsonConfigText } from '../../src/config/load_json.js';
import { errorTexts, expectOk, fixture } from './helpers.js';

test('format by extension: json, module (ts/mts/js/mjs/cjs), everything else Lua', () => {
  assert.deepEqual(['a.json', 'a.ts', 'a.mts', 'a.js', 'a.mjs', 'a.cjs', 'a.lua', '/etc/lsyncd/lsyncd.conf', 'cfg'].map(configFormatOf),
    ['json', 'module', 'module', 'module', 'module', 'module', 'lua', 'lua', 'lua']);
});

test('the JSON example config loads and equals the same config written in Lua', async () => {
  const j = expectOk(await loadConfig(fixture('example.json')));
  const { loadLuaConfigText } = await import('../../src/config/load_lua.js');
  const l = expectOk(loadLuaConfigText('x.lua', `settings { logfile = "/var/log/lsyncd-ts.log", statusFile = "/var/log/lsyncd-ts.status",
    statusInterval = 30, nodaemon = false, maxProcesses = 3, inotifyMode = "CloseWrite", insist = true }
sync { default.rsync, source = "/var/www/html", target = "host:/var/www/html", delay = 15, exclude = { ".git/" }, delete = true,
  rsync = { archive = true, compress = true } }`));
  assert.deepEqual({ ...j, syncs: j.syncs.map((s) => ({ ...s, line: 0 })) }, { ...l, syncs: l.syncs.map((s) => ({ ...s, line: 0 })) });
});

test('JSON: unknown key error has the key line, 1-based sync index', async () => {
  const f = fixture('typo.json');
  assert.deepEqual(errorTexts(await loadConfig(f)), [`${f}:10: sync[2].rsync.compresss: unknown key — did you mean "compress"?`]);
});

test('JSON: syntax errors carry the line and a hint', () => {
  assert.deepEqual(errorTexts(loadJsonConfigText('c.json', '{\n "sync": [\n  {"source": "/a"}\n  {"source": "/b"}\n ]\n}\n')),
    ["c.json:4: JSON syntax error: Expected ',' or ']' after array element in JSON at position 34 — a comma is probably missing before this point"]);
  assert.deepEqual(errorTexts(loadJsonConfigText('c.json', '{\n "sync": [],\n}\n')),
    ['c.json:3: JSON syntax error: Expected double-quoted property name in JSON at position 15 — a trailing comma or an unquoted key? JSON allows neither']);
});

test('missing file is an error value, not a throw', async () => {
  for (const f of ['/nonexistent/x.json', '/nonexistent/x.lua', '/nonexistent/x.ts']) {
    const errs = errorTexts(await loadConfig(f));
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, new RegExp(`^${f.replace(/\./g, '\\.')}: cannot read config: ENOENT`));
  }
});

test('TypeScript config (defineConfig from lsyncd-ts, map over hosts, function action) loads without a build step', async () => {
  const before = readdirSync(fixture()).sort();
  const c = expectOk(await loadConfig(fixture('example.mts')));
  assert.deepEqual(readdirSync(fixture()).sort(), before, 'temporary transpiled file removed');
  assert.equal(c.settings.logFormat, 'json');
  assert.deepEqual(c.syncs.map((s) => [s.mode, s.mode === 'rsync' ? s.target : undefined]), [['rsync', 'web1:/srv/www/'], ['rsync', 'web2:/srv/www/'], ['custom', undefined]]);
  const custom = c.syncs[2]!;
  assert.ok(custom.mode === 'custom');
  assert.equal(typeof custom.actions.onCreate, 'function');
  assert.equal(custom.actions.onModify, 'logger "changed ^path"');
});

test('TypeScript: unknown key with line and suggestion; syntax error with line', async () => {
  const typo = fixture('typo.mts');
  assert.deepEqual(errorTexts(await loadConfig(typo)), [`${typo}:10: sync[1].delya: unknown key — did you mean "delay"?`]);
  const bad = fixture('syntax-error.mts');
  assert.deepEqual(errorTexts(await loadConfig(bad)), [`${bad}:3: syntax error: ',' expected.`]);
});

test('JavaScript module config loads', async () => {
  const c = expectOk(await loadConfig(fixture('example.mjs')));
  assert.deepEqual(c.syncs.map((s) => [s.mode, s.delay]), [['direct', 2]]);
});

test('JSON: a key written twice in one object is an error at its second line, naming the first', () => {
  const text = '{\n  "settings": { "statusInterval": 5 },\n  "sync": [\n    { "mode": "direct", "source": "/a", "target": "/b",\n      "delay": 1,\n      "target": "/c" }\n  ],\n  "settings": {}\n}\n';
  assert.deepEqual(errorTexts(loadJsonConfigText('c.json', text)), [
    'c.json:6: sync[1].target: duplicate key (also set on line 4; JSON would silently keep only the last value) — remove one of them',
    'c.json:8: settings: duplicate key (also set on line 2; JSON would silently keep only the last value) — remove one of them',
  ]);
  // The same key in different objects is fine.
  expectOk(loadJsonConfigText('c.json', '{"sync":[{"mode":"direct","source":"/a","target":"/b"},{"mode":"direct","source":"/c","target":"/d"}]}'));
});
