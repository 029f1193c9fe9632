// Normalisation: a schema-valid `Config` → the fully-typed `NormalizedConfig` (schema.ts), applying
// lsyncd's defaults, precedence and per-mode rules. Pure (no I/O): realpath/existence checks belong
// to check-config and start-up.
//
// Defaults (docs/lsyncd-compat.md#config-files): delay rsync 15 / rsyncssh 15 / direct 1 / custom 0;
// maxDelays 1000; maxProcesses 1; delete true; init true; rsync links/times/protect_args true;
// archive fills unset keys; source gets a trailing '/'; target/targetdir get one unless they end
// in '/' or ':' (docs/lsyncd-compat.md#rsync-mode-keys, docs/lsyncd-compat.md#rsyncssh-mode-keys).
//
// Lists of targets (`target: [...]`, rsyncssh `host: [...]`) are expanded first, into one sync per
// item (expand_targets.ts); everything below sees one target per sync.
//
// Precedence (docs/lsyncd-compat.md#settings-keys `Syncs.add`): delay: command line (-delay) > sync > mode default (settings{}
// has no delay). maxDelays and maxProcesses: settings{} > sync > default.
//
// Mode rules and their errors (one line each, with the fix):
//  - rsync/direct need `target`; `host`, `targetdir`, `ssh{}`, `sshExitCodes` are rsyncssh-only.
//  - rsync/direct/rsyncssh define their own actions: onCreate/onModify/... are errors there.
//  - rsyncssh takes host + targetdir; `target` is an error whose message says what to write.
//  - rsyncssh with a per-sync maxProcesses > 1 is an error, as in lsyncd ("must have maxProcesses
//    set to 1"): moves run as single ssh commands whose order matters, and our transport does not
//    (yet) prove that parallel moves are safe. DELIBERATE DIFFERENCE: a global
//    settings{maxProcesses=N} does NOT push rsyncssh syncs above 1 (it stays a global cap), so
//    the lsyncd failure of lsyncd#676/lsyncd#590 (global cap breaks rsyncssh) does not happen here.
//  - A sync without mode needs at least one action ("no actions specified", docs/lsyncd-compat.md#sync-keys).
//  - User exit-code tables are merged over lsyncd's defaults (docs/lsyncd-compat.md#exit-codes-of-transfers) instead of replacing them, so
//    `rsyncExitCodes = {[13]='again'}` keeps 23/24 'ok'. Unlisted codes remain 'die'.
// Relative local paths (source, a local target, excludeFrom/filterFrom, logfile/pidfile/statusFile,
// including the -logfile/-pidfile overrides) are made absolute against `cwd` here, once
// (local_paths.ts); remote targets, rsyncssh's targetdir and custom-action targets stay as written.
// deleteGuard (the mass-delete guard, src/engine/delete_guard.ts): on by default for rsync,
// rsyncssh and direct; sync > settings{} > DELETE_GUARD_DEFAULTS, key by key, and `false` at a
// level turns it off there (a sync table turns it back on). Custom-action syncs have no guard:
// their onDelete is a command the user wrote, so setting it there is an error.
// crontab (each expression checked by crontab.ts) and tunnel (tunnel_config.ts): rsync, rsyncssh
// and direct only (lsyncd 2.3 keys).
// verifyInterval / verifyRepair (the daemon's periodic drift check, src/engine/periodic_verify.ts):
// rsync, rsyncssh and direct only; verifyRepair = true without verifyInterval is an error (it would
// do nothing).
// maxBacklog (changes queued while the target is away before a sync with state drops its queue for
// a catch-up, src/engine/sync_runner.ts): sync > settings{} > DEFAULT_MAX_BACKLOG; custom-action
// syncs keep no state, so on them it is an error.
// connectTimeout (seconds a remote target may take to answer): sync > settings{} > 10 s; only
// rsync and rsyncssh syncs have a remote target, so on a direct or custom sync it is an error.
// Warnings: deprecated rsyncOps, an `_extra` item holding a whole command line, and
// StrictHostKeyChecking=no (one of the check-config checks), two syncs with the same target. A target
// inside its own source needs the rule files (I/O): src/cli/target_in_source.ts refuses it.
import { diagnostic, formatPath, type ConfigDiagnostic, type PathSegment } from './diagnostics.js';
import {
  ARCHIVE_FALSE,
  ARCHIVE_TRUE,
  CUSTOM_EXIT_CODES,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_MAX_BACKLOG,
  DEFAULT_MAX_DELAYS,
  DELETE_GUARD_DEFAULTS,
  DEFAULT_RSYNC_BINARY,
  DEFAULT_SSH_BINARY,
  MODE_DEFAULTS,
  RSYNC_EXIT_CODES,
  RSYNC_TRUE_DEFAULTS,
  SETTINGS_DEFAULTS,
  SSH_EXIT_CODES,
} from './defaults.js';
import { expandTargets } from './expand_targets.js';
import { isLocalTarget, resolveLocalPath } from './local_paths.js';
import { luaTableHint, mapRsyncOps } from './rsync_ops.js';
import { crontabProblems } from './crontab.js';
import { normalizeTunnel } from './tunnel_config.js';
import type {
  ActionName,
  Config,
  DeleteGuardConfig,
  DeleteGuardSettings,
  ExitAction,
  ExitCodes,
  NormalizedConfig,
  NormalizedSettings,
  NormalizedSync,
  ResolvedRsyncOptions,
  ResolvedSshOptions,
  RsyncOptions,
  SyncActions,
  SyncConfig,
} from './schema.js';

