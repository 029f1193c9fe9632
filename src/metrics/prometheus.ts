// Prometheus text exposition format (version 0.0.4) of the engine snapshot — what /metrics
// serves. Pure: snapshot + process facts in, text out (tests pin names and shape).
//
// Per sync (label sync="<name>"):
//   lsyncd_ts_sync_up                          gauge    1 healthy (state running), else 0
//   lsyncd_ts_sync_state{state=...}            gauge    1 for the current state, 0 for the others
//   lsyncd_ts_sync_queue_depth                 gauge    delays waiting to be transferred
//   lsyncd_ts_sync_delays{state=wait|active|block}  gauge  queued delays by lsyncd's status word
//   lsyncd_ts_sync_running_transfers           gauge
//   lsyncd_ts_sync_lag_seconds                 gauge    age of the oldest pending change (0 = in sync)
//   lsyncd_ts_sync_transfers_total{result=ok|failed}  counter
//   lsyncd_ts_sync_retries_total               counter  failed transfers that were retried (see below)
//   lsyncd_ts_sync_files_sent_total            counter  files transferred (transports that report it)
//   lsyncd_ts_sync_bytes_sent_total            counter  bytes of content transferred (same)
//   lsyncd_ts_sync_next_retry_timestamp_seconds gauge   while backing off (retrying, down), else 0
//   lsyncd_ts_sync_last_success_timestamp_seconds gauge 0 = never
//   lsyncd_ts_sync_overflows_total             counter  inotify overflows (each forces a full resync)
//   lsyncd_ts_sync_watched_directories        gauge
//   lsyncd_ts_sync_delete_hold                 gauge    1 while the mass-delete guard holds the sync
//   lsyncd_ts_sync_held_deletes                gauge    deletes held back by it (0 when not held)
//   lsyncd_ts_sync_unwatched_directories      gauge    directories not watched for lack of inotify
//                                                      watches (state degraded while > 0)
//   lsyncd_ts_sync_verify_state{state=clean|drifted|error}  gauge  the last periodic drift check
//                                                      (verifyInterval): 1 for its verdict; all 0 before one
//   lsyncd_ts_sync_drift_files{kind=missing|changed|extra}  gauge  files that differ on the target
//                                                      at the last check (0 when clean or never checked)
//   lsyncd_ts_sync_last_verify_timestamp_seconds gauge  when the last check finished, 0 = never
//   lsyncd_ts_sync_target_down                 gauge    1 while the target cannot be reached (state down)
//   lsyncd_ts_sync_next_full_sync_timestamp_seconds gauge when `crontab` queues the next full
//                                                      transfer, 0 = no crontab
//   lsyncd_ts_sync_tunnel_state{state=down|connecting|ready}  gauge  syncs with a tunnel only
//   lsyncd_ts_sync_tunnel_restarts_total       counter  tunnel command starts after the first
// Process:
//   lsyncd_ts_up 1, lsyncd_ts_watched_directories (total), lsyncd_ts_syncs,
//   process_resident_memory_bytes, process_start_time_seconds (Prometheus' standard names).
//
// Retries: the engine's own count of failed transfers handed back for a retry (`again`).
// Label values are escaped (\\, \", \n) as the format requires; every metric has exactly one
// # HELP and one # TYPE line, before its samples.
import type { SyncSnapshot } from '../engine/engine.js';
import type { SyncState } from '../engine/sync_runner.js';
import { backingOff, syncHealth, totalWatchedDirs } from '../status/format.js';

export const SYNC_STATES: readonly SyncState[] = ['starting', 'running', 'degraded', 'retrying', 'down', 'source-gone', 'dead', 'stopped'];

export interface ProcessFacts {
  readonly rssBytes: number;
  readonly startTimeSeconds: number;
}

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: Sample[];
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderFamilies(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const keys = Object.keys(s.labels);
      const labels = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabelValue(s.labels[k]!)}"`).join(',')}}`;
      out.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const secs = (ms: number | undefined): number => (ms === undefined ? 0 : ms / 1000);

