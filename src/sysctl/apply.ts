// `lsyncd-ts sysctl --apply`: persist the raised limits in /etc/sysctl.d/90-lsyncd-ts.conf and
// apply them now by writing /proc/sys/fs/inotify/* (what `sysctl -p FILE` does).
//
// Contract: root only (both files are root-owned); a non-root caller gets one line naming the fix
// BEFORE anything is written. The conf file is written atomically (temp file + rename), then each
// /proc value; a /proc write failure (EROFS inside a container, EPERM in a user namespace) is
// reported with the key and the fix, and the conf file stays (it takes effect at the next boot).
// Paths go through proc_root.ts, so tests point the whole thing at a temp dir.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type InotifyLimitName, procSysFile, sysctlKey } from './inotify_limits.js';
import { type SystemRoot, systemPath } from './proc_root.js';
import { SYSCTL_CONF_PATH } from './render.js';

export interface ApplyOptions {
  readonly root: SystemRoot;
  /** process.getuid() of the caller. */
  readonly uid: number;
}

export type ApplyResult = { ok: true; confPath: string; applied: string[] } | { ok: false; message: string };

export function applySysctl(changes: readonly { name: InotifyLimitName; value: number }[], conf: string, opts: ApplyOptions): ApplyResult {
  const confPath = systemPath(opts.root, SYSCTL_CONF_PATH);
  if (!opts.root.overridden && opts.uid !== 0) {
    return { ok: false, message: `sysctl --apply must run as root (it writes ${SYSCTL_CONF_PATH} and /proc/sys/fs/inotify/*) — rerun it with sudo, or apply the lines printed above yourself` };
  }
  if (changes.length === 0) return { ok: true, confPath, applied: [] };
  try {
    mkdirSync(path.dirname(confPath), { recursive: true });
    const tmp = `${confPath}.tmp-${process.pid}`;
    writeFileSync(tmp, conf, { mode: 0o644 });
    renameSync(tmp, confPath);
  } catch (e) {
    return { ok: false, message: `cannot write ${confPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — check that you are root and ${path.dirname(confPath)} is writable` };
  }
  const applied: string[] = [];
  for (const c of changes) {
    try {
      writeFileSync(procSysFile(opts.root, c.name), `${c.value}\n`);
      applied.push(`${sysctlKey(c.name)} = ${c.value}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      const hint = code === 'EROFS' || code === 'EPERM' || code === 'EACCES'
        ? ' — /proc/sys is read-only here (a container?): set it on the host; the conf file is in place for the next boot'
        : '';
      return { ok: false, message: `wrote ${confPath} but cannot set ${sysctlKey(c.name)}=${c.value}: ${code}${hint}` };
    }
  }
  return { ok: true, confPath, applied };
}
