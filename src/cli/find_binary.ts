// Is an executable there? For check-config's "rsync/ssh binary missing" warning (issue 3).
// A name with a "/" is checked as a path; a bare name is searched in PATH like execvp does
// (an empty PATH element means the current directory). Cheap: a few access(2) calls.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The full path of the executable, or undefined when it cannot be found. */
export function findBinary(name: string, envPath: string = process.env['PATH'] ?? ''): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  for (const dir of envPath.split(':')) {
    const p = path.join(dir === '' ? '.' : dir, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}