/** Command-line values that override the config file (lsyncd: command line wins, docs/lsyncd-compat.md#settings-keys, docs/lsyncd-compat.md#command-line). */
export interface ConfigOverrides {
  /** -delay SECS: overrides every sync's delay. */
  delay?: number | undefined;
  nodaemon?: boolean | undefined;
  insist?: boolean | undefined;
  logfile?: string | undefined;
  pidfile?: string | undefined;
  onepass?: boolean | undefined;
  /** -full: every sync starts with the full init transfer, whatever its state (docs/state.md). */
  full?: boolean | undefined;
}

export interface NormalizeContext {
  file: string;
  /** Line of a path (0-based numeric segments), when known. */
  lineOf: (path: readonly PathSegment[]) => number | undefined;
  overrides?: ConfigOverrides | undefined;
  /** Directory relative local paths are resolved against (default: the working directory). */
  cwd?: string | undefined;
}

export interface NormalizeResult {
  config: NormalizedConfig;
  errors: ConfigDiagnostic[];
  warnings: ConfigDiagnostic[];
}

const ACTION_NAMES: readonly ActionName[] = ['onCreate', 'onModify', 'onAttrib', 'onDelete', 'onMove', 'onStartup'];

export function withTrailingSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
/** lsyncd: append '/' unless the path ends in '/' or ':' (':' = remote home directory). */
export function targetWithSlash(p: string): string {
  return p.endsWith('/') || p.endsWith(':') ? p : `${p}/`;
}

function mergeExitCodes(base: Readonly<Record<number, ExitAction>>, ...over: (ExitCodes | undefined)[]): Record<number, ExitAction> {
  const out: Record<number, ExitAction> = { ...base };
  for (const o of over) if (o) for (const [k, v] of Object.entries(o)) out[Number(k)] = v;
  return out;
}

/** Apply lsyncd's rsync{} defaults and archive expansion (docs/lsyncd-compat.md#the-rsync-table). */
export function resolveRsyncOptions(user: RsyncOptions | undefined): ResolvedRsyncOptions {
  const { archive, binary, ...rest } = user ?? {};
  const out: Record<string, unknown> = { ...rest };
  for (const k of RSYNC_TRUE_DEFAULTS) if (out[k] === undefined) out[k] = true;
  if (archive === true) {
    for (const k of ARCHIVE_TRUE) if (out[k] === undefined) out[k] = true;
    for (const k of ARCHIVE_FALSE) if (out[k] === undefined) out[k] = false;
  }
  return { ...(out as Omit<RsyncOptions, 'archive' | 'binary'>), binary: binary ?? DEFAULT_RSYNC_BINARY };
}

function resolveSsh(user: SyncConfig['ssh']): ResolvedSshOptions {
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(user?.options ?? {})) options[k] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  const out: ResolvedSshOptions = { binary: user?.binary ?? DEFAULT_SSH_BINARY, options, _extra: [...(user?._extra ?? [])] };
  if (user?.identityFile !== undefined) out.identityFile = user.identityFile;
  if (user?.port !== undefined) out.port = user.port;
  return out;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
}

const STRICT_NO = /StrictHostKeyChecking\s*[= ]\s*no\b/i;

