// The rule list of one configured sync: `filter` + `filterFrom` rules first, then `exclude` +
// `excludeFrom` patterns (docs/lsyncd-compat.md#rsync-mode-keys: filters first-match, then excludes), compiled
// with src/filters so the sysctl walk skips exactly what the watcher and rsync skip.
//
// Reading the two files is I/O, so it lives here (and in check-config), not in the pure loader.
// Problems are returned as values:
//  - 'unreadable': excludeFrom/filterFrom cannot be read. lsyncd exits with `Cannot open exclude
//    file "X"` (docs/lsyncd-compat.md#rsync-mode-keys); check-config reports it as a warning (the file may be created by
//    deployment later) and the walk goes on without those rules (it then counts MORE directories,
//    the safe direction for a limit).
//  - 'bad-rule': a malformed filter line (`Unknown filter rule: "…"`, lsyncd exits) or an empty
//    pattern — a config error.
import { readFileSync } from 'node:fs';
import type { NormalizedSync } from '../config/schema.js';
import { FilterRuleError, compileWireRules, parseExcludeFromText, parseFilterFromText, parseFilterRule, type RuleList, type WireRule } from './index.js';

export interface RuleProblem {
  kind: 'unreadable' | 'bad-rule';
  /** Config key the problem belongs to. */
  key: 'exclude' | 'excludeFrom' | 'filter' | 'filterFrom';
  message: string;
}

export interface SyncRules {
  /** Undefined when the rules cannot be compiled (see problems). */
  rules: RuleList | undefined;
  /** True when filter/filterFrom contributed (selects rsync's --filter form, full_argv.ts). */
  hasFilters: boolean;
  problems: RuleProblem[];
}

type RuleSource = Pick<NormalizedSync, 'exclude' | 'excludeFrom' | 'filter' | 'filterFrom'>;

export function loadSyncRules(sync: RuleSource, readText: (file: string) => string = (f) => readFileSync(f, 'utf8')): SyncRules {
  const problems: RuleProblem[] = [];
  const filterRules: WireRule[] = [];
  const exclude = [...sync.exclude];
  const hasFilters = sync.filter.length > 0 || sync.filterFrom !== undefined;
  const read = (key: 'excludeFrom' | 'filterFrom', file: string): string | undefined => {
    try {
      return readText(file);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      problems.push({ kind: 'unreadable', key, message: `cannot read ${key} file "${file}" (${why}) — lsyncd would exit with 'Cannot open exclude file'; create it or fix the path` });
      return undefined;
    }
  };
  try {
    if (sync.filterFrom !== undefined) {
      const text = read('filterFrom', sync.filterFrom);
      if (text !== undefined) filterRules.push(...parseFilterFromText(text));
    }
  } catch (e) {
    if (!(e instanceof FilterRuleError)) throw e;
    problems.push({ kind: 'bad-rule', key: 'filterFrom', message: `${e.message} in "${sync.filterFrom}" — each line must be "+ PATTERN" or "- PATTERN"` });
  }
  if (sync.excludeFrom !== undefined) {
    const text = read('excludeFrom', sync.excludeFrom);
    if (text !== undefined) exclude.push(...parseExcludeFromText(text));
  }
  let rules: RuleList | undefined;
  const wire: WireRule[] = [];
  let ok = true;
  for (const line of sync.filter) {
    try {
      wire.push(parseFilterRule(line));
    } catch (e) {
      if (!(e instanceof FilterRuleError)) throw e;
      ok = false;
      problems.push({ kind: 'bad-rule', key: 'filter', message: `${e.message} — each filter entry must be "+ PATTERN" or "- PATTERN"` });
    }
  }
  wire.push(...filterRules);
  for (const pattern of exclude) {
    if (pattern === '') {
      ok = false;
      problems.push({ kind: 'bad-rule', key: 'exclude', message: 'empty exclude pattern — remove the empty entry' });
    } else wire.push({ include: false, pattern });
  }
  if (ok) rules = compileWireRules(wire);
  return { rules, hasFilters, problems };
}
