// The single zod schema for an lsyncd-ts configuration, shared by the JSON, TS/JS and Lua
// loaders. Key names are lsyncd's own (docs/lsyncd-compat.md#settings-keys settings{}, docs/lsyncd-compat.md#sync-keys sync{},
// docs/lsyncd-compat.md#rsync-mode-keys default.rsync, docs/lsyncd-compat.md#the-rsync-table rsync{}, docs/lsyncd-compat.md#rsyncssh-mode-keys ssh{}), so an lsyncd config converts key-for-key.
//
// Contract:
//  - Every object is strict: an unknown key is an error (lsyncd: `Parameter "x" unknown`).
//  - This file describes what a user may WRITE (raw input; everything optional except `source`).
//    Defaults, precedence (-delay CLI > settings > sync) and mode rules are applied afterwards by
//    normalize.ts, which yields the fully-typed `NormalizedConfig` declared at the bottom.
//  - Consumers building rsync/ssh argv should take `NormalizedSync.rsync` (`ResolvedRsyncOptions`:
//    `archive` already expanded into its member keys and removed, `binary` always set, lsyncd's
//    defaults links/times/protect_args applied) and `NormalizedRsyncsshSync.ssh`.
//  - Exported names (rsyncOptionsSchema, sshOptionsSchema, settingsSchema, syncSchema, configSchema,
//    RsyncOptions, SshOptions, Settings, SyncConfig, Config) are a stable API: do not rename.
//
// Deliberate differences from lsyncd (documented here because the schema is the truth):
//  - `name` is accepted (lsyncd 2.2.3 rejects it although it reads it, docs/lsyncd-compat.md#sync-keys).
//  - exclude/excludeFrom/filter/filterFrom/delete are accepted on custom-action syncs too.
//  - `inotifyMode: 'CloseWrite after Modify'` is accepted (lsyncd: "not implemented").
//  - `metrics` ("host:port") and `logFormat` are lsyncd-ts additions.
//  - Legacy `rsyncOps` (2.0.x) is accepted and mapped onto rsync{} with a deprecation warning
//    (lsyncd ≥ 2.2 rejects it, docs/lsyncd-compat.md#legacy-keys-and-validation).
import { z } from 'zod';
import { listenProblem } from './metrics_listen.js';
import { InotifyModes } from '../watcher/inotify_mode.js';
import { timerSecondsSchema } from './timer_seconds.js';

/** What an exit code means for a sync (docs/lsyncd-compat.md#exit-codes-of-transfers). */
export const exitActionSchema = z.enum(['ok', 'again', 'die']);
export type ExitAction = z.output<typeof exitActionSchema>;

/** Exit code → action. Keys are decimal exit codes ("0".."255"); values ok/again/die. */
export const exitCodesSchema = z.record(z.string().regex(/^\d{1,3}$/, 'exit codes are integers 0..255'), exitActionSchema);
export type ExitCodes = z.output<typeof exitCodesSchema>;

