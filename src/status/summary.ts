// What `lsyncd-ts status` prints for humans, and the verdict behind its exit code, from a parsed
// JSON status (render_json.ts, version 1). Pure: I/O and the liveness probe are injected.
//
// Below the table: the slowest target — the sync with the largest replication lag, with that lag
// (on a hub mirroring to many servers, the one to look at first).
//
// Verdict: healthy ⇔ every sync is healthy (format.ts syncHealth: state running) AND the file is
// fresh: its writer is alive (checked only when the file was written on this host) and it was
// rewritten within max(3 × statusInterval, 30 s) — a hung or dead daemon leaves a file that
// still says "running", so age and pid are checked too.
// Below the table, one `Verify:` line per sync whose periodic drift check has run (render_text.ts
// verifyLine); a drifted target is one of the problems (syncHealth). With them, a line per sync
// with a crontab (its next full sync) or a tunnel (its state and restarts).
import { dateWithAge, formatDuration, lineSafe, syncHealth } from './format.js';
import type { VerifyStatus } from '../engine/verify_status.js';
import type { StatusJsonV1, VerifyJson } from './render_json.js';
import { verifyLine } from './render_text.js';

export interface SummaryOptions {
  /** The file the status was read from (shown in the heading). */
  readonly file: string;
  readonly now?: number;
  readonly hostname: string;
  /** Whether `pid` is a live process (kill(pid, 0)); only asked for a same-host file. */
  readonly isAlive: (pid: number) => boolean;
}

export interface Summary {
  readonly healthy: boolean;
  /** Why the status is stale, if it is. */
  readonly stale: string | undefined;
  readonly text: string;
}

const parseTime = (iso: string | null | undefined): number | undefined => {
  if (typeof iso !== 'string') return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

export function staleness(st: StatusJsonV1, opts: Pick<SummaryOptions, 'now' | 'hostname' | 'isAlive'>): string | undefined {
  const now = opts.now ?? Date.now();
  if (st.hostname === opts.hostname && typeof st.pid === 'number' && !opts.isAlive(st.pid)) {
    return `lsyncd-ts (pid ${st.pid}) is not running; this status is from ${formatDuration(now - (parseTime(st.time) ?? now))} ago`;
  }
  const written = parseTime(st.time);
  const interval = typeof st.statusInterval === 'number' ? st.statusInterval : 10;
  const maxAgeMs = Math.max(3 * interval, 30) * 1000;
  if (written !== undefined && now - written > maxAgeMs) {
    return `not rewritten for ${formatDuration(now - written)} (expected every ${interval} s): is lsyncd-ts (pid ${st.pid}) hung or gone?`;
  }
  return undefined;
}

/** A drift check as the JSON has it, back to the engine's shape (times as epoch ms). */
function fromVerifyJson(v: VerifyJson): VerifyStatus {
  const r = v.repair;
  return {
    state: v.state,
    at: parseTime(v.at) ?? 0,
    missing: v.missing,
    changed: v.changed,
    extra: v.extra,
    reason: v.reason ?? undefined,
    repair: r === null ? undefined : { outcome: r.outcome, at: parseTime(r.at) ?? 0, reason: r.reason ?? undefined },
  };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** `slowest target: NAME (lag 12 s, down)`, or that none lags. */
export function slowestLine(syncs: StatusJsonV1['syncs']): string {
  let slowest: StatusJsonV1['syncs'][number] | undefined;
  for (const s of syncs) if ((s.lagSeconds ?? 0) > (slowest?.lagSeconds ?? 0)) slowest = s;
  if (slowest === undefined) return 'slowest target: none (no sync lags behind)';
  return `slowest target: ${lineSafe(slowest.name)} (lag ${formatDuration(slowest.lagSeconds * 1000)}, ${slowest.state})`;
}

export function renderSummary(st: StatusJsonV1, opts: SummaryOptions): Summary {
  const now = opts.now ?? Date.now();
  const written = parseTime(st.time);
  const lines: string[] = [
    `${opts.file}: written ${written !== undefined ? dateWithAge(written, now) : st.time} by pid ${st.pid} on ${st.hostname}`,
    '',
  ];
  const rows: string[][] = [['SYNC', 'STATE', 'LAG', 'QUEUE', 'RUNNING', 'LAST SUCCESS', 'LAST ERROR']];
  const problems: string[] = [];
  const verifyLines: string[] = [];
  for (const s of st.syncs) {
    const lastOk = parseTime(s.lastSuccess);
    rows.push([
      lineSafe(s.name),
      s.state,
      formatDuration((s.lagSeconds ?? 0) * 1000),
      String(s.waiting ?? 0),
      String(s.running ?? 0),
      lastOk !== undefined ? `${formatDuration(now - lastOk)} ago` : 'never',
      s.lastError ? clip(lineSafe(s.lastError), 60) : '-',
    ]);
    const hold = s.deleteHold ?? undefined;
    const since = parseTime(hold?.since);
    const deleteHold = hold !== undefined && since !== undefined ? { deletes: hold.deletes, since, reason: hold.reason } : undefined;
    const v = s.verify ?? undefined;
    const verify = v !== undefined ? fromVerifyJson(v) : undefined;
    if (verify !== undefined) verifyLines.push(`${lineSafe(s.name)}: ${verifyLine(verify, now)}`);
    const nextFull = parseTime(s.nextFullSync);
    if (nextFull !== undefined) verifyLines.push(`${lineSafe(s.name)}: next full sync at ${dateWithAge(nextFull, now)} (crontab)`);
    if (s.tunnel !== undefined) verifyLines.push(`${lineSafe(s.name)}: tunnel ${s.tunnel.state} (restarts ${s.tunnel.restarts})${s.tunnel.lastError !== null ? `; last ended: ${lineSafe(s.tunnel.lastError)}` : ''}`);
    const h = syncHealth(
      {
        state: s.state,
        verify,
        lastError: s.lastError ?? undefined,
        retryAt: parseTime(s.retryAt),
        deleteHold,
        unwatchedDirs: s.unwatchedDirs ?? 0,
        watchRetryAt: parseTime(s.watchRetryAt),
        tunnel: s.tunnel === undefined ? undefined : { ...s.tunnel, pid: s.tunnel.pid ?? undefined, lastError: s.tunnel.lastError ?? undefined },
        backlogDropped: s.backlogDropped === true,
      },
      now,
    );
    if (!h.healthy) problems.push(`${lineSafe(s.name)}: ${h.reason}`);
  }
  lines.push(...table(rows));
  lines.push('', slowestLine(st.syncs));
  if (verifyLines.length > 0) lines.push('', ...verifyLines);
  const stale = staleness(st, { ...opts, now });
  if (problems.length > 0 || stale !== undefined) lines.push('');
  if (stale !== undefined) lines.push(`STALE: ${stale}`);
  lines.push(...problems);
  const healthy = problems.length === 0 && stale === undefined && st.syncs.length > 0;
  lines.push('');
  const n = st.syncs.length;
  const plural = (k: number): string => `${k} sync${k === 1 ? '' : 's'}`;
  if (healthy) lines.push(`all ${plural(n)} healthy`);
  else if (problems.length > 0) lines.push(`${problems.length} of ${plural(n)} unhealthy${stale !== undefined ? '; status is stale' : ''}`);
  else if (stale !== undefined) lines.push(`status is stale (${plural(n)} ${n === 1 ? 'was' : 'were'} healthy when written)`);
  else lines.push('no syncs in the status');
  return { healthy, stale, text: `${lines.join('\n')}\n` };
}
