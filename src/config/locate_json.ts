// Key path → line number for JSON config text, so JSON errors carry `FILE:LINE:` like Lua
// ones do. A small tolerant scanner over the (already JSON.parse-valid) text: every object key
// and array element is recorded at the line where it starts. Lookups fall back to the nearest
// recorded ancestor (a missing key is reported at its parent object's line).
// The same scan reports keys written twice in one object: JSON.parse silently keeps the last one,
// so a duplicate is almost always an edit mistake the loader should refuse (load_json.ts).
import type { PathSegment } from './diagnostics.js';

export type LineLocator = (path: readonly PathSegment[]) => number | undefined;

const keyOf = (path: readonly PathSegment[]): string => JSON.stringify(path);

/** Build a locator from a map of exact paths; falls back to ancestors. */
export function locatorFromMap(lines: Map<string, number>): LineLocator {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const l = lines.get(keyOf(path.slice(0, n)));
      if (l !== undefined) return l;
    }
    return undefined;
  };
}

export interface DuplicateKey {
  /** Path of the repeated key (0-based numeric segments). */
  path: PathSegment[];
  /** Line of the repetition. */
  line: number;
  /** Line where the key was first written. */
  firstLine: number;
}

/** One pass over JSON text: the line locator and every key written twice in the same object. */
export function scanJson(text: string): { lineOf: LineLocator; duplicates: DuplicateKey[] } {
  const lines = new Map<string, number>();
  const duplicates: DuplicateKey[] = [];
  let i = 0;
  let line = 1;
  const ws = (): void => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const str = (): string => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
      } else out += text[i++];
    }
    i++;
    try {
      return JSON.parse(`"${out}"`) as string;
    } catch {
      return out;
    }
  };
  const value = (path: PathSegment[]): void => {
    ws();
    if (!lines.has(keyOf(path))) lines.set(keyOf(path), line);
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Map<string, number>();
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return; }
        if (text[i] !== '"') return; // malformed: stop quietly
        const keyLine = line;
        const k = str();
        const first = seen.get(k);
        if (first !== undefined) duplicates.push({ path: [...path, k], line: keyLine, firstLine: first });
        else seen.set(k, keyLine);
        lines.set(keyOf([...path, k]), keyLine);
        ws();
        if (text[i] === ':') i++;
        value([...path, k]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') { i++; return; }
        else return;
      }
    } else if (c === '[') {
      i++;
      let n = 0;
      for (;;) {
        ws();
        if (text[i] === ']') { i++; return; }
        value([...path, n++]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') { i++; return; }
        else return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    }
  };
  value([]);
  return { lineOf: locatorFromMap(lines), duplicates };
}

/** Line of a character offset. */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}
