// Seconds that become Node.js timers (sync delay, settings.statusInterval) are bounded by what a
// timer can hold (MAX_TIMER_SECONDS, about 24.8 days), with the same message in every config
// format and on both command lines; non-finite numbers (Lua 0/0, 1/0) are named.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from '../../src/config/cli_args.js';
import { loadConfig } from '../../src/config/load_config.js';
import { loadJsonConfigText } from '../../src/config/load_json.js';
import { MAX_TIMER_SECONDS } from '../../src/config/timer_seconds.js';
import { runBin } from '../cli/run_bin.js';
import { tempDir } from '../helpers/temp_tree.js';
import { errorTexts, expectOk, lua } from './helpers.js';

const BOUND = `must be at most ${MAX_TIMER_SECONDS} seconds (about 24.8 days, the longest timer Node.js can hold)`;

test('the bound is the longest timer Node.js holds: 2^31-1 ms', () => {
  assert.ok(MAX_TIMER_SECONDS * 1000 <= 2 ** 31 - 1);
  assert.ok((MAX_TIMER_SECONDS + 1) * 1000 > 2 ** 31 - 1);
});

test('Lua: delay = 1e12 and statusInterval beyond the bound are refused; the bound itself is accepted', () => {
  assert.deepEqual(errorTexts(lua('settings { statusInterval = 3e6 }\nsync { default.rsync, source = "/a", target = "h:/b",\n  delay = 1e12 }')), [
    `t.lua:1: settings.statusInterval: ${BOUND}, got 3000000`,
    `t.lua:3: sync[1].delay: ${BOUND}, got 1000000000000`,
  ]);
  const c = expectOk(lua(`settings { statusInterval = ${MAX_TIMER_SECONDS} }\nsync { default.rsync, source = "/a", target = "h:/b", delay = ${MAX_TIMER_SECONDS} }`));
  assert.deepEqual([c.syncs[0]!.delay, c.settings.statusInterval], [MAX_TIMER_SECONDS, MAX_TIMER_SECONDS]);
});

test('Lua: delay = 0/0 and 1/0 name NaN and infinity', () => {
  assert.deepEqual(errorTexts(lua('sync { default.rsync, source = "/a", target = "h:/b", delay = 0/0 }')),
    ['t.lua:1: sync[1].delay: expected a finite number, got NaN (not a number, e.g. Lua 0/0)']);
  assert.deepEqual(errorTexts(lua('sync { default.rsync, source = "/a", target = "h:/b", delay = 1/0 }')),
    ['t.lua:1: sync[1].delay: expected a finite number, got infinity (e.g. Lua 1/0)']);
  assert.deepEqual(errorTexts(lua('settings { statusInterval = -1/0 }\nsync { default.rsync, source = "/a", target = "h:/b" }')),
    ['t.lua:1: settings.statusInterval: expected a finite number, got -infinity (e.g. Lua -1/0)']);
});

test('JSON: delay beyond the bound is refused with its line', () => {
  const text = JSON.stringify({ sync: [{ mode: 'direct', source: '/a', target: '/b', delay: 2200000 }] }, null, 2);
  assert.deepEqual(errorTexts(loadJsonConfigText('c.json', text)), [`c.json:7: sync[1].delay: ${BOUND}, got 2200000`]);
});

test('TS config: delay beyond the bound is refused', async (t) => {
  const f = path.join(tempDir(t), 'c.ts');
  writeFileSync(f, 'const delay: number = 1e12;\nexport default {\n  sync: [{ mode: "direct", source: "/a", target: "/b", delay }],\n};\n');
  assert.deepEqual(errorTexts(await loadConfig(f)), [`${f}:3: sync[1].delay: ${BOUND}, got 1000000000000`]);
});

test('command line: -delay beyond the bound is refused by the parser, the bound itself accepted', () => {
  assert.deepEqual(parseCliArgs(['-delay', '2200000', '-direct', '/a', '/b']),
    { kind: 'error', message: `-delay 2200000: ${BOUND}`, exitCode: 255 });
  const ok = parseCliArgs(['-delay', String(MAX_TIMER_SECONDS), '-direct', '/a', '/b']);
  assert.ok(ok.kind === 'run');
  assert.equal(ok.overrides.delay, MAX_TIMER_SECONDS);
});

test('bin: legacy -delay and run --delay beyond the bound exit with the message before starting anything', (t) => {
  const dir = tempDir(t);
  // A missing source: were the delay accepted, start-up would still end (with another message).
  const missing = path.join(dir, 'missing');
  const legacy = runBin(['-nodaemon', '-delay', '2200000', '-direct', missing, path.join(dir, 't')]);
  assert.equal(legacy.code, 255);
  assert.match(legacy.stderr, new RegExp(`^Error: -delay 2200000: ${BOUND.replace(/[()]/g, '\\$&')}\n`));
  const cfg = path.join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({ sync: [{ mode: 'direct', source: missing, target: path.join(dir, 't') }] }));
  const run = runBin(['run', cfg, '--nodaemon', '--delay', '1e12']);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, new RegExp(`^Error: --delay 1000000000000: ${BOUND.replace(/[()]/g, '\\$&')}\n`));
});
