// Table-driven schema tests: every lsyncd key is accepted under its lsyncd name, unknown keys and
// wrong types are one-line errors with "did you mean" (docs/lsyncd-compat.md#config-files).
import test from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, rsyncOptionsSchema, settingsSchema, sshOptionsSchema, syncSchema } from '../../src/config/schema.js';
import { errorTexts, expectOk, json } from './helpers.js';

const SETTINGS_OK: [string, unknown][] = [
  ['logfile', '/var/log/l.log'], ['pidfile', '/run/l.pid'], ['nodaemon', true], ['statusFile', '/tmp/s'],
  ['statusInterval', 0], ['logfacility', 'daemon'], ['logfacility', 3], ['logident', 'x'], ['insist', true],
  ['inotifyMode', 'CloseWrite'], ['inotifyMode', 'Modify'], ['inotifyMode', 'CloseWrite or Modify'],
  ['inotifyMode', 'CloseWrite after Modify'], ['maxProcesses', 4], ['maxDelays', 10], ['onepass', true],
  ['metrics', '127.0.0.1:9100'], ['metrics', ':9100'], ['logFormat', 'json'], ['logFormat', 'text'], ['connectTimeout', 5],
  ['stateDir', '/var/lib/lsyncd-ts'], ['stateDir', false], ['maxBacklog', 5000],
];

const RSYNC_BOOL = ['archive', 'recursive', 'acls', 'backup', 'checksum', 'compress', 'copy_dirlinks', 'copy_links',
  'cvs_exclude', 'dry_run', 'executability', 'group', 'hard_links', 'ignore_times', 'ipv4', 'ipv6', 'keep_dirlinks',
  'links', 'one_file_system', 'omit_dir_times', 'omit_link_times', 'owner', 'perms', 'protect_args',
  'prune_empty_dirs', 'quiet', 'sparse', 'times', 'update', 'verbose', 'whole_file', 'xattrs', 'devices', 'specials',
  'append', 'append_verify', 'copy_unsafe_links', 'existing', 'inplace', 'delete_excluded'];
const RSYNC_VALUE: [string, unknown][] = [
  ['binary', '/usr/bin/rsync'], ['_extra', ['--info=progress2']], ['backup_dir', '/bk'], ['bwlimit', 1000],
  ['bwlimit', '1m'], ['chmod', 'D755,F644'], ['chown', 'root:root'], ['groupmap', 'a:b'], ['password_file', '/pw'],
  ['rsh', 'ssh -p 22'], ['rsync_path', '/usr/bin/rsync'], ['suffix', '~'], ['temp_dir', '/tmp'], ['timeout', 30],
  ['usermap', 'c:d'],
];

test('schema: every settings{} key of docs/lsyncd-compat.md#settings-keys plus metrics/logFormat/deleteGuard/connectTimeout/stateDir/maxBacklog is accepted', () => {
  for (const [k, v] of SETTINGS_OK) {
    const r = json({ settings: { [k]: v }, sync: [{ mode: 'direct', source: '/a', target: '/b' }] });
    expectOk(r);
  }
  const documented = ['logfile', 'pidfile', 'nodaemon', 'statusFile', 'statusInterval', 'logfacility', 'logident',
    'insist', 'inotifyMode', 'maxProcesses', 'maxDelays', 'onepass', 'metrics', 'logFormat', 'deleteGuard', 'connectTimeout', 'stateDir', 'maxBacklog'];
  assert.deepEqual(Object.keys(settingsSchema.shape).sort(), [...documented].sort());
});

