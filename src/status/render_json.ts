// The JSON twin of the status file (`<statusFile>.json`): the same facts as render_text.ts for
// scripts and for `lsyncd-ts status`, as a documented, versioned shape.
//
// Contract — version 1 (additive changes keep version 1; renaming/removing/retyping a field
// bumps it; readers must ignore unknown fields):
//
//   {
//     "version": 1,
//     "time": "2026-11-25T01:19:51.123Z",   // when written (ISO 8601, UTC)
//     "pid": 1234, "hostname": "host",      // the writing daemon (the reader checks it is alive)
//     "statusInterval": 10,                 // seconds between rewrites (staleness check)
//     "watchedDirs": 4,                     // total over all syncs
//     "syncs": [{
//       "name": "sync[1]", "mode": "rsync", "source": "/srv/src/",
//       "description": "/srv/src/ -> /srv/dst/",
//       "state": "running",                 // starting|running|degraded|retrying|down|source-gone|dead|stopped
//                                           // (down: the target cannot be reached; see reason, retryAt)
//       "healthy": true, "reason": "",      // format.ts syncHealth(): healthy ⇔ state running
//       "waiting": 3,                       // delays waiting to be transferred (queue depth)
//       "running": 1,                       // transfers running now
//       "lagSeconds": 3.2,                  // age of the oldest pending change; 0 = in sync
//       "lastSuccess": "…Z" | null, "lastError": "…" | null,
//       "retryAt": "…Z" | null,             // next attempt while retrying or down (backoff), else null
//       "transfersOk": 12, "transfersFailed": 1, "overflows": 0,
//       "watchedDirs": 4, "watcherOverflows": 0,
//       "deleteHold": { "deletes": 812, "since": "…Z", "reason": "…" } | null,
//                                           // the mass-delete guard holds deletes (unhealthy)
//       "unwatchedDirs": 0,                 // directories not watched (out of inotify watches)
//       "watchRetryAt": "…Z" | null,        // next attempt to watch them, else null
//       "verify": { "state": "clean" | "drifted" | "error", "at": "…Z",
//                   "missing": 1, "changed": 0, "extra": 2, "reason": "…" | null,
//                   "repair": { "outcome": "repaired" | "refused" | "failed" | "skipped",
//                               "at": "…Z", "reason": "…" | null } | null } | null,
//                                           // the last periodic drift check (verifyInterval),
//                                           // null before the first; drifted is unhealthy
//       "nextFullSync": "…Z",               // syncs with a crontab only: the next full transfer
//                                           // it queues
//       "backlogDropped": false,            // true: the queue went over maxBacklog while the
//                                           // target was away and was dropped; a catch-up from
//                                           // the state replaces it once the target answers
//       "tunnel": { "name": "…", "state": "down" | "connecting" | "ready", "restarts": 0,
//                   "pid": 123 | null, "lastError": "…" | null },   // syncs with a tunnel only
//       "rules": [{ "include": false, "pattern": "*.tmp" }],       // filters, then excludes
//       "delayCount": 3,                    // all queued delays
//       "delays": [{ "state": "wait", "kind": "Move", "path": "/a", "destination": "/b" }]
//                                           // at most MAX_LISTED_DELAYS, FIFO
//     }]
//   }
//
// Strings are as the engine reports them (non-UTF-8 bytes of paths already shown as `\xNN`).
import { hostname } from 'node:os';

import type { SyncSnapshot } from '../engine/engine.js';
import type { SyncState } from '../engine/sync_runner.js';
import type { VerifyRepairStatus, VerifyStatus } from '../engine/verify_status.js';
import type { TunnelStatus } from '../engine/tunnel.js';
import { backingOff, syncHealth, totalWatchedDirs } from './format.js';
import { MAX_LISTED_DELAYS } from './render_text.js';

export const STATUS_JSON_VERSION = 1;

export interface StatusDelayJson {
  readonly state: 'wait' | 'active' | 'block';
  readonly kind: string;
  readonly path: string;
  readonly destination?: string;
}

export interface SyncStatusJsonV1 {
  readonly name: string;
  readonly mode: string;
  readonly source: string;
  readonly description: string;
  readonly state: SyncState;
  readonly healthy: boolean;
  readonly reason: string;
  readonly waiting: number;
  readonly running: number;
  readonly lagSeconds: number;
  readonly lastSuccess: string | null;
  readonly lastError: string | null;
  readonly retryAt: string | null;
  readonly transfersOk: number;
  readonly transfersFailed: number;
  readonly overflows: number;
  readonly watchedDirs: number;
  readonly watcherOverflows: number;
  /** Absent in files written before the mass-delete guard existed. */
  readonly deleteHold?: { readonly deletes: number; readonly since: string; readonly reason: string } | null;
  readonly unwatchedDirs: number;
  readonly watchRetryAt: string | null;
  /** Absent in files written before periodic drift checks existed. */
  readonly verify?: VerifyJson | null;
  /** Only for a sync with a crontab. */
  readonly nextFullSync?: string;
  /** Only for a sync with a tunnel. */
  readonly tunnel?: TunnelJson;
  /** Absent in files written before the backlog bound existed. */
  readonly backlogDropped?: boolean;
  readonly rules: readonly { readonly include: boolean; readonly pattern: string }[];
  readonly delayCount: number;
  readonly delays: readonly StatusDelayJson[];
}

