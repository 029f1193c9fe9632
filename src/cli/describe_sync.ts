// check-config's per-sync summary: mode, source → target(s), delay, delete mode,
// filters/excludes, and the exact command lines the sync would run, built by the same pure argv
// builders the daemon uses (src/transports/rsync): the init/full transfer (docs/lsyncd-compat.md#init-and-full-transfers), the event batch
// (docs/lsyncd-compat.md#rsync-command-lines), and for rsyncssh the one-ssh-call batch of moves (remote_moves.ts, lsyncd#367).
// The batch's stdin is the NUL-separated include list of the changed paths, which only exists at
// run time, so it is described rather than shown.
// default.direct runs no command per event (src/transports/direct: in-process copy to a temp name
// and rename, mkdir, rename, delete, attributes — lsyncd spawned cp/mkdir/rm/mv, docs/lsyncd-compat.md#direct-mode-operations), so its
// event operations are described with SRC/TGT filled in and PATH as the placeholder.
// Paths in commands: the source as lsyncd uses it, i.e. its realpath with a trailing "/" when it
// exists (docs/lsyncd-compat.md#sync-keys), else as configured.
import type { DeleteMode, NormalizedSync } from '../config/schema.js';
import type { SyncRules } from '../filters/sync_rules.js';
import { directFullRsync } from '../transports/direct/index.js';
import { contentCompareArg } from '../transports/rsync/content_compare.js';
import { boundedRsync, rshOption, rsyncBatchCommand, rsyncFullCommand, rsyncsshDestination, remoteMovesCommand, withLinkBounds } from '../transports/rsync/index.js';
import { deletesWhileRunning } from '../transports/delete_mode.js';
import { commandLine, nulListItems, shellQuote } from '../process/argv_display.js';

const DELETE_TEXT: Record<string, string> = {
  true: 'true — deletes on the target at startup and for events',
  false: 'false — never deletes on the target',
  startup: '"startup" — deletes on the target only in the startup transfer',
  running: '"running" — deletes on the target only for events',
};

function deleteText(d: DeleteMode): string {
  return DELETE_TEXT[String(d)] ?? String(d);
}

/** The effective mass-delete guard thresholds (src/engine/delete_guard.ts has the rule). */
function deleteGuardText(sync: NormalizedSync): string {
  const g = sync.deleteGuard;
  if (g === false) return 'off (deleteGuard = false) — a mass delete in the source empties the target';
  if (sync.delete === false) return 'nothing to guard (delete = false)';
  const events = `holds deletes once ≥ ${g.minimum} paths and ≥ ${g.fraction * 100} % of the target are deleted within ${g.window} s`;
  if (sync.delete === 'startup') return 'holds a full transfer of an empty source (events delete nothing: delete = "startup")';
  return sync.delete === 'running' ? events : `${events}, or the source is empty`;
}

