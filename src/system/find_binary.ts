// Is an executable there, and what is it? findBinary: check-config's "rsync/ssh binary missing"
// warning. isElfExecutable: the rsync transport keeps a standby rsync only for a real
// program, never for a script wrapper that may decide things when it starts
// (src/process/standby_child.ts).
// A name with a "/" is checked as a path; a bare name is searched in PATH like execvp does
// (an empty PATH element means the current directory). Cheap: a few access(2) calls.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
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

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * The binary (found as findBinary finds it) is an ELF executable, not a `#!` script or
 * anything else; false when it cannot be found or read.
 */
export function isElfExecutable(name: string, envPath?: string): boolean {
  const p = findBinary(name, envPath);
  if (p === undefined) return false;
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ELF_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
