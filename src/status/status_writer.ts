// Status writer: keeps `settings.statusFile` (lsyncd text layout, render_text.ts) and its JSON
// twin `statusFile + '.json'` (render_json.ts) up to date.
//
// Contract:
//   - writes once at start, every `intervalSec` seconds, on writeNow(), and a last time in stop()
//     (so a stopped daemon leaves states "stopped" behind, not a stale "running");
//   - unlike lsyncd (which rewrites only when its main loop cycles, so an idle daemon's file goes
//     stale), the timer runs whether or not anything changes: the file's time proves liveness;
//   - intervals below MIN_INTERVAL_SEC, including lsyncd's 0 ("on every change"), are raised to
//     MIN_INTERVAL_SEC: rendering and fsync on every queued event would cost more than it tells;
//   - every file is replaced ATOMICALLY: written to a temp file in the same directory, fsync'ed,
//     then rename(2)d over the old one — a reader sees the old or the new file, never a partial
//     one (lsyncd truncates and rewrites in place);
//   - writes are asynchronous and serialised: a write requested while one runs is coalesced into
//     one more write after it; a failing write is logged once (until it succeeds again or the
//     error changes) and never throws into the daemon.
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

import type { SyncSnapshot } from '../engine/engine.js';
import type { Log } from '../log/log.js';
import { renderStatusJson } from './render_json.js';
import { renderStatusText } from './render_text.js';

export const MIN_INTERVAL_SEC = 1;

export interface SnapshotSource {
  snapshot(): readonly SyncSnapshot[];
}

export interface StatusTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface StatusWriterOptions {
  readonly statusFile: string;
  /** settings.statusInterval (seconds); raised to MIN_INTERVAL_SEC. */
  readonly intervalSec: number;
  readonly log: Log;
  /** Test seam: timer functions (default: global setInterval/clearInterval, unref'd). */
  readonly timers?: StatusTimers;
  /** Test seam: the clock used for the report time. */
  readonly now?: () => Date;
}

export interface StatusWriter {
  /** Requests a write now (coalesced with one in progress). No-op after stop(). */
  writeNow(): void;
  /** Resolves when every requested write has finished (tests, shutdown ordering). */
  flush(): Promise<void>;
  /** Stops the timer, writes a last time, resolves when done. Idempotent. */
  stop(): Promise<void>;
  /** The interval actually used, in seconds. */
  readonly intervalSec: number;
}

const defaultTimers: StatusTimers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/**
 * Writes `data` to `file` atomically: temp file in the same directory (same filesystem, so the
 * rename is atomic), fsync, rename over `file`. The temp file is removed if anything fails.
 */
let tempSeq = 0;

export async function atomicWriteFile(file: string, data: string, mode = 0o644): Promise<void> {
  // Unique per process and call: two writers of one file never share a temp file.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tempSeq}.tmp`);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export function startStatusWriter(source: SnapshotSource, opts: StatusWriterOptions): StatusWriter {
  const intervalSec = Math.max(MIN_INTERVAL_SEC, Number.isFinite(opts.intervalSec) ? opts.intervalSec : MIN_INTERVAL_SEC);
  const timers = opts.timers ?? defaultTimers;
  const nowFn = opts.now ?? (() => new Date());
  const jsonFile = `${opts.statusFile}.json`;
  let pending = false;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  let stopping: Promise<void> | null = null;
  let lastFailure: string | undefined;

  async function writeOnce(): Promise<void> {
    try {
      const snaps = source.snapshot();
      const now = nowFn();
      await atomicWriteFile(jsonFile, renderStatusJson(snaps, { now, statusInterval: intervalSec }));
      await atomicWriteFile(opts.statusFile, renderStatusText(snaps, { now }));
      if (lastFailure !== undefined) {
        opts.log.normal(`status file ${opts.statusFile} written again`);
        lastFailure = undefined;
      }
    } catch (e) {
      // Drop Node's ", open '<temp file>'" tail: the temp name changes per write.
      const msg = (e as Error).message.replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, '');
      if (msg !== lastFailure) {
        opts.log.error(`cannot write status file ${opts.statusFile}: ${msg} — fix the directory or its permissions, or settings.statusFile`);
      }
      lastFailure = msg;
    }
  }

  // The loop re-checks `pending` and clears `inFlight` synchronously, so a request arriving at
  // any moment is either seen by the loop or starts a new one — never lost.
  async function drain(): Promise<void> {
    while (pending) {
      pending = false;
      await writeOnce();
    }
    inFlight = null;
  }

  function kick(): Promise<void> {
    pending = true;
    if (inFlight === null) inFlight = drain();
    return inFlight;
  }

  const handle = timers.setInterval(() => void kick(), intervalSec * 1000);
  void kick();

  return {
    intervalSec,
    writeNow(): void {
      if (!stopped) void kick();
    },
    async flush(): Promise<void> {
      while (inFlight !== null) await inFlight;
    },
    stop(): Promise<void> {
      if (stopping) return stopping;
      stopped = true;
      timers.clearInterval(handle);
      stopping = (async () => {
        await kick();
        while (inFlight !== null) await inFlight;
      })();
      return stopping;
    },
  };
}
