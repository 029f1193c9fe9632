/**
 * A compiled lsyncd rule list: `filter` rules, then `exclude` patterns.
 *
 * Contract (docs/lsyncd-compat.md#rsync-mode-keys):
 * - `filter` lines are `+ pattern` / `- pattern`; the first matching rule wins.
 * - When no filter rule matches, the `exclude` patterns are consulted; any match excludes.
 *   That is exactly one first-match list: filters first, then every exclude as a `-` rule —
 *   which is also the serialisable form ({@link WireRule}) handed to the native watcher (so it
 *   does not watch excluded directories) and to rsync on init/full runs (docs/lsyncd-compat.md#init-and-full-transfers).
 * - A path is excluded when it, or any of its ancestor directories, is excluded: rsync never
 *   descends into an excluded directory, and the watcher never watches one.
 * - Evaluation walks the levels like rsync does: "/a/", "/a/b/", then the path; at each level
 *   the first rule whose pattern matches *that level* (CompiledPattern.testLevelByteString: the
 *   match ends at the level's end) decides; `exclude` stops, `include` or no match goes deeper.
 *   For exclude-only lists this equals lsyncd's single-path test (a match ending at an inner "/"
 *   is a match of that ancestor level). For filters it fixes an lsyncd/rsync disagreement:
 *   with `+ /src/`, `- /*`, lsyncd's single-path test excludes `/src/a.c` (because `/*` matches
 *   its prefix `/src`) while rsync transfers it; here it is included, as in rsync
 *   (docs/lsyncd-compat.md#known-lsyncd-problems, lsyncd issues #550/#445). The native watcher must evaluate
 *   the wire list the same way (level match, top-down) to agree.
 * - A malformed filter line is a configuration error with lsyncd's message
 *   `Unknown filter rule: "…"`.
 */
import { type SyncPath, toByteString } from '../paths/byte_path.js';
import { type CompiledPattern, compilePattern } from './pattern.js';

/** Serialisable rule: what crosses the N-API boundary and what rsync gets on stdin. */
export interface WireRule {
  readonly include: boolean;
  readonly pattern: string;
}

/** Raised for a filter line that is not `+ pattern` or `- pattern`. */
export class FilterRuleError extends Error {
  constructor(readonly line: string) {
    super(`Unknown filter rule: "${line}"`);
    this.name = 'FilterRuleError';
  }
}

/**
 * Parses one `filter` entry. Accepted like lsyncd (observed on 2.2.3): leading whitespace,
 * `+`/`-`, optional whitespace, then the pattern (trailing whitespace is part of the pattern —
 * names may end in spaces). Stricter than lsyncd: text before the sign (`x + y`, which lsyncd
 * silently reads as `+ y`) and an empty pattern are errors.
 */
export function parseFilterRule(line: string): WireRule {
  const m = /^[ \t]*([+-])[ \t]*([^]*)$/.exec(line);
  if (m === null || m[2] === '') throw new FilterRuleError(line);
  return { include: m[1] === '+', pattern: m[2]! };
}

export interface RuleListInput {
  /** `filter` lines (`+ pat` / `- pat`), already split into entries. */
  readonly filter?: readonly string[];
  /** `exclude` patterns (also the parsed `excludeFrom` lines). */
  readonly exclude?: readonly string[];
}

export type Verdict = 'include' | 'exclude';

export interface RuleList {
  /** The compiled list in wire form: filters in order, then excludes as `-` rules. */
  readonly rules: readonly WireRule[];
  /** True when there is at least one rule. */
  readonly active: boolean;
  /**
   * First-match verdict for this path as one level (ancestors NOT consulted), or undefined when
   * no rule matches. For a top-down walker that only asks about children of included dirs.
   */
  decide(path: SyncPath): Verdict | undefined;
  /** True when the path or any ancestor directory is excluded. */
  isExcluded(path: SyncPath): boolean;
}

/** Builds a rule list from already-serialised rules (e.g. the list sent to the watcher). */
export function compileWireRules(rules: readonly WireRule[]): RuleList {
  const compiled: { include: boolean; pat: CompiledPattern }[] = rules.map((r) => ({
    include: r.include,
    pat: compilePattern(r.pattern),
  }));
  const decideBytes = (b: string): Verdict | undefined => {
    for (const r of compiled) {
      if (r.pat.testLevelByteString(b)) return r.include ? 'include' : 'exclude';
    }
    return undefined;
  };
  const isExcludedBytes = (b: string): boolean => {
    if (compiled.length === 0) return false;
    // Ancestor directories first ("/a/", "/a/b/"), then the path itself.
    for (let i = b.indexOf('/', 1); i >= 0 && i < b.length - 1; i = b.indexOf('/', i + 1)) {
      if (decideBytes(b.slice(0, i + 1)) === 'exclude') return true;
    }
    return decideBytes(b) === 'exclude';
  };
  return {
    rules: rules.map((r) => ({ include: r.include, pattern: r.pattern })),
    active: compiled.length > 0,
    decide: (path) => decideBytes(toByteString(path)),
    isExcluded: (path) => isExcludedBytes(toByteString(path)),
  };
}

/**
 * Compiles `filter` then `exclude`. Throws {@link FilterRuleError} for a malformed filter line
 * and an Error for an empty exclude pattern.
 */
export function compileRuleList(input: RuleListInput): RuleList {
  const rules: WireRule[] = [];
  for (const line of input.filter ?? []) rules.push(parseFilterRule(line));
  for (const pattern of input.exclude ?? []) {
    if (pattern === '') throw new Error('empty exclude pattern');
    rules.push({ include: false, pattern });
  }
  return compileWireRules(rules);
}