const LABEL_WIDTH = 12;
function row(label: string, text: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)} ${text}`;
}
function cont(text: string): string {
  return `  ${''.padEnd(LABEL_WIDTH)} ${text}`;
}

export function destinationOf(sync: NormalizedSync): string | undefined {
  return sync.mode === 'rsyncssh' ? rsyncsshDestination(sync.host, sync.targetdir) : sync.target;
}

/**
 * Lines describing one sync. `realSource` is the resolved source directory (no trailing "/")
 * or undefined when it does not exist; `rules` are the sync's compiled rules (filters/sync_rules.ts).
 */
export interface SyncDescription {
  lines: string[];
  /** Commands that cannot be built (e.g. an ssh item rsync's --rsh cannot carry): config errors. */
  problems: string[];
}

export function describeSync(sync: NormalizedSync, realSource: string | undefined, rules: SyncRules): SyncDescription {
  const lines: string[] = [];
  try {
    commandLines(sync, realSource, rules, lines);
    return { lines, problems: [] };
  } catch (e) {
    const message = `cannot build the command line: ${(e as Error).message}`;
    lines.push(row('error', message));
    return { lines, problems: [message] };
  }
}

function commandLines(sync: NormalizedSync, realSource: string | undefined, rules: SyncRules, lines: string[]): void {
  const source = realSource !== undefined ? `${realSource.replace(/\/+$/, '')}/` : sync.source;
  const mode = sync.mode === 'custom' ? 'custom actions' : sync.mode;
  const name = sync.name === `sync[${sync.index}]` ? '' : ` "${sync.name}"`;
  lines.push(`sync[${sync.index}]${name} ${mode}: ${sync.source} → ${destinationOf(sync) ?? '(no target)'}`);
  if (realSource !== undefined && source !== sync.source) lines.push(row('real source', source));
  lines.push(row('delay', `${sync.delay} s (maxDelays ${sync.maxDelays}, maxProcesses ${sync.maxProcesses})`));
  if (sync.mode !== 'custom') lines.push(row('delete', deleteText(sync.delete)));
  if (sync.mode !== 'custom') lines.push(row('init', sync.init ? 'startup transfer of the whole tree' : 'no startup transfer (init = false)'));
  if (sync.mode !== 'custom') lines.push(row('delete guard', deleteGuardText(sync)));
  if (sync.verifyInterval !== undefined) {
    lines.push(row('verify', `drift check every ${sync.verifyInterval} s while idle${sync.verifyRepair ? ', drifted targets repaired (verifyRepair)' : ''}`));
  }
  if ((sync.crontab ?? []).length > 0) lines.push(row('crontab', `full transfer at each match of ${(sync.crontab ?? []).map((c) => JSON.stringify(c)).join(', ')} (local time)`));
  if (sync.tunnel !== undefined) {
    const t = sync.tunnel;
    const ready = t.checkport !== undefined ? `once 127.0.0.1:${t.checkport} accepts a connection` : `after ${t.readyDelay} s running`;
    lines.push(row('tunnel', `${commandLine({ binary: t.command[0]!, args: t.command.slice(1), stdin: undefined })} — transfers wait until it is ready (${ready})`));
  }
  if (sync.filter.length > 0) lines.push(row('filter', sync.filter.join(', ')));
  if (sync.filterFrom !== undefined) lines.push(row('filterFrom', sync.filterFrom));
  if (sync.exclude.length > 0) lines.push(row('exclude', sync.exclude.join(', ')));
  if (sync.excludeFrom !== undefined) lines.push(row('excludeFrom', sync.excludeFrom));
  const wire = rules.rules?.rules ?? [];
  if (wire.length === 0 && sync.filter.length === 0 && sync.exclude.length === 0 && sync.filterFrom === undefined && sync.excludeFrom === undefined) {
    lines.push(row('rules', 'none (everything under the source is synced)'));
  } else if (sync.filterFrom !== undefined || sync.excludeFrom !== undefined) {
    lines.push(row('rules', wire.length === 0 ? 'none in effect (the rules file cannot be read)' : `${wire.length} in effect: ${wire.map((r) => `${r.include ? '+' : '-'} ${r.pattern}`).join(', ')}`));
  }

  if (sync.mode === 'custom') {
    for (const [k, v] of Object.entries(sync.actions)) {
      lines.push(row(k, typeof v === 'function' ? '[function]' : v.startsWith('/') ? `${v} (run directly)` : `sh -c ${shellQuote(v)}`));
    }
    return;
  }

  if (sync.inletAction !== undefined) {
    lines.push(row('action', 'Lua action(inlet) per batch: default.' + sync.mode + '.action(inlet) runs the events below, others are its own'));
  }
  // The ssh and rsync tables with the connect bounds the transports add (ssh_argv.ts, daemon_target.ts).
  const ssh = sync.mode === 'rsyncssh' ? withLinkBounds(sync.ssh, sync.connectTimeout) : undefined;
  const extraRsh = ssh !== undefined ? rshOption(ssh) : undefined;
  const target = destinationOf(sync)!;
  const rsync = sync.mode === 'direct' ? directFullRsync(sync) : sync.mode === 'rsync' ? boundedRsync(sync.target, sync.rsync, sync.connectTimeout) : sync.rsync;
  const common = { rsync, delete: sync.delete, source, target, ...(extraRsh !== undefined ? { extraRsh } : {}) };
  if (sync.init) {
    const full = rsyncFullCommand({ ...common, hasFilters: rules.hasFilters, rules: wire });
    lines.push(row('startup', commandLine(full)));
    const items = nulListItems(full.stdin);
    if (items !== undefined) lines.push(cont(`stdin (NUL-separated rules): ${items}`));
  }
  if (sync.mode === 'direct') {
    const tgt = sync.target.replace(/\/+$/, '');
    const src = source.replace(/\/+$/, '');
    lines.push(row('events', 'in-process, no command per event (lsyncd ran cp/mkdir/rm/mv):'));
    lines.push(cont(`create/modify  copy ${src}/PATH to a temporary name beside ${tgt}/PATH, then rename over it`));
    lines.push(cont(`new directory  mkdir ${tgt}/PATH/ with mode, owner and times`));
    if (deletesWhileRunning(sync.delete)) lines.push(cont(`delete         remove ${tgt}/PATH (never the target root)`));
    lines.push(cont(`move           rename ${tgt}/OLD to ${tgt}/NEW (falls back to copying from the source)`));
    lines.push(cont(`attrib         mode, owner (as root) and times onto ${tgt}/PATH`));
    return;
  }
  const batch = rsyncBatchCommand({ ...common, entries: [], rules: wire, contentChanged: true });
  lines.push(row('events', commandLine(batch)));
  lines.push(cont('stdin (NUL-separated): the changed paths and their parent directories'));
  lines.push(cont(`${contentCompareArg(sync.rsync, false) ?? '-c'} only when the batch changes file content (not for chmod/delete-only batches)`));
  if (sync.mode === 'rsyncssh' && ssh !== undefined) {
    const moves = remoteMovesCommand({ ssh, host: sync.host, targetdir: sync.targetdir, moves: [], delete: sync.delete });
    lines.push(row('moves', commandLine(moves)));
    lines.push(cont('stdin: a sh script with one "mv -f -- OLD NEW" per move of the batch'));
  }
}
