// Config diagnostics: one error or warning = one line, `FILE:LINE: PATH: MESSAGE`, e.g.
//   /etc/lsyncd.lua:12: sync[2].rsync.compresss: unknown key — did you mean "compress"?
// Also turns zod issues into such lines and offers "did you mean" suggestions.
//
// Conventions: array indexes in paths count from 1 (sync[1] is the first sync{}, as lsyncd counts
// sync{} calls and Lua indexes tables), whatever the config format. LINE is omitted (`FILE: PATH: …`)
// only when no line can be determined. Errors are values, never thrown.
import type { z } from 'zod';
import type { NormalizedConfig } from './schema.js';

export type Severity = 'error' | 'warning';

export interface ConfigDiagnostic {
  severity: Severity;
  file: string;
  line: number | undefined;
  /** Dotted path such as `sync[2].rsync.compress`, or '' for the whole file. */
  path: string;
  message: string;
  /** The one-line rendering. */
  text: string;
}

export type LoadResult =
  | { ok: true; config: NormalizedConfig; warnings: ConfigDiagnostic[] }
  | { ok: false; errors: ConfigDiagnostic[]; warnings: ConfigDiagnostic[] };

export type PathSegment = string | number;

/** Render a path; numeric segments are 0-based array indexes and are shown 1-based. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg + 1}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function diagnostic(
  severity: Severity,
  file: string,
  line: number | undefined,
  path: string,
  message: string,
): ConfigDiagnostic {
  const loc = line === undefined ? `${file}:` : `${file}:${line}:`;
  const text = path === '' ? `${loc} ${message}` : `${loc} ${path}: ${message}`;
  return { severity, file, line, path, message, text };
}

/** Edit distance with adjacent transpositions (optimal string alignment); small inputs only. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(new Array<number>(b.length + 1).fill(0));
  for (let i = 0; i <= a.length; i++) d[i]![0] = i;
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a typo-sized distance, case-insensitively; undefined if none. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestD <= limit ? best : undefined;
}

/** Known keys of the strict object schema at a path, for suggestions. */
export type KeysAt = (path: readonly PathSegment[]) => readonly string[];

/** Keys that exist in lsyncd but not in lsyncd-ts, with the reason shown instead of "unknown key". */
const UNSUPPORTED_KEYS: Record<string, string> = {
  _computed: 'please do not use the internal rsync._computed parameter',
  collect: "collect is a Lua function of lsyncd's action API: write it in a Lua config (TS/JS configs use onCreate/onModify/... functions)",
  prepare: "prepare is a Lua function of lsyncd's action API: write it in a Lua config (TS/JS configs use onCreate/onModify/... functions)",
  checkgauge: 'checkgauge is lsyncd-internal and not supported by lsyncd-ts',
  rsyncOpts: 'removed in lsyncd 2.2; use rsync = { ... } (e.g. rsync = { archive = true, compress = true })',
  rsyncBinary: 'removed in lsyncd 2.2; use rsync = { binary = "/usr/bin/rsync" }',
  xargs: 'removed from lsyncd (see docs/lsyncd-compat.md#legacy-keys-and-validation); rsyncssh moves are handled by lsyncd-ts itself',
  delay: 'settings{} has no "delay" (as in lsyncd); set delay per sync{} or use -delay on the command line',
};

/** What a received value is, in words; a number that is not finite is named (Lua's 0/0 and 1/0). */
function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN (not a number, e.g. Lua 0/0)';
  if (v === Infinity || v === -Infinity) return v < 0 ? '-infinity (e.g. Lua -1/0)' : 'infinity (e.g. Lua 1/0)';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'table';
  return typeof v;
}

