// Typed access to the addon's syslog(3), sd_notify and lseek(SEEK_DATA/SEEK_HOLE) helpers
// (native/addon/system_calls.h).
import { loadNative } from '../native/native_binding.js';

/** syslog(3) facility numbers (<syslog.h>: LOG_USER = 1<<3 ...). */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0 << 3, user: 1 << 3, mail: 2 << 3, daemon: 3 << 3, auth: 4 << 3, syslog: 5 << 3, lpr: 6 << 3,
  news: 7 << 3, uucp: 8 << 3, cron: 9 << 3, authpriv: 10 << 3, ftp: 11 << 3,
  local0: 16 << 3, local1: 17 << 3, local2: 18 << 3, local3: 19 << 3,
  local4: 20 << 3, local5: 21 << 3, local6: 22 << 3, local7: 23 << 3,
};

/** syslog(3) levels. */
export const SYSLOG_LEVELS = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

export function syslogOpen(ident: string, facility: number): void {
  loadNative().syslogOpen(ident, facility);
}

export function syslogWrite(priority: number, message: string): void {
  loadNative().syslogWrite(priority, message);
}

/**
 * Sends `state` (e.g. "READY=1\nSTATUS=…") to $NOTIFY_SOCKET like sd_notify(3). Returns false
 * when there is no NOTIFY_SOCKET (not under systemd); throws only for an unusable socket path.
 */
export function sdNotify(state: string, socketPath: string | undefined = process.env.NOTIFY_SOCKET): boolean {
  if (!socketPath) return false;
  const err = loadNative().sdNotify(socketPath, state);
  if (err !== 0) throw new Error(`sd_notify to ${socketPath} failed: errno ${err}`);
  return true;
}

/**
 * lseek(2) with SEEK_DATA (`hole` false) or SEEK_HOLE: the offset, -errno on failure (ENXIO:
 * no data at or after `offset`), or undefined when the addon cannot be loaded or lacks the call.
 */
export function seekDataHole(fd: number, offset: number, hole: boolean): number | undefined {
  try {
    return loadNative().seekDataHole?.(fd, offset, hole);
  } catch {
    return undefined;
  }
}
