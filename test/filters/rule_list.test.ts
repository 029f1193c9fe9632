import test from 'node:test';
import assert from 'node:assert/strict';
import {
  FilterRuleError,
  classifyMove,
  compileRuleList,
  compileWireRules,
  parseExcludeFromText,
  parseFilterFromText,
  parseFilterRule,
} from '../../src/filters/index.js';

test('lsyncd tests/filter-rsync.lua: first match wins', () => {
  const rl = compileRuleList({ filter: ['- /ab**', '+ /a**', '- /**'] });
  const cases: [string, boolean][] = [
    ['/abc', true],
    ['/abx/a', true],
    ['/acc', false],
    ['/acx/x', false],
    ['/baa', true],
    ['/bx/y', true],
  ];
  for (const [path, excluded] of cases) assert.equal(rl.isExcluded(path), excluded, path);
});

test('lsyncd tests/exclude-rsync.lua', () => {
  const rl = compileRuleList({ exclude: ['erf', '/eaf', 'erd/', '/ead/'] });
  const cases: [string, boolean][] = [
    ['/erf', true],
    ['/d/erf', true],
    ['/eaf', true],
    ['/d/eaf', false],
    ['/erd/', true],
    ['/erd/f', true], // below an excluded directory
    ['/d/erd/f', true],
    ['/erd', false], // a file named erd
    ['/ead/f', true],
    ['/d/ead/f', false],
  ];
  for (const [path, excluded] of cases) assert.equal(rl.isExcluded(path), excluded, path);
});

test('filters are consulted before excludes', () => {
  const rl = compileRuleList({ filter: ['+ keep.tmp'], exclude: ['*.tmp'] });
  assert.equal(rl.isExcluded('/keep.tmp'), false);
  assert.equal(rl.isExcluded('/other.tmp'), true);
  assert.equal(rl.decide('/x'), undefined);
  assert.equal(rl.decide('/keep.tmp'), 'include');
});

test('an excluded ancestor excludes, an included ancestor does not decide the child', () => {
  const rl = compileRuleList({ filter: ['+ /src/', '- *.o', '- /*'] });
  assert.equal(rl.isExcluded('/src/'), false);
  assert.equal(rl.isExcluded('/src/a.c'), false);
  assert.equal(rl.isExcluded('/src/a.o'), true);
  assert.equal(rl.isExcluded('/doc/'), true);
  assert.equal(rl.isExcluded('/doc/x/y'), true);
  assert.equal(rl.isExcluded('/top'), true);
});

test('wire form: filters first, then excludes as "-" rules; round-trips', () => {
  const rl = compileRuleList({ filter: ['+ a', '-b'], exclude: ['c/'] });
  assert.deepEqual(rl.rules, [
    { include: true, pattern: 'a' },
    { include: false, pattern: 'b' },
    { include: false, pattern: 'c/' },
  ]);
  assert.equal(rl.active, true);
  const again = compileWireRules(JSON.parse(JSON.stringify(rl.rules)));
  for (const p of ['/a', '/b', '/c/', '/c/x', '/d']) assert.equal(again.isExcluded(p), rl.isExcluded(p), p);
  assert.equal(compileRuleList({}).active, false);
  assert.equal(compileRuleList({}).isExcluded('/anything'), false);
});

test('parseFilterRule: accepted and rejected lines', () => {
  const ok: [string, boolean, string][] = [
    ['+ a', true, 'a'],
    ['- a', false, 'a'],
    ['+b', true, 'b'], // lsyncd 2.2.3 accepts a missing space
    ['  -  c', false, 'c'],
    ['- a b ', false, 'a b '], // trailing space is part of the name
  ];
  for (const [line, include, pattern] of ok) assert.deepEqual(parseFilterRule(line), { include, pattern }, line);
  for (const bad of ['*foo', 'x + y', '+', '- ', '', 'include foo']) {
    assert.throws(() => parseFilterRule(bad), (e: unknown) => e instanceof FilterRuleError && e.message === `Unknown filter rule: "${bad}"`, bad);
  }
  assert.throws(() => compileRuleList({ filter: ['?x'] }), /Unknown filter rule: "\?x"/);
  assert.throws(() => compileRuleList({ exclude: [''] }), /empty exclude pattern/);
});

test('parseExcludeFromText: lsyncd 2.2.3 line handling', () => {
  const text = '# c\n\n+ inc\n- dash \n  lead\nplain\n-nospace\n-- x\n - y\na - b\n\t#c2\n   \n-\nwin\r\n';
  assert.deepEqual(parseExcludeFromText(text), ['dash ', 'lead', 'plain', 'nospace', '- x', 'y', 'a - b', 'win']);
});

test('parseFilterFromText: skips blanks and comments, rejects junk', () => {
  assert.deepEqual(parseFilterFromText('# comment\n\n   \n + sp\n\t# tab\n-x\r\n'), [
    { include: true, pattern: 'sp' },
    { include: false, pattern: 'x' },
  ]);
  assert.throws(() => parseFilterFromText('+ a\nbad line\n'), /Unknown filter rule: "bad line"/);
});

test('classifyMove: docs/lsyncd-compat.md#paths-moves-and-excludes table', () => {
  const rl = compileRuleList({ exclude: ['tmp/', '*.part'] });
  assert.equal(classifyMove(rl, '/a', '/b'), 'move');
  assert.equal(classifyMove(rl, '/a', '/tmp/b'), 'delete-origin');
  assert.equal(classifyMove(rl, '/x.part', '/x'), 'create-destination');
  assert.equal(classifyMove(rl, '/tmp/x', '/y.part'), 'drop');
});

test('level evaluation: an inner-prefix match of a later rule does not override an included ancestor (rsync semantics)', () => {
  const rl = compileRuleList({ filter: ['+ /src/', '- /*'] });
  assert.equal(rl.isExcluded('/src/a.c'), false);
  assert.equal(rl.isExcluded('/src/deep/x'), false);
  assert.equal(rl.isExcluded('/other/a.c'), true);
  assert.equal(rl.decide('/src/a.c'), undefined); // single level: no rule matches
});