export function normalizeConfig(cfg: Config, ctx: NormalizeContext): NormalizeResult {
  const errors: ConfigDiagnostic[] = [];
  const warnings: ConfigDiagnostic[] = [];
  const err = (path: PathSegment[], msg: string): void => {
    errors.push(diagnostic('error', ctx.file, ctx.lineOf(path), formatPath(path), msg));
  };
  const warn = (path: PathSegment[], msg: string): void => {
    warnings.push(diagnostic('warning', ctx.file, ctx.lineOf(path), formatPath(path), msg));
  };
  const ov = ctx.overrides ?? {};
  const s = cfg.settings ?? {};
  const cwd = ctx.cwd ?? process.cwd();
  const local = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolveLocalPath(p, cwd));

  const settings: NormalizedSettings = {
    logfile: local(ov.logfile ?? s.logfile),
    pidfile: local(ov.pidfile ?? s.pidfile),
    nodaemon: ov.nodaemon ?? s.nodaemon ?? SETTINGS_DEFAULTS.nodaemon,
    statusFile: local(s.statusFile),
    statusInterval: s.statusInterval ?? SETTINGS_DEFAULTS.statusInterval,
    logfacility: s.logfacility ?? SETTINGS_DEFAULTS.logfacility,
    logident: s.logident ?? SETTINGS_DEFAULTS.logident,
    insist: ov.insist ?? s.insist ?? SETTINGS_DEFAULTS.insist,
    inotifyMode: s.inotifyMode ?? SETTINGS_DEFAULTS.inotifyMode,
    maxProcesses: s.maxProcesses,
    maxDelays: s.maxDelays,
    onepass: ov.onepass ?? s.onepass ?? SETTINGS_DEFAULTS.onepass,
    metrics: s.metrics,
    logFormat: s.logFormat ?? SETTINGS_DEFAULTS.logFormat,
    stateDir: s.stateDir === false ? false : local(s.stateDir),
  };

  if (cfg.sync.length === 0) {
    err(['sync'], 'Nothing to watch! — add at least one sync, e.g. sync { default.rsync, source = "/src", target = "host:/dst" }');
  }

  const syncs: NormalizedSync[] = [];
  const names = new Map<string, number>();
  for (const { raw, position: i } of expandTargets(cfg.sync, err)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['sync', i, ...rest];
    const index = i + 1;
    const mode = raw.mode ?? 'custom';
    const defaults = MODE_DEFAULTS[mode];

    // Legacy rsyncOps → rsync{} (explicit rsync{} keys win).
    let rsyncUser: RsyncOptions | undefined = raw.rsync;
    if (raw.rsyncOps !== undefined) {
      const mapped = mapRsyncOps(raw.rsyncOps);
      if (!mapped.ok) err(at('rsyncOps'), mapped.message);
      else {
        rsyncUser = { ...mapped.rsync, ...(raw.rsync ?? {}) };
        warn(at('rsyncOps'), `deprecated lsyncd 2.0 option string (removed in lsyncd 2.2); replace it with ${luaTableHint(mapped.rsync)}`);
      }
    }

    const name = raw.name ?? `sync[${index}]`;
    const prev = names.get(name);
    if (prev !== undefined) err(at('name'), `duplicate sync name "${name}" (also used by sync[${prev}])`);
    names.set(name, index);

    const maxProcessesUser = raw.maxProcesses;
    let maxProcesses = s.maxProcesses ?? maxProcessesUser ?? defaults.maxProcesses;
    const base = {
      index,
      name,
      source: withTrailingSlash(resolveLocalPath(raw.source, cwd)),
      delay: ov.delay ?? raw.delay ?? defaults.delay,
      maxDelays: s.maxDelays ?? raw.maxDelays ?? DEFAULT_MAX_DELAYS,
      maxProcesses,
      maxBacklog: raw.maxBacklog ?? s.maxBacklog ?? DEFAULT_MAX_BACKLOG,
      init: raw.init ?? true,
      delete: raw.delete ?? true,
      exclude: list(raw.exclude),
      excludeFrom: local(raw.excludeFrom),
      filter: list(raw.filter),
      filterFrom: local(raw.filterFrom),
      batchSizeLimit: raw.batchSizeLimit,
      deleteGuard: mode === 'custom' ? (false as const) : effectiveDeleteGuard(s.deleteGuard, raw.deleteGuard),
      verifyInterval: mode === 'custom' ? undefined : raw.verifyInterval,
      verifyRepair: raw.verifyRepair ?? false,
      line: ctx.lineOf(['sync', i]),
      crontab: raw.crontab ?? [],
      tunnel: raw.tunnel === undefined || mode === 'custom' ? undefined : normalizeTunnel(raw.tunnel, name, at('tunnel'), err, warn),
      inletAction: raw.action,
    };
    for (const c of crontabProblems(raw.crontab ?? [])) err(at('crontab', c.index), `sync "${name}": ${c.problem}`);

    if (raw.verifyRepair === true && raw.verifyInterval === undefined) {
      err(at('verifyRepair'), 'repairs after a periodic drift check, and there is none — add verifyInterval = SECONDS (e.g. 3600), or remove verifyRepair');
    }

    const actions: SyncActions = {};
    for (const a of ACTION_NAMES) if (raw[a] !== undefined) actions[a] = raw[a];
    const rsyncsshOnly = (['host', 'targetdir', 'ssh', 'sshExitCodes'] as const).filter((k) => raw[k] !== undefined);

    if (mode === 'custom') {
      if (Object.keys(actions).length === 0) {
        err(at(), 'no actions specified — set mode ("rsync", "rsyncssh" or "direct"; in Lua: sync { default.rsync, ... }) or at least one of onCreate/onModify/onAttrib/onDelete/onMove/onStartup');
      }
      for (const k of rsyncsshOnly) err(at(k), 'only valid with mode "rsyncssh"');
      if (raw.connectTimeout !== undefined) err(at('connectTimeout'), 'only valid with mode "rsync" or "rsyncssh" (the modes with a remote target) — remove it');
      if (raw.action !== undefined) err(at('action'), 'only valid with mode "rsync", "rsyncssh" or "direct" — a custom sync takes onCreate/onModify/... actions');
      for (const k of ['rsync', 'rsyncOps', 'rsyncExitCodes', 'deleteGuard', 'verifyInterval', 'verifyRepair', 'crontab', 'tunnel', 'maxBacklog'] as const) {
        if (raw[k] !== undefined) err(at(k), 'has no effect without mode "rsync", "rsyncssh" or "direct" — set a mode or remove it');
      }
      syncs.push({ ...base, mode: 'custom', target: raw.target, actions, exitcodes: mergeExitCodes(CUSTOM_EXIT_CODES, raw.exitcodes) });
      continue;
    }

    for (const a of Object.keys(actions)) {
      err(at(a), `not allowed with mode "${mode}", which defines its own actions — remove it, or remove mode to write a custom-action sync`);
    }
    const rsync = resolveRsyncOptions(rsyncUser);
    collectRiskWarnings(raw, rsync, at, warn);
    const connectTimeout = raw.connectTimeout ?? s.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    if (mode === 'direct' && raw.connectTimeout !== undefined) {
      err(at('connectTimeout'), 'only valid with mode "rsync" or "rsyncssh" (direct copies locally) — remove it');
    }

    if (mode === 'rsync' || mode === 'direct') {
      for (const k of rsyncsshOnly) {
        err(at(k), k === 'host' || k === 'targetdir'
          ? `only valid with mode "rsyncssh" — for mode "${mode}" write target = "HOST:/DIR"`
          : 'only valid with mode "rsyncssh"');
      }
      if (raw.target === undefined) {
        err(at(), `default.${mode} needs "target" configured — add target = "${mode === 'direct' ? '/local/dir' : 'host:/remote/dir'}"`);
        continue;
      }
      const target = isLocalTarget(mode, raw.target) ? resolveLocalPath(raw.target, cwd) : raw.target;
      const rsyncExitCodes = mergeExitCodes(RSYNC_EXIT_CODES, raw.exitcodes, raw.rsyncExitCodes);
      if (mode === 'direct') syncs.push({ ...base, mode, target: targetWithSlash(target), rsync, rsyncExitCodes });
      else syncs.push({ ...base, mode, target: targetWithSlash(target), rsync, rsyncExitCodes, connectTimeout });
      continue;
    }

    // rsyncssh
    let ok = true;
    if (raw.target !== undefined) {
      ok = false;
      const m = /^([^:/]+):(.*)$/.exec(raw.target);
      const fix = m !== null && raw.host === undefined
        ? `host = "${m[1]}", targetdir = "${m[2] === '' ? '~' : m[2]}"`
        : raw.host !== undefined ? `targetdir = "${raw.target}"` : `host = "HOST", targetdir = "${raw.target}"`;
      err(at('target'), `not valid for mode "rsyncssh", which takes host + targetdir — write ${fix} instead`);
    }
    if (raw.host === undefined && !(raw.target !== undefined && /^[^:/]+:/.test(raw.target))) {
      ok = false;
      err(at(), 'default.rsyncssh needs "host" configured — add host = "example.org"');
    }
    if (raw.targetdir === undefined && raw.target === undefined) {
      ok = false;
      err(at(), 'default.rsyncssh needs "targetdir" configured — add targetdir = "/remote/dir"');
    }
    if (maxProcessesUser !== undefined && maxProcessesUser > 1) {
      ok = false;
      err(at('maxProcesses'), 'default.rsyncssh must have maxProcesses set to 1 (moves are ordered ssh commands) — remove maxProcesses, or use one sync per host for parallel transfers');
    }
    if (raw.exitcodes !== undefined) {
      ok = false;
      err(at('exitcodes'), 'not valid for mode "rsyncssh" — use rsyncExitCodes and sshExitCodes');
    }
    maxProcesses = 1;
    if (!ok || raw.host === undefined || raw.targetdir === undefined) continue;
    syncs.push({
      ...base,
      maxProcesses,
      mode: 'rsyncssh',
      host: raw.host,
      targetdir: targetWithSlash(raw.targetdir),
      rsync,
      ssh: resolveSsh(raw.ssh),
      connectTimeout,
      rsyncExitCodes: mergeExitCodes(RSYNC_EXIT_CODES, raw.rsyncExitCodes),
      sshExitCodes: mergeExitCodes(SSH_EXIT_CODES, raw.sshExitCodes),
    });
  }

  // Two syncs writing the same destination.
  const dest = new Map<string, number>();
  for (const sy of syncs) {
    const d = sy.mode === 'rsyncssh' ? `${sy.host}:${sy.targetdir}` : sy.target;
    if (d === undefined) continue;
    const other = dest.get(d);
    if (other !== undefined) warnings.push(diagnostic('warning', ctx.file, sy.line, `sync[${sy.index}]`, `writes the same target "${d}" as sync[${other}]; the two will delete each other's files`));
    else dest.set(d, sy.index);
  }

  // The syncs of one list share their keys, so a problem in a shared key is reported once.
  return { config: { settings, syncs }, errors: uniqueText(errors), warnings: uniqueText(warnings) };
}

