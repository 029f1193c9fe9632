// lsyncd's ^variables and the two execution forms (substitution.ts): table-driven values checked
// against lsyncd 2.2.3's observed output (minus its double slashes), and the sh -c argv run
// through a real /bin/sh with hostile names — a canary file proves nothing was injected.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { runCommand } from '../../../src/process/process_runner.js';
import {
  actionCommand,
  binaryArgv,
  shellScript,
  splitWords,
  tokenize,
  usesTarget,
  variableValue,
  VARIABLES,
  type SubstitutionContext,
} from '../../../src/transports/actions/substitution.js';
import { tempDir } from '../../helpers/temp_tree.js';

const ctx = (p: string | Buffer, extra: Partial<SubstitutionContext> = {}): SubstitutionContext => ({
  source: '/s/',
  target: '/t',
  path: p,
  ...extra,
});

test('tokenize: longest names first, unknown ^names literal (lsyncd transVars order)', () => {
  const show = (s: string) => tokenize(s).map((t) => (t.kind === 'var' ? `<${t.name}>` : t.text)).join('');
  const rows: [string, string][] = [
    ['^pathname', '<pathname>'],
    ['^pathnameX', '<pathname>X'],
    ['^pathdir/^path', '<pathdir>/<path>'],
    ['^sourcePathname ^sourcePathdir ^sourcePath ^source', '<sourcePathname> <sourcePathdir> <sourcePath> <source>'],
    ['^targetPathname^targetPathdir^targetPath^target', '<targetPathname><targetPathdir><targetPath><target>'],
    ['^o.pathname ^o.pathdir ^d.path', '<o.pathname> <o.path>dir <d.path>'],
    ['^o.source ^d.target', '^o.source ^d.target'],
    ['^bogus ^^path x^', '^bogus ^<path> x^'],
  ];
  for (const [input, want] of rows) assert.equal(show(input), want, input);
  assert.equal(VARIABLES.length, 27);
});

test('values: file, directory, root, Init, move origin/destination', () => {
  const rows: [SubstitutionContext, Record<string, string>][] = [
    [ctx('/dd/f'), { path: 'dd/f', pathname: 'dd/f', pathdir: 'dd/', source: '/s/', sourcePath: '/s/dd/f', sourcePathname: '/s/dd/f', sourcePathdir: '/s/dd/', target: '/t', targetPath: '/t/dd/f', targetPathname: '/t/dd/f', targetPathdir: '/t/dd/' }],
    [ctx('/dd/'), { path: 'dd/', pathname: 'dd', pathdir: '', sourcePath: '/s/dd/', sourcePathname: '/s/dd', sourcePathdir: '/s/', targetPathname: '/t/dd', targetPathdir: '/t/' }],
    [ctx('/a/b/c/'), { pathname: 'a/b/c', pathdir: 'a/b/' }],
    [ctx('/', { target: '/t/' }), { path: '', pathname: '', pathdir: '', sourcePath: '/s/', target: '/t/', targetPath: '/t/' }],
    [ctx('/f', { target: 'host:' }), { target: 'host:', targetPathname: 'host:f' }],
    [ctx('/x/f', { destination: '/y/g/' }), { 'o.path': 'x/f', 'd.path': 'y/g/', 'd.pathname': 'y/g', 'd.sourcePathdir': '/s/y/', 'o.targetPathdir': '/t/x/', 'd.targetPath': '/t/y/g/', path: 'x/f' }],
    [ctx('/only'), { 'd.pathname': 'only', 'o.pathname': 'only' }],
  ];
  for (const [c, want] of rows) {
    for (const [name, value] of Object.entries(want)) {
      assert.equal(variableValue(name as (typeof VARIABLES)[number], c), value, `${String(c.path)} ^${name}`);
    }
  }
  assert.throws(() => variableValue('targetPath', ctx('/f', { target: undefined })), /no target/);
  assert.ok(usesTarget('cp ^sourcePath ^d.targetPathname') && !usesTarget('echo ^sourcePath target'));
});

