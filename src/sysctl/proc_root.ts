// Where the sysctl helper reads and writes kernel settings.
//
// Contract: every path the helper touches — /proc/sys/fs/inotify/*, /proc/<pid>/fd*, and
// /etc/sysctl.d/90-lsyncd-ts.conf — is built by `systemPath()` below, relative to one root.
// The root is "/" in production. The environment variable LSYNCD_TS_SYSCTL_ROOT moves it to a
// fake tree; it exists ONLY so the tests can run `lsyncd-ts sysctl --apply/--check` against
// injected limits without touching the real /etc and /proc (never set it in production). With
// the override set, `--apply` does not insist on uid 0 (nothing real is written).
import path from 'node:path';

export const SYSCTL_ROOT_ENV = 'LSYNCD_TS_SYSCTL_ROOT';

export interface SystemRoot {
  /** "/" or the test override. */
  readonly root: string;
  /** True when LSYNCD_TS_SYSCTL_ROOT is in effect. */
  readonly overridden: boolean;
}

export function systemRoot(env: NodeJS.ProcessEnv = process.env): SystemRoot {
  const o = env[SYSCTL_ROOT_ENV];
  return o !== undefined && o !== '' ? { root: path.resolve(o), overridden: true } : { root: '/', overridden: false };
}

/** An absolute system path (e.g. "/proc/sys/fs/inotify") under the root. */
export function systemPath(root: SystemRoot, absolute: string): string {
  return root.overridden ? path.join(root.root, absolute) : absolute;
}
