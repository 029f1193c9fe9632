// The `crontab` key of a sync (lsyncd 2.3): a list of cron expressions, each of which queues a
// full transfer of the sync when the clock matches it (src/engine/cron_timer.ts arms the timers).
//
// The single home for reading one expression. lsyncd 2.3 parses them with lua-crontab, whose
// expressions have SIX fields, seconds first:
//   second minute hour day-of-month month day-of-week      e.g. "1 0 3 * * *" = 03:00:01 daily
// The fields are parsed by the npm package cron-parser (pinned in package.json; README
// "Dependencies" says why), which reads that same six-field form. Only six-field expressions are
// accepted: a classic five-field line ("*/5 * * * *") would silently shift every field by one in
// lsyncd, so here it is an error whose fix says to put the seconds in front. Times are local time,
// as lsyncd's. Day-of-week takes 0-7 (0 and 7 = Sunday) or names (MON), as standard cron.
import { CronExpressionParser } from 'cron-parser';

/** One valid expression: `next(afterMs)` is the first matching time strictly after `afterMs` (epoch ms). */
export interface CronEntry {
  readonly expression: string;
  next(afterMs: number): number;
}

export type CronParse = { readonly ok: true; readonly entry: CronEntry } | { readonly ok: false; readonly problem: string };

const FIELDS = 'second minute hour day-of-month month day-of-week';

/** Parses one expression; `problem` is a one-line reason with the fix. */
export function parseCronEntry(expression: string): CronParse {
  const fields = expression.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 6) {
    const hint = fields.length === 5 ? ` — put the seconds first, e.g. "0 ${fields.join(' ')}"` : ` — write 6 fields: ${FIELDS}, e.g. "0 0 3 * * *" for 03:00:00 daily`;
    return { ok: false, problem: `cron expression "${expression}" has ${fields.length} fields, lsyncd's crontab takes 6 (${FIELDS})${hint}` };
  }
  const text = fields.join(' ');
  try {
    // Validates now; each next() below parses again from its own start time (the parser is an iterator).
    CronExpressionParser.parse(text, { currentDate: new Date(0) });
  } catch (e) {
    return { ok: false, problem: `cron expression "${expression}" is not valid (${(e as Error).message}) — fields are ${FIELDS}, e.g. "0 0 3 * * *" for 03:00:00 daily` };
  }
  return {
    ok: true,
    entry: {
      expression,
      next: (afterMs) => CronExpressionParser.parse(text, { currentDate: new Date(afterMs) }).next().getTime(),
    },
  };
}

/** The problems of a sync's crontab list, by 0-based position (normalize.ts reports them). */
export function crontabProblems(expressions: readonly string[]): { index: number; problem: string }[] {
  return expressions.flatMap((e, index) => {
    const p = parseCronEntry(e);
    return p.ok ? [] : [{ index, problem: p.problem }];
  });
}
