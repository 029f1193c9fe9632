// Defaults, precedence and mode rules of normalize.ts (docs/lsyncd-compat.md#settings-keys–docs/lsyncd-compat.md#direct-mode-keys, docs/lsyncd-compat.md#exit-codes-of-transfers).
import test from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { resolveRsyncOptions } from '../../src/config/normalize.js';
import { errorTexts, expectOk, json, lua as luaConfig, warningTexts } from './helpers.js';

test('defaults per mode: delay rsync 15 / rsyncssh 15 / direct 1 / custom 0; maxDelays 1000; delete true; init true', () => {
  const c = expectOk(json({ sync: [
    { mode: 'rsync', source: '/a', target: 'h:/r' },
    { mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/s' },
    { mode: 'direct', source: '/a', target: '/d' },
    { source: '/a', onCreate: 'true' },
  ] }));
  assert.deepEqual(c.syncs.map((s) => [s.mode, s.delay, s.maxDelays, s.maxProcesses, s.delete, s.init]), [
    ['rsync', 15, 1000, 1, true, true], ['rsyncssh', 15, 1000, 1, true, true], ['direct', 1, 1000, 1, true, true], ['custom', 0, 1000, 1, true, true],
  ]);
  assert.deepEqual(c.settings, {
    logfile: undefined, pidfile: undefined, nodaemon: false, statusFile: undefined, statusInterval: 10, logfacility: 'user',
    logident: 'lsyncd', insist: false, inotifyMode: 'CloseWrite', maxProcesses: undefined, maxDelays: undefined, onepass: false,
    metrics: undefined, logFormat: 'text', stateDir: undefined,
  });
});

test('paths: source gets a trailing /, target/targetdir too unless they end in / or :', () => {
  const c = expectOk(json({ sync: [
    { mode: 'rsync', source: '/a', target: 'h:/r' }, { mode: 'rsync', source: '/b/', target: 'h:' },
    { mode: 'direct', source: '/c', target: '/d/' }, { mode: 'rsyncssh', source: '/e', host: 'h', targetdir: '~/t' },
  ] }));
  assert.deepEqual(c.syncs.map((s) => [s.source, s.mode === 'rsyncssh' ? s.targetdir : s.target]), [
    ['/a/', 'h:/r/'], ['/b/', 'h:'], ['/c/', '/d/'], ['/e/', '~/t/'],
  ]);
});

test('precedence: -delay (command line) > sync delay; settings maxProcesses/maxDelays > sync values', () => {
  const raw = { settings: { maxProcesses: 4, maxDelays: 7 }, sync: [{ mode: 'rsync', source: '/a', target: 'h:/r', delay: 3, maxProcesses: 2, maxDelays: 9 }] };
  const noCli = expectOk(validateConfig(raw, { file: 'c.json' }));
  assert.deepEqual([noCli.syncs[0]!.delay, noCli.syncs[0]!.maxProcesses, noCli.syncs[0]!.maxDelays], [3, 4, 7]);
  const cli = expectOk(validateConfig(raw, { file: 'c.json', overrides: { delay: 0, nodaemon: true, logfile: '/x', insist: true, pidfile: '/p' } }));
  assert.equal(cli.syncs[0]!.delay, 0);
  assert.deepEqual([cli.settings.nodaemon, cli.settings.logfile, cli.settings.insist, cli.settings.pidfile], [true, '/x', true, '/p']);
});

test('rsyncssh: a global settings.maxProcesses does not break it (lsyncd #676/#590), per-sync >1 is an error with the fix', () => {
  const c = expectOk(json({ settings: { maxProcesses: 3 }, sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t' }] }));
  assert.equal(c.syncs[0]!.maxProcesses, 1);
  assert.equal(c.settings.maxProcesses, 3);
  assert.deepEqual(errorTexts(json({ sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t', maxProcesses: 2 }] })), [
    'c.json: sync[1].maxProcesses: default.rsyncssh must have maxProcesses set to 1 (moves are ordered ssh commands) — remove maxProcesses, or use one sync per host for parallel transfers',
  ]);
});

test('rsync{} defaults: links/times/protect_args true, binary rsync; archive fills only unset keys', () => {
  assert.deepEqual(resolveRsyncOptions(undefined), { links: true, times: true, protect_args: true, binary: 'rsync' });
  assert.deepEqual(resolveRsyncOptions({ archive: true, owner: false, protect_args: false, binary: '/opt/rsync' }), {
    owner: false, protect_args: false, links: true, times: true, recursive: true, perms: true, group: true, devices: true,
    specials: true, hard_links: false, acls: false, xattrs: false, binary: '/opt/rsync',
  });
});

test('exit codes: user tables merge over the defaults (rsync 24 ok, 23 again)', () => {
  const c = expectOk(json({ sync: [{ mode: 'rsync', source: '/a', target: 'h:/r', exitcodes: { '13': 'again', '24': 'die' } }] }));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsync');
  assert.equal(s.rsyncExitCodes[13], 'again');
  assert.equal(s.rsyncExitCodes[24], 'die');
  assert.equal(s.rsyncExitCodes[23], 'again');
  assert.equal(s.rsyncExitCodes[10], 'again');
  assert.equal(s.rsyncExitCodes[28], undefined); // unlisted = die at run time
});

const MODE_ERRORS: { name: string; sync: Record<string, unknown>; expect: string[] }[] = [
  { name: 'rsync without target', sync: { mode: 'rsync', source: '/a' }, expect: ['c.json: sync[1]: default.rsync needs "target" configured — add target = "host:/remote/dir"'] },
  { name: 'direct without target', sync: { mode: 'direct', source: '/a' }, expect: ['c.json: sync[1]: default.direct needs "target" configured — add target = "/local/dir"'] },
  { name: 'rsyncssh with target host:dir', sync: { mode: 'rsyncssh', source: '/a', target: 'web1:/srv' },
    expect: ['c.json: sync[1].target: not valid for mode "rsyncssh", which takes host + targetdir — write host = "web1", targetdir = "/srv" instead'] },
  { name: 'rsyncssh with target and host', sync: { mode: 'rsyncssh', source: '/a', host: 'h', target: '/srv' },
    expect: ['c.json: sync[1].target: not valid for mode "rsyncssh", which takes host + targetdir — write targetdir = "/srv" instead'] },
  { name: 'rsyncssh without host', sync: { mode: 'rsyncssh', source: '/a', targetdir: '/t' }, expect: ['c.json: sync[1]: default.rsyncssh needs "host" configured — add host = "example.org"'] },
  { name: 'rsyncssh without targetdir', sync: { mode: 'rsyncssh', source: '/a', host: 'h' }, expect: ['c.json: sync[1]: default.rsyncssh needs "targetdir" configured — add targetdir = "/remote/dir"'] },
  { name: 'rsyncssh with exitcodes', sync: { mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t', exitcodes: { '1': 'ok' } },
    expect: ['c.json: sync[1].exitcodes: not valid for mode "rsyncssh" — use rsyncExitCodes and sshExitCodes'] },
  { name: 'rsync with host', sync: { mode: 'rsync', source: '/a', target: 'h:/t', host: 'h' },
    expect: ['c.json: sync[1].host: only valid with mode "rsyncssh" — for mode "rsync" write target = "HOST:/DIR"'] },
  { name: 'direct with ssh{}', sync: { mode: 'direct', source: '/a', target: '/t', ssh: {} }, expect: ['c.json: sync[1].ssh: only valid with mode "rsyncssh"'] },
  { name: 'rsync with an action', sync: { mode: 'rsync', source: '/a', target: 'h:/t', onCreate: 'x' },
    expect: ['c.json: sync[1].onCreate: not allowed with mode "rsync", which defines its own actions — remove it, or remove mode to write a custom-action sync'] },
  { name: 'custom without actions', sync: { source: '/a' },
    expect: ['c.json: sync[1]: no actions specified — set mode ("rsync", "rsyncssh" or "direct"; in Lua: sync { default.rsync, ... }) or at least one of onCreate/onModify/onAttrib/onDelete/onMove/onStartup'] },
  { name: 'custom with rsync{}', sync: { source: '/a', onCreate: 'x', rsync: {} },
    expect: ['c.json: sync[1].rsync: has no effect without mode "rsync", "rsyncssh" or "direct" — set a mode or remove it'] },
  { name: 'bad rsyncOps letter', sync: { mode: 'rsync', source: '/a', target: 'h:/t', rsyncOps: '-lY' },
    expect: ['c.json: sync[1].rsyncOps: rsyncOps: unknown rsync short option "-Y" in "-lY"'] },
];
for (const c of MODE_ERRORS) {
  test(`mode rule: ${c.name}`, () => assert.deepEqual(errorTexts(json({ sync: [c.sync] })), c.expect));
}

test('nothing to watch, duplicate names', () => {
  assert.deepEqual(errorTexts(json({ sync: [] })), ['c.json: sync: Nothing to watch! — add at least one sync, e.g. sync { default.rsync, source = "/src", target = "host:/dst" }']);
  assert.deepEqual(errorTexts(json({ sync: [{ mode: 'direct', source: '/a', target: '/b', name: 'x' }, { mode: 'direct', source: '/c', target: '/d', name: 'x' }] })),
    ['c.json: sync[2].name: duplicate sync name "x" (also used by sync[1])']);
});

test('rsyncOps maps onto rsync{} (explicit rsync{} wins) with a deprecation warning', () => {
  const r = json({ sync: [{ mode: 'rsync', source: '/a', target: 'h:/t', rsyncOps: ['-rltvupgoD', '--bwlimit=100', '--foo'], rsync: { owner: false } }] });
  const c = expectOk(r);
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsync');
  assert.deepEqual(s.rsync, { recursive: true, links: true, times: true, verbose: true, update: true, perms: true, group: true,
    owner: false, devices: true, specials: true, bwlimit: '100', _extra: ['--foo'], protect_args: true, binary: 'rsync' });
  assert.deepEqual(warningTexts(r), ['c.json: sync[1].rsyncOps: deprecated lsyncd 2.0 option string (removed in lsyncd 2.2); replace it with rsync = { recursive = true, links = true, times = true, verbose = true, update = true, perms = true, group = true, owner = true, devices = true, specials = true, bwlimit = "100", _extra = { "--foo" } }']);
});

test('warnings: whole command line in _extra, StrictHostKeyChecking=no, same target twice', () => {
  const r = json({ sync: [
    { mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t', ssh: { options: { StrictHostKeyChecking: 'no' }, _extra: ['-p 22'] }, rsync: { _extra: ['--rsh=ssh -o StrictHostKeyChecking=no'] } },
    { mode: 'direct', source: '/src', target: '/src/mirror' },
    { mode: 'direct', source: '/x', target: '/src/mirror/' },
  ] });
  expectOk(r);
  const strict = 'StrictHostKeyChecking=no disables ssh host key verification (man-in-the-middle risk) — put the host key in known_hosts, or use StrictHostKeyChecking=accept-new';
  assert.deepEqual(warningTexts(r), [
    'c.json: sync[1].ssh._extra[1]: holds a whole command line in one string ("-p 22"); ssh receives it as ONE argument — split it into one item per argument, or use ssh.identityFile / ssh.port / ssh.options and host = "user@HOST"',
    `c.json: sync[1].ssh.options.StrictHostKeyChecking: ${strict}`,
    `c.json: sync[1].rsync._extra[1]: ${strict}`,
    'c.json: sync[3]: writes the same target "/src/mirror/" as sync[2]; the two will delete each other\'s files',
  ]);
});

test('deleteGuard: on by default for rsync/rsyncssh/direct; sync > settings > defaults key by key; false turns it off; none for custom syncs', () => {
  const d = expectOk(json({ sync: [{ mode: 'rsync', source: '/a', target: 'h:/b' }, { source: '/a', onCreate: 'true' }] }));
  assert.deepEqual(d.syncs[0]!.deleteGuard, { fraction: 0.5, minimum: 50, window: 60 });
  assert.equal(d.syncs[1]!.deleteGuard, false);
  const c = expectOk(json({
    settings: { deleteGuard: { fraction: 0.3, window: 10 } },
    sync: [
      { mode: 'direct', source: '/a', target: '/b', deleteGuard: { minimum: 5 } },
      { mode: 'direct', source: '/a', target: '/c', deleteGuard: false },
      { mode: 'direct', source: '/a', target: '/d' },
    ],
  }));
  assert.deepEqual(c.syncs.map((s) => s.deleteGuard), [{ fraction: 0.3, minimum: 5, window: 10 }, false, { fraction: 0.3, minimum: 50, window: 10 }]);
  const off = expectOk(json({ settings: { deleteGuard: false }, sync: [{ mode: 'rsync', source: '/a', target: '/b' }, { mode: 'rsync', source: '/a', target: '/c', deleteGuard: true }] }));
  assert.deepEqual(off.syncs.map((s) => s.deleteGuard), [false, { fraction: 0.5, minimum: 50, window: 60 }]);
  const lua = expectOk(luaConfig('settings { deleteGuard = { minimum = 20 } }\nsync { default.rsync, source = "/a", target = "/b", deleteGuard = { fraction = 0.9 } }\nsync { default.direct, source = "/a", target = "/c", deleteGuard = false }'));
  assert.deepEqual(lua.syncs.map((s) => s.deleteGuard), [{ fraction: 0.9, minimum: 20, window: 60 }, false]);
});

test('deleteGuard: bad values are one-line errors naming the bound', () => {
  const bad = (g: unknown, re: RegExp) => {
    const texts = errorTexts(json({ sync: [{ mode: 'rsync', source: '/a', target: '/b', deleteGuard: g }] }));
    assert.ok(texts.some((t) => re.test(t)), `${JSON.stringify(g)}: ${texts.join(' | ')}`);
  };
  bad({ fraction: 0 }, /deleteGuard\.fraction.*> 0/);
  bad({ fraction: 1.5 }, /deleteGuard\.fraction.*at most 1/);
  bad({ minimum: 0 }, /deleteGuard\.minimum.*>= 1/);
  bad({ minimum: 2.5 }, /deleteGuard\.minimum.*integer/);
  bad({ window: 0 }, /deleteGuard\.window.*> 0/);
  bad({ fracton: 0.5 }, /deleteGuard: expected true, false or a table of fraction .* no other keys, got table/);
  bad('on', /deleteGuard: expected true, false or a table .*got string "on"/);
  const custom = errorTexts(json({ sync: [{ source: '/a', onCreate: 'true', deleteGuard: false }] }));
  assert.ok(custom.some((t) => /deleteGuard: has no effect without mode/.test(t)), custom.join(' | '));
});

test('verifyInterval / verifyRepair: per sync, off by default; bad values and a repair without an interval are one-line errors naming the fix', () => {
  const c = expectOk(luaConfig('sync { default.rsync, source = "/a", target = "/b", verifyInterval = 0.5, verifyRepair = true }\nsync { default.rsyncssh, source = "/a", host = "h", targetdir = "/c", verifyInterval = 3600 }\nsync { default.direct, source = "/a", target = "/d" }'));
  assert.deepEqual(c.syncs.map((s) => [s.verifyInterval, s.verifyRepair]), [[0.5, true], [3600, false], [undefined, false]]);
  const only = (extra: Record<string, unknown>): string[] => errorTexts(json({ sync: [{ mode: 'rsync', source: '/a', target: '/b', ...extra }] }));
  assert.deepEqual(only({ verifyInterval: 0 }), ['c.json: sync[1].verifyInterval: must be a number of seconds > 0 (leave verifyInterval out for no periodic check), got 0']);
  assert.deepEqual(only({ verifyInterval: -1 }), ['c.json: sync[1].verifyInterval: must be a number >= 0, got -1']);
  assert.deepEqual(only({ verifyInterval: 3e9 }), ['c.json: sync[1].verifyInterval: must be at most 2147483 seconds (about 24.8 days, the longest timer Node.js can hold), got 3000000000']);
  assert.deepEqual(only({ verifyRepair: true }), [
    'c.json: sync[1].verifyRepair: repairs after a periodic drift check, and there is none — add verifyInterval = SECONDS (e.g. 3600), or remove verifyRepair',
  ]);
  const custom = errorTexts(json({ sync: [{ source: '/a', onCreate: 'true', verifyInterval: 60 }] }));
  assert.deepEqual(custom, ['c.json: sync[1].verifyInterval: has no effect without mode "rsync", "rsyncssh" or "direct" — set a mode or remove it']);
});

test('maxBacklog: 10000 by default; sync > settings; an error on a custom-action sync', () => {
  const c = expectOk(json({
    settings: { maxBacklog: 500 },
    sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t' }, { mode: 'rsync', source: '/a', target: 'h:/b', maxBacklog: 20 }],
  }));
  assert.deepEqual(c.syncs.map((s) => s.maxBacklog), [500, 20]);
  const d = expectOk(json({ sync: [{ mode: 'direct', source: '/a', target: '/b' }] }));
  assert.deepEqual(d.syncs.map((s) => s.maxBacklog), [10_000]);
  assert.deepEqual(errorTexts(json({ sync: [{ source: '/a', onCreate: 'true', maxBacklog: 5 }] })), [
    'c.json: sync[1].maxBacklog: has no effect without mode "rsync", "rsyncssh" or "direct" — set a mode or remove it',
  ]);
  assert.ok(errorTexts(json({ sync: [{ mode: 'direct', source: '/a', target: '/b', maxBacklog: 0 }] })).some((t) => /sync\[1\]\.maxBacklog: /.test(t)));
  const lua = expectOk(luaConfig('settings { maxBacklog = 77 }\nsync { default.rsync, source = "/a", target = "h:/b" }'));
  assert.deepEqual(lua.syncs.map((s) => s.maxBacklog), [77]);
});

test('connectTimeout: 10 s by default; sync > settings; rsync and rsyncssh only; bad values name the bound', () => {
  const d = expectOk(json({ sync: [{ mode: 'rsync', source: '/a', target: 'h::m' }, { mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t' }] }));
  assert.deepEqual(d.syncs.map((s) => ('connectTimeout' in s ? s.connectTimeout : undefined)), [10, 10]);
  const c = expectOk(json({
    settings: { connectTimeout: 4 },
    sync: [{ mode: 'rsyncssh', source: '/a', host: 'h', targetdir: '/t' }, { mode: 'rsyncssh', source: '/a', host: 'g', targetdir: '/t', connectTimeout: 30 }, { mode: 'direct', source: '/a', target: '/b' }],
  }));
  assert.deepEqual(c.syncs.map((s) => ('connectTimeout' in s ? s.connectTimeout : undefined)), [4, 30, undefined]);
  const bad = (sync: Record<string, unknown>, re: RegExp) => {
    const texts = errorTexts(json({ sync: [{ source: '/a', ...sync }] }));
    assert.ok(texts.some((t) => re.test(t)), `${JSON.stringify(sync)}: ${texts.join(' | ')}`);
  };
  bad({ mode: 'rsyncssh', host: 'h', targetdir: '/t', connectTimeout: 0 }, /connectTimeout.*at least 1 second/);
  bad({ mode: 'rsyncssh', host: 'h', targetdir: '/t', connectTimeout: 2.5 }, /connectTimeout.*whole number of seconds/);
  bad({ mode: 'rsync', target: 'h:/b', connectTimeout: 7200 }, /connectTimeout.*at most 3600/);
  bad({ mode: 'direct', target: '/b', connectTimeout: 5 }, /connectTimeout: only valid with mode "rsync" or "rsyncssh"/);
  bad({ onCreate: 'true', connectTimeout: 5 }, /connectTimeout: only valid with mode "rsync" or "rsyncssh"/);
  const lua = expectOk(luaConfig('settings { connectTimeout = 3 }\nsync { default.rsyncssh, source = "/a", host = "h", targetdir = "/t" }'));
  assert.deepEqual(lua.syncs.map((s) => ('connectTimeout' in s ? s.connectTimeout : undefined)), [3]);
});
