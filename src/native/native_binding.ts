// Loads the compiled addon. LSYNCD_TS_ADDON may name another build of it (the ASan build the
// test suite runs once, scripts/test-addon-asan.sh); otherwise `bindings` finds build/Release.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RawBatch {
  type: 1;
  kind: Uint8Array;
  flags: Uint8Array;
  cookie: Uint32Array;
  root: Uint16Array;
  err: Int32Array;
  pathOff: Uint32Array;
  pathBytes: Buffer;
  flushIds: number[];
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
  /** openlog(3) with LOG_PID | LOG_NDELAY; `facility` is a LOG_* facility value (e.g. 8 = user). */
  syslogOpen(ident: string, facility: number): void;
  /** syslog(3) with a priority (facility | level) and a message. */
  syslogWrite(priority: number, message: string): void;
  /** One sd_notify datagram to `socketPath` ('@' = abstract); returns errno, 0 when sent. */
  sdNotify(socketPath: string, state: string): number;
  /** lseek(fd, offset, SEEK_HOLE if `hole` else SEEK_DATA): the offset, or -errno (ENXIO: no more data). */
  seekDataHole?(fd: number, offset: number, hole: boolean): number;
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

export function loadNative(): NativeModule {
  if (cached) return cached;
  const override = process.env.LSYNCD_TS_ADDON;
  cached = (override ? require(override) : require('bindings')('lsyncd_ts_native')) as NativeModule;
  return cached;
}
