// The state's source scan (src/state/source_scan.ts): the addon's scanDir (native/addon/
// dir_scan.h) must list a directory exactly like readdir + lstat + entrySignature do — the same
// names as bytes (not UTF-8 ones too), in byte order, with the same signatures for every kind of
// entry — since manifests written by one are compared with scans made by the other.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { loadNative } from '../../src/native/native_binding.js';
import { entrySignature, listDir, statEntries, statEntry, walkTree } from '../../src/state/source_scan.js';
import { tempDir } from '../helpers/temp_tree.js';

/** readdir + lstat, independently of the addon: [name, signature, ...] in byte order. */
function byLstat(dir: string): string[] {
  const names = readdirSync(Buffer.from(dir), { encoding: 'buffer' }).sort(Buffer.compare);
  return names.flatMap((n) => [n.toString('latin1'), entrySignature(lstatSync(Buffer.concat([Buffer.from(`${dir}/`), n]), { bigint: true }))]);
}

test('scanDir lists names as bytes, in byte order, with the signatures lstat gives, for every kind of entry', (t) => {
  assert.equal(typeof loadNative().scanDir, 'function', 'the addon has scanDir');
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'b-file'), 'content');
  writeFileSync(path.join(dir, 'B-upper'), '');
  writeFileSync(path.join(dir, 'Ä-utf8'), 'x');
  writeFileSync(Buffer.from(`${dir}/\xff\xfe-latin1`, 'latin1'), 'not utf-8 name');
  mkdirSync(path.join(dir, 'a-dir'));
  chmodSync(path.join(dir, 'a-dir'), 0o750);
  writeFileSync(path.join(dir, 'exec'), '#!/bin/sh\n');
  chmodSync(path.join(dir, 'exec'), 0o4755);
  symlinkSync('/nowhere/at/all', path.join(dir, 'dangling'));
  symlinkSync('a-dir', path.join(dir, 'link-to-dir'));
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  // Times before 1970 and with a fraction of a second.
  writeFileSync(path.join(dir, 'old'), 'old');
  execFileSync('touch', ['-h', '-d', '@-86400.25', path.join(dir, 'old')]);
  writeFileSync(path.join(dir, 'fraction'), 'f');
  utimesSync(path.join(dir, 'fraction'), 1_700_000_000.123456, 1_700_000_000.123456);

  const got = listDir(Buffer.from(dir));
  assert.deepEqual(got, byLstat(dir));
  assert.equal(got!.length, 2 * 11);
  assert.ok(got!.includes('\xff\xfe-latin1'), 'the non-UTF-8 name comes back byte for byte');
  assert.match(got![got!.indexOf('a-dir') + 1]!, /^d\|0\|0\|\d+\|488$/); // 0o750
  assert.match(got![got!.indexOf('dangling') + 1]!, /^l\|15\|/);
  assert.match(got![got!.indexOf('fifo') + 1]!, /^o\|0\|/);
  assert.match(got![got!.indexOf('old') + 1]!, /^f\|3\|-86400250000000\|/);
});

test('scanDir: a directory that cannot be read is undefined; the walk skips it', (t) => {
  const dir = tempDir(t);
  assert.equal(listDir(Buffer.from(path.join(dir, 'missing'))), undefined);
  assert.equal(loadNative().scanDir!(Buffer.from(path.join(dir, 'missing'))), -2); // -ENOENT
  assert.equal(listDir(Buffer.from(path.join(dir, 'nul\0byte'))), undefined);
  mkdirSync(path.join(dir, 'sub', 'deep'), { recursive: true });
  writeFileSync(path.join(dir, 'sub', 'deep', 'f'), 'f');
  writeFileSync(path.join(dir, 'top'), 't');
  const tree = walkTree(`${dir}/`, '/', undefined);
  // A directory's entries, then its subdirectories' (parents always before their entries).
  assert.deepEqual([...tree.keys()], ['/sub/', '/top', '/sub/deep/', '/sub/deep/f']);
});

test('statPaths: many paths in one call give what statEntry gives one by one, undefined where nothing is', (t) => {
  assert.equal(typeof loadNative().statPaths, 'function', 'the addon has statPaths');
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'd'));
  writeFileSync(path.join(dir, 'd', 'f'), 'f');
  writeFileSync(Buffer.from(`${dir}/\xe9t\xe9`, 'latin1'), 'latin1 name');
  symlinkSync('d', path.join(dir, 'l'));
  const root = `${dir}/`;
  const rels = ['/d/', '/d/f', '/\xe9t\xe9', '/l', '/missing', '/d/f/below-a-file', '/d/'];
  const got = statEntries(root, rels);
  assert.deepEqual(got, rels.map((p) => statEntry(root, p)));
  assert.equal(got[4], undefined);
  assert.equal(got[5], undefined);
  assert.match(got[0]!, /^d\|/);
  assert.match(got[3]!, /^l\|1\|/);
  assert.deepEqual(statEntries(root, []), []);
});