function uniqueText(ds: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    if (seen.has(d.text)) return false;
    seen.add(d.text);
    return true;
  });
}

/** The guard a sync runs with: sync over settings over defaults, key by key (see the header). */
export function effectiveDeleteGuard(global: DeleteGuardConfig | undefined, own: DeleteGuardConfig | undefined): DeleteGuardSettings | false {
  const table = (v: DeleteGuardConfig | undefined): Partial<DeleteGuardSettings> => (typeof v === 'object' ? v : {});
  const on = own !== undefined ? own !== false : global !== false;
  if (!on) return false;
  return { ...DELETE_GUARD_DEFAULTS, ...table(global), ...table(own) };
}

function collectRiskWarnings(
  raw: SyncConfig,
  rsync: ResolvedRsyncOptions,
  at: (...rest: PathSegment[]) => PathSegment[],
  warn: (path: PathSegment[], msg: string) => void,
): void {
  (raw.ssh?._extra ?? []).forEach((item, j) => {
    if (/\s/.test(item.trim())) {
      warn(at('ssh', '_extra', j), `holds a whole command line in one string (${JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}…` : item)}); ssh receives it as ONE argument — split it into one item per argument, or use ssh.identityFile / ssh.port / ssh.options and host = "user@HOST"`);
    }
    if (STRICT_NO.test(item)) warn(at('ssh', '_extra', j), strictMsg);
  });
  for (const [k, v] of Object.entries(raw.ssh?.options ?? {})) {
    if (/^stricthostkeychecking$/i.test(k) && (v === 'no' || v === false)) warn(at('ssh', 'options', k), strictMsg);
  }
  (rsync._extra ?? []).forEach((item, j) => {
    if (/\s/.test(item.trim()) && !/^--[\w-]+=/.test(item)) {
      warn(at('rsync', '_extra', j), `holds several arguments in one string (${JSON.stringify(item)}); rsync receives it as ONE argument — split it into one item per argument`);
    }
    if (STRICT_NO.test(item)) warn(at('rsync', '_extra', j), strictMsg);
  });
  if (rsync.rsh !== undefined && STRICT_NO.test(rsync.rsh)) warn(at('rsync', 'rsh'), strictMsg);
}

const strictMsg = 'StrictHostKeyChecking=no disables ssh host key verification (man-in-the-middle risk) — put the host key in known_hosts, or use StrictHostKeyChecking=accept-new';