/** The event handed to a function action in a TS/JS config (src/transports/actions/). */
export interface ActionEvent {
  /** lsyncd event type. */
  etype: 'Create' | 'Modify' | 'Attrib' | 'Delete' | 'Move' | 'Init';
  /**
   * Path relative to the source root, leading '/', directories with trailing '/' ('/' for Init).
   * A name that is not valid UTF-8 shows its invalid bytes as \xNN here: use `pathBytes`.
   */
  path: string;
  /** Absolute path in the source tree. */
  sourcePath: string;
  /** Sync source (absolute, trailing '/'). */
  source: string;
  /** Sync target, when the sync has one. */
  target?: string | undefined;
  /** For Move: the destination path relative to the source root. */
  destPath?: string | undefined;
  isdir: boolean;
  /** The exact bytes of `path`. */
  pathBytes: Buffer;
  /** For Move: the exact bytes of `destPath`. */
  destPathBytes?: Buffer | undefined;
  /** Absolute path on the target side (target + path), when the sync has a target. */
  targetPath?: string | undefined;
  /** For Move: absolute destination in the source tree. */
  destSourcePath?: string | undefined;
  /** For Move: destination on the target side, when the sync has a target. */
  destTargetPath?: string | undefined;
  /** Aborted when the daemon shuts down: stop promptly. */
  signal: AbortSignal;
  /**
   * Runs `binary args...` (no shell; Buffer args keep exact bytes), output to the log, aborted
   * with `signal`; resolves with the exit code (128 + signal number when killed), rejects when the
   * binary cannot be started. Return the code from the action to have `exitcodes` judge it.
   * `stdin`: bytes for the child's standard input (none when absent).
   */
  run(binary: string, args?: readonly (string | Buffer)[], stdin?: Buffer): Promise<number>;
  /** Writes a Normal line to the daemon log, prefixed with the sync name. */
  log(message: string): void;
}
/**
 * What a function action may return: nothing or 'ok' (done), 'again' (retry with backoff), 'die'
 * (stop this sync), or an exit code judged by the sync's `exitcodes` (unknown codes are 'die').
 */
export type ActionResult = void | undefined | ExitAction | number;
/** A function action (TS/JS configs; Lua configs' functions are wrapped as these). Awaited; a throw counts as 'die' (as a Lua error in lsyncd). */
export type ActionFunction = (event: ActionEvent) => ActionResult | Promise<ActionResult>;
export const actionFunctionSchema = z.custom<ActionFunction>((v) => typeof v === 'function', {
  message: 'expected a command string or a function',
});
/**
 * onCreate/onModify/...: a string (leading '/' = run that binary, otherwise `sh -c`, with ^path,
 * ^source, ^target ... substitutions, docs/lsyncd-compat.md#sync-keys) or a function in TS/JS configs.
 */
export const actionSchema = z.union([z.string().min(1), actionFunctionSchema]);
export type Action = z.output<typeof actionSchema>;

/** One event of a batch handed to an InletAction. */
export interface InletEvent {
  readonly etype: 'Create' | 'Modify' | 'Attrib' | 'Delete' | 'Move' | 'Full';
  /** Relative to the source root, leading '/', exact bytes; directories end in '/'. */
  readonly path: Buffer;
  /** Move destination, same form. */
  readonly path2?: Buffer | undefined;
}
/** What an InletAction decided for one batch. */
export interface InletPlan {
  /** Indexes of the events the sync's own transport runs (lsyncd: default.rsync.action(inlet)). */
  readonly toTransport: readonly number[];
  /** Children the action spawned (no shell), run after the transport's part. */
  readonly children: readonly { readonly binary: string; readonly args: readonly Buffer[]; readonly stdin?: Buffer | undefined }[];
  /** Verdict for child n's exit code (lsyncd's collect); absent = the sync's exit-code table. */
  readonly judge?: ((child: number, code: number) => ExitAction) | undefined;
  /** Called once when the batch is over. */
  readonly done?: (() => void) | undefined;
}
/**
 * lsyncd's `action = function(inlet)` on a default.rsync/rsyncssh/direct sync (Lua configs,
 * src/config/lua_actions.ts): decides per batch which events the sync's transport runs and what
 * else to spawn. Throws to stop the sync.
 */
export type InletAction = (batch: { source: string; target: string | undefined; events: readonly InletEvent[]; log(message: string): void }) => InletPlan;

const nonEmpty = z.string().min(1, 'must not be empty');
const nonNegativeNumber = z.number().min(0, 'must be a number >= 0');
const positiveInt = z.number().int('must be an integer').min(1, 'must be >= 1');