test('schema: every rsync{} key of docs/lsyncd-compat.md#the-rsync-table is accepted (booleans and valued long options)', () => {
  for (const k of RSYNC_BOOL) expectOk(json({ sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', rsync: { [k]: true } }] }));
  for (const [k, v] of RSYNC_VALUE) expectOk(json({ sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', rsync: { [k]: v } }] }));
  assert.deepEqual(Object.keys(rsyncOptionsSchema.shape).sort(), [...RSYNC_BOOL, ...new Set(RSYNC_VALUE.map(([k]) => k))].sort());
});

test('schema: every ssh{} key of docs/lsyncd-compat.md#rsyncssh-mode-keys is accepted on rsyncssh', () => {
  const ssh = { binary: '/usr/bin/ssh', identityFile: '/k', options: { Compression: 'yes', ServerAliveInterval: 30 }, port: 2222, _extra: ['-v'] };
  const c = expectOk(json({ sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/b', ssh }] }));
  const s = c.syncs[0]!;
  assert.equal(s.mode, 'rsyncssh');
  if (s.mode !== 'rsyncssh') return;
  assert.deepEqual(s.ssh, { binary: '/usr/bin/ssh', identityFile: '/k', options: { Compression: 'yes', ServerAliveInterval: '30' }, port: 2222, _extra: ['-v'] });
  assert.deepEqual(Object.keys(sshOptionsSchema.shape).sort(), ['_extra', 'binary', 'identityFile', 'options', 'port']);
});

test('schema: every sync{} key is accepted in a mode where it is legal', () => {
  const base = { mode: 'rsync', source: '/a', target: 'h:/b' };
  const cases: Record<string, unknown>[] = [
    { name: 'web' }, { delay: 0 }, { delay: 2.5 }, { maxDelays: 5 }, { maxProcesses: 2 }, { init: false },
    { delete: false }, { delete: 'startup' }, { delete: 'running' }, { exclude: '*.tmp' }, { exclude: ['a', 'b/'] },
    { excludeFrom: '/etc/ex' }, { filter: ['- /x', '+ /y'] }, { filterFrom: '/etc/f' }, { exitcodes: { '13': 'again' } },
    { rsyncExitCodes: { '28': 'again' } }, { batchSizeLimit: 1048576 }, { rsync: {} }, { rsyncOps: '-lt' },
  ];
  for (const c of cases) expectOk(json({ sync: [{ ...base, ...c }] }));
  expectOk(json({ sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t', sshExitCodes: { '1': 'again' }, ssh: {} }] }));
  for (const a of ['onCreate', 'onModify', 'onAttrib', 'onDelete', 'onMove', 'onStartup']) {
    expectOk(json({ sync: [{ source: '/a', [a]: 'echo ^path' }] }));
    expectOk(json({ sync: [{ source: '/a', [a]: () => undefined }] }));
  }
  const keys = Object.keys(syncSchema.shape);
  for (const k of ['mode', 'source', 'target', 'host', 'targetdir', 'delay', 'maxDelays', 'maxProcesses', 'init', 'delete',
    'exclude', 'excludeFrom', 'filter', 'filterFrom', 'exitcodes', 'rsyncExitCodes', 'sshExitCodes', 'onCreate', 'onModify',
    'onAttrib', 'onDelete', 'onMove', 'onStartup', 'batchSizeLimit', 'name', 'rsync', 'ssh']) assert.ok(keys.includes(k), k);
  assert.deepEqual(Object.keys(configSchema.shape).sort(), ['settings', 'sync']);
});

const ERRORS: { name: string; cfg: unknown; expect: string[] }[] = [
  { name: 'unknown rsync key with suggestion', cfg: { sync: [{ mode: 'direct', source: '/a', target: '/b' }, { mode: 'rsync', source: '/a', target: 'h:/b', rsync: { compresss: true } }] },
    expect: ['c.json: sync[2].rsync.compresss: unknown key — did you mean "compress"?'] },
  { name: 'unknown sync key, transposition', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delya: 3 }] },
    expect: ['c.json: sync[1].delya: unknown key — did you mean "delay"?'] },
  { name: 'unknown key without a close match', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', frobnicate: 1 }] },
    expect: ['c.json: sync[1].frobnicate: unknown key'] },
  { name: 'unknown settings key', cfg: { settings: { statusIntervall: 3 }, sync: [] }, expect: ['c.json: settings.statusIntervall: unknown key — did you mean "statusInterval"?'] },
  { name: 'settings.delay is lsyncd-illegal', cfg: { settings: { delay: 3 }, sync: [] },
    expect: ['c.json: settings.delay: settings{} has no "delay" (as in lsyncd); set delay per sync{} or use -delay on the command line'] },
  { name: 'rsync._computed reserved', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', rsync: { _computed: [] } }] },
    expect: ['c.json: sync[1].rsync._computed: please do not use the internal rsync._computed parameter'] },
  { name: 'Layer-1 hook', cfg: { sync: [{ source: '/a', action: 'x' }] },
    expect: ["c.json: sync[1].action: expected a function (lsyncd's action = function(inlet) of a Lua config, on a sync with a mode), got \"x\""] },
  { name: 'Layer-1 collect outside Lua', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', collect: 'x' }] },
    expect: ["c.json: sync[1].collect: collect is a Lua function of lsyncd's action API: write it in a Lua config (TS/JS configs use onCreate/onModify/... functions)"] },
  { name: 'rsyncOpts removed', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', rsyncOpts: ['-a'] }] },
    expect: ['c.json: sync[1].rsyncOpts: removed in lsyncd 2.2; use rsync = { ... } (e.g. rsync = { archive = true, compress = true })'] },
  { name: 'unknown top-level key', cfg: { syncs: [], sync: [] }, expect: ['c.json: syncs: unknown key — did you mean "sync"?'] },
  { name: 'wrong type', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delay: 'soon' }] },
    expect: ['c.json: sync[1].delay: expected number, got string'] },
  { name: 'negative delay', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delay: -1 }] },
    expect: ['c.json: sync[1].delay: must be a number >= 0, got -1'] },
  { name: 'bad mode, suggestion', cfg: { sync: [{ mode: 'rsynch', source: '/a', target: 'h:/b' }] },
    expect: ['c.json: sync[1].mode: must be one of "rsync", "rsyncssh", "direct", got "rsynch" — did you mean "rsync"?'] },
  { name: 'bad inotifyMode', cfg: { settings: { inotifyMode: 'closewrite' }, sync: [] },
    expect: ['c.json: settings.inotifyMode: must be one of "CloseWrite", "Modify", "CloseWrite or Modify", "CloseWrite after Modify", got "closewrite" — did you mean "CloseWrite"?'] },
  { name: 'bad delete', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delete: 'always' }] },
    expect: ['c.json: sync[1].delete: must be true, false, "startup" or "running", got string "always"'] },
  { name: 'bad exclude', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', exclude: 3 }] },
    expect: ['c.json: sync[1].exclude: expected a string or a list of strings, got number 3'] },
  { name: 'bad action', cfg: { sync: [{ source: '/a', onCreate: 3 }] },
    expect: ['c.json: sync[1].onCreate: expected a command string or a function, got number 3'] },
  { name: 'missing source', cfg: { sync: [{ mode: 'rsync', target: 'h:/b' }] },
    expect: ['c.json: sync[1].source: source missing from sync (lsyncd: "source missing from sync.")'] },
  { name: 'bad exit code key', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', exitcodes: { x: 'ok' } }] },
    expect: ['c.json: sync[1].exitcodes.x: invalid key "x": exit codes are integers 0..255'] },
  { name: 'bad metrics', cfg: { settings: { metrics: 'localhost' }, sync: [] }, expect: ['c.json: settings.metrics: no port — write settings.metrics as "host:port", e.g. "127.0.0.1:9873", got "localhost"'] },
  { name: 'metrics port above 65535', cfg: { settings: { metrics: '0.0.0.0:99999' }, sync: [] },
    expect: ['c.json: settings.metrics: port 99999 is out of range (0..65535; 0 picks a free port) — write settings.metrics as "host:port", e.g. "127.0.0.1:9873", got "0.0.0.0:99999"'] },
  { name: 'metrics port 65536', cfg: { settings: { metrics: ':65536' }, sync: [] },
    expect: ['c.json: settings.metrics: port 65536 is out of range (0..65535; 0 picks a free port) — write settings.metrics as "host:port", e.g. "127.0.0.1:9873", got ":65536"'] },
  { name: 'delay beyond the timer bound', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delay: 1e12 }] },
    expect: ['c.json: sync[1].delay: must be at most 2147483 seconds (about 24.8 days, the longest timer Node.js can hold), got 1000000000000'] },
  { name: 'statusInterval beyond the timer bound', cfg: { settings: { statusInterval: 2147484 }, sync: [] },
    expect: ['c.json: settings.statusInterval: must be at most 2147483 seconds (about 24.8 days, the longest timer Node.js can hold), got 2147484'] },
  { name: 'delay NaN', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delay: Number.NaN }] },
    expect: ['c.json: sync[1].delay: expected a finite number, got NaN (not a number, e.g. Lua 0/0)'] },
  { name: 'delay Infinity', cfg: { sync: [{ mode: 'rsync', source: '/a', target: 'h:/b', delay: Infinity }] },
    expect: ['c.json: sync[1].delay: expected a finite number, got infinity (e.g. Lua 1/0)'] },
  { name: 'bad port', cfg: { sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t', ssh: { port: 70000 } }] },
    expect: ['c.json: sync[1].ssh.port: Too big: expected number to be <=65535, got 70000'] },
  { name: 'config not an object', cfg: [], expect: ['c.json: the config must be an object { settings: {...}, sync: [...] }'] },
  { name: 'sync missing', cfg: {}, expect: ['c.json: sync: missing (expected array)'] },
];

for (const c of ERRORS) {
  test(`schema error: ${c.name}`, () => {
    assert.deepEqual(errorTexts(json(c.cfg)), c.expect);
  });
}
