/**
 * Parsers for the text of `excludeFrom` and `filterFrom` files (reading the file is the
 * caller's job; a missing file is lsyncd's `Cannot open exclude file "X": …`, exit 255).
 *
 * `excludeFrom` (docs/lsyncd-compat.md#rsync-mode-keys, behaviour observed on lsyncd 2.2.3):
 * - leading whitespace is stripped; blank lines, `#` comments and lines starting with `+` are
 *   skipped; a leading `-` plus following whitespace is stripped (`- foo`, `-foo` → `foo`);
 *   trailing whitespace is kept (it is part of a file name).
 * - Deviation: a line that is empty after stripping (`-`) is skipped; lsyncd turns it into the
 *   pattern "/" which silently excludes every directory.
 * `filterFrom`: blank and `#` lines are skipped, every other line must be a filter rule
 * (`Unknown filter rule: "…"` otherwise).
 * Both: lines split on "\n"; a "\r" before it (CRLF files) is dropped.
 */
import { type WireRule, parseFilterRule } from './rule_list.js';

function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Exclude patterns from the text of an `excludeFrom` file. */
export function parseExcludeFromText(text: string): string[] {
  const out: string[] = [];
  for (const raw of lines(text)) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('+')) continue;
    const pattern = line.replace(/^-[ \t]*/, '');
    if (pattern !== '') out.push(pattern);
  }
  return out;
}

/** Filter rules from the text of a `filterFrom` file; throws FilterRuleError on a bad line. */
export function parseFilterFromText(text: string): WireRule[] {
  const out: WireRule[] = [];
  for (const raw of lines(text)) {
    const trimmed = raw.replace(/^[ \t]+/, '');
    if (trimmed.trim() === '' || trimmed.startsWith('#')) continue;
    out.push(parseFilterRule(raw));
  }
  return out;
}
