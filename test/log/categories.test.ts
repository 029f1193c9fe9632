// categories.ts: lsyncd's -log semantics (docs/lsyncd-compat.md#logging; lsyncd.c add_logcat/check_logcat).
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  CategoryError,
  DEBUG_CATEGORIES,
  categoryEnabled,
  parseCategories,
  unknownCategories,
} from '../../src/log/categories.js';

const on = (args: string[], cat: string): boolean => categoryEnabled(parseCategories(args), cat);

test('default: Normal, Warn, Error on; debug categories off', () => {
  for (const c of ['Normal', 'Warn', 'Error']) assert.equal(on([], c), true, c);
  for (const c of DEBUG_CATEGORIES) assert.equal(on([], c), false, c);
  assert.equal(on([], 'Custom'), false);
});

test('-log NAME enables that category only', () => {
  assert.equal(on(['Exec'], 'Exec'), true);
  assert.equal(on(['Exec'], 'Delay'), false);
  assert.equal(on(['Exec', 'Delay'], 'Delay'), true);
  assert.equal(on(['Exec'], 'Normal'), true);
});

test('-log scarce: only Warn and Error (named categories too are silenced, as in lsyncd)', () => {
  assert.equal(on(['scarce'], 'Normal'), false);
  assert.equal(on(['scarce'], 'Warn'), true);
  assert.equal(on(['scarce'], 'Error'), true);
  assert.equal(on(['scarce', 'Exec'], 'Exec'), false);
});

test('-log all: everything, including categories nobody named; last of all/scarce wins', () => {
  for (const c of [...DEBUG_CATEGORIES, 'Normal', 'Warn', 'Error', 'Custom']) assert.equal(on(['all'], c), true, c);
  assert.equal(on(['all', 'scarce'], 'Normal'), false);
  assert.equal(on(['scarce', 'all'], 'Normal'), true);
});

test("invalid names: lsyncd's message for the first one", () => {
  for (const bad of ['exec', 'x', '', '1Exec', '-log', 'ALL'.toLowerCase() + 'x']) {
    assert.throws(
      () => parseCategories(['Exec', bad, 'also-bad']),
      (e: unknown) => e instanceof CategoryError && e.message === `'${bad}' is not a valid logging category`,
    );
  }
});

test('names lsyncd-ts never logs under are reported (typos), known ones are not', () => {
  assert.deepEqual(unknownCategories(parseCategories(['Exec', 'Exce', 'all', 'Tunnel', 'Exce'])), ['Exce']);
});
