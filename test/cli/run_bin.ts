// Run the real bin/lsyncd-ts as a child process (spawnSync: no sleeps, no timing). Used by the
// CLI and sysctl command tests. The environment is minimal and explicit so results do not depend
// on the host: PATH is given per test (a temp dir with fake rsync/ssh by default) and
// LSYNCD_TS_SYSCTL_ROOT points /proc/sys and /etc/sysctl.d at a temp tree when set.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/cli/ or dist/test/sysctl/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(repoRoot, 'bin/lsyncd-ts');
export const fixture = (...p: string[]): string => path.join(repoRoot, 'test/fixtures/config', ...p);
export const packageVersion = (): string => (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBin(args: readonly string[], env: Record<string, string> = {}, cwd: string = repoRoot): BinResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: env['PATH'] ?? '/nonexistent', HOME: process.env['HOME'] ?? '/root', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A directory holding fake executables (`#!/bin/sh exit 0`) named `names`. */
export function fakeBinDir(dir: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const n of names) {
    const p = path.join(dir, n);
    writeFileSync(p, '#!/bin/sh\nexit 0\n');
    chmodSync(p, 0o755);
  }
  return dir;
}

/** A fake system root with /proc/sys/fs/inotify values (omit a value to leave it unreadable). */
export function fakeSystemRoot(dir: string, limits: { watches?: number; instances?: number; queued?: number }): string {
  const d = path.join(dir, 'proc/sys/fs/inotify');
  mkdirSync(d, { recursive: true });
  if (limits.watches !== undefined) writeFileSync(path.join(d, 'max_user_watches'), `${limits.watches}\n`);
  if (limits.instances !== undefined) writeFileSync(path.join(d, 'max_user_instances'), `${limits.instances}\n`);
  if (limits.queued !== undefined) writeFileSync(path.join(d, 'max_queued_events'), `${limits.queued}\n`);
  return dir;
}
