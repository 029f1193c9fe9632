// Small shared pieces of the status file, the status command and the metrics server: lsyncd's
// date format, human durations, line-safe paths, and the ONE definition of "healthy".
//
// Health (used by the status file, `lsyncd-ts status` exit codes and /healthz alike, so the three
// never disagree): a sync is healthy exactly when its state is `running` (transfers flow; it may
// have a queue or a lag). Everything else has a one-line reason: `starting` (watch not set yet),
// `degraded` (transfers flow, but some directories are not watched for lack of inotify watches:
// changes in them are not seen until a retry sets their watches),
// `retrying` (a transfer failed and is backing off), `down` (the target cannot be reached —
// refused, silent, timed out —; backing off; the other syncs are not held up by it), `source-gone`, `dead` (stopped after an
// error; other syncs keep running), `stopped` (daemon shutting down). A sync whose deletes the
// mass-delete guard holds (src/engine/delete_guard.ts) is not healthy either, whatever its state:
// the target no longer mirrors the source until an operator acts. Nor is a running sync whose last
// periodic drift check (verifyInterval, src/engine/periodic_verify.ts) found its target drifted:
// files on the target differ from the source although no change is pending. A check that could
// not run (`error`) is shown but does not count: transfers report an unreachable target themselves.
// Nor is a running sync whose tunnel (lsyncd 2.3 tunnel{}, src/engine/tunnel.ts) is not ready:
// its transfers wait for it.
import type { SyncState, SyncStatus } from '../engine/sync_runner.js';
import type { VerifyStatus } from '../engine/verify_status.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number): string => String(n).padStart(2, '0');

/** lsyncd's `os.date()` (C locale `%c`, local time): `Wed Nov 25 02:19:51 2026`. */
export function lsyncdDate(d: Date): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** A short human duration: `0 s`, `3.2 s`, `45 s`, `12m 5s`, `3h 20m`, `2d 4h`. Negative → 0. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s === 0 ? '0' : s.toFixed(1).replace(/\.0$/, '')} s`;
  if (s < 120) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m ${Math.floor(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `<date> (<duration> ago)` or `(in <duration>)` relative to `now`. */
export function dateWithAge(at: number, now: number): string {
  const rel = at <= now ? `${formatDuration(now - at)} ago` : `in ${formatDuration(at - now)}`;
  return `${lsyncdDate(new Date(at))} (${rel})`;
}

/**
 * Makes a path or message safe for a line-based file: control characters (a newline in a file
 * name would forge a status line) and backslashes become `\xNN` / `\\`.
 */
export function lineSafe(s: string): string {
  return s.replace(/[\\\x00-\x1f\x7f]/g, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Why a drifted target is unhealthy, with the counts, when it was found, and what to do. */
function driftReason(v: VerifyStatus, now: number): string {
  const found = `target drifted (drift check ${formatDuration(now - v.at)} ago: ${v.missing} missing, ${v.changed} changed, ${v.extra} extra)`;
  const r = v.repair;
  if (r !== undefined && r.outcome !== 'repaired') return `${found}; repair ${r.outcome}: ${lineSafe(r.reason ?? '')}`;
  return `${found} — run "lsyncd-ts verify --repair CONFIG", or set verifyRepair = true`;
}

/** A sync whose backlog was dropped (maxBacklog, src/engine/sync_runner.ts): what replaces it. */
export const BACKLOG_DROPPED = 'backlog over maxBacklog dropped; a catch-up from the state sends the changes once the target answers';

/** States in which `retryAt` is the next attempt (after a failed transfer or connection). */
export function backingOff(state: SyncState): boolean {
  return state === 'retrying' || state === 'down';
}

export interface Health {
  readonly healthy: boolean;
  /** One line; empty when healthy. */
  readonly reason: string;
}


/**
 * Directories the daemon watches. Syncs share the watches of one root (src/engine/
 * shared_watches.ts): each root counts once, however many targets it has.
 */
export function totalWatchedDirs(syncs: readonly { readonly watchRoot: string; readonly watchedDirs: number }[]): number {
  const bySource = new Map<string, number>();
  for (const s of syncs) bySource.set(s.watchRoot, Math.max(bySource.get(s.watchRoot) ?? 0, s.watchedDirs));
  let n = 0;
  for (const v of bySource.values()) n += v;
  return n;
}

/** The single health rule (see the header). `now` is epoch ms, for "next attempt in N s". */
export function syncHealth(
  s: Pick<SyncStatus, 'state' | 'lastError' | 'retryAt' | 'deleteHold'> & Partial<Pick<SyncStatus, 'unwatchedDirs' | 'watchRetryAt' | 'verify' | 'tunnel' | 'backlogDropped'>>,
  now: number = Date.now(),
): Health {
  const err = s.lastError !== undefined ? lineSafe(s.lastError) : undefined;
  if (s.deleteHold !== undefined && s.state !== 'dead' && s.state !== 'stopped') {
    const h = s.deleteHold;
    return {
      healthy: false,
      reason: `held by the mass-delete guard since ${formatDuration(now - h.since)} ago: ${h.deletes} deletes not applied (${lineSafe(h.reason)}); release with "lsyncd-ts release" or restore the source`,
    };
  }
  switch (s.state) {
    case 'running':
      if (s.tunnel !== undefined && s.tunnel.state !== 'ready') {
        const t = s.tunnel;
        return { healthy: false, reason: `transfers wait for the tunnel ${lineSafe(t.name)} (${t.state}, restarts ${t.restarts}${t.lastError !== undefined ? `; last ended: ${lineSafe(t.lastError)}` : ''})` };
      }
      return s.verify?.state === 'drifted' ? { healthy: false, reason: driftReason(s.verify, now) } : { healthy: true, reason: '' };
    case 'degraded': {
      const n = s.unwatchedDirs ?? 0;
      const next = s.watchRetryAt !== undefined ? `; next watch attempt ${s.watchRetryAt <= now ? 'now' : `in ${formatDuration(s.watchRetryAt - now)}`}` : '';
      return {
        healthy: false,
        reason: `degraded: ${n} director${n === 1 ? 'y' : 'ies'} not watched (out of inotify watches; changes in them are not synced yet)${next} — raise fs.inotify.max_user_watches: lsyncd-ts sysctl --apply CONFIG`,
      };
    }
    case 'starting':
      return { healthy: false, reason: 'starting (watches not set yet)' };
    case 'retrying': {
      const next = s.retryAt !== undefined ? `; next attempt ${s.retryAt <= now ? 'now' : `in ${formatDuration(s.retryAt - now)}`}` : '';
      return { healthy: false, reason: `retrying after a failed transfer${next}${err ? `: ${err}` : ''}${s.backlogDropped === true ? `; ${BACKLOG_DROPPED}` : ''}` };
    }
    case 'down': {
      const next = s.retryAt !== undefined ? `; next attempt ${s.retryAt <= now ? 'now' : `in ${formatDuration(s.retryAt - now)}`}` : '';
      return { healthy: false, reason: `target down (cannot connect)${next}${err ? `: ${err}` : ''}; ${s.backlogDropped === true ? BACKLOG_DROPPED : 'changes are queued and sent once it answers'}` };
    }
    case 'source-gone':
      return { healthy: false, reason: err ?? 'source directory disappeared; transfers paused until it is back' };
    case 'dead':
      return { healthy: false, reason: `stopped after an error${err ? `: ${err}` : ''} (fix the cause, then reload or restart)` };
    case 'stopped':
      return { healthy: false, reason: 'stopped (daemon shutting down)' };
  }
}