export interface IssueContext {
  file: string;
  /** Line for a path (0-based numeric segments), or undefined. */
  lineOf: (path: readonly PathSegment[]) => number | undefined;
  keysAt: KeysAt;
  /** The raw input, to describe received values. */
  input: unknown;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** One diagnostic per zod issue (unknown keys: one per key). */
export function issuesToDiagnostics(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = [...path, key];
        const parentName = path.length > 0 ? path[path.length - 1] : undefined;
        let msg: string;
        const special = UNSUPPORTED_KEYS[key];
        if (special !== undefined && (key !== 'delay' || parentName === 'settings') && (key !== '_computed' || parentName === 'rsync')) {
          msg = special;
        } else {
          const guess = didYouMean(key, ctx.keysAt(path));
          msg = guess === undefined ? 'unknown key' : `unknown key — did you mean "${guess}"?`;
        }
        out.push(diagnostic('error', ctx.file, ctx.lineOf(full), formatPath(full), msg));
      }
      continue;
    }
    const received = valueAt(ctx.input, path);
    let msg: string;
    switch (issue.code) {
      case 'invalid_type':
        msg = received === undefined ? `missing (expected ${issue.expected})` : `expected ${typeof received === 'number' ? 'a finite number' : issue.expected}, got ${describeType(received)}`;
        if (received === undefined && path[path.length - 1] === 'source') msg = 'source missing from sync (lsyncd: "source missing from sync.")';
        break;
      case 'invalid_value':
        msg = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(received)}`;
        {
          const guess = typeof received === 'string' ? didYouMean(received, issue.values.map(String)) : undefined;
          if (guess !== undefined) msg += ` — did you mean "${guess}"?`;
        }
        break;
      case 'invalid_key':
        msg = `invalid key ${JSON.stringify(String(path[path.length - 1]))}: ${issue.issues[0]?.message ?? 'not allowed here'}`;
        break;
      case 'invalid_union': {
        const bad = badListItem(path, received);
        if (bad === undefined) msg = unionMessage(path, received);
        else {
          path.push(bad.index);
          msg = bad.message;
        }
        break;
      }
      default:
        msg = issue.message;
        if (received !== undefined && typeof received !== 'object' && typeof received !== 'function') msg += `, got ${JSON.stringify(received)}`;
    }
    out.push(diagnostic('error', ctx.file, ctx.lineOf(path), formatPath(path), msg));
  }
  return out;
}

function unionMessage(path: readonly PathSegment[], received: unknown): string {
  const key = path[path.length - 1];
  const got = `got ${describeType(received)}${typeof received === 'string' || Number.isFinite(received) ? ` ${JSON.stringify(received)}` : ''}`;
  switch (key) {
    case 'delete':
      return `must be true, false, "startup" or "running", ${got}`;
    case 'exclude':
    case 'filter':
    case 'rsyncOps':
      return `expected a string or a list of strings, ${got}`;
    case 'target':
    case 'host':
      return `expected a string or a list of strings, ${got}`;
    case 'onCreate':
    case 'onModify':
    case 'onAttrib':
    case 'onDelete':
    case 'onMove':
    case 'onStartup':
      return `expected a command string or a function, ${got}`;
    case 'bwlimit':
      return `expected a number >= 0 or a string, ${got}`;
    case 'logfacility':
      return `expected a facility name or number, ${got}`;
    case 'deleteGuard':
      return `expected true, false or a table of fraction (0 < f <= 1), minimum (an integer >= 1) and window (seconds > 0) and no other keys, ${got}`;
    default:
      return `invalid value, ${got}`;
  }
}

/** `target`/`host` given as a list (expand_targets.ts) with an item that is not a non-empty string: that item. */
function badListItem(path: readonly PathSegment[], received: unknown): { index: number; message: string } | undefined {
  const key = path[path.length - 1];
  if ((key !== 'target' && key !== 'host') || !Array.isArray(received)) return undefined;
  const index = received.findIndex((v) => typeof v !== 'string' || v === '');
  if (index < 0) return undefined;
  const item: unknown = received[index];
  return { index, message: `expected a non-empty string, got ${item === '' ? 'an empty string' : describeType(item)} — each item of ${key} = [...] is one ${key}` };
}

export function sortDiagnostics(ds: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return [...ds].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
