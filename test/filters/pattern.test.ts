import test from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern } from '../../src/filters/pattern.js';

test('matching is on bytes: ? consumes one byte of a multi-byte character', () => {
  // "é" is two bytes in UTF-8: rsync wildmatch and Lua both need "??" for it.
  assert.equal(compilePattern('?.txt').test('/é.txt'), false);
  assert.equal(compilePattern('??.txt').test('/é.txt'), true);
  assert.equal(compilePattern('é*').test('/été'), true);
});

test('non-UTF-8 Buffer paths match byte-exactly', () => {
  const path = Buffer.concat([Buffer.from('/d/x'), Buffer.from([0xff, 0xfe]), Buffer.from('.tmp')]);
  assert.equal(compilePattern('*.tmp').test(path), true);
  assert.equal(compilePattern('x??.tmp').test(path), true);
  assert.equal(compilePattern('x?.tmp').test(path), false);
  assert.equal(compilePattern('[!/]x').test(path), false); // class never spans "/"
});

test('names with newline and regex metacharacters are literal', () => {
  assert.equal(compilePattern('a\nb').test('/a\nb'), true);
  assert.equal(compilePattern('*').test('/a\nb'), true); // * crosses newline
  assert.equal(compilePattern('a.c').test('/abc'), false);
  assert.equal(compilePattern('(x)+$').test('/(x)+$'), true);
  assert.equal(compilePattern('^x').test('/^x'), true);
});

test('paths must start with "/"', () => {
  assert.throws(() => compilePattern('x').test('x'), TypeError);
});

test('empty pattern is rejected', () => {
  assert.throws(() => compilePattern(''), /empty/);
});

test('reversed range matches only its first character, like rsync', () => {
  const p = compilePattern('[z-a]');
  assert.equal(p.test('/z'), true);
  assert.equal(p.test('/m'), false);
});

test('anchored flag and source are exposed', () => {
  assert.equal(compilePattern('/a').anchored, true);
  assert.equal(compilePattern('a').anchored, false);
  assert.equal(compilePattern('a*').source, 'a*');
});
