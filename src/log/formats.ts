// Line formats, one per destination, as lsyncd writes them (docs/lsyncd-compat.md#logging, lsyncd.c
// logstring0), plus lsyncd-ts's JSON lines.
//
// Contract (times are local time, as lsyncd's localtime()/ctime()):
//  - config phase:      `Cat: msg`                           (before the log is set up)
//  - console:           `HH:MM:SS Cat: msg`                  (-nodaemon; Error goes to stderr)
//  - logfile:           `Wed Nov 25 02:19:48 2026 Cat: msg`  (ctime(3): day of month space-padded)
//  - syslog:            `Cat, msg`                           (time, host and ident added by syslog)
//  - JSON (logFormat = 'json', console and logfile):
//      {"time":"<ISO 8601 UTC>","level":"error|warn|info|debug","category":"Cat","message":"msg"[,"sync":"name"]}
//    one object per line; `level` uses the names log shippers recognise (Normal = "info"; lsyncd's
//    syslog priority for it is NOTICE, see syslog_sink.ts); `category` keeps lsyncd's name.
// Messages are written as given: lsyncd's multi-line messages (filter lists) stay multi-line in text
// formats; JSON escapes the newlines so one record stays one line.
//
// The pure functions below are the formats; `winstonFormat()` wraps one as a winston format that
// sets info[MESSAGE], the string winston transports write.
import winston from 'winston';

/** winston levels (lower = more severe); the value also names the JSON `level`. */
export const LOG_LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

/** One log line before formatting. */
export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  /** lsyncd category: Normal, Warn, Error, Exec, Delay, ... */
  readonly category: string;
  readonly message: string;
  /** The sync the line concerns, when known (JSON only). */
  readonly sync?: string | undefined;
}

/** The level a category is logged at. */
export function levelOf(category: string): LogLevel {
  if (category === 'Error') return 'error';
  if (category === 'Warn') return 'warn';
  if (category === 'Normal') return 'info';
  return 'debug';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** strftime("%T"): `HH:MM:SS`, local time. */
export function clockTime(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** ctime(3) without the newline: `Wed Nov  5 02:19:48 2026`, local time. */
export function ctimeString(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${clockTime(d)} ${d.getFullYear()}`;
}

export function formatConfigPhase(r: LogRecord): string {
  return `${r.category}: ${r.message}`;
}

export function formatConsole(r: LogRecord): string {
  return `${clockTime(r.time)} ${r.category}: ${r.message}`;
}

export function formatLogfile(r: LogRecord): string {
  return `${ctimeString(r.time)} ${r.category}: ${r.message}`;
}

export function formatSyslog(r: LogRecord): string {
  return `${r.category}, ${r.message}`;
}

export function formatJson(r: LogRecord): string {
  const o: { time: string; level: LogLevel; category: string; message: string; sync?: string } = {
    time: r.time.toISOString(),
    level: r.level,
    category: r.category,
    message: r.message,
  };
  if (r.sync !== undefined) o.sync = r.sync;
  return JSON.stringify(o);
}

export type LineFormat = 'console' | 'logfile' | 'syslog' | 'json';

const FORMATTERS: Readonly<Record<LineFormat, (r: LogRecord) => string>> = {
  console: formatConsole,
  logfile: formatLogfile,
  syslog: formatSyslog,
  json: formatJson,
};

/** winston's info[MESSAGE]: the final string a transport writes. */
export const MESSAGE: symbol = Symbol.for('message');

/** The info object createLog hands to winston: the record's fields at the top level. */
export function toInfo(r: LogRecord): winston.LogEntry & winston.Logform.TransformableInfo {
  return { level: r.level, message: r.message, category: r.category, time: r.time, sync: r.sync };
}

/** Reads a record back from an info object (what formats and transports receive). */
export function recordOf(info: winston.Logform.TransformableInfo): LogRecord {
  const level = info.level in LOG_LEVELS ? (info.level as LogLevel) : 'info';
  const time = info.time instanceof Date ? info.time : new Date();
  const category = typeof info.category === 'string' ? info.category : 'Normal';
  const sync = typeof info.sync === 'string' ? info.sync : undefined;
  return { time, level, category, message: String(info.message), sync };
}

/** A winston format that renders `kind` into info[MESSAGE]. */
export function winstonFormat(kind: LineFormat): winston.Logform.Format {
  const render = FORMATTERS[kind];
  return winston.format((info) => {
    info[MESSAGE] = render(recordOf(info));
    return info;
  })();
}
