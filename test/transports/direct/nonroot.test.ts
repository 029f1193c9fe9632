// Non-root behaviour of the direct transport (see nonroot_case.ts): as root the case runs in a
// child process as user nobody, otherwise in-process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonrootCase } from './nonroot_case.js';
import { IS_ROOT } from './helpers.js';

const NOBODY = 65534;

test('without root: read-only directories are copied exactly, written into later, and removed', async (t) => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-direct-nonroot-'));
  t.after(() => {
    spawnSync('chmod', ['-R', 'u+rwx', base]);
    rmSync(base, { recursive: true, force: true });
  });
  if (!IS_ROOT) {
    assert.deepEqual(await nonrootCase(base), []);
    return;
  }
  chownSync(base, NOBODY, NOBODY);
  chmodSync(base, 0o700);
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nonroot_case.js');
  // The child loads its modules as root, then drops to nobody itself (see nonroot_case.ts), so
  // the test works from a checkout that nobody may not read (a CI clone is mode 0700).
  const r = spawnSync(process.execPath, [script, '--run-nonroot-case', base, String(NOBODY)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout) as string[], []);
});
