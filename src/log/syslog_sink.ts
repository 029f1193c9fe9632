// syslog: a winston transport writing through syslog(3) in the addon (src/system/system_calls.ts),
// used when daemonized without a logfile, as lsyncd does (docs/lsyncd-compat.md#logging).
//
// Contract:
//  - `openlog(logident, LOG_PID | LOG_NDELAY, facility)` once when built; every line is
//    `syslog(facility | level, "%s", "Cat, msg")` — lsyncd's text; time, host, ident and pid are
//    added by syslog itself. No socket protocol of our own: journald, rsyslog or
//    whatever owns /dev/log receives it the way it receives every other daemon's lines.
//  - Levels: Error → LOG_ERR, Warn → LOG_WARNING, Normal → LOG_NOTICE (as lsyncd), debug
//    categories → LOG_DEBUG (lsyncd logs `-log X` categories at LOG_NOTICE; LOG_DEBUG lets a
//    syslog filter tell them apart — they are only enabled on request anyway).
//  - `logfacility`: a name, case-insensitive as lsyncd's strcasecmp over facilitynames
//    (`user`, `daemon`, `local0`…`local7`, …), or a number, taken as lsyncd does as the raw
//    facility value (LOG_DAEMON = 24, not 3). Unknown → lsyncd's `Logging facility 'x' unknown.`
//  - syslog(3) never fails towards the caller (no /dev/log = lines are lost, as with lsyncd).
import type winston from 'winston';

import { SYSLOG_FACILITIES, SYSLOG_LEVELS, syslogOpen, syslogWrite } from '../system/system_calls.js';
import { type LogLevel, MESSAGE, recordOf } from './formats.js';
import { TransportBase, type TransportInfo } from './sink_base.js';

export class FacilityError extends Error {
  constructor(readonly facility: string | number) {
    super(`Logging facility '${facility}' unknown.`);
    this.name = 'FacilityError';
  }
}

/** The facility value (already shifted, e.g. daemon = 24) for a `logfacility` setting. */
export function resolveFacility(value: string | number): number {
  if (typeof value === 'number') {
    const valid = Object.values(SYSLOG_FACILITIES);
    if (!valid.includes(value)) throw new FacilityError(value);
    return value;
  }
  const name = value.toLowerCase();
  // glibc's facilitynames also accepts 'security' (= auth).
  const f = name === 'security' ? SYSLOG_FACILITIES.auth : SYSLOG_FACILITIES[name];
  if (f === undefined) throw new FacilityError(value);
  return f;
}

/** syslog level for a winston level (formats.ts levelOf). */
export function syslogLevelOf(level: LogLevel): number {
  switch (level) {
    case 'error':
      return SYSLOG_LEVELS.err;
    case 'warn':
      return SYSLOG_LEVELS.warning;
    case 'info':
      return SYSLOG_LEVELS.notice;
    case 'debug':
      return SYSLOG_LEVELS.debug;
  }
}

/** The two syslog(3) calls, replaceable in tests. */
export interface SyslogApi {
  open(ident: string, facility: number): void;
  write(priority: number, message: string): void;
}

export const nativeSyslog: SyslogApi = { open: syslogOpen, write: syslogWrite };

export interface SyslogTransportOptions {
  readonly ident: string;
  /** Resolved facility value (resolveFacility). */
  readonly facility: number;
  /** Sets info[MESSAGE] (formats.ts 'syslog'). */
  readonly format: winston.Logform.Format;
  readonly api?: SyslogApi;
}

export class SyslogTransport extends TransportBase {
  private readonly facility: number;
  private readonly api: SyslogApi;

  constructor(opts: SyslogTransportOptions) {
    super({ format: opts.format });
    this.facility = opts.facility;
    this.api = opts.api ?? nativeSyslog;
    this.api.open(opts.ident, opts.facility);
  }

  override log(info: TransportInfo, next: () => void): void {
    this.api.write(this.facility | syslogLevelOf(recordOf(info).level), String(info[MESSAGE]));
    next();
  }
}
