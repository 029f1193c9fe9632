// startChild: the one place a child process is started, from a Command (binary + argv, never a
// shell), with three pipes. It returns at once with the child (ChildLike); what happens to its
// output, stdin and ending is the caller's (runCommand in process_runner.ts, the standby rsync
// in standby_child.ts, the ssh master in src/transports/rsyncssh/ssh_master.ts).
//
// Spawning: libuv starts a child with fork() of the whole Node process (1.3–2 ms for ~50 MB of
// page tables, per rsync). When the addon offers it, the child is started with posix_spawn
// instead (glibc: clone(CLONE_VM|CLONE_VFORK); native/addon/child_spawner.h) and its three pipe
// fds are wrapped in net.Sockets — the same stream objects node:child_process hands out, so
// everything the callers do (line splitting, capture, stdin, kill escalation, 'close' after exit
// and both output streams) is shared by both paths. LSYNCD_TS_NODE_SPAWN=1 forces node:child_process.
// On the native path stdin (rsync's include list) is put into the pipe before the child starts,
// so the child never waits for this thread to be scheduled again (single-file latency at delay 0).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { isMainThread } from 'node:worker_threads';

import type { Command } from './command.js';
import { displayPath, hasEscapedBytes, pathArg } from '../paths/byte_path.js';
import { loadNative, type NativeModule } from '../native/native_binding.js';

/** Where and how the child runs (runCommand's RunOptions adds output and cancellation). */
export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Signal the child gets when this thread ends, even by SIGKILL of the daemon (PR_SET_PDEATHSIG,
   * native spawner only: see {@link childDiesWithUs}; node:child_process ignores it).
   */
  readonly parentDeathSignal?: NodeJS.Signals;
}

/**
 * Starts `cmd` as runCommand does, without waiting for it. `keepStdinOpen`: nothing is written
 * to stdin and the pipe stays open, so the child blocks when it reads it (standby_child.ts).
 */
export function startChild(cmd: Command, opts: SpawnOptions, keepStdinOpen = false): ChildLike {
  return (
    nativeSpawn(cmd, opts, keepStdinOpen) ??
    refuseEscapedArgs(cmd) ??
    spawn(cmd.binary, cmd.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      shell: false,
    })
  );
}

