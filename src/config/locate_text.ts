// Best-effort key path → line for Lua and TS/JS config text (best effort: the line of the
// offending sync{} call or key). The loader supplies an anchor line per
// top-level entry (Lua: the line of each sync{}/settings{} call, from fengari debug info); nested
// keys are then found by scanning forward from the anchor for `key =` (Lua) or `key:` (JS/TS).
// When a key is not found (e.g. a missing key, or a value built in a loop), the anchor's or the
// deepest found line is used. Never wrong by more than the extent of that sync{} block.
import type { PathSegment } from './diagnostics.js';
import type { LineLocator } from './locate_json.js';

export type KeySyntax = 'lua' | 'js';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** First line in [from, to] (1-based, inclusive) that assigns `key`, or undefined. */
export function findKeyLine(lines: readonly string[], key: string, from: number, to: number, syntax: KeySyntax): number | undefined {
  const k = escapeRe(key);
  const re = syntax === 'lua'
    ? new RegExp(`(^|[^\\w.])(${k}|\\[\\s*["']${k}["']\\s*\\])\\s*=(?!=)`)
    : new RegExp(`(^|[^\\w.])(${k}|["']${k}["'])\\s*:`);
  const comment = syntax === 'lua' ? /^\s*--/ : /^\s*\/\//;
  for (let n = Math.max(1, from); n <= Math.min(to, lines.length); n++) {
    const line = lines[n - 1]!;
    if (comment.test(line)) continue;
    if (re.test(line)) return n;
  }
  return undefined;
}

export interface TextAnchor {
  /** Path prefix this anchor stands for, e.g. ['sync', 0] or ['settings']. */
  path: readonly PathSegment[];
  /** First line of the block. */
  start: number;
  /** Last line the block may extend to. */
  end: number;
}

/**
 * Locator over text with anchors. Paths below an anchor are searched key by key inside the
 * anchor's line range; paths with no anchor fall back to a search of the whole file.
 */
export function textLineLocator(text: string, anchors: readonly TextAnchor[], syntax: KeySyntax, fallback?: number): LineLocator {
  const lines = text.split('\n');
  return (path) => {
    let best: TextAnchor | undefined;
    for (const a of anchors) {
      if (a.path.length <= path.length && a.path.every((seg, i) => seg === path[i]) && (best === undefined || a.path.length > best.path.length)) best = a;
    }
    let from = best?.start ?? 1;
    const to = best?.end ?? lines.length;
    let found: number | undefined = best?.start;
    for (const seg of path.slice(best?.path.length ?? 0)) {
      if (typeof seg !== 'string') continue;
      const l = findKeyLine(lines, seg, from, to, syntax);
      if (l === undefined) break;
      found = l;
      from = l;
    }
    return found ?? fallback;
  };
}
