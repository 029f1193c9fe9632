// Typed access to the addon's directory listing and batch lstat (native/addon/dir_scan.h), used
// by the state's source scan (src/state/source_scan.ts). Each returns undefined when the addon
// cannot be loaded or lacks the call; the caller then uses Node's readdirSync/lstatSync.
import { loadNative } from '../native/native_binding.js';

type Calls = { scanDir?: (path: Buffer) => string | number; statPaths?: (paths: Buffer) => string };

let calls: Calls | undefined;

function native(): Calls {
  if (calls === undefined) {
    try {
      calls = loadNative();
    } catch {
      calls = {};
    }
  }
  return calls;
}

/** One directory as "NAME\0SIG\0..." (latin1, sorted by name bytes), or -errno; see dir_scan.h. */
export function scanDir(dir: Buffer): string | number | undefined {
  return native().scanDir?.(dir);
}

/** The signatures of NUL-ended absolute paths, each NUL-ended, empty when missing; see dir_scan.h. */
export function statPaths(paths: Buffer): string | undefined {
  return native().statPaths?.(paths);
}