/** rsync{} (docs/lsyncd-compat.md#the-rsync-table). Short-flag keys are booleans; long options carry values. */
export const rsyncOptionsSchema = z.strictObject({
  /** rsync executable (lsyncd 2.3: 'rsync' via PATH). */
  binary: nonEmpty.optional(),
  /** Fills every unset key of recursive/links/perms/times/group/owner/devices/specials (true) and hard_links/acls/xattrs (false). */
  archive: z.boolean().optional(),
  recursive: z.boolean().optional(),
  // short flags
  acls: z.boolean().optional(),
  backup: z.boolean().optional(),
  checksum: z.boolean().optional(),
  compress: z.boolean().optional(),
  copy_dirlinks: z.boolean().optional(),
  copy_links: z.boolean().optional(),
  cvs_exclude: z.boolean().optional(),
  dry_run: z.boolean().optional(),
  executability: z.boolean().optional(),
  group: z.boolean().optional(),
  hard_links: z.boolean().optional(),
  ignore_times: z.boolean().optional(),
  ipv4: z.boolean().optional(),
  ipv6: z.boolean().optional(),
  keep_dirlinks: z.boolean().optional(),
  links: z.boolean().optional(),
  one_file_system: z.boolean().optional(),
  omit_dir_times: z.boolean().optional(),
  omit_link_times: z.boolean().optional(),
  owner: z.boolean().optional(),
  perms: z.boolean().optional(),
  protect_args: z.boolean().optional(),
  prune_empty_dirs: z.boolean().optional(),
  quiet: z.boolean().optional(),
  sparse: z.boolean().optional(),
  times: z.boolean().optional(),
  update: z.boolean().optional(),
  verbose: z.boolean().optional(),
  whole_file: z.boolean().optional(),
  xattrs: z.boolean().optional(),
  devices: z.boolean().optional(),
  specials: z.boolean().optional(),
  // long options, in lsyncd's emission order
  _extra: z.array(z.string()).optional(),
  append: z.boolean().optional(),
  append_verify: z.boolean().optional(),
  backup_dir: nonEmpty.optional(),
  bwlimit: z.union([nonNegativeNumber, nonEmpty]).optional(),
  chmod: nonEmpty.optional(),
  chown: nonEmpty.optional(),
  copy_unsafe_links: z.boolean().optional(),
  groupmap: nonEmpty.optional(),
  existing: z.boolean().optional(),
  inplace: z.boolean().optional(),
  password_file: nonEmpty.optional(),
  rsh: nonEmpty.optional(),
  rsync_path: nonEmpty.optional(),
  suffix: z.string().optional(),
  temp_dir: nonEmpty.optional(),
  timeout: nonNegativeNumber.optional(),
  usermap: nonEmpty.optional(),
  /** 2.3: --delete-excluded on full/init transfers only. */
  delete_excluded: z.boolean().optional(),
});
export type RsyncOptions = z.output<typeof rsyncOptionsSchema>;
/** The boolean keys of rsync{} (short flags and boolean long options). */
export type RsyncBooleanKey = { [K in keyof RsyncOptions]-?: NonNullable<RsyncOptions[K]> extends boolean ? K : never }[keyof RsyncOptions];

