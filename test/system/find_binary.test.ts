// findBinary / isElfExecutable (src/system/find_binary.ts): PATH search like execvp, and the
// ELF check that decides whether the rsync transport may keep a standby rsync (a `#!` wrapper
// must be started at the moment of each transfer).
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { findBinary, isElfExecutable } from '../../src/system/find_binary.js';
import { tempDir } from '../helpers/temp_tree.js';

test('findBinary searches PATH for a bare name and checks a path with a slash as given', (t) => {
  const dir = tempDir(t);
  const tool = path.join(dir, 'tool');
  writeFileSync(tool, '#!/bin/sh\n');
  chmodSync(tool, 0o755);
  const plain = path.join(dir, 'plain');
  writeFileSync(plain, 'not executable');
  assert.equal(findBinary('tool', `/nonexistent:${dir}`), tool);
  assert.equal(findBinary(tool, ''), tool);
  assert.equal(findBinary('plain', dir), undefined, 'not executable');
  assert.equal(findBinary(dir, ''), undefined, 'a directory');
  assert.equal(findBinary('no-such-tool', dir), undefined);
});

test('isElfExecutable: rsync itself yes; a script wrapper, a missing binary no', (t) => {
  const dir = tempDir(t);
  const wrapper = path.join(dir, 'rsync');
  writeFileSync(wrapper, '#!/bin/sh\nexec /usr/bin/rsync "$@"\n');
  chmodSync(wrapper, 0o755);
  assert.equal(isElfExecutable('rsync', '/usr/bin'), true);
  assert.equal(isElfExecutable('/usr/bin/rsync'), true);
  assert.equal(isElfExecutable('rsync', `${dir}:/usr/bin`), false, 'the wrapper comes first in PATH');
  assert.equal(isElfExecutable(wrapper), false);
  assert.equal(isElfExecutable('no-such-binary-lsyncd-ts', dir), false);
});