/** What runCommand uses of a ChildProcess; the native path provides the same. */
export interface ChildLike {
  /** The child's pid once started (undefined when it could not be started). */
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  /** Bytes of cmd.stdin already in the pipe before the child started (native path). */
  readonly stdinPrefilled?: number;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal: NodeJS.Signals): boolean;
  on(event: 'error', l: (e: NodeJS.ErrnoException) => void): this;
  on(event: 'close', l: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  /** The process ended (its output streams may still be open). */
  on(event: 'exit', l: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  off(event: 'error', l: (e: NodeJS.ErrnoException) => void): this;
  off(event: 'exit', l: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

type Spawner = Required<Pick<NativeModule, 'spawnChild' | 'killChild'>>;
let spawner: Spawner | null | undefined;

function nativeSpawner(): Spawner | null {
  if (spawner === undefined) {
    spawner = null;
    try {
      const m = loadNative();
      if (m.spawnChild && m.killChild && m.spawnerAvailable?.()) spawner = m as Spawner;
    } catch {
      // no addon: node:child_process
    }
  }
  return spawner;
}

const EMPTY = Buffer.alloc(0);

/** The native spawner when children are started by it (not forced off, available), else null. */
function activeSpawner(): Spawner | null {
  return process.env.LSYNCD_TS_NODE_SPAWN === '1' ? null : nativeSpawner();
}

/** True when children are started by the native spawner, so `parentDeathSignal` is honoured. */
export function childDiesWithUs(): boolean {
  return activeSpawner() !== null;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(osConstants.signals).map(([name, num]) => [num, name as NodeJS.Signals]),
);

/**
 * The child started by posix_spawn, shaped like a ChildProcess: 'error' (next tick) when it
 * could not be started, else 'close' once it exited and stdout and stderr have closed.
 * Returns null (use node:child_process) when the native spawner is off or unavailable, or when
 * a string holds a NUL byte (node:child_process rejects those with its own error).
 */
function nativeSpawn(cmd: Command, opts: SpawnOptions, keepStdinOpen: boolean): ChildLike | null {
  const sp = activeSpawner();
  if (!sp) return null;
  let envPairs: string[] | null = null;
  // Without opts.env the main thread's process.env is environ itself; a worker's is a copy.
  if (opts.env !== undefined || !isMainThread) {
    envPairs = [];
    const env = opts.env ?? process.env;
    for (const key in env) {
      const value = env[key];
      if (value !== undefined) envPairs.push(`${key}=${value}`);
    }
  }
  const strings = [cmd.binary, ...cmd.args, ...(envPairs ?? []), opts.cwd ?? ''];
  if (strings.some((x) => x.includes('\0'))) return null;
  // A byte-escaped (non-UTF-8) path goes to the child as its exact bytes (src/paths/byte_path.ts).
  const args = cmd.args.map(pathArg);

  const child = new NativeChild(sp);
  const deathSignal = opts.parentDeathSignal === undefined ? undefined : osConstants.signals[opts.parentDeathSignal];
  const onExit = (code: number, sig: number) => child.exited(code, sig);
  const r = sp.spawnChild(cmd.binary, args, envPairs, opts.cwd ?? null, onExit, keepStdinOpen ? null : (cmd.stdin ?? EMPTY), deathSignal);
  if ('errno' in r) {
    const code = getSystemErrorName(-r.errno);
    const e = new Error(`spawn ${cmd.binary} ${code}`) as NodeJS.ErrnoException & { spawnargs?: string[] };
    e.errno = -r.errno;
    e.code = code;
    e.syscall = `spawn ${cmd.binary}`;
    e.path = cmd.binary;
    e.spawnargs = [...cmd.args];
    process.nextTick(() => child.emit('error', e));
    return child;
  }
  child.start(r.pid, r.stdinFd, r.stdinWritten, r.stdoutFd, r.stderrFd);
  return child;
}

/**
 * node:child_process takes only strings and would turn the bytes of a path that is not valid
 * UTF-8 into U+FFFD — another path, and with --delete another mirror. Such a command is refused
 * with a spawn error (code EILSEQ) instead; null when every argument is plain text.
 */
function refuseEscapedArgs(cmd: Command): ChildLike | null {
  const bad = cmd.args.find(hasEscapedBytes);
  if (bad === undefined) return null;
  const e = new Error(
    `the path ${displayPath(bad)} is not valid UTF-8 and cannot be passed through node:child_process (LSYNCD_TS_NODE_SPAWN=1 or no native spawner): unset LSYNCD_TS_NODE_SPAWN, or rename the path`,
  ) as NodeJS.ErrnoException;
  e.code = 'EILSEQ';
  const child = new EventEmitter() as EventEmitter & ChildLike;
  Object.assign(child, { stdin: null, stdout: null, stderr: null, kill: () => false });
  process.nextTick(() => child.emit('error', e));
  return child;
}

class NativeChild extends EventEmitter implements ChildLike {
  stdin: Writable | null = null;
  stdinPrefilled = 0;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  pid: number | undefined;
  private exitCode: number | null = null;
  private signalCode: NodeJS.Signals | null = null;
  private closesNeeded = 1; // exit, then one per output stream (as ChildProcess counts them)
  private closesGot = 0;
  private hasExited = false;

  constructor(private readonly sp: Spawner) {
    super();
  }

  /** stdinFd -1: all of stdin was written into the pipe before the child started, and closed. */
  start(pid: number, stdinFd: number, stdinWritten: number, stdoutFd: number, stderrFd: number): void {
    this.pid = pid;
    this.stdinPrefilled = stdinWritten;
    const fds = [stdinFd, stdoutFd, stderrFd];
    try {
      if (stdinFd >= 0) this.stdin = new Socket({ fd: stdinFd, readable: false, writable: true });
      fds[0] = -1;
      const out = new Socket({ fd: stdoutFd, readable: true, writable: false });
      fds[1] = -1;
      this.stdout = out;
      const err = new Socket({ fd: stderrFd, readable: true, writable: false });
      fds[2] = -1;
      this.stderr = err;
    } catch (e) {
      for (const fd of fds) if (fd >= 0) closeSync(fd);
      throw e;
    }
    for (const s of [this.stdout, this.stderr]) {
      this.closesNeeded++;
      s.on('close', () => this.maybeClose());
    }
  }

  exited(code: number, sig: number): void {
    this.hasExited = true;
    this.exitCode = code >= 0 && sig === 0 ? code : null;
    this.signalCode = sig !== 0 ? (signalNames.get(sig) ?? null) : null;
    this.emit('exit', this.exitCode, this.signalCode);
    // As ChildProcess does on exit: nobody is left to read stdin.
    this.stdin?.destroy();
    this.maybeClose();
  }

  kill(signal: NodeJS.Signals): boolean {
    if (this.hasExited || this.pid === undefined) return false;
    return this.sp.killChild(this.pid, osConstants.signals[signal]) === 0;
  }

  private maybeClose(): void {
    if (++this.closesGot === this.closesNeeded) this.emit('close', this.exitCode, this.signalCode);
  }
}
