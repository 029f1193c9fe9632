// The text status file (`settings.statusFile`), in lsyncd's layout (docs/lsyncd-compat.md#status-file) so
// that existing eyes and scripts keep working, plus what lsyncd never told.
//
// Layout (exact; tests pin it):
//
//   Lsyncd status report at Wed Nov 25 02:19:51 2026      ← lsyncd's os.date() format, local time
//   <blank>
//   sync[1] source=/srv/src/                              ← per sync, in config order
//   State: running                                        ┐ lsyncd-ts additions, before the
//   Transfer: /srv/src/ -> /srv/dst/ (rsync)              │ (possibly long) delay list so an
//   Running transfers: 1                                  │ operator sees them first
//   Last success at Wed Nov 25 02:19:40 2026 (11 s ago)   │ ("Last success: never")
//   Replication lag: 3.2 s                                │ age of the oldest pending change
//   Retry: none                                           │ or "Retry: next attempt at <date> (in 12 s)"
//                                                         │   (while retrying or down)
//   Last error: none                                      │
//   Transfers: 12 ok, 1 failed; overflows: 0              │
//   Watching 4 directories                                ┘
//   Delete guard: holding 812 deletes since <date> (…)    ← only while the mass-delete guard holds
//   Not watched: 2 directories (out of inotify watches)…  ← only while degraded
//   Verify: drifted at <date> (…): 1 missing, 0 changed…  ← once a periodic drift check ran
//                                                           (verifyInterval; clean / error: why)
//   Next full sync at <date> (in 12 s) (crontab)          ← only with a crontab
//   Tunnel: ready (restarts 1)                            ← only with a tunnel (down / connecting,
//                                                           last error when it ended)
//   There are 3 delays                                    ← lsyncd from here on
//   wait   Create /new1                                   ← status word padded to 7
//   active Move /a -> /b
//   block  Delete /d1/
//   Filtering:
//   + /keep/                                              ← filter rules, then EXCLUDES as "- pat"
//   - *.tmp                                                 (lsyncd forgets excludes: "nothing.")
//   <blank><blank>                                        ← lsyncd writes two after each sync
//   Inotify watching 4 directories                        ← total over all syncs
//     (counted, not listed: ...)
//
// Deliberate differences from lsyncd: excludes are listed; watched directories are counted but
// NOT listed one per line (lsyncd#117: the list was ~50 MB for 571k directories, rewritten every
// interval); at most MAX_LISTED_DELAYS delays are listed ("There are N delays" still counts all);
// control characters and backslashes in paths/messages are escaped (`\x0a`, `\\`) so a hostile
// file name cannot forge lines.
import type { SyncSnapshot } from '../engine/engine.js';
import type { VerifyStatus } from '../engine/verify_status.js';
import { BACKLOG_DROPPED, backingOff, dateWithAge, formatDuration, lineSafe, lsyncdDate, totalWatchedDirs } from './format.js';

/** Delays listed per sync; the rest are summarised in one line. */
export const MAX_LISTED_DELAYS = 10_000;

export interface RenderTextOptions {
  /** Report time (default: now). */
  readonly now?: Date;
}

/** The `Verify:` line: the last periodic drift check and, with verifyRepair, the last repair. */
export function verifyLine(v: VerifyStatus, nowMs: number): string {
  const what = v.state === 'drifted' ? `: ${v.missing} missing, ${v.changed} changed, ${v.extra} extra` : v.state === 'error' ? `: ${lineSafe(v.reason ?? '')}` : '';
  const r = v.repair;
  const repair = r === undefined ? '' : `; last repair ${r.outcome} at ${dateWithAge(r.at, nowMs)}${r.reason !== undefined ? `: ${lineSafe(r.reason)}` : ''}`;
  return `Verify: ${v.state} at ${dateWithAge(v.at, nowMs)}${what}${repair}`;
}

export function renderStatusText(syncs: readonly SyncSnapshot[], opts: RenderTextOptions = {}): string {
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const out: string[] = [`Lsyncd status report at ${lsyncdDate(now)}`, ''];
  for (const snap of syncs) {
    const s = snap.status;
    out.push(`${lineSafe(s.name)} source=${lineSafe(snap.source)}`);
    out.push(`State: ${s.state}`);
    out.push(`Transfer: ${lineSafe(s.description)} (${snap.mode})`);
    out.push(`Running transfers: ${s.running}`);
    out.push(s.lastSuccessAt !== undefined ? `Last success at ${dateWithAge(s.lastSuccessAt, nowMs)}` : 'Last success: never');
    out.push(`Replication lag: ${formatDuration(s.lagMs)}`);
    out.push(s.retryAt !== undefined && backingOff(s.state) ? `Retry: next attempt at ${dateWithAge(s.retryAt, nowMs)}` : 'Retry: none');
    out.push(`Last error: ${s.lastError !== undefined ? lineSafe(s.lastError) : 'none'}`);
    out.push(`Transfers: ${s.transfersOk} ok, ${s.transfersFailed} failed; overflows: ${s.overflows}`);
    out.push(`Watching ${snap.watchedDirs} directories`);
    if (s.deleteHold !== undefined) {
      out.push(`Delete guard: holding ${s.deleteHold.deletes} deletes since ${dateWithAge(s.deleteHold.since, nowMs)}: ${lineSafe(s.deleteHold.reason)}; release with "lsyncd-ts release" or restore the source`);
    }
    if (s.unwatchedDirs > 0) {
      const next = s.watchRetryAt !== undefined ? `; next attempt at ${dateWithAge(s.watchRetryAt, nowMs)}` : '';
      out.push(`Not watched: ${s.unwatchedDirs} directories, each with its subtree (out of inotify watches)${next}`);
    }
    if (s.backlogDropped === true) out.push(`Backlog: ${BACKLOG_DROPPED}`);
    if (s.verify !== undefined) out.push(verifyLine(s.verify, nowMs));
    if (s.nextFullSyncAt !== undefined) out.push(`Next full sync at ${dateWithAge(s.nextFullSyncAt, nowMs)} (crontab)`);
    if (s.tunnel !== undefined) {
      const t = s.tunnel;
      out.push(`Tunnel: ${t.state} (restarts ${t.restarts}${t.pid !== undefined ? `, pid ${t.pid}` : ''})${t.lastError !== undefined ? `; last ended: ${lineSafe(t.lastError)}` : ''}`);
    }
    out.push(`There are ${snap.delays.length} delays`);
    const listed = Math.min(snap.delays.length, MAX_LISTED_DELAYS);
    for (let i = 0; i < listed; i++) {
      const d = snap.delays[i]!;
      const dest = d.destination !== undefined ? ` -> ${lineSafe(d.destination)}` : '';
      out.push(`${d.state.padEnd(7)}${d.kind} ${lineSafe(d.path)}${dest}`);
    }
    if (listed < snap.delays.length) out.push(`... and ${snap.delays.length - listed} more (not listed)`);
    out.push('Filtering:');
    if (snap.rules.length === 0) out.push('  nothing.');
    for (const r of snap.rules) out.push(`${r.include ? '+' : '-'} ${lineSafe(r.pattern)}`);
    out.push('', '');
  }
  out.push(`Inotify watching ${totalWatchedDirs(syncs)} directories`);
  out.push('  (counted, not listed: the list was ~50 MB for 571k directories in lsyncd, #117)');
  return `${out.join('\n')}\n`;
}
