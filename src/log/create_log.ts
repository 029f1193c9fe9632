// createLog: the service log behind the `Log` interface (log.ts) — a winston logger with one
// transport per destination, chosen as lsyncd chooses them (docs/lsyncd-compat.md#logging).
//
// Contract:
//  - Destinations: foreground → console (+ logfile if set); daemon → logfile if set, else syslog.
//    `foreground` is the caller's decision (-nodaemon or settings.nodaemon); settings.nodaemon is
//    not consulted here.
//  - Formats (formats.ts): console `HH:MM:SS Cat: msg` (Error on stderr), logfile
//    `Wed Nov 25 02:19:48 2026 Cat: msg`, syslog `Cat, msg`; logFormat 'json' turns console and
//    logfile lines into JSON lines (syslog stays text: syslog adds its own framing).
//  - Categories (categories.ts): Normal/Warn/Error always, `scarce`, `all`, named debug categories,
//    lsyncd's error for invalid names. Disabled lines cost one Set lookup and never reach winston.
//  - Identical consecutive lines are collapsed (repeat_guard.ts) unless `collapseRepeats: false`.
//  - Errors thrown by createLog are configuration errors with lsyncd's wording, to print and exit:
//    CategoryError (`'x' is not a valid logging category`), FacilityError
//    (`Logging facility 'x' unknown.`), LogfileError (`cannot open logfile PATH: …; <fix>`).
//  - reopen() (SIGUSR1 / logrotate) never throws: if the path cannot be opened the old file keeps
//    the lines and an Error line says why. A logfile moved away without a signal is noticed by the
//    transport itself (logfile_sink.ts).
//  - close() writes the pending repeat count, ends the winston stream, waits for every transport to
//    finish and closes the logfile. Lines logged after close() are dropped.
//  - Problems the log cannot write through itself (the logfile failing) go to stderr in the
//    foreground and to syslog (LOG_ERR) when daemonized.
import { once } from 'node:events';

import winston from 'winston';

import { categoryEnabled, parseCategories, unknownCategories } from './categories.js';
import { ConsoleTransport, type LineSink } from './console_sink.js';
import { LOG_LEVELS, type LogRecord, formatConsole, formatSyslog, levelOf, toInfo, winstonFormat } from './formats.js';
import type { Log } from './log.js';
import { LogfileError, LogfileTransport } from './logfile_sink.js';
import { RepeatGuard } from './repeat_guard.js';
import { type SyslogApi, SyslogTransport, nativeSyslog, resolveFacility, syslogLevelOf } from './syslog_sink.js';
import type { TransportBase } from './sink_base.js';
import { showEscapedBytes } from '../paths/byte_path.js';

/** The settings createLog reads (a subset of NormalizedSettings, src/config/schema.ts). */
export interface LogSettings {
  readonly logfile: string | undefined;
  readonly logfacility: string | number;
  readonly logident: string;
  readonly nodaemon: boolean;
  readonly logFormat: 'text' | 'json';
}

export interface CreateLogOptions {
  readonly settings: LogSettings;
  /** `-log` arguments in order (all, scarce, category names). */
  readonly categories: readonly string[];
  /** Foreground (-nodaemon): console output. */
  readonly foreground: boolean;
  /** Collapse identical consecutive lines (default true). */
  readonly collapseRepeats?: boolean;
  /** Test seams. */
  readonly now?: () => Date;
  readonly stdout?: LineSink;
  readonly stderr?: LineSink;
  readonly syslog?: SyslogApi;
  /** Minimum ms between logfile inode checks (default 1000). */
  readonly rotationCheckMs?: number;
  /** Repeat-count flush delay (default 30 000 ms). */
  readonly repeatFlushMs?: number;
}

export type LogDestination = 'console' | 'logfile' | 'syslog';

export interface ServiceLog extends Log {
  /** Reopens the logfile (SIGUSR1 / logrotate). No-op without one. Never throws. */
  reopen(): void;
  /** Flushes and closes every destination. */
  close(): Promise<void>;
  /** A Log whose lines carry `sync` (shown in JSON lines; text lines are unchanged). */
  forSync(name: string): Log;
  readonly destinations: readonly LogDestination[];
}

