// The release request of the mass-delete guard (src/engine/delete_guard.ts): how
// `lsyncd-ts release` (src/cli/release.ts, through release_client.ts) tells a running daemon which held syncs to
// release.
//
// Protocol: the command writes `<statusFile>.release` or `<pidfile>.release` (whichever it found
// the daemon by), JSON `{"syncs": ["name", …]}` or `{"syncs": null}` for every sync, then sends
// SIGUSR2. On SIGUSR2 the daemon reads and removes those files (both names, from its current
// settings); without a readable request it releases every held sync, so a bare `kill -USR2 PID`
// works too. Afterwards it rewrites the status file at once, which is how the command confirms.
// Only a regular file owned by the daemon's own user or root is honoured: a file planted by
// another user must not widen what is released.
import { lstatSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

import type { NormalizedSettings } from '../config/schema.js';

export const RELEASE_SUFFIX = '.release';

/** The request files a daemon with these settings reads. */
export function releaseRequestFiles(s: Pick<NormalizedSettings, 'statusFile' | 'pidfile'>): string[] {
  return [s.statusFile, s.pidfile].filter((f): f is string => f !== undefined).map((f) => `${f}${RELEASE_SUFFIX}`);
}

/** Writes a request for `names` (undefined: every held sync). Mode 0600. */
export function writeReleaseRequest(file: string, names: readonly string[] | undefined): void {
  writeFileSync(file, `${JSON.stringify({ syncs: names ?? null })}\n`, { mode: 0o600 });
}

/**
 * Reads and removes the request files. Returns the names to release, or undefined for all (no
 * request, or one asking for all). Unreadable, foreign or malformed files are removed and ignored
 * (`problems` says why, for the log).
 */
export function takeReleaseRequest(files: readonly string[]): { names: string[] | undefined; problems: string[] } {
  const names = new Set<string>();
  let all = false;
  let any = false;
  const problems: string[] = [];
  const uid = process.getuid?.() ?? 0;
  for (const f of files) {
    const st = lstatSync(f, { throwIfNoEntry: false });
    if (st === undefined) continue;
    try {
      if (!st.isFile() || (st.uid !== uid && st.uid !== 0)) {
        problems.push(`${f}: not a regular file owned by uid ${uid} or root; ignored`);
        continue;
      }
      const v = JSON.parse(readFileSync(f, 'utf8')) as { syncs?: unknown };
      if (v.syncs === null) all = true;
      else if (Array.isArray(v.syncs) && v.syncs.every((n) => typeof n === 'string')) for (const n of v.syncs as string[]) names.add(n);
      else {
        problems.push(`${f}: expected {"syncs": [names] | null}; ignored`);
        continue;
      }
      any = true;
    } catch (e) {
      problems.push(`${f}: ${(e as Error).message}; ignored`);
    } finally {
      try {
        unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }
  return { names: all || !any ? undefined : [...names], problems };
}