/** ssh{} (docs/lsyncd-compat.md#rsyncssh-mode-keys), rsyncssh only. */
export const sshOptionsSchema = z.strictObject({
  binary: nonEmpty.optional(),
  /** → -i FILE */
  identityFile: nonEmpty.optional(),
  /** → -o KEY=VALUE each, in insertion order. */
  options: z.record(nonEmpty, z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** → -p PORT */
  port: z.number().int('must be an integer').min(1).max(65535).optional(),
  /** extra arguments appended verbatim, one argv item each. */
  _extra: z.array(z.string()).optional(),
});
export type SshOptions = z.output<typeof sshOptionsSchema>;

/**
 * lsyncd-ts: the mass-delete guard (src/engine/delete_guard.ts). `false` turns it off, `true` or
 * a table turns it on; keys left out take the global setting, then the defaults there.
 */
export const deleteGuardSchema = z.union([
  z.boolean(),
  z.strictObject({
    /** Share of what the target holds that the deletes within `window` must reach: 0 < f <= 1. */
    fraction: z.number().gt(0, 'must be a number > 0 (a share, e.g. 0.5)').max(1, 'must be at most 1 (a share, e.g. 0.5)').optional(),
    /** Deletes within `window` below this count never hold the sync. (A refinement, not .int(): a
     *  failed .int() fails both union branches alike and the message would not name the key.) */
    minimum: z.number().min(1, 'must be >= 1').refine(Number.isInteger, 'must be an integer').optional(),
    /** Seconds over which deletes are counted. */
    window: z.number().gt(0, 'must be a number of seconds > 0').max(86_400, 'must be at most 86400 s (one day)').optional(),
  }),
]);
export type DeleteGuardConfig = z.output<typeof deleteGuardSchema>;

/**
 * lsyncd-ts: how long (seconds) a remote target may take to answer a new connection before the
 * attempt counts as "cannot connect" (the target shows as down and is retried with backoff):
 * ssh's ConnectTimeout, which in OpenSSH also bounds the wait for the server's banner, and rsync's
 * --contimeout for daemon targets. Whole seconds, as both tools take them.
 */
export const connectTimeoutSchema = z
  .number()
  .min(1, 'must be at least 1 second')
  .max(3600, 'must be at most 3600 seconds (one hour)')
  .refine(Number.isInteger, 'must be a whole number of seconds');

/**
 * lsyncd 2.3's tunnel{} (src/engine/tunnel.ts): a long-running command (typically `ssh -N -L`)
 * the sync's transfers wait for. Keys are lsyncd's; `checkport` is an lsyncd-ts addition. Rules
 * that need more than a type (pool mode, parallel, ^localport) are in tunnel_config.ts.
 */
export const tunnelSchema = z.strictObject({
  /** argv list, or a string split on blanks (lsyncd splits it too); `^localhost` is substituted. */
  command: z.union([nonEmpty, z.array(nonEmpty).min(1, 'must hold the command and its arguments')]),
  mode: z.enum(['command', 'pool']).optional(),
  parallel: positiveInt.optional(),
  distribution: z.literal('rr').optional(),
  /** lsyncd-ts: ready once 127.0.0.1:checkport accepts a TCP connection (instead of readyDelay). */
  checkport: z.number().int('must be an integer').min(1).max(65535).optional(),
  /** Seconds the command must have run to count as ready (lsyncd: 5). */
  readyDelay: nonNegativeNumber.optional(),
  /** Seconds before a failed start is retried (lsyncd: 10). */
  retryDelay: nonNegativeNumber.optional(),
  localhost: nonEmpty.optional(),
  name: nonEmpty.optional(),
  /** Declared by lsyncd 2.3 but never run there: accepted with a warning, ignored. */
  checkCommand: z.unknown().optional(),
  checkExitCodes: z.unknown().optional(),
  checkMaxFailed: z.unknown().optional(),
});
export type TunnelConfig = z.output<typeof tunnelSchema>;

export const inotifyModeSchema = z.enum(InotifyModes);
export type InotifyMode = z.output<typeof inotifyModeSchema>;

/** settings{} (docs/lsyncd-compat.md#settings-keys) plus lsyncd-ts's metrics/logFormat. No `delay` here, as in lsyncd. */
export const settingsSchema = z.strictObject({
  logfile: nonEmpty.optional(),
  pidfile: nonEmpty.optional(),
  nodaemon: z.boolean().optional(),
  statusFile: nonEmpty.optional(),
  /** seconds; bounded like `delay` (timer_seconds.ts). */
  statusInterval: timerSecondsSchema.optional(),
  logfacility: z.union([nonEmpty, z.number().int()]).optional(),
  logident: nonEmpty.optional(),
  insist: z.boolean().optional(),
  inotifyMode: inotifyModeSchema.optional(),
  /** Global cap on child processes across all syncs; also overrides each sync's maxProcesses (except rsyncssh, see normalize.ts). */
  maxProcesses: positiveInt.optional(),
  /** Overrides every sync's maxDelays. */
  maxDelays: positiveInt.optional(),
  onepass: z.boolean().optional(),
  /** lsyncd-ts: Prometheus endpoint "host:port" (or ":port"). */
  metrics: z.string().superRefine((v, ctx) => {
    const problem = listenProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }).optional(),
  /** lsyncd-ts: log line format. */
  logFormat: z.enum(['text', 'json']).optional(),
  /** lsyncd-ts: mass-delete guard for every sync (each sync may override it). */
  deleteGuard: deleteGuardSchema.optional(),
  /** lsyncd-ts: connect timeout of every remote sync (each sync may override it). */
  connectTimeout: connectTimeoutSchema.optional(),
  /** lsyncd-ts: backlog bound of every sync with state (each sync may override it; src/engine/sync_runner.ts). */
  maxBacklog: positiveInt.optional(),
  /**
   * lsyncd-ts: directory of the per-sync state (restart without a full transfer, docs/state.md);
   * false turns it off. Unset: systemd's $STATE_DIRECTORY when set, otherwise off.
   */
  stateDir: z.union([z.literal(false), nonEmpty]).optional(),
});
export type Settings = z.output<typeof settingsSchema>;

export const syncModeSchema = z.enum(['rsync', 'rsyncssh', 'direct']);
export type SyncMode = z.output<typeof syncModeSchema>;
export const deleteModeSchema = z.union([z.boolean(), z.literal('startup'), z.literal('running')]);
export type DeleteMode = z.output<typeof deleteModeSchema>;

/** sync{} (docs/lsyncd-compat.md#sync-keys, docs/lsyncd-compat.md#rsync-mode-keys, docs/lsyncd-compat.md#rsyncssh-mode-keys, docs/lsyncd-compat.md#direct-mode-keys). Mode-dependent rules live in normalize.ts. */
export const syncSchema = z.strictObject({
  /** lsyncd's default.rsync / default.rsyncssh / default.direct; absent = custom actions only. */
  mode: syncModeSchema.optional(),
  name: nonEmpty.optional(),
  source: nonEmpty,
  /**
   * rsync, direct (and optionally custom-action syncs). `host:path`, `host:` or a local path; a
   * list of them means one sync per item (expand_targets.ts).
   */
  target: z.union([nonEmpty, z.array(nonEmpty)]).optional(),
  /** rsyncssh only; a list of hosts means one sync per host (expand_targets.ts). */
  host: z.union([nonEmpty, z.array(nonEmpty)]).optional(),
  /** rsyncssh only. */
  targetdir: nonEmpty.optional(),
  /** seconds, at most MAX_TIMER_SECONDS (timer_seconds.ts). */
  delay: timerSecondsSchema.optional(),
  maxDelays: positiveInt.optional(),
  maxProcesses: positiveInt.optional(),
  /**
   * lsyncd-ts: changes a sync may queue while its target cannot take them; beyond, with state
   * (docs/state.md), the queue is dropped and a catch-up from the state replaces it.
   */
  maxBacklog: positiveInt.optional(),
  /** false skips the startup transfer. */
  init: z.boolean().optional(),
  delete: deleteModeSchema.optional(),
  exclude: z.union([z.string(), z.array(z.string())]).optional(),
  excludeFrom: nonEmpty.optional(),
  filter: z.union([z.string(), z.array(z.string())]).optional(),
  filterFrom: nonEmpty.optional(),
  exitcodes: exitCodesSchema.optional(),
  rsyncExitCodes: exitCodesSchema.optional(),
  sshExitCodes: exitCodesSchema.optional(),
  onCreate: actionSchema.optional(),
  onModify: actionSchema.optional(),
  onAttrib: actionSchema.optional(),
  onDelete: actionSchema.optional(),
  onMove: actionSchema.optional(),
  onStartup: actionSchema.optional(),
  /** An InletAction: lsyncd's `action = function(inlet)` on a default.X sync (Lua configs). */
  action: z.custom<InletAction>((v) => typeof v === 'function', { message: "expected a function (lsyncd's action = function(inlet) of a Lua config, on a sync with a mode)" }).optional(),
  /** bytes; larger files go in their own rsync run (2.3). */
  batchSizeLimit: positiveInt.optional(),
  rsync: rsyncOptionsSchema.optional(),
  ssh: sshOptionsSchema.optional(),
  /** lsyncd-ts: mass-delete guard of this sync, over settings.deleteGuard. */
  deleteGuard: deleteGuardSchema.optional(),
  /** lsyncd-ts: seconds between the daemon's drift checks of this target (src/engine/periodic_verify.ts); absent = none. */
  verifyInterval: timerSecondsSchema.refine((v) => v !== 0, 'must be a number of seconds > 0 (leave verifyInterval out for no periodic check)').optional(),
  /** lsyncd-ts: repair the target when a periodic check finds drift (needs verifyInterval). */
  verifyRepair: z.boolean().optional(),
  /** lsyncd-ts: connect timeout of this sync (rsync with a remote target, rsyncssh), over settings.connectTimeout. */
  connectTimeout: connectTimeoutSchema.optional(),
  /** lsyncd 2.3: six-field cron expressions (seconds first), each queuing a full transfer (src/config/crontab.ts). */
  crontab: z.array(z.string()).optional(),
  /** lsyncd 2.3: transfers wait until this tunnel is ready (src/engine/tunnel.ts). */
  tunnel: tunnelSchema.optional(),
  /** @deprecated lsyncd 2.0.x option string such as "-rltvupgo"; mapped onto rsync{} with a warning. */
  rsyncOps: z.union([z.string(), z.array(z.string())]).optional(),
});
export type SyncConfig = z.output<typeof syncSchema>;
/** What a user writes (functions allowed for actions). */
export type SyncConfigInput = z.input<typeof syncSchema>;

/** The whole config: `{ settings: {...}, sync: [ {...}, ... ] }`. An empty sync list is rejected later ("Nothing to watch!"). */
export const configSchema = z.strictObject({
  settings: settingsSchema.optional(),
  sync: z.array(syncSchema),
});
export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

// ---------------------------------------------------------------------------------------------
// Normalised (post-defaults) types, produced by normalize.ts. Fully typed: no optional defaults.
// ---------------------------------------------------------------------------------------------

/** rsync{} after lsyncd's defaults and archive expansion; `archive` is gone, `binary` is set. */
export type ResolvedRsyncOptions = Omit<RsyncOptions, 'archive' | 'binary'> & { binary: string };

/** ssh{} with its binary resolved. */
export type ResolvedSshOptions = Omit<SshOptions, 'binary' | 'options' | '_extra'> & {
  binary: string;
  options: Record<string, string>;
  _extra: string[];
};

export type ActionName = 'onCreate' | 'onModify' | 'onAttrib' | 'onDelete' | 'onMove' | 'onStartup';
export type SyncActions = Partial<Record<ActionName, Action>>;

interface NormalizedSyncBase {
  /** 1-based position in the config, as lsyncd counts sync{} calls. */
  index: number;
  /** `name` or "sync[N]". */
  name: string;
  /** Source with a trailing '/' (not yet realpath'd: that is I/O, done at start-up). */
  source: string;
  delay: number;
  maxDelays: number;
  maxProcesses: number;
  /** Waiting changes before a sync with state whose target is away drops its queue (sync_runner.ts). */
  maxBacklog: number;
  init: boolean;
  delete: DeleteMode;
  exclude: string[];
  excludeFrom: string | undefined;
  filter: string[];
  filterFrom: string | undefined;
  batchSizeLimit: number | undefined;
  /** Effective mass-delete guard (rsync, rsyncssh, direct), or false when off (always for custom syncs). */
  deleteGuard: DeleteGuardSettings | false;
  /** Seconds between periodic drift checks (src/engine/periodic_verify.ts); undefined = none (always for custom syncs). */
  verifyInterval: number | undefined;
  /** Repair a drifted target after a periodic check. */
  verifyRepair: boolean;
  /** Line in the config file where this sync was declared, when known. */
  line: number | undefined;
  /** lsyncd's `action = function(inlet)` in front of the mode's transport (rsync, rsyncssh, direct). */
  inletAction?: InletAction | undefined;
  /** Cron expressions queuing a full transfer; absent or empty = none (optional so that syncs built by hand need not name it). */
  crontab?: string[] | undefined;
  /** The tunnel transfers wait for; absent = none. */
  tunnel?: NormalizedTunnel | undefined;
}
/** tunnel{} after defaults (tunnel_config.ts). */
export interface NormalizedTunnel {
  name: string;
  /** argv, `^localhost` substituted. */
  command: string[];
  checkport: number | undefined;
  /** Seconds. */
  readyDelay: number;
  /** Seconds. */
  retryDelay: number;
}
/** The mass-delete guard's thresholds after defaults (src/engine/delete_guard.ts). */
export interface DeleteGuardSettings {
  fraction: number;
  minimum: number;
  /** Seconds. */
  window: number;
}
export interface NormalizedRsyncSync extends NormalizedSyncBase {
  mode: 'rsync';
  /** With a trailing '/' unless it ends in '/' or ':' (docs/lsyncd-compat.md#rsync-mode-keys). */
  target: string;
  /** Seconds (connectTimeoutSchema); used for rsync daemon targets (rsync://, host::module). */
  connectTimeout: number;
  rsync: ResolvedRsyncOptions;
  /** Defaults (docs/lsyncd-compat.md#exit-codes-of-transfers) with the user's `exitcodes` merged on top. */
  rsyncExitCodes: Record<number, ExitAction>;
}
export interface NormalizedDirectSync extends NormalizedSyncBase {
  mode: 'direct';
  target: string;
  rsync: ResolvedRsyncOptions;
  rsyncExitCodes: Record<number, ExitAction>;
}
export interface NormalizedRsyncsshSync extends NormalizedSyncBase {
  mode: 'rsyncssh';
  host: string;
  /** With a trailing '/' unless it ends in '/' or ':' (docs/lsyncd-compat.md#rsyncssh-mode-keys). */
  targetdir: string;
  rsync: ResolvedRsyncOptions;
  ssh: ResolvedSshOptions;
  /** Seconds (connectTimeoutSchema): ssh ConnectTimeout unless ssh.options sets its own. */
  connectTimeout: number;
  rsyncExitCodes: Record<number, ExitAction>;
  sshExitCodes: Record<number, ExitAction>;
}
/** A sync without `mode`, driven by its own onCreate/onModify/... actions (lsyncd "Layer 2/3"). */
export interface NormalizedCustomSync extends NormalizedSyncBase {
  mode: 'custom';
  target: string | undefined;
  actions: SyncActions;
  /** Exit codes of the action commands; unknown codes are 'die' (docs/lsyncd-compat.md#exit-codes-of-transfers), empty = only 0 is ok. */
  exitcodes: Record<number, ExitAction>;
}
export type NormalizedSync = NormalizedRsyncSync | NormalizedDirectSync | NormalizedRsyncsshSync | NormalizedCustomSync;

export interface NormalizedSettings {
  logfile: string | undefined;
  pidfile: string | undefined;
  nodaemon: boolean;
  statusFile: string | undefined;
  statusInterval: number;
  logfacility: string | number;
  logident: string;
  insist: boolean;
  inotifyMode: InotifyMode;
  /** Global cap across syncs; undefined = no global limit. */
  maxProcesses: number | undefined;
  maxDelays: number | undefined;
  onepass: boolean;
  metrics: string | undefined;
  logFormat: 'text' | 'json';
  /** Absolute, or false (off); undefined: $STATE_DIRECTORY or off (src/cli/open_state.ts). */
  stateDir: string | false | undefined;
}

export interface NormalizedConfig {
  settings: NormalizedSettings;
  syncs: NormalizedSync[];
}