export function renderMetrics(syncs: readonly SyncSnapshot[], proc: ProcessFacts, now: number = Date.now()): string {
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
  const up = fam('lsyncd_ts_sync_up', 'gauge', 'Whether the sync is healthy (state running): 1 or 0.');
  const state = fam('lsyncd_ts_sync_state', 'gauge', 'Current state of the sync: 1 for the current state, 0 for the others.');
  const queue = fam('lsyncd_ts_sync_queue_depth', 'gauge', 'Delays (pending changes) waiting to be transferred.');
  const delays = fam('lsyncd_ts_sync_delays', 'gauge', 'Queued delays by status word (wait, active, block).');
  const running = fam('lsyncd_ts_sync_running_transfers', 'gauge', 'Transfers running now.');
  const lag = fam('lsyncd_ts_sync_lag_seconds', 'gauge', 'Replication lag: age of the oldest change not yet transferred (0 when in sync).');
  const transfers = fam('lsyncd_ts_sync_transfers_total', 'counter', 'Finished transfers by result (ok, failed).');
  const retries = fam('lsyncd_ts_sync_retries_total', 'counter', 'Failed transfers that were retried with backoff.');
  const nextRetry = fam('lsyncd_ts_sync_next_retry_timestamp_seconds', 'gauge', 'When the next retry runs while backing off (Unix time), else 0.');
  const lastOk = fam('lsyncd_ts_sync_last_success_timestamp_seconds', 'gauge', 'When a transfer last succeeded (Unix time), 0 if never.');
  const filesSent = fam('lsyncd_ts_sync_files_sent_total', 'counter', 'Files transferred, where the transport reports it.');
  const bytesSent = fam('lsyncd_ts_sync_bytes_sent_total', 'counter', 'Bytes of file content transferred, where the transport reports it.');
  const overflows = fam('lsyncd_ts_sync_overflows_total', 'counter', 'inotify queue overflows (each forces a full resync of this sync).');
  const watched = fam('lsyncd_ts_sync_watched_directories', 'gauge', 'Directories watched for this sync (syncs on one source share them).');
  const hold = fam('lsyncd_ts_sync_delete_hold', 'gauge', 'Whether the mass-delete guard holds this sync (1) or not (0).');
  const held = fam('lsyncd_ts_sync_held_deletes', 'gauge', 'Deletes the mass-delete guard holds back (not applied on the target).');
  const verifyState = fam('lsyncd_ts_sync_verify_state', 'gauge', 'Verdict of the last periodic drift check (verifyInterval): 1 for it, 0 for the others; all 0 before the first.');
  const drift = fam('lsyncd_ts_sync_drift_files', 'gauge', 'Files that differ on the target at the last periodic drift check, by kind (missing, changed, extra).');
  const lastVerify = fam('lsyncd_ts_sync_last_verify_timestamp_seconds', 'gauge', 'When the last periodic drift check finished (Unix time), 0 if never.');
  const targetDown = fam('lsyncd_ts_sync_target_down', 'gauge', 'Whether the target cannot be reached (state down): 1 or 0.');
  const backlogDropped = fam('lsyncd_ts_sync_backlog_dropped', 'gauge', 'Whether the queue went over maxBacklog while the target was away and was dropped for a catch-up from the state: 1 or 0.');
  const unwatched = fam('lsyncd_ts_sync_unwatched_directories', 'gauge', 'Directories not watched for lack of inotify watches (each with its subtree); the sync is degraded while above 0.');
  const nextFull = fam('lsyncd_ts_sync_next_full_sync_timestamp_seconds', 'gauge', 'When crontab queues the next full transfer (Unix time), 0 without a crontab.');
  const tunnelState = fam('lsyncd_ts_sync_tunnel_state', 'gauge', "State of the sync's tunnel: 1 for the current one (syncs with a tunnel only).");
  const tunnelRestarts = fam('lsyncd_ts_sync_tunnel_restarts_total', 'counter', "Times the sync's tunnel command was started again.");
  for (const snap of syncs) {
    const s = snap.status;
    const sync = { sync: s.name };
    up.samples.push({ labels: sync, value: syncHealth(s, now).healthy ? 1 : 0 });
    for (const st of SYNC_STATES) state.samples.push({ labels: { ...sync, state: st }, value: s.state === st ? 1 : 0 });
    queue.samples.push({ labels: sync, value: s.waiting });
    for (const w of ['wait', 'active', 'block'] as const) {
      delays.samples.push({ labels: { ...sync, state: w }, value: snap.delays.reduce((n, d) => n + (d.state === w ? 1 : 0), 0) });
    }
    running.samples.push({ labels: sync, value: s.running });
    lag.samples.push({ labels: sync, value: Math.max(0, s.lagMs) / 1000 });
    transfers.samples.push({ labels: { ...sync, result: 'ok' }, value: s.transfersOk });
    transfers.samples.push({ labels: { ...sync, result: 'failed' }, value: s.transfersFailed });
    retries.samples.push({ labels: sync, value: s.transfersRetried });
    filesSent.samples.push({ labels: sync, value: s.filesSent });
    bytesSent.samples.push({ labels: sync, value: s.bytesSent });
    nextRetry.samples.push({ labels: sync, value: backingOff(s.state) ? secs(s.retryAt) : 0 });
    targetDown.samples.push({ labels: sync, value: s.state === 'down' ? 1 : 0 });
    backlogDropped.samples.push({ labels: sync, value: s.backlogDropped === true ? 1 : 0 });
    lastOk.samples.push({ labels: sync, value: secs(s.lastSuccessAt) });
    overflows.samples.push({ labels: sync, value: s.overflows });
    watched.samples.push({ labels: sync, value: snap.watchedDirs });
    hold.samples.push({ labels: sync, value: s.deleteHold !== undefined ? 1 : 0 });
    held.samples.push({ labels: sync, value: s.deleteHold?.deletes ?? 0 });
    unwatched.samples.push({ labels: sync, value: s.unwatchedDirs });
    for (const v of ['clean', 'drifted', 'error'] as const) verifyState.samples.push({ labels: { ...sync, state: v }, value: s.verify?.state === v ? 1 : 0 });
    for (const k of ['missing', 'changed', 'extra'] as const) drift.samples.push({ labels: { ...sync, kind: k }, value: s.verify?.[k] ?? 0 });
    lastVerify.samples.push({ labels: sync, value: secs(s.verify?.at) });
    nextFull.samples.push({ labels: sync, value: secs(s.nextFullSyncAt) });
    if (s.tunnel !== undefined) {
      for (const t of ['down', 'connecting', 'ready'] as const) tunnelState.samples.push({ labels: { ...sync, state: t }, value: s.tunnel.state === t ? 1 : 0 });
      tunnelRestarts.samples.push({ labels: sync, value: s.tunnel.restarts });
    }
  }
  const families: Family[] = [
    { name: 'lsyncd_ts_up', type: 'gauge', help: 'lsyncd-ts is running and serving metrics.', samples: [{ labels: {}, value: 1 }] },
    { name: 'lsyncd_ts_syncs', type: 'gauge', help: 'Number of configured syncs.', samples: [{ labels: {}, value: syncs.length }] },
    { name: 'lsyncd_ts_watched_directories', type: 'gauge', help: 'Directories watched over all syncs (each source once).', samples: [{ labels: {}, value: totalWatchedDirs(syncs) }] },
    up, state, queue, delays, running, lag, transfers, retries, filesSent, bytesSent, nextRetry, lastOk, overflows, watched, hold, held, unwatched, verifyState, drift, lastVerify, targetDown, backlogDropped, nextFull, tunnelState, tunnelRestarts,
    { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident set size in bytes.', samples: [{ labels: {}, value: proc.rssBytes }] },
    { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since the Unix epoch in seconds.', samples: [{ labels: {}, value: proc.startTimeSeconds }] },
  ];
  return renderFamilies(families);
}
