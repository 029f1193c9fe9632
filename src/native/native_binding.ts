// Loads the compiled addon. LSYNCD_TS_ADDON may name another build of it (the ASan build the
// test suite runs once, scripts/test-addon-asan.sh); otherwise `bindings` finds build/Release.
//
// The watcher ABI: the addon reports `abiVersion` (native/addon/watcher_object.h
// kWatcherAbiVersion) and the loader refuses any other number than NATIVE_ABI_VERSION with one
// line naming the fix (rebuild the addon), instead of misreading batches later. What the number
// stands for (record fields and their typed arrays, record kinds and flags, inotify modes) is
// exported as `watcherAbi` and compared with the TypeScript side by test/watcher/abi.test.ts.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The watcher ABI this TypeScript speaks; bump together with kWatcherAbiVersion. */
export const NATIVE_ABI_VERSION = 1;

/** The per-record fields of a batch and the typed array each arrives in (native/core/batch_builder.h Batch). */
export const RECORD_FIELDS = {
  kind: Uint8Array,
  flags: Uint8Array,
  cookie: Uint32Array,
  root: Uint16Array,
  err: Int32Array,
  pathOff: Uint32Array,
} as const;

export type RawBatch = { type: 1; pathBytes: Buffer; flushIds: number[] } & {
  [F in keyof typeof RECORD_FIELDS]: InstanceType<(typeof RECORD_FIELDS)[F]>;
};

/** What the addon says its watcher ABI is (native/addon/watcher_object.h RegisterWatcherAbi). */
export interface WatcherAbi {
  recordKinds: Record<string, number>;
  recordFlags: Record<string, number>;
  /** Field → typed array name, e.g. "Uint8Array". */
  recordFields: Record<string, string>;
  /** inotifyMode names; a mode's index is the number the NativeWatcher takes. */
  inotifyModes: string[];
}

export interface RawReply {
  type: 2;
  reqId: number;
  err: number;
  dirs: number;
  errors: { path: Buffer; err: number }[];
  /** Only in the reply to dumpWatches (test hook). */
  inotifyFd?: number;
  watches?: { wd: number; path: Buffer }[];
}

export type RawMessage = RawBatch | RawReply;

export interface NativeWatcherOptions {
  mode: number;
  settleMs: number;
  maxLatencyMs: number;
  maxBatch: number;
  maxPending: number;
  moveGraceMs: number;
  createGraceMs: number;
}

export interface NativeStats {
  watches: number;
  /** Watches per root id, as of the reader's last round. */
  rootWatches: number[];
  pending: number;
  overflows: number;
  highWater: number;
  parkedMoves: number;
  unknownWdEvents: number;
  rawEvents: number;
  errors: number;
}

export interface NativeWatcher {
  add(reqId: number, rootId: number, absPath: string | Buffer, rules: { include: boolean; pattern: string }[]): void;
  /** Watches one directory of a root again (it could not be watched before); see watcher_object.h. */
  rewatch(reqId: number, rootId: number, relPath: Buffer): void;
  remove(reqId: number, rootId: number): void;
  flush(reqId: number): void;
  ack(): void;
  stats(): NativeStats;
  close(): void;
  pauseReader(paused: boolean): void;
  failAddWatchAfter(n: number, errno: number): void;
  dumpWatches(reqId: number): void;
}

export interface NativeModule {
  NativeWatcher: new (opts: NativeWatcherOptions, onMessage: (m: RawMessage) => void) => NativeWatcher;
  abiVersion: number;
  watcherAbi: WatcherAbi;
  /** openlog(3) with LOG_PID | LOG_NDELAY; `facility` is a LOG_* facility value (e.g. 8 = user). */
  syslogOpen(ident: string, facility: number): void;
  /** syslog(3) with a priority (facility | level) and a message. */
  syslogWrite(priority: number, message: string): void;
  /** One sd_notify datagram to `socketPath` ('@' = abstract); returns errno, 0 when sent. */
  sdNotify(socketPath: string, state: string): number;
  /** lseek(fd, offset, SEEK_HOLE if `hole` else SEEK_DATA): the offset, or -errno (ENXIO: no more data). */
  seekDataHole?(fd: number, offset: number, hole: boolean): number;
  /**
   * One directory's entries with their lstat signatures (src/state/source_scan.ts
   * entrySignature): "NAME\0SIG\0..." as a latin1 string, sorted by name bytes; -errno when it
   * cannot be read (native/addon/dir_scan.h).
   */
  scanDir?(path: Buffer): string | number;
  /** lstat signatures of NUL-ended absolute paths: one NUL-ended signature each, empty when missing (dir_scan.h). */
  statPaths?(paths: Buffer): string;
  /**
   * posix_spawn (vfork-class) child with three O_CLOEXEC pipes; the caller owns the fds.
   * `envPairs` null = this process's environ. Exec failures return `{errno}`. `onExit` runs once:
   * code = exit status or -1, signal = terminating signal number or 0. `stdin` is written into
   * the pipe before the child starts, as far as it fits (`stdinWritten`); when all of it fit the
   * pipe is closed and `stdinFd` is -1, else the caller writes the rest. A Buffer in `args` is
   * passed byte for byte. `parentDeathSignal` > 0: PR_SET_PDEATHSIG in the child (fork+exec
   * instead of posix_spawn). (native/addon/child_spawner.h)
   */
  spawnChild?(
    binary: string,
    args: readonly (string | Buffer)[],
    envPairs: string[] | null,
    cwd: string | null,
    onExit: (code: number, signal: number) => void,
    stdin?: Buffer | null,
    parentDeathSignal?: number,
  ): { pid: number; stdinFd: number; stdinWritten: number; stdoutFd: number; stderrFd: number } | { errno: number };
  /** kill(2) for a child of spawnChild not yet reaped; returns errno (ESRCH once it has exited). */
  killChild?(pid: number, signal: number): number;
  /** False when the kernel lacks pidfd_open (Linux < 5.3): use node:child_process. */
  spawnerAvailable?(): boolean;
}

let cached: NativeModule | undefined;

/** The addon speaks another watcher ABI; the message is one line naming the fix. */
export class NativeAbiError extends Error {}

/** Throws NativeAbiError when `m` (loaded from `where`) speaks another watcher ABI. */
export function checkNativeAbi(m: { abiVersion?: unknown }, where: string): void {
  if (m.abiVersion === NATIVE_ABI_VERSION) return;
  throw new NativeAbiError(
    `the native addon ${where} has watcher ABI ${String(m.abiVersion)}, this lsyncd-ts needs ${NATIVE_ABI_VERSION} — rebuild it (npm rebuild, or npx node-gyp rebuild in the lsyncd-ts directory)`,
  );
}

export function loadNative(): NativeModule {
  if (cached) return cached;
  const override = process.env.LSYNCD_TS_ADDON;
  const m = (override ? require(override) : require('bindings')('lsyncd_ts_native')) as NativeModule;
  checkNativeAbi(m, override ?? 'lsyncd_ts_native.node');
  cached = m;
  return cached;
}
