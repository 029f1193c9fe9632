/**
 * One lsyncd exclude/filter pattern, compiled to a matcher.
 *
 * Semantics (docs/lsyncd-compat.md#rsync-mode-keys, lsyncd `Excludes.toLuaPattern` + `test`):
 * - `?` matches one non-"/" byte, `*` a run of non-"/" bytes, `**` (any run of 2+ stars) anything.
 * - A leading "/" anchors the pattern at the sync root; otherwise the pattern must start at the
 *   beginning of some path component (lsyncd prefixes "/" and searches).
 * - The match must end at a "/" or at the end of the tested path.
 * - Tested paths are root-relative with a leading "/"; directories carry a trailing "/", so
 *   `erd/` matches the directory `/d/erd/` but not the file `/d/erd`.
 *
 * Deliberate differences from lsyncd, all towards rsync so that event filtering (here and in the
 * C++ watcher, native/core/rule_matcher.cc) and rsync runs (which receive the same rules, docs/lsyncd-compat.md#init-and-full-transfers)
 * agree — lsyncd issues #550/#445/#386 are about exactly this disagreement:
 * - `[...]` is a character class with rsync wildmatch rules: `!` or `^` negates, `a-z` ranges,
 *   `]` right after `[`/`[!` is literal, `\` escapes inside, `[:alpha:]` POSIX classes, and a
 *   class never matches "/". An unterminated `[` (or a malformed `[:x:]`) makes the whole pattern
 *   match nothing, as rsync's wildmatch returns ABORT_ALL (checked against rsync 3.x).
 * - `\x` outside a class is a literal `x` — but only in a *wildcard* pattern (one containing `*`,
 *   `?` or `[`). rsync compares a pattern without those characters with strcmp, so there a
 *   backslash is an ordinary byte (checked against rsync 3.x: `--exclude='b\]'` does not exclude
 *   `b]`, `--exclude='a\b'` excludes the file `a\b`).
 *
 * Matching is byte-exact (see src/paths/byte_path.ts): the pattern's UTF-8 bytes against the
 * path's bytes, like rsync and Lua, so a `?` consumes one byte of a multi-byte character.
 * The shared truth table test/fixtures/rule-cases.tsv pins all of this down.
 */
import { type SyncPath, toByteString } from '../paths/byte_path.js';

export interface CompiledPattern {
  /** The pattern text as configured. */
  readonly source: string;
  /** True when the pattern starts with "/" (anchored at the sync root). */
  readonly anchored: boolean;
  /** Does this single path match? (Ancestor handling is the rule list's job.) */
  test(path: SyncPath): boolean;
  /** Same as {@link test} for a path already in byte-string form (hot path). */
  testByteString(path: string): boolean;
  /**
   * Level match, for rule lists that walk ancestors themselves (rule_list.ts): the match must
   * end at the end of the path or at a directory path's own trailing "/", never at an inner "/".
   * With an ancestor walk this is equivalent to {@link test} for plain exclude lists, and it is
   * what makes first-match filter lists agree with rsync (see rule_list.ts). Byte-string input.
   */
  testLevelByteString(path: string): boolean;
}

const hex = (code: number): string => `\\x${code.toString(16).padStart(2, '0')}`;

/** Regex source for one byte (as a char of a byte string), escaped unconditionally. */
const lit = (ch: string): string => {
  const c = ch.charCodeAt(0);
  return /[A-Za-z0-9_]/.test(ch) ? ch : hex(c);
};

/** POSIX character classes in the C locale, as regex class fragments. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  space: '\\t\\n\\x0b\\x0c\\r ',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/** Thrown internally when rsync's wildmatch would ABORT_ALL (pattern matches nothing). */
class Abort extends Error {}

/**
 * Parses a `[...]` class starting at `src[start] === '['`.
 * Returns the regex fragment and the index just past the closing `]`.
 */
