// Lua configs run unchanged in fengari: loops, locals, os.getenv, string actions, settings forms,
// lsyncd inheritance, rejected forms, and line numbers of errors (docs/lsyncd-compat.md#config-files);
// io.popen reads a command's output; check-config's load runs nothing with side effects.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLuaConfigText } from '../../src/config/load_lua.js';
import { sameSync } from '../../src/engine/reload_plan.js';
import { tempDir } from '../helpers/temp_tree.js';
import { errorTexts, expectOk, lua, warningTexts } from './helpers.js';

test('loops, locals, string functions and os.getenv build one sync per iteration', () => {
  process.env['LSYNCD_TS_TEST_ROOT'] = '/srv/data';
  const c = expectOk(lua(`
local root = os.getenv("LSYNCD_TS_TEST_ROOT")
local hosts = { "a", "b", "c" }
for i, h in ipairs(hosts) do
  sync { default.rsync, source = root .. "/" .. h, target = string.upper(h) .. ":/dst", delay = i }
end
`));
  assert.deepEqual(c.syncs.map((s) => [s.source, s.mode === 'rsync' ? s.target : '', s.delay, s.line]), [
    ['/srv/data/a/', 'A:/dst/', 1, 5], ['/srv/data/b/', 'B:/dst/', 2, 5], ['/srv/data/c/', 'C:/dst/', 3, 5],
  ]);
});

test('string actions make a custom sync; exitcodes with integer keys stay a map', () => {
  const c = expectOk(lua(`sync { source = "/s", onCreate = "cp ^sourcePathname ^targetPathname", onDelete = "/bin/true", exitcodes = { [1] = "again", [2] = "ok" } }`));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'custom');
  assert.deepEqual(s.actions, { onCreate: 'cp ^sourcePathname ^targetPathname', onDelete: '/bin/true' });
  assert.deepEqual(s.exitcodes, { 0: 'ok', 1: 'again', 2: 'ok' });
});

test("settings{'nodaemon'} sets true; settings('key') reads back; several settings{} merge", () => {
  const c = expectOk(lua(`
settings { 'nodaemon', logfile = "/l" }
settings { statusInterval = 5 }
local lf = settings('logfile')
sync { default.direct, source = "/a", target = lf .. "dir" }
`));
  assert.equal(c.settings.nodaemon, true);
  assert.equal(c.settings.statusInterval, 5);
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'direct');
  assert.equal(s.target, '/ldir/');
});

test('positional parents are inherited like lsyncd (user table overrides parent, nested rsync{} merges)', () => {
  const c = expectOk(lua(`
local common = { default.rsyncssh, host = "h", delay = 3, rsync = { compress = true, owner = false } }
sync { common, source = "/a", targetdir = "/t1", rsync = { owner = true } }
sync { common, source = "/b", targetdir = "/t2", delay = 7 }
`));
  assert.deepEqual(c.syncs.map((s) => [s.mode, s.mode === 'rsyncssh' ? s.host : '', s.delay, s.mode === 'rsyncssh' ? [s.rsync.compress, s.rsync.owner] : []]), [
    ['rsyncssh', 'h', 3, [true, true]], ['rsyncssh', 'h', 7, [true, false]],
  ]);
});

test('legacy settings = {...} is rejected with lsyncd\'s message and its line', () => {
  assert.deepEqual(errorTexts(lua(`\nsettings = { logfile = "/l" }\nsync { default.rsync, source = "/a", target = "h:/b" }\n`)),
    ['t.lua:2: settings: Do not use settings = { ... }; please use settings{ ... } (without the equal sign)']);
  assert.deepEqual(errorTexts(lua(`settings = { logfile = "/l" }\n`)),
    ['t.lua:1: settings: Do not use settings = { ... }; please use settings{ ... } (without the equal sign)']);
});

test('errors point at the key line inside a multi-line sync{}', () => {
  assert.deepEqual(errorTexts(lua(`settings { logfile = "/l" }
sync { default.direct, source = "/a", target = "/b" }
sync {
  default.rsync,
  source = "/a",
  target = "h:/b",
  rsync = {
    archive = true,
    compresss = true,
  },
}
`)), ['t.lua:9: sync[2].rsync.compresss: unknown key — did you mean "compress"?']);
  assert.deepEqual(errorTexts(lua(`settings {\n logfile = "/l",\n statusIntervall = 3,\n}\nsync { default.direct, source = "/a", target = "/b" }\n`)),
    ['t.lua:3: settings.statusIntervall: unknown key — did you mean "statusInterval"?']);
});

