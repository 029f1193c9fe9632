/**
 * One persistent OpenSSH master connection per target (a change does not pay a new
 * handshake). lsyncd starts a fresh ssh for every move and rsync run (docs/lsyncd-compat.md#rsyncssh-commands,
 * lsyncd#367), each paying TCP + key exchange + authentication.
 *
 * Contract:
 *   - Key: ssh binary + host (incl. `user@`) + port + identityFile + options + _extra. Every
 *     transport with the same key shares ONE master (refcounted leases, acquireSshMaster); a
 *     different key gets its own private runtime dir, so masters never mix identities.
 *   - Runtime dir: mkdtemp (mode 0700) under $XDG_RUNTIME_DIR, else os.tmpdir() (else /tmp when
 *     the socket path would exceed sun_path's 108 bytes). ControlPath = `<dir>/m` (fixed name:
 *     the dir is already per key, and a fixed path lets us check the socket without ssh).
 *   - `control` (SshControl) is passed to every ssh call and to rsync's `--rsh` (ssh_argv.ts
 *     adds ControlMaster=auto, ControlPath, ControlPersist), so each becomes a mux client.
 *   - ensure(): when the socket is missing, starts the master explicitly:
 *     `ssh -o ControlMaster=yes <sshArgs+control> -N HOST`. Its connect timeout and keep-alives
 *     come with the ssh table (the transport passes it through ssh_argv.ts withLinkBounds), so a
 *     master start against a dead or silent server ends within the sync's connectTimeout, and a
 *     master on a dead link dies instead of hanging its mux clients. Concurrent ensure() calls
 *     share one start.
 *   - The master dies with its daemon, even after kill -9 (an orphaned master would hold the
 *     connection for ControlPersist seconds under PID 1). With the native spawner
 *     (`childDiesWithUs`) the master stays our direct child in the foreground
 *     (`-o ControlPersist=no`, ahead of the control options, so ssh does not daemonize) and is
 *     started with PR_SET_PDEATHSIG = SIGTERM (the signal follows the thread that spawned it:
 *     the engine's, i.e. the main thread); it is up once its socket appears in the runtime
 *     dir (inotify on the dir), failed when it exits first (255 = cannot connect/authenticate →
 *     the caller's `again`). Its stderr is drained into a bounded tail for that error. It lives
 *     until close() or a lost connection; there is no idle expiry. Node's own spawn
 *     (LSYNCD_TS_NODE_SPAWN=1, or a kernel without pidfd_open) cannot set the death signal;
 *     there ssh backgrounds itself with ControlPersist after authentication (the foreground
 *     process exits 0 = up), and a master orphaned by kill -9 lives until ControlPersist
 *     expires. Its stderr then goes to a file in the runtime dir, never to a pipe of ours: a
 *     backgrounded master started with `-v` in `_extra` would keep such a pipe open.
 *   - A master that died (idle ControlPersist expiry, network loss) removes its socket, so the
 *     next ensure() starts a new one. A stale socket (master SIGKILLed): an attached master's is
 *     removed before the next start (`up` is false once our child has exited); otherwise ssh's
 *     ControlMaster=auto handles it (it unlinks it and connects directly).
 *   - If the user's ssh options set any Control* option themselves, no master is managed
 *     (`wantsManagedMaster` → false): their configuration wins.
 *   - close(): `ssh -O exit` (stdio ignored; SIGTERM for an attached master that does not
 *     answer), waits for an attached master to exit, then removes the runtime dir. Never throws.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { RunResult } from '../../process/process_runner.js';
import { type ChildLike, childDiesWithUs, startChild } from '../../process/start_child.js';
import { type SshControl, type SshTable, sshArgs, sshBinary } from '../rsync/index.js';

/** Default ControlPersist: the master outlives the last client by this long (seconds). */
export const DEFAULT_CONTROL_PERSIST = '300';

/** Bytes of an attached master's stderr kept for the error message of a failed start. */
const STDERR_TAIL_BYTES = 4096;
/** How long a failed master's stderr may take to reach its end after the exit. */
const STDERR_DRAIN_MS = 1000;
/** How long close() waits for an attached master to exit after `-O exit` / SIGTERM. */
const EXIT_WAIT_MS = 5000;

/** sun_path is 108 bytes; ssh binds `<ControlPath>.<16 random chars>` first. */
const MAX_SOCKET_PATH = 100 - 17;

