// The yargs subcommands of the real binary: --help for each (with examples, exit 0), usage errors
// (exit 255), and `run` (same options as the lsyncd form in long spelling; bad config 255, a
// valid config → the engine, which refuses a missing source with exit 255).
import test from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runBin } from './run_bin.js';

test('--help lists the subcommands and the lsyncd form; exit 0', () => {
  const r = runBin(['--help']);
  assert.equal(r.code, 0);
  for (const s of ['lsyncd-ts run <config>', 'lsyncd-ts check-config <config>', 'lsyncd-ts sysctl [targets..]', "lsyncd's own command line works too:"]) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test('each subcommand has --help with examples; exit 0', () => {
  const expect: Record<string, string[]> = {
    run: ['--nodaemon', '--log', '--delay', '--insist', '--logfile', '--pidfile', 'Examples:', 'lsyncd-ts run /etc/lsyncd/lsyncd.conf.lua --nodaemon'],
    'check-config': ['--json', '--strict', 'Examples:', 'lsyncd-ts check-config --strict /etc/lsyncd-ts.json'],
    sysctl: ['--apply', '--check', 'Examples:', 'lsyncd-ts sysctl --check /etc/lsyncd-ts.json'],
  };
  for (const [cmd, parts] of Object.entries(expect)) {
    const r = runBin([cmd, '--help']);
    assert.equal(r.code, 0, cmd);
    for (const p of parts) assert.ok(r.stdout.includes(p), `${cmd}: ${p}`);
  }
});

test('usage errors exit 255 with the message and a pointer to --help', () => {
  const cases: [string[], RegExp][] = [
    [['check-config'], /Not enough non-option arguments/],
    [['check-config', 'a.lua', 'b.lua'], /Unknown argument: b\.lua/],
    [['run', 'x.lua', '--bogus'], /Unknown argument: bogus/],
    [['run'], /Not enough non-option arguments/],
  ];
  for (const [args, re] of cases) {
    const r = runBin(args);
    assert.equal(r.code, 255, args.join(' '));
    assert.match(r.stderr, re);
    assert.ok(r.stderr.includes(`Run "lsyncd-ts ${args[0]} --help" for the usage.`), args.join(' '));
  }
  const none = runBin(['sysctl']);
  assert.equal(none.code, 255);
  assert.match(none.stderr, /name a CONFIG file or one or more directories/);
});

test('run: option validation, bad config 255, valid config reaches the engine', () => {
  const bad = runBin(['run', fixture('fixed', '1-settings.lua'), '--log', 'nope']);
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /^Error: 'nope' is not a valid logging category/);
  const neg = runBin(['run', fixture('fixed', '1-settings.lua'), '--delay', '-1']);
  assert.equal(neg.code, 255);
  const invalid = runBin(['run', fixture('seed-configs', '1-settings.lua')]);
  assert.equal(invalid.code, 255);
  assert.match(invalid.stderr, /^Error: .*1-settings\.lua:5: sync: Nothing to watch!/);
  const ok = runBin(['run', fixture('fixed', '1-settings.lua'), '--nodaemon', '--log', 'Exec', '--log', 'scarce', '--delay', '2', '--insist', '--logfile', '/tmp/x.log', '--pidfile', '/tmp/x.pid']);
  assert.equal(ok.code, 255, 'the fixture\'s source does not exist on this machine');
  assert.match(ok.stderr, /Cannot access source directory: \/home\/e\.orlov\/source_dir\//);
});

test('run and the lsyncd form accept and refuse the same -log and -delay values', () => {
  const config = '/nonexistent/lsyncd.conf';
  const cases: [string, string, boolean][] = [
    ['log', 'F1', true], // lsyncd: a category only has to start with A-Z
    ['log', 'exec', false],
    ['delay', '1e3', true], // a number as lsyncd's Lua reads it
    ['delay', 'soon', false],
    ['delay', '-1', false],
  ];
  for (const [option, value, accepted] of cases) {
    for (const args of [[`-${option}`, value, config], ['run', config, `--${option}`, value]]) {
      const r = runBin(args);
      assert.equal(r.code, 255, args.join(' '));
      assert.equal(/cannot read config: ENOENT/.test(r.stderr), accepted, `${args.join(' ')}: ${r.stderr}`);
    }
  }
});
