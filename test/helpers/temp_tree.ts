// Temporary directories for tests, removed when the test ends (pass the node:test context).
//
// The removal never throws: node:test runs a test's after-hooks in the order they were
// registered and skips the rest once one throws, and a directory is usually registered before
// the daemon that writes into it, whose own hook (kill it) must still run. A directory that is
// not empty yet (that daemon wrote once more) is removed again when the test process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

function remove(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    return true;
  } catch {
    return false;
  }
}

export function tempDir(t: TestContext, prefix = 'lsyncd-ts-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => {
    if (!remove(dir)) process.once('exit', () => remove(dir));
  });
  return dir;
}
