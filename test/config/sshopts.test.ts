// -sshopts splitting (src/config/sshopts.ts): lsyncd 2.3.1's rule, word for word.
import test from 'node:test';
import assert from 'node:assert/strict';
import { splitSshOpts } from '../../src/config/sshopts.js';

const words = (text: string): string[] => {
  const r = splitSshOpts(text);
  assert.ok(r.ok, `expected ${JSON.stringify(text)} to split`);
  return r.words;
};

test('plain words split on runs of whitespace; empty and blank strings give nothing', () => {
  assert.deepEqual(words('-o ServerAliveInterval=7  -i /k/id   -p 2222'), ['-o', 'ServerAliveInterval=7', '-i', '/k/id', '-p', '2222']);
  assert.deepEqual(words('\t-v\n-4 '), ['-v', '-4']);
  assert.deepEqual(words(''), []);
  assert.deepEqual(words('   '), []);
});

test('single and double quotes group words; inner runs of spaces become one space', () => {
  assert.deepEqual(words(`-i '/keys/my key' -o "ProxyCommand=nc  -X 5 %h %p"`), ['-i', '/keys/my key', '-o', 'ProxyCommand=nc -X 5 %h %p']);
  assert.deepEqual(words(`'-v'`), ['-v']);
  // only the quote that opened the group closes it
  assert.deepEqual(words(`'say "hi there" now'`), ['say "hi there" now']);
});

test('an escaped closing quote does not close the group; backslashes are kept', () => {
  assert.deepEqual(words(`'a b\\' c'`), [`a b\\' c`]);
  assert.deepEqual(words(`'a b\\\\' c`), [`a b\\\\`, 'c']);
});

test('a quote inside a word does not group (lsyncd only looks at word ends)', () => {
  assert.deepEqual(words(`-oUser="a b"`), ['-oUser="a', 'b']);
});

test('an unclosed quote is an error naming the words', () => {
  assert.deepEqual(splitSshOpts(`-i 'my key`), { ok: false, error: "-sshopts: missing matching quote for 'my key — close the quote or escape it with \\" });
});
