// The logfile: a winston transport appending lines to `settings.logfile` / `-logfile`.
//
// Contract:
//  - Opened in append mode (O_APPEND, created 0640 if missing) when the transport is built, so a
//    restart continues the same file. If it cannot be opened, `LogfileError` says so in one line
//    naming the path and the fix; the parent directory is NOT created (a typo in the path should
//    fail loudly, not scatter directories).
//  - Kept open, unlike lsyncd, which fopen()s / fclose()s the file for every line
//    (docs/lsyncd-compat.md#logging, docs/lsyncd-compat.md#known-lsyncd-problems: with log floods such as lsyncd#93 / lsyncd#343 that is a syscall storm).
//  - Because it stays open, rotation must be noticed: `reopen()` (SIGUSR1, logrotate's
//    postrotate) opens the path afresh; and on its own, at most once per `checkIntervalMs`
//    (default 1 s) when a line is written, the inode/device of the path is compared with the open
//    descriptor's — a file renamed or removed by logrotate without a signal is detected and the
//    new path opened, so lines never keep going to `lsyncd.log.1` for long.
//    (copytruncate needs nothing: O_APPEND writes land at the new end.)
//  - Writes are synchronous (writeSync): lines reach the file in order and before the process
//    exits, even on an exit right after an Error line; a logfile on a stalled filesystem stalls
//    the daemon, as with lsyncd.
//  - A failed write (ENOSPC, EIO) drops the line and is reported once per failure streak through
//    `onProblem`; a failed automatic reopen keeps writing to the old descriptor and is reported.
import { closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

import type winston from 'winston';

import { MESSAGE } from './formats.js';
import { TransportBase, type TransportInfo } from './sink_base.js';

export class LogfileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'LogfileError';
  }
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One line: what failed, the path, and what to do about it. */
export function logfileOpenMessage(file: string, e: unknown): string {
  const code = errnoOf(e);
  const dir = path.dirname(file);
  switch (code) {
    case 'ENOENT':
      return `cannot open logfile ${file}: directory ${dir} does not exist; create it or set logfile to a path in an existing directory`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `cannot open logfile ${file}: ${code} (permission denied or read-only); make ${file} or ${dir} writable for this user or set logfile elsewhere`;
    case 'EISDIR':
      return `cannot open logfile ${file}: it is a directory; set logfile to a file name, e.g. ${path.join(file, 'lsyncd.log')}`;
    case 'ENOTDIR':
      return `cannot open logfile ${file}: a component of ${dir} is not a directory; fix the logfile path`;
    default:
      return `cannot open logfile ${file}: ${(e as Error).message ?? String(e)}; check the logfile setting`;
  }
}

/** Opens `file` for appending; throws LogfileError with the fix. */
export function openLogfile(file: string): number {
  try {
    return openSync(file, 'a', 0o640);
  } catch (e) {
    throw new LogfileError(logfileOpenMessage(file, e), file, errnoOf(e));
  }
}

export interface LogfileTransportOptions {
  readonly path: string;
  /** Sets info[MESSAGE] (formats.ts: 'logfile' or 'json'). */
  readonly format: winston.Logform.Format;
  /** Millisecond clock for the rotation check (tests inject one). */
  readonly now?: () => number;
  /** Minimum time between two inode checks. Default 1000 ms; 0 checks on every line. */
  readonly checkIntervalMs?: number;
  /** Problems the logfile cannot report through itself (failed writes, failed reopen). */
  readonly onProblem?: (message: string) => void;
}

export class LogfileTransport extends TransportBase {
  readonly path: string;
  private fd: number | undefined;
  private readonly now: () => number;
  private readonly checkIntervalMs: number;
  private readonly onProblem: (message: string) => void;
  private lastCheck: number;
  private writeFailing = false;
  private reopenFailing = false;

  constructor(opts: LogfileTransportOptions) {
    super({ format: opts.format });
    this.path = opts.path;
    this.now = opts.now ?? Date.now;
    this.checkIntervalMs = opts.checkIntervalMs ?? 1000;
    this.onProblem = opts.onProblem ?? (() => {});
    this.fd = openLogfile(this.path);
    this.lastCheck = this.now();
  }

  override log(info: TransportInfo, next: () => void): void {
    this.checkRotation();
    this.writeLine(`${String(info[MESSAGE])}\n`);
    next();
  }

  /**
   * Opens the path afresh (SIGUSR1 / logrotate). The new descriptor replaces the old one only once
   * it is open: on failure the old file keeps receiving lines and LogfileError is thrown.
   */
  reopen(): void {
    const fd = openLogfile(this.path);
    const old = this.fd;
    this.fd = fd;
    this.lastCheck = this.now();
    this.reopenFailing = false;
    if (old !== undefined) closeSync(old);
  }

  /** True when the path no longer names the open file (renamed or removed). */
  movedAway(): boolean {
    if (this.fd === undefined) return false;
    let onPath;
    try {
      onPath = statSync(this.path);
    } catch (e) {
      return errnoOf(e) === 'ENOENT';
    }
    const open = fstatSync(this.fd);
    return onPath.ino !== open.ino || onPath.dev !== open.dev;
  }

  /** Closes the descriptor; later lines are dropped. Idempotent. */
  override close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private checkRotation(): void {
    const t = this.now();
    if (t - this.lastCheck < this.checkIntervalMs) return;
    this.lastCheck = t;
    if (!this.movedAway()) return;
    try {
      this.reopen();
    } catch (e) {
      if (!this.reopenFailing) {
        this.reopenFailing = true;
        this.onProblem(`logfile ${this.path} was moved away and ${(e as Error).message}; still writing to the old file`);
      }
    }
  }

  private writeLine(line: string): void {
    if (this.fd === undefined) return;
    const buf = Buffer.from(line);
    try {
      for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off);
      this.writeFailing = false;
    } catch (e) {
      if (!this.writeFailing) {
        this.writeFailing = true;
        this.onProblem(`cannot write to logfile ${this.path}: ${(e as Error).message}; lines are dropped until it works again`);
      }
    }
  }
}