export interface SshMasterOptions {
  /** ControlPersist value (seconds or an ssh time spec). Default 300. */
  readonly persist?: string;
  /** Parent of the private runtime dir; default $XDG_RUNTIME_DIR, else os.tmpdir(). */
  readonly runtimeDir?: string;
}

/** False when the user's options configure connection sharing themselves. */
export function wantsManagedMaster(ssh: SshTable): boolean {
  return !Object.keys(ssh.options ?? {}).some((k) => /^control/i.test(k));
}

/** Identity of a master: everything that changes which connection ssh would make. */
export function sshMasterKey(ssh: SshTable, host: string): string {
  return JSON.stringify([sshBinary(ssh), host, ssh.port ?? null, ssh.identityFile ?? null, Object.entries(ssh.options ?? {}), ssh._extra ?? []]);
}

function usableDir(d: string | undefined): d is string {
  if (d === undefined || d === '') return false;
  try {
    return statSync(d).isDirectory();
  } catch {
    return false;
  }
}

function makeRuntimeDir(parent: string | undefined): string {
  const candidates = [parent, process.env['XDG_RUNTIME_DIR'], os.tmpdir(), '/tmp'];
  let lastError: unknown;
  for (const c of candidates) {
    if (!usableDir(c)) continue;
    if (path.join(c, 'lsyncd-ts-ssh-XXXXXX', 'm').length > MAX_SOCKET_PATH) continue;
    try {
      return mkdtempSync(path.join(c, 'lsyncd-ts-ssh-')); // mkdtemp creates mode 0700
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`cannot create a private runtime dir for the ssh ControlMaster socket: ${String(lastError ?? 'no usable directory')}`);
}

/** A command that only needs its exit status (stdio ignored, nothing to hold a pipe open). */
function runQuiet(binary: string, args: readonly string[], stderrFile?: string, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve) => {
    let fd: number | undefined;
    try {
      fd = stderrFile === undefined ? undefined : openSync(stderrFile, 'w', 0o600);
    } catch {
      fd = undefined;
    }
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', fd ?? 'ignore'], shell: false });
    if (fd !== undefined) closeSync(fd);
    let settled = false;
    const tail = (): string => {
      if (stderrFile === undefined) return '';
      try {
        return readFileSync(stderrFile, 'utf8').split('\n').slice(-20).join('\n').trim();
      } catch {
        return '';
      }
    };
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => finish({ code: null, signal: null, stdout: '', stderrTail: tail(), spawnError: e }));
    // 'exit', not 'close': a backgrounded master may inherit descriptors of this process.
    child.on('exit', (code, sig) => finish({ code, signal: sig, stdout: '', stderrTail: tail() }));
  });
}

export class SshMaster {
  readonly dir: string;
  readonly socketPath: string;
  readonly control: SshControl;
  private starting: Promise<RunResult | undefined> | undefined;
  private closed = false;
  /** Masters are started as our own children (native spawner: see header). */
  private readonly attachedMode = childDiesWithUs();
  /** The master as our own child, until it exits. */
  private attached: ChildLike | undefined;
  private attachedExit: Promise<void> | undefined;

  constructor(
    private readonly ssh: SshTable,
    readonly host: string,
    opts: SshMasterOptions = {},
  ) {
    this.dir = makeRuntimeDir(opts.runtimeDir);
    this.socketPath = path.join(this.dir, 'm');
    this.control = { path: this.socketPath.replace(/%/g, '%%'), persist: opts.persist ?? DEFAULT_CONTROL_PERSIST };
  }

  /** True while the master's socket exists (cheap; no process). */
  get up(): boolean {
    if (this.attachedMode && this.attached === undefined) return false; // a socket left by a killed master is stale
    return existsSync(this.socketPath);
  }

