// lsyncd command-line forms (docs/lsyncd-compat.md#command-line) parsed into a typed result.
import test from 'node:test';
import assert from 'node:assert/strict';
import { configFromCliSyncs, parseCliArgs } from '../../src/config/cli_args.js';
import { rshOption, sshArgs } from '../../src/transports/rsync/index.js';
import { errorTexts, expectOk } from './helpers.js';

test('config file with options, single and double dash', () => {
  for (const argv of [
    ['-nodaemon', '-log', 'Exec', '-log', 'all', '-delay', '5', '-insist', '-logfile', '/l', '-pidfile', '/p', '/etc/lsyncd.lua'],
    ['--nodaemon', '--log', 'Exec', '--log=all', '--delay=5', '--insist', '--logfile', '/l', '--pidfile=/p', '/etc/lsyncd.lua'],
  ]) {
    assert.deepEqual(parseCliArgs(argv), {
      kind: 'run', config: '/etc/lsyncd.lua', syncs: [], log: ['Exec', 'all'],
      overrides: { nodaemon: true, delay: 5, insist: true, logfile: '/l', pidfile: '/p' },
    });
  }
});

test('config-less syncs, repeatable', () => {
  assert.deepEqual(parseCliArgs(['-nodaemon', '-rsync', '/s', 'h:/t', '-rsyncssh', '/s2', 'host', '/td', '--direct', '/s3', '/t3', '-onepass']), {
    kind: 'run', config: undefined, log: [], overrides: { nodaemon: true, onepass: true },
    syncs: [{ mode: 'rsync', source: '/s', target: 'h:/t' }, { mode: 'rsyncssh', source: '/s2', host: 'host', targetdir: '/td' }, { mode: 'direct', source: '/s3', target: '/t3' }],
  });
});

test('version, help, no arguments', () => {
  assert.deepEqual(parseCliArgs(['-version']), { kind: 'version', exitCode: 0 });
  assert.deepEqual(parseCliArgs(['--help']), { kind: 'help', exitCode: 255 });
  assert.deepEqual(parseCliArgs([]), { kind: 'help', exitCode: 255 });
  assert.deepEqual(parseCliArgs(['-nodaemon']), { kind: 'help', exitCode: 255 });
});

const ERRORS: [string[], string][] = [
  [['-frobnicate', 'x.lua'], 'unknown option command line option -frobnicate'],
  [['--frobnicate'], 'unknown option command line option --frobnicate'],
  [['-rsync', '/s', 'h:/t', 'x.lua'], 'There cannot be command line syncs and a config file together.'],
  [['a.lua', 'b.lua'], 'There can only be one config file in the command line (got "a.lua", "b.lua").'],
  [['-log', 'foo', 'x.lua'], "'foo' is not a valid logging category"],
  [['-rsync', '/s'], 'option -rsync needs 2 arguments'],
  [['-rsyncssh', '/s', 'h'], 'option -rsyncssh needs 3 arguments'],
  [['-delay'], 'option -delay needs 1 argument'],
  [['-delay', 'soon', 'x.lua'], '-delay needs a number of seconds >= 0, got "soon"'],
  [['-runner', 'r.lua', 'x.lua'], '-runner is not supported: lsyncd-ts has no Lua runner to replace'],
  [['-script', 's.lua', 'x.lua'], "-script is not supported: it runs a Lua file inside lsyncd's runner before the config; put that Lua at the top of the config file instead"],
  [['-sshopts', '-v', 'x.lua'], '-sshopts applies only to command-line -rsyncssh syncs; in a config file set ssh = { _extra = { ... } } in the sync'],
  [['-sshopts', '-v', '-rsync', '/s', '/t'], '-sshopts applies only to command-line -rsyncssh syncs; in a config file set ssh = { _extra = { ... } } in the sync'],
  [['-sshopts', "-i 'k", '-rsyncssh', '/s', 'h', '/t'], "-sshopts: missing matching quote for 'k — close the quote or escape it with \\"],
  [['-rsyncssh', '/s', 'h', '/t', '-sshopts'], 'option -sshopts needs 1 argument'],
];
for (const [argv, message] of ERRORS) {
  test(`cli error: ${argv.join(' ')}`, () => assert.deepEqual(parseCliArgs(argv), { kind: 'error', message, exitCode: 255 }));
}

test('command-line syncs become a validated config; -delay overrides the mode default', () => {
  const p = parseCliArgs(['-delay', '2', '-rsyncssh', '/s', 'host', '/td', '-direct', '/a', '/b']);
  assert.ok(p.kind === 'run');
  const c = expectOk(configFromCliSyncs(p.syncs, p.overrides));
  assert.deepEqual(c.syncs.map((s) => [s.mode, s.source, s.delay]), [['rsyncssh', '/s/', 2], ['direct', '/a/', 2]]);
  assert.deepEqual(errorTexts(configFromCliSyncs([])), ['<command line>: Nothing to watch!']);
});

test('-sshopts (before or after) becomes ssh._extra of every command-line rsyncssh sync, after -i/-o/-p in ssh and --rsh', () => {
  const p = parseCliArgs(['-rsyncssh', '/s', 'host', '/td', '-sshopts', "-o ServerAliveInterval=7  -i '/k/my key'", '-rsync', '/a', '/b', '-rsyncssh', '/s2', 'h2', '/t2']);
  assert.ok(p.kind === 'run');
  const extra = ['-o', 'ServerAliveInterval=7', '-i', '/k/my key'];
  assert.deepEqual(p.syncs, [
    { mode: 'rsyncssh', source: '/s', host: 'host', targetdir: '/td', ssh: { _extra: extra } },
    { mode: 'rsync', source: '/a', target: '/b' },
    { mode: 'rsyncssh', source: '/s2', host: 'h2', targetdir: '/t2', ssh: { _extra: extra } },
  ]);
  const c = expectOk(configFromCliSyncs(p.syncs, p.overrides));
  const s = c.syncs[0]!;
  assert.ok(s.mode === 'rsyncssh');
  assert.deepEqual(s.ssh._extra, extra);
  const withPort = { ...s.ssh, port: 2222 };
  assert.deepEqual(sshArgs(withPort), ['-p', '2222', ...extra]);
  assert.equal(rshOption(withPort), "--rsh=ssh -p 2222 -o ServerAliveInterval=7 -i '/k/my key'");
  assert.deepEqual(parseCliArgs(['--sshopts=-v', '-rsyncssh', '/s', 'h', '/t']), {
    kind: 'run', config: undefined, log: [], overrides: {}, syncs: [{ mode: 'rsyncssh', source: '/s', host: 'h', targetdir: '/t', ssh: { _extra: ['-v'] } }],
  });
});