test('Lua functions: custom syncs get them as actions; on default.* syncs and alarm() they are errors; sync without default.* and actions → no actions', () => {
  const c = expectOk(lua(`sync {\n source = "/a",\n onCreate = function(event) end,\n action = function(inlet) end,\n init = function(event) end,\n}\n`));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'custom');
  assert.deepEqual(Object.keys(s.actions).sort(), ['onAttrib', 'onCreate', 'onDelete', 'onModify', 'onMove', 'onStartup']);
  assert.ok(Object.values(s.actions).every((a) => typeof a === 'function'));
  const r = expectOk(lua(`sync { default.rsync, source = "/a", target = "h:/b", action = function(inlet) end }`)).syncs[0]!;
  assert.ok(r.mode === 'rsync' && typeof r.inletAction === 'function');
  assert.deepEqual(errorTexts(lua(`sync {\n default.rsync,\n source = "/a",\n target = "h:/b",\n onCreate = function(event) end,\n}\n`)),
    ['t.lua:5: sync[1].onCreate: a Lua function as onCreate on a default.rsync sync is not supported by lsyncd-ts: default.rsync runs in the built-in transport (only action, collect and prepare can be Lua there) — drop default.rsync for a custom action sync, or drop the function']);
  assert.deepEqual(errorTexts(lua(`sync { default.direct, source = "/a", target = "/b" }\nalarm(now() + 5, function() end)\n`)),
    ['t.lua:2: alarm() is not supported by lsyncd-ts: there are no timed Lua callbacks (use an external timer, or crontab where available)']);
  assert.deepEqual(errorTexts(lua(`sync { source = "/a", target = "/b" }`)),
    ['t.lua:1: sync[1]: no actions specified — set mode ("rsync", "rsyncssh" or "direct"; in Lua: sync { default.rsync, ... }) or at least one of onCreate/onModify/onAttrib/onDelete/onMove/onStartup']);
});

test('reload identity: a sync with Lua functions is the same only when the config text is the same', () => {
  const text = (body: string) => `sync { source = "/a", onCreate = function(event) ${body} end }`;
  const a = expectOk(lua(text('spawn(event, "/bin/true")'))).syncs[0]!;
  const same = expectOk(lua(text('spawn(event, "/bin/true")'))).syncs[0]!;
  const changed = expectOk(lua(text('spawn(event, "/bin/false")'))).syncs[0]!;
  assert.equal(sameSync(a, same), true);
  assert.equal(sameSync(a, changed), false);
});

test('prepare(config, level) runs at load and what it sets is validated (lsyncd examples/lpostcmd.lua)', () => {
  const c = expectOk(lua(`
local withHost = {
  prepare = function(config, level)
    assert(level == 4)
    if not config.host then error('needs "host" configured', 4) end
    config.target = config.host .. ':' .. config.targetdir
    config.host = nil
    config.targetdir = nil
  end,
  onCreate = function(event) end,
}
sync { withHost, source = "/a", host = "web1", targetdir = "/srv" }
`));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'custom');
  assert.equal(s.target, 'web1:/srv');
  assert.deepEqual(errorTexts(lua(`sync { { prepare = function(c) error('needs "host" configured', 2) end, onCreate = function() end }, source = "/a" }`)),
    ['t.lua:1: prepare(): needs "host" configured']);
});

test('runtime errors keep the Lua line; positional junk in sync{} is reported', () => {
  assert.deepEqual(errorTexts(lua(`local x = nil\n\nsync { default.rsync, source = x .. "/a", target = "h:" }\n`)),
    ["t.lua:3: attempt to concatenate a nil value (local 'x')"]);
  assert.deepEqual(errorTexts(lua(`sync { "rsync", source = "/a", target = "h:" }`)),
    ['t.lua:1: sync[1]: unexpected list entry #1 ("rsync") — sync{} takes key = value pairs and at most a parent such as default.rsync']);
});

