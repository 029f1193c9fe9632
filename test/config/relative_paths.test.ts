// Relative local paths are made absolute once, at load, against the working directory — in Lua,
// JSON and TS/JS configs and for command-line syncs — while remote targets (host:path, rsync://),
// rsyncssh's targetdir and absolute paths stay exactly as written.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFromCliSyncs, parseCliArgs } from '../../src/config/cli_args.js';
import { loadConfig } from '../../src/config/load_config.js';
import { loadJsonConfigText } from '../../src/config/load_json.js';
import type { NormalizedConfig } from '../../src/config/schema.js';
import { tempDir } from '../helpers/temp_tree.js';
import { expectOk, lua } from './helpers.js';

const cwd = process.cwd();
const at = (p: string): string => path.join(cwd, p);

/** source/target (or host:targetdir) of every sync, and the path settings. */
function paths(c: NormalizedConfig): unknown {
  return {
    syncs: c.syncs.map((s) => [s.source, s.mode === 'rsyncssh' ? `${s.host}:${s.targetdir}` : s.target, s.excludeFrom, s.filterFrom]),
    settings: [c.settings.logfile, c.settings.pidfile, c.settings.statusFile],
  };
}

const expected = {
  syncs: [
    [`${at('src')}/`, `${at('t')}/`, at('ex.txt'), undefined],
    [`${at('src')}/`, `${at('r')}/`, undefined, at('f.txt')],
    [`${cwd}/`, 'host:rel/dir/', undefined, undefined],
    [`${at('src')}/`, 'rsync://h/mod/', undefined, undefined],
    ['/abs/src/', 'h:rel/', undefined, undefined],
    [`${at('a')}/`, '/abs/../x/', undefined, undefined],
  ],
  settings: [at('log/l.log'), at('run.pid'), at('st.txt')],
};

const LUA = `
settings { logfile = "log/l.log", pidfile = "./run.pid", statusFile = "st.txt" }
sync { default.direct, source = "src", target = "t", excludeFrom = "ex.txt" }
sync { default.rsync, source = "./src/", target = "r", filterFrom = "f.txt" }
sync { default.rsync, source = ".", target = "host:rel/dir" }
sync { default.rsync, source = "src", target = "rsync://h/mod" }
sync { default.rsyncssh, source = "/abs/src", host = "h", targetdir = "rel" }
sync { default.direct, source = "a", target = "/abs/../x" }
`;
const OBJ = {
  settings: { logfile: 'log/l.log', pidfile: './run.pid', statusFile: 'st.txt' },
  sync: [
    { mode: 'direct', source: 'src', target: 't', excludeFrom: 'ex.txt' },
    { mode: 'rsync', source: './src/', target: 'r', filterFrom: 'f.txt' },
    { mode: 'rsync', source: '.', target: 'host:rel/dir' },
    { mode: 'rsync', source: 'src', target: 'rsync://h/mod' },
    { mode: 'rsyncssh', source: '/abs/src', host: 'h', targetdir: 'rel' },
    { mode: 'direct', source: 'a', target: '/abs/../x' },
  ],
};

test('Lua: relative local paths resolve against the working directory, remote and absolute ones stay', () => {
  assert.deepEqual(paths(expectOk(lua(LUA))), expected);
});

test('JSON: the same config gives the same absolute paths', () => {
  assert.deepEqual(paths(expectOk(loadJsonConfigText('c.json', JSON.stringify(OBJ)))), expected);
});

test('TS and JS configs: relative to the working directory, not to the config file', async (t) => {
  const dir = tempDir(t);
  for (const name of ['c.mjs', 'c.ts']) {
    const f = path.join(dir, name);
    writeFileSync(f, `export default ${JSON.stringify(OBJ)};\n`);
    assert.deepEqual(paths(expectOk(await loadConfig(f))), expected, name);
  }
});

test('command line: -direct/-rsync/-rsyncssh sources and local targets, -logfile/-pidfile', () => {
  const p = parseCliArgs(['-logfile', 'l.log', '-pidfile', 'p.pid', '-direct', 'src', 't', '-rsync', 'src', 'host:t', '-rsync', 'a', './b', '-rsyncssh', 'src', 'h', 'td']);
  assert.ok(p.kind === 'run');
  const c = expectOk(configFromCliSyncs(p.syncs, p.overrides));
  assert.deepEqual(c.syncs.map((s) => [s.source, s.mode === 'rsyncssh' ? `${s.host}:${s.targetdir}` : s.target]), [
    [`${at('src')}/`, `${at('t')}/`],
    [`${at('src')}/`, 'host:t/'],
    [`${at('a')}/`, `${at('b')}/`],
    [`${at('src')}/`, 'h:td/'],
  ]);
  assert.deepEqual([c.settings.logfile, c.settings.pidfile], [at('l.log'), at('p.pid')]);
});