export { CategoryError } from './categories.js';
export { LogfileError } from './logfile_sink.js';
export { FacilityError } from './syslog_sink.js';

export function createLog(opts: CreateLogOptions): ServiceLog {
  const { settings } = opts;
  const selection = parseCategories(opts.categories);
  const facility = resolveFacility(settings.logfacility);
  const now = opts.now ?? (() => new Date());
  const json = settings.logFormat === 'json';
  const syslogApi = opts.syslog ?? nativeSyslog;
  const stderr = opts.stderr ?? process.stderr;

  let syslogOpened = false;
  const problem = (message: string): void => {
    const r: LogRecord = { time: now(), level: 'error', category: 'Error', message };
    if (opts.foreground) {
      stderr.write(`${formatConsole(r)}\n`);
      return;
    }
    if (!syslogOpened) syslogApi.open(settings.logident, facility);
    syslogOpened = true;
    syslogApi.write(facility | syslogLevelOf('error'), formatSyslog(r));
  };

  const transports: InstanceType<typeof TransportBase>[] = [];
  const destinations: LogDestination[] = [];
  let logfile: LogfileTransport | undefined;
  if (opts.foreground) {
    transports.push(new ConsoleTransport({ format: winstonFormat(json ? 'json' : 'console'), stdout: opts.stdout, stderr }));
    destinations.push('console');
  }
  if (settings.logfile !== undefined) {
    logfile = new LogfileTransport({
      path: settings.logfile,
      format: winstonFormat(json ? 'json' : 'logfile'),
      now: () => now().getTime(),
      checkIntervalMs: opts.rotationCheckMs,
      onProblem: problem,
    });
    transports.push(logfile);
    destinations.push('logfile');
  } else if (!opts.foreground) {
    transports.push(new SyslogTransport({ ident: settings.logident, facility, format: winstonFormat('syslog'), api: syslogApi }));
    syslogOpened = true;
    destinations.push('syslog');
  }

  const logger = winston.createLogger({
    levels: LOG_LEVELS,
    level: 'debug',
    format: winston.format((info) => info)(),
    transports,
    exitOnError: false,
  });
  logger.on('error', (e: Error) => problem(`logging failed: ${e.message}`));

  let closed = false;
  const write = (r: LogRecord): void => {
    if (!closed) logger.log(toInfo(r));
  };
  const guard = opts.collapseRepeats === false ? undefined : new RepeatGuard({ emit: write, now, flushAfterMs: opts.repeatFlushMs });
  const enabledCache = new Map<string, boolean>();
  const enabled = (category: string): boolean => {
    let on = enabledCache.get(category);
    if (on === undefined) enabledCache.set(category, (on = categoryEnabled(selection, category)));
    return on;
  };
  const emit = (category: string, message: string, sync: string | undefined): void => {
    if (closed || !enabled(category)) return;
    // Byte-escaped (non-UTF-8) paths in a message are shown as \xNN (src/paths/byte_path.ts).
    const r: LogRecord = { time: now(), level: levelOf(category), category, message: showEscapedBytes(message), sync };
    if (guard) guard.push(r);
    else write(r);
  };
  const logFor = (sync: string | undefined): Log => ({
    normal: (m) => emit('Normal', m, sync),
    warn: (m) => emit('Warn', m, sync),
    error: (m) => emit('Error', m, sync),
    debug: (c, m) => emit(c, m, sync),
    enabled,
  });

  const log: ServiceLog = {
    ...logFor(undefined),
    destinations,
    forSync: (name) => logFor(name),
    reopen: () => {
      if (!logfile || closed) return;
      try {
        logfile.reopen();
      } catch (e) {
        const why = e instanceof LogfileError ? e.message : String(e);
        emit('Error', `${why}; still writing to the old file`, undefined);
      }
    },
    close: async () => {
      if (closed) return;
      guard?.dispose();
      closed = true;
      const finished = once(logger, 'finish');
      logger.end();
      await finished;
      for (const t of transports) t.close?.();
    },
  };

  for (const name of unknownCategories(selection)) {
    log.warn(`-log ${name}: not a built-in logging category; only lines a config logs as '${name}' will show`);
  }
  return log;
}