test('binary form: lsyncd word splitting (double quotes group and stay), values inside words', () => {
  assert.deepEqual(splitWords('  /bin/echo "a b"   x"c d"y ^pathname '), ['/bin/echo', '"a b"', 'x"c d"y', '^pathname']);
  assert.deepEqual(binaryArgv('/bin/cp -p ^sourcePathname x^targetPathdir', ctx('/d/a b')), ['/bin/cp', '-p', '/s/d/a b', 'x/t/d/']);
  const cmd = actionCommand('/bin/echo ^pathname', ctx('/-n $(x)'));
  assert.deepEqual([cmd.binary, ...cmd.args], ['/bin/echo', '-n $(x)']);
});

test('shell form: each ^variable becomes a positional reference fit for its quoting context', () => {
  const rows: [string, string, string[]][] = [
    ['cp -r ^sourcePathname ^targetPathname', 'cp -r "${1}" "${2}"', ['sourcePathname', 'targetPathname']],
    ['echo "^path/x" ^path', 'echo "${1}/x" "${1}"', ['path']],
    ["echo '^path' '\\'", `echo ''"\${1}"'' '\\'`, ['path']],
    ['echo "$(basename ^path)" `echo ^pathdir`', 'echo "$(basename "${1}")" `echo "${2}"`', ['path', 'pathdir']],
    ['echo \\^path "\\"^path"', 'echo \\^path "\\"${1}"', ['path']],
    ['sleep 3 && touch ^source/a', 'sleep 3 && touch "${1}"/a', ['source']],
    ['echo $((1+2)) ^pathname', 'echo $((1+2)) "${1}"', ['pathname']],
  ];
  for (const [input, script, params] of rows) assert.deepEqual(shellScript(input), { script, params }, input);
  const cmd = actionCommand('echo ^pathname', ctx('/x'));
  assert.deepEqual([cmd.binary, ...cmd.args], ['/bin/sh', '-c', 'echo "${1}"', 'sh', 'x']);
});

const HOSTILE = [
  'plain',
  'sp ace',
  "it's",
  'dq"uote',
  '$(touch CANARY)',
  '`touch CANARY`',
  "'; touch CANARY; '",
  '"; touch CANARY; "',
  'new\nline',
  '-n',
  '--dash',
  '*?[]',
  'back\\slash',
  '$HOME ${PATH} $1',
  'trailing newline\n',
  ' ',
];

test('hostile names reach sh -c scripts intact in every quoting context; nothing is executed', async (t) => {
  const dir = tempDir(t);
  const scripts = [
    "printf '%s|' ^pathname",
    'printf \'%s|\' "^pathname"',
    "printf '%s|' '^pathname'",
    'printf \'%s|\' "$(printf \'%s\' ^pathname)x"',
  ];
  for (const name of HOSTILE) {
    for (const s of scripts) {
      const res = await runCommand(actionCommand(s, ctx(`/${name}`)), { captureStdout: true, cwd: dir });
      assert.equal(res.code, 0, `${s} / ${JSON.stringify(name)}: ${res.stderrTail}`);
      const want = s.includes('$(printf') ? `${name.replace(/\n+$/, '')}x|` : `${name}|`;
      assert.equal(res.stdout, want, `${s} / ${JSON.stringify(name)}`);
    }
    // binary form: each value is one argv word, never re-split or interpreted
    const res = await runCommand(actionCommand('/usr/bin/printf %s| ^pathname x^path', ctx(`/${name}`)), { captureStdout: true, cwd: dir });
    assert.equal(res.stdout, `${name}|x${name}|`);
  }
  assert.equal(existsSync(path.join(dir, 'CANARY')), false, 'a value was executed');
});

test('non-UTF-8 names arrive byte-exact in both forms (decoding prologue)', async (t) => {
  const dir = tempDir(t);
  const raw = Buffer.concat([Buffer.from('/bad'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(" 'q $(touch CANARY)")]);
  const c: SubstitutionContext = { source: '/s/', target: dir, path: raw };
  const sh = actionCommand('touch ^targetPathname && printf %s ^pathname >/dev/null', c);
  assert.equal(sh.binary, '/bin/sh');
  assert.equal((await runCommand(sh)).code, 0);
  let names = readdirSync(dir, { encoding: 'buffer' });
  assert.deepEqual(names, [raw.subarray(1)]);
  const bin = actionCommand('/usr/bin/rm -- ^targetPathname', c);
  assert.equal((await runCommand(bin)).code, 0);
  names = readdirSync(dir, { encoding: 'buffer' });
  assert.deepEqual(names, []);
  assert.equal(existsSync(path.join(dir, 'CANARY')), false);
});