export interface VerifyJson {
  readonly state: VerifyStatus['state'];
  readonly at: string;
  readonly missing: number;
  readonly changed: number;
  readonly extra: number;
  readonly reason: string | null;
  readonly repair: { readonly outcome: VerifyRepairStatus['outcome']; readonly at: string; readonly reason: string | null } | null;
}

export interface TunnelJson {
  readonly name: string;
  readonly state: TunnelStatus['state'];
  readonly restarts: number;
  readonly pid: number | null;
  readonly lastError: string | null;
}

export interface StatusJsonV1 {
  readonly version: 1;
  readonly time: string;
  readonly pid: number;
  readonly hostname: string;
  readonly statusInterval: number;
  readonly watchedDirs: number;
  readonly syncs: readonly SyncStatusJsonV1[];
}

export interface RenderJsonOptions {
  readonly now?: Date;
  readonly pid?: number;
  readonly hostname?: string;
  /** Seconds between rewrites, as the writer applies it. */
  readonly statusInterval?: number;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function verifyJson(v: VerifyStatus): VerifyJson {
  const r = v.repair;
  return {
    state: v.state,
    at: new Date(v.at).toISOString(),
    missing: v.missing,
    changed: v.changed,
    extra: v.extra,
    reason: v.reason ?? null,
    repair: r === undefined ? null : { outcome: r.outcome, at: new Date(r.at).toISOString(), reason: r.reason ?? null },
  };
}

export function statusJson(syncs: readonly SyncSnapshot[], opts: RenderJsonOptions = {}): StatusJsonV1 {
  const now = opts.now ?? new Date();
  return {
    version: STATUS_JSON_VERSION,
    time: now.toISOString(),
    pid: opts.pid ?? process.pid,
    hostname: opts.hostname ?? hostname(),
    statusInterval: opts.statusInterval ?? 10,
    watchedDirs: totalWatchedDirs(syncs),
    syncs: syncs.map((snap): SyncStatusJsonV1 => {
      const s = snap.status;
      const h = syncHealth(s, now.getTime());
      return {
        name: s.name,
        mode: snap.mode,
        source: snap.source,
        description: s.description,
        state: s.state,
        healthy: h.healthy,
        reason: h.reason,
        waiting: s.waiting,
        running: s.running,
        lagSeconds: Math.max(0, s.lagMs) / 1000,
        lastSuccess: iso(s.lastSuccessAt),
        lastError: s.lastError ?? null,
        retryAt: backingOff(s.state) ? iso(s.retryAt) : null,
        transfersOk: s.transfersOk,
        transfersFailed: s.transfersFailed,
        overflows: s.overflows,
        watchedDirs: snap.watchedDirs,
        watcherOverflows: snap.watcherOverflows,
        deleteHold: s.deleteHold === undefined ? null : { deletes: s.deleteHold.deletes, since: new Date(s.deleteHold.since).toISOString(), reason: s.deleteHold.reason },
        unwatchedDirs: s.unwatchedDirs,
        watchRetryAt: s.unwatchedDirs > 0 ? iso(s.watchRetryAt) : null,
        verify: s.verify === undefined ? null : verifyJson(s.verify),
        ...(s.nextFullSyncAt !== undefined ? { nextFullSync: new Date(s.nextFullSyncAt).toISOString() } : {}),
        backlogDropped: s.backlogDropped === true,
        ...(s.tunnel === undefined ? {} : { tunnel: { name: s.tunnel.name, state: s.tunnel.state, restarts: s.tunnel.restarts, pid: s.tunnel.pid ?? null, lastError: s.tunnel.lastError ?? null } }),
        rules: snap.rules.map((r) => ({ include: r.include, pattern: r.pattern })),
        delayCount: snap.delays.length,
        delays: snap.delays.slice(0, MAX_LISTED_DELAYS).map((d) => ({
          state: d.state,
          kind: d.kind,
          path: d.path,
          ...(d.destination !== undefined ? { destination: d.destination } : {}),
        })),
      };
    }),
  };
}

/** The file's text: pretty-printed (two spaces), newline-terminated. */
export function renderStatusJson(syncs: readonly SyncSnapshot[], opts: RenderJsonOptions = {}): string {
  return `${JSON.stringify(statusJson(syncs, opts), null, 2)}\n`;
}

/**
 * Reads a status JSON text back (the status command). Returns an error string for anything that
 * is not a version-1 status (a newer version names itself so the operator knows to upgrade).
 */
export function parseStatusJson(text: string): StatusJsonV1 | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON (${(e as Error).message})` };
  }
  if (typeof v !== 'object' || v === null) return { error: 'not a status object' };
  const o = v as Record<string, unknown>;
  if (o['version'] !== STATUS_JSON_VERSION) {
    return { error: typeof o['version'] === 'number' ? `status version ${o['version']} is not supported by this lsyncd-ts (reads version 1)` : 'no "version": not an lsyncd-ts status file' };
  }
  if (typeof o['time'] !== 'string' || !Array.isArray(o['syncs'])) return { error: 'missing "time" or "syncs"' };
  for (const s of o['syncs'] as unknown[]) {
    if (typeof s !== 'object' || s === null || typeof (s as Record<string, unknown>)['name'] !== 'string' || typeof (s as Record<string, unknown>)['state'] !== 'string') {
      return { error: 'a sync entry lacks "name" or "state"' };
    }
  }
  return v as StatusJsonV1;
}
