// Loads a JSON config and validates it with the shared schema.
// JSON syntax errors and schema errors carry the line (locate_json.ts). A key written twice in one
// object is an error at the second line (JSON.parse would silently keep the last value).
import { diagnostic, formatPath, type LoadResult } from './diagnostics.js';
import { lineAtOffset, scanJson } from './locate_json.js';
import type { ConfigOverrides } from './normalize.js';
import { validateConfig } from './validate.js';

export function loadJsonConfigText(file: string, text: string, overrides?: ConfigOverrides): LoadResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /line (\d+)/.exec(msg) ?? null;
    const pos = /position (\d+)/.exec(msg);
    const line = m !== null ? Number(m[1]) : pos !== null ? lineAtOffset(text, Number(pos[1])) : undefined;
    const hint = /Expected ',' or '[}\]]'/.test(msg) ? ' — a comma is probably missing before this point'
      : /Unexpected token '?[}\]]/.test(msg) || /trailing comma|Expected double-quoted property name/.test(msg) ? ' — a trailing comma or an unquoted key? JSON allows neither' : '';
    return { ok: false, errors: [diagnostic('error', file, line, '', `JSON syntax error: ${msg.replace(/\s*\(line \d+ column \d+\)/, '')}${hint}`)], warnings: [] };
  }
  const { lineOf, duplicates } = scanJson(text);
  if (duplicates.length > 0) {
    const errors = duplicates.map((d) => diagnostic('error', file, d.line, formatPath(d.path),
      `duplicate key (also set on line ${d.firstLine}; JSON would silently keep only the last value) — remove one of them`));
    return { ok: false, errors, warnings: [] };
  }
  return validateConfig(raw, { file, lineOf, overrides });
}