function parseClass(src: string, start: number): { re: string; next: number } {
  let j = start + 1;
  let negate = false;
  if (src[j] === '!' || src[j] === '^') {
    negate = true;
    j++;
  }
  const items: string[] = [];
  let prev: number | null = null;
  let first = true;
  for (;;) {
    if (j >= src.length) throw new Abort();
    const c = src[j]!;
    if (c === ']' && !first) break;
    first = false;
    if (c === '\\') {
      j++;
      if (j >= src.length) throw new Abort();
      items.push(hex(src.charCodeAt(j)));
      prev = src.charCodeAt(j);
    } else if (c === '-' && prev !== null && j + 1 < src.length && src[j + 1] !== ']') {
      j++;
      let hi = src.charCodeAt(j);
      if (src[j] === '\\') {
        j++;
        if (j >= src.length) throw new Abort();
        hi = src.charCodeAt(j);
      }
      if (hi >= prev) items.push(`${hex(prev)}-${hex(hi)}`);
      prev = null;
    } else if (c === '[' && src[j + 1] === ':') {
      const close = src.indexOf(']', j + 2);
      if (close < 0) throw new Abort();
      if (close - 1 >= j + 2 && src[close - 1] === ':') {
        const cls = POSIX_CLASSES[src.slice(j + 2, close - 1)];
        if (cls === undefined) throw new Abort();
        items.push(cls);
        prev = null;
        j = close;
      } else {
        // No ":]": the "[" is an ordinary member of the set (rsync: "treat like a normal set").
        items.push(hex(0x5b));
        prev = 0x5b;
      }
    } else {
      items.push(hex(src.charCodeAt(j)));
      prev = src.charCodeAt(j);
    }
    j++;
  }
  const body = items.join('');
  const re = negate ? `[^${body}\\x2f]` : body === '' ? '(?!)' : `(?!\\x2f)[${body}]`;
  return { re, next: j + 1 };
}

/** Regex body for the part of the pattern after the optional anchor "/". */
function patternBody(src: string, wild: boolean): string {
  if (!wild) return Array.from(src, lit).join('');
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '*') {
      let n = 0;
      while (src[i] === '*') {
        n++;
        i++;
      }
      out += n >= 2 ? '.*' : '[^/]*';
      continue;
    }
    if (c === '?') {
      out += '[^/]';
    } else if (c === '\\') {
      // Trailing lone backslash: taken literally.
      if (i + 1 < src.length) i++;
      out += lit(src[i]!);
    } else if (c === '[') {
      const cls = parseClass(src, i);
      out += cls.re;
      i = cls.next;
      continue;
    } else {
      out += lit(c);
    }
    i++;
  }
  return out;
}

/**
 * Compiles one pattern. Throws on an empty pattern (lsyncd would turn "" into "/" and thereby
 * exclude every directory — never what anyone meant).
 */
export function compilePattern(pattern: string): CompiledPattern {
  if (pattern === '') throw new Error('empty exclude/filter pattern');
  const src = toByteString(pattern);
  const anchored = src.startsWith('/');
  const rest = anchored ? src.slice(1) : src;
  const wild = /[*?[]/.test(src);
  let re: RegExp | null = null;
  let level: RegExp | null = null;
  try {
    // lsyncd: anchored -> "^/" + body; otherwise "/" + body searched anywhere; then "/" or end.
    const head = `${anchored ? '^' : ''}\\x2f${patternBody(rest, wild)}`;
    re = new RegExp(`${head}(?:\\x2f|$)`, 's');
    level = new RegExp(`${head}\\x2f?$`, 's');
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
  }
  const check = (path: string): void => {
    if (path.charCodeAt(0) !== 0x2f) {
      throw new TypeError(`paths for exclusion tests must start with "/": ${JSON.stringify(path)}`);
    }
  };
  const testByteString = (path: string): boolean => {
    check(path);
    return re !== null && re.test(path);
  };
  const testLevelByteString = (path: string): boolean => {
    check(path);
    return level !== null && level.test(path);
  };
  return {
    source: pattern,
    anchored,
    testByteString,
    testLevelByteString,
    test: (path: SyncPath): boolean => testByteString(toByteString(path)),
  };
}
