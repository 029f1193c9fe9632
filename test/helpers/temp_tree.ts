// Temporary directories for tests, removed when the test ends (pass the node:test context).
// Removal retries a few times: a daemon the test started may still write a status file into the
// directory until its own after-hook (registered later, run later) has stopped it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export function tempDir(t: TestContext, prefix = 'lsyncd-ts-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  return dir;
}
