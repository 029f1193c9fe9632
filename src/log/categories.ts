// Log categories: parsing and checking `-log` arguments the way lsyncd does (docs/lsyncd-compat.md#logging,
// lsyncd.c add_logcat / check_logcat).
//
// Contract:
//  - `Normal`, `Warn` and `Error` are always on; `-log scarce` leaves only `Warn` and `Error`;
//    `-log all` enables every category, known or not; `-log NAME` enables one debug category.
//  - lsyncd keeps one threshold: each category has a priority (Error = LOG_ERR, Warn = LOG_WARNING,
//    Normal and every `-log NAME` = LOG_NOTICE, anything else = 99) and a line is written when its
//    priority <= the threshold (default LOG_NOTICE, `scarce` = LOG_WARNING, `all` = 99). So `scarce`
//    also silences named debug categories, and the last of `all` / `scarce` wins. Reproduced exactly.
//  - A name must start with A–Z, else lsyncd's error `'x' is not a valid logging category`
//    (CategoryError, thrown for the first bad name). Other names are accepted as lsyncd does, but
//    names it never logs are reported by `unknownCategories` so a typo (`Exce`) is not silently dead.
//  - `isCategoryArg` is that rule, the only one: the lsyncd command line (config/cli_args.ts), the
//    `run` subcommand (cli/commands/run.ts) and the logger itself all ask it, so a `-log` value
//    is accepted or refused the same way everywhere.

/** Always-on categories (docs/lsyncd-compat.md#logging). */
export const ALWAYS_CATEGORIES = ['Normal', 'Warn', 'Error'] as const;

/** Debug categories lsyncd 2.2 knows, plus 2.3's Info and Tunnel. */
export const DEBUG_CATEGORIES = [
  'Alarm',
  'Call',
  'Debug',
  'Delay',
  'Exec',
  'Exclude',
  'Filter',
  'FWrite',
  'Fsevents',
  'Function',
  'Inotify',
  'Masterloop',
  'Statusfile',
  'Info',
  'Tunnel',
] as const;

// syslog(3) priorities as lsyncd uses them for the threshold.
const LOG_ERR = 3;
const LOG_WARNING = 4;
const LOG_NOTICE = 5;
const ALL = 99;

export class CategoryError extends Error {
  constructor(readonly category: string) {
    super(`'${category}' is not a valid logging category`);
    this.name = 'CategoryError';
  }
}

export interface CategorySelection {
  /** lsyncd's log_level: LOG_NOTICE by default, LOG_WARNING for scarce, 99 for all. */
  readonly threshold: number;
  /** Categories named with -log (besides all/scarce), in order, without duplicates. */
  readonly named: readonly string[];
}

/** Whether `name` is a valid `-log` value: `all`, `scarce`, or a name starting with A–Z (lsyncd's add_logcat). */
export function isCategoryArg(name: string): boolean {
  return name === 'all' || name === 'scarce' || /^[A-Z]/.test(name);
}

/** Parses `-log` arguments in order. Throws CategoryError for a name not starting with A–Z. */
export function parseCategories(args: readonly string[]): CategorySelection {
  let threshold = LOG_NOTICE;
  const named: string[] = [];
  for (const name of args) {
    if (name === 'all') threshold = ALL;
    else if (name === 'scarce') threshold = LOG_WARNING;
    else if (!isCategoryArg(name)) throw new CategoryError(name);
    else if (!named.includes(name)) named.push(name);
  }
  return { threshold, named };
}

/** lsyncd's check_logcat: the priority a category is logged with. */
export function categoryPriority(sel: CategorySelection, category: string): number {
  if (category === 'Error') return LOG_ERR;
  if (category === 'Warn') return LOG_WARNING;
  if (category === 'Normal') return LOG_NOTICE;
  return sel.named.includes(category) ? LOG_NOTICE : ALL;
}

export function categoryEnabled(sel: CategorySelection, category: string): boolean {
  return categoryPriority(sel, category) <= sel.threshold;
}

/** Names given with -log that no code path logs under (likely typos), for a warning. */
export function unknownCategories(sel: CategorySelection): string[] {
  const known = new Set<string>([...ALWAYS_CATEGORIES, ...DEBUG_CATEGORIES]);
  return sel.named.filter((n) => !known.has(n));
}