test('syntax errors carry a hint', () => {
  assert.deepEqual(errorTexts(lua(`for i = 1, 2 do\n  sync { default.rsync, source = "/a", target = "h:" }\n`)),
    ["t.lua:3: syntax error: the 'for' block opened at line 1 has no matching 'end' (Lua: 'end' expected (to close 'for' at line 1) near <eof>)"]);
  assert.deepEqual(errorTexts(lua(`sync { default.rsync, source = "/a, target = h }\n`)),
    ["t.lua:1: syntax error: a string is not closed — check the quotes on this line (Lua: unfinished string near '\"/a, target = h }')"]);
  assert.deepEqual(errorTexts(lua(`sync { default.rsync source = "/a" }\n`)),
    ["t.lua:1: syntax error: missing comma before 'source' — table fields must be separated by \",\" (Lua: '}' expected near 'source')"]);
});

test('settings{} after sync{} with maxProcesses warns about the lsyncd difference', () => {
  const r = lua(`sync { default.rsync, source = "/a", target = "h:" }\nsettings { maxProcesses = 2 }\n`);
  const c = expectOk(r);
  assert.equal(c.syncs[0]!.maxProcesses, 2);
  assert.deepEqual(warningTexts(r), ['t.lua:2: settings: settings{} comes after a sync{}: lsyncd would not apply its maxProcesses/maxDelays to the syncs above it; lsyncd-ts applies them to every sync — move settings{} to the top']);
});

test('an endless loop is stopped instead of hanging the loader', () => {
  const errs = errorTexts(lua(`while true do end`));
  assert.equal(errs.length, 1);
  assert.equal(errs[0], 't.lua:1: config did not finish after 50000000 Lua instructions (endless loop?)');
});

test('check-only load: os.execute, io.popen, os.remove, os.rename do nothing and are named with their line', (t) => {
  const dir = tempDir(t);
  const marker = path.join(dir, 'ran');
  const keep = path.join(dir, 'keep');
  writeFileSync(keep, 'k');
  const text = [
    `os.execute("touch ${marker}")`,
    `local h = io.popen("hostname")`,
    'local host = h:read("*l") or "unknown"',
    'h:close()',
    `os.remove("${keep}")`,
    `os.rename("${keep}", "${keep}.moved")`,
    'sync { default.rsync, source = "/a", target = host .. ":/b" }',
    `os.execute("touch ${marker}")`,
  ].join('\n');
  const r = loadLuaConfigText('t.lua', text, { checkOnly: true });
  const c = expectOk(r);
  assert.equal(c.syncs[0]!.mode === 'rsync' && c.syncs[0].target, 'unknown:/b/');
  assert.equal(existsSync(marker), false, 'os.execute ran during check-config');
  assert.equal(readFileSync(keep, 'utf8'), 'k');
  const why = (name: string, what: string): string => `${name} was not run: check-config validates without side effects (${what}); the daemon runs it — check values that depend on it`;
  assert.deepEqual(warningTexts(r), [
    `t.lua:1: ${why('os.execute', 'it reported success')}`,
    `t.lua:2: ${why('io.popen', 'it read empty output')}`,
    `t.lua:5: ${why('os.remove', 'it reported success')}`,
    `t.lua:6: ${why('os.rename', 'it reported success')}`,
    `t.lua:8: ${why('os.execute', 'it reported success')}`,
  ]);
  // A normal load runs os.execute as written.
  expectOk(loadLuaConfigText('t.lua', `os.execute("touch ${marker}")\nsync { default.rsync, source = "/a", target = "h:/b" }`));
  assert.equal(existsSync(marker), true);
});

test('io.popen reads a command\'s output (read formats, lines, close status)', () => {
  const c = expectOk(lua([
    'local h = io.popen("printf \'web1\\\\n42 rest\\\\nlast\'")',
    'local host = h:read("*l")',
    'local n, rest = h:read("n", "a")',
    'local ok = h:close()',
    'local names = {}',
    'for l in io.popen("printf \'a\\\\nb\\\\n\'"):lines() do names[#names + 1] = l end',
    'local _, how, code = io.popen("exit 3"):close()',
    'sync { default.rsync, source = "/s", target = host .. ":/" .. n .. rest:gsub("\\n", "-") .. table.concat(names) .. tostring(ok) .. how .. code }',
  ].join('\n')));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsync');
  assert.equal(s.target, 'web1:/42 rest-lastabtrueexit3/');
  assert.deepEqual(errorTexts(lua('io.popen("true", "w")')), ['t.lua:1: io.popen: only mode "r" (read the output) is available in lsyncd-ts configs']);
});
