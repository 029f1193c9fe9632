// Asserts every row of the shared truth table test/fixtures/rule-cases.tsv (also read by the
// C++ matcher test) against src/filters/pattern.ts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePattern } from '../../src/filters/pattern.js';

// dist/test/filters/x.js -> <repo>/test/fixtures/rule-cases.tsv
const tsv = fileURLToPath(new URL('../../../test/fixtures/rule-cases.tsv', import.meta.url));

interface Row {
  line: number;
  pattern: string;
  path: string;
  expected: boolean;
}

function readRows(): Row[] {
  const rows: Row[] = [];
  readFileSync(tsv, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text === '' || text.startsWith('#')) return;
      const cols = text.split('\t');
      assert.equal(cols.length, 3, `rule-cases.tsv:${i + 1} must have 3 TAB-separated columns`);
      assert.ok(cols[2] === '0' || cols[2] === '1', `rule-cases.tsv:${i + 1} expected must be 0/1`);
      rows.push({ line: i + 1, pattern: cols[0]!, path: cols[1]!, expected: cols[2] === '1' });
    });
  return rows;
}

test('rule-cases.tsv: every row', () => {
  const rows = readRows();
  assert.ok(rows.length >= 70, `expected the full table, got ${rows.length} rows`);
  const failures = rows
    .filter((r) => compilePattern(r.pattern).test(r.path) !== r.expected)
    .map((r) => `line ${r.line}: ${JSON.stringify(r.pattern)} vs ${JSON.stringify(r.path)} expected ${r.expected ? 1 : 0}`);
  assert.deepEqual(failures, []);
});

test('rule-cases.tsv: Buffer paths give the same answers as string paths', () => {
  for (const r of readRows()) {
    assert.equal(compilePattern(r.pattern).test(Buffer.from(r.path)), r.expected, `line ${r.line}`);
  }
});

test('level matching agrees with prefix matching once ancestors are walked', () => {
  // For every table row: over the path and its ancestor directories, "some level matches" is the
  // same with either matcher, so an exclude list excludes the same paths either way.
  for (const r of readRows()) {
    const p = compilePattern(r.pattern);
    const levels: string[] = [];
    for (let i = r.path.indexOf('/', 1); i >= 0 && i < r.path.length - 1; i = r.path.indexOf('/', i + 1)) {
      levels.push(r.path.slice(0, i + 1));
    }
    levels.push(r.path);
    assert.equal(
      levels.some((l) => p.testLevelByteString(l)),
      levels.some((l) => p.testByteString(l)),
      `line ${r.line}`,
    );
  }
});