  /**
   * Makes sure a master is running. Resolves undefined when it is (or was started), or the
   * RunResult of the failed start (exit 255 for "cannot connect", to be classified by the caller
   * with the sync's sshExitCodes).
   */
  ensure(signal?: AbortSignal): Promise<RunResult | undefined> {
    if (this.closed) return Promise.resolve({ code: null, signal: null, stdout: '', stderrTail: 'ssh master closed' });
    if (this.up) return Promise.resolve(undefined);
    this.starting ??= this.start(signal).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(signal?: AbortSignal): Promise<RunResult | undefined> {
    if (this.attachedMode) return this.startAttached(signal);
    const args = ['-o', 'ControlMaster=yes', ...sshArgs(this.ssh, this.control), '-N', this.host];
    const r = await runQuiet(sshBinary(this.ssh), args, path.join(this.dir, 'master.log'), signal);
    return r.code === 0 ? undefined : r;
  }

  /** The master as a foreground child that gets SIGTERM when this thread ends (see header). */
  private startAttached(signal?: AbortSignal): Promise<RunResult | undefined> {
    const args = ['-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', ...sshArgs(this.ssh, this.control), '-N', this.host];
    // No master of ours is alive: a socket still there was left by one that was killed, and ssh
    // would not replace it (it would run without multiplexing). The directory is private to us.
    rmSync(this.socketPath, { force: true });
    return new Promise((resolve) => {
      const child = startChild({ binary: sshBinary(this.ssh), args, stdin: undefined }, { parentDeathSignal: 'SIGTERM' });
      let tail = Buffer.alloc(0);
      child.stdout?.resume();
      child.stderr?.on('data', (d: Buffer) => {
        tail = Buffer.concat([tail, d]);
        if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
      });
      const stderrTail = () => tail.toString('utf8').split('\n').slice(-20).join('\n').trim();
      let settled = false;
      const dirWatch = watch(this.dir, () => {
        if (this.up) finish(undefined);
      });
      const onAbort = () => child.kill('SIGTERM');
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (r: RunResult | undefined) => {
        if (settled) return;
        settled = true;
        dirWatch.close();
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      this.attached = child;
      this.attachedExit = new Promise((exited) => {
        child.on('exit', (code, sig) => {
          if (this.attached === child) this.attached = undefined;
          // The exit can be seen before the last of its stderr was read (it carries the reason,
          // e.g. "Connection refused"): wait for the pipe's end, briefly (a ProxyCommand may
          // still hold it open).
          const stderr = child.stderr;
          const done = (): void => {
            finish({ code, signal: sig, stdout: '', stderrTail: stderrTail() });
            exited();
          };
          if (!stderr || stderr.readableEnded || stderr.destroyed) return done();
          const timer = setTimeout(done, STDERR_DRAIN_MS);
          stderr.once('close', () => {
            clearTimeout(timer);
            done();
          });
        });
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (this.attached === child) this.attached = undefined;
          finish({ code: null, signal: null, stdout: '', stderrTail: '', spawnError: e });
          exited();
        });
      });
      if (signal?.aborted) onAbort();
      else if (this.up) finish(undefined);
    });
  }

  /** `ssh -O check`: true when a live master answers on the socket. */
  async check(): Promise<boolean> {
    const r = await runQuiet(sshBinary(this.ssh), [...sshArgs(this.ssh, this.control), '-O', 'check', this.host]);
    return r.code === 0;
  }

  /** `ssh -O exit` and removal of the runtime dir. Idempotent, never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A start still waiting for the server (a silent or stalled one) is abandoned, not awaited.
    if (this.starting !== undefined) this.attached?.kill('SIGTERM');
    await this.starting?.catch(() => undefined);
    if (this.up) await runQuiet(sshBinary(this.ssh), [...sshArgs(this.ssh, this.control), '-O', 'exit', this.host]);
    await this.stopAttached();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits (bounded) for an attached master to exit, with SIGTERM and then SIGKILL when it lingers. */
  private async stopAttached(): Promise<void> {
    for (const sig of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      const child = this.attached;
      if (child === undefined || this.attachedExit === undefined) return;
      if (sig !== undefined) child.kill(sig);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.attachedExit, new Promise<void>((r) => (timer = setTimeout(r, EXIT_WAIT_MS)))]);
      clearTimeout(timer);
    }
  }
}

export interface SshMasterLease {
  readonly master: SshMaster;
  /** Drops this lease; the last one closes the master. Idempotent. */
  release(): Promise<void>;
}

/** Shared masters, one per key (see header). */
export class SshMasterRegistry {
  private readonly masters = new Map<string, { master: SshMaster; refs: number }>();

  acquire(ssh: SshTable, host: string, opts: SshMasterOptions = {}): SshMasterLease {
    const key = sshMasterKey(ssh, host);
    let entry = this.masters.get(key);
    if (entry === undefined) {
      entry = { master: new SshMaster(ssh, host, opts), refs: 0 };
      this.masters.set(key, entry);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      master: held.master,
      release: async () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs === 0) {
          if (this.masters.get(key) === held) this.masters.delete(key);
          await held.master.close();
        }
      },
    };
  }

  /** Number of live masters (tests, status). */
  get size(): number {
    return this.masters.size;
  }
}

/** The process-wide registry used by default. */
export const defaultSshMasters = new SshMasterRegistry();
