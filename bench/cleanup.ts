// Cleanup shared by the benchmark drivers (bench/watcher, bench/sync): temp trees, plus the steps
// a benchmark registers (kill a child or a daemon's process group, remove a flag file), all undone
// on exit, on failure or on a signal, so an interrupted run leaves no process or tree behind.
//
// Contract: onCleanup steps are synchronous and run once, in registration order, before the temp
// trees are removed; a step that throws does not stop the others. installCleanup() is idempotent.
// runBench(main) is every driver's entry point: it cleans up after main, and on a failure prints
// it and exits 1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tempDirs = new Set<string>();
const steps = new Set<() => void>();

/** A new temp dir under `base`, removed by cleanupAll unless released first. */
export function makeTempDir(prefix: string, base: string = os.tmpdir()): string {
  const d = fs.mkdtempSync(path.join(base, prefix));
  tempDirs.add(d);
  return d;
}

export function releaseTempDir(d: string): void {
  spawnSync('rm', ['-rf', '--', d], { stdio: 'ignore' });
  tempDirs.delete(d);
}

/** Registers a synchronous cleanup step; returns the function that unregisters it. */
export function onCleanup(fn: () => void): () => void {
  steps.add(fn);
  return () => steps.delete(fn);
}

export function cleanupAll(): void {
  for (const fn of steps) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  steps.clear();
  for (const d of tempDirs) spawnSync('rm', ['-rf', '--', d], { stdio: 'ignore' });
  tempDirs.clear();
}

let installed = false;
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(128 + (os.constants.signals[sig] ?? 0));
    });
  }
}

/** Runs a benchmark driver's main(): cleanup after it; a failure is printed and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => cleanupAll(),
    (err: unknown) => {
      console.error(err);
      cleanupAll();
      process.exit(1);
    },
  );
}
