// Shared helpers for the config tests: fixture paths and compact views of a LoadResult.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../../src/config/diagnostics.js';
import { loadLuaConfigText } from '../../src/config/load_lua.js';
import { validateConfig } from '../../src/config/validate.js';
import type { NormalizedConfig } from '../../src/config/schema.js';

/** Repository root (tests run from dist/test/config/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixture = (...p: string[]): string => path.join(repoRoot, 'test/fixtures/config', ...p);

export function errorTexts(r: LoadResult): string[] {
  return r.ok ? [] : r.errors.map((e) => e.text);
}
export function warningTexts(r: LoadResult): string[] {
  return r.warnings.map((w) => w.text);
}
export function expectOk(r: LoadResult): NormalizedConfig {
  if (!r.ok) assert.fail(`expected a valid config, got:\n${r.errors.map((e) => e.text).join('\n')}`);
  return r.config;
}
export function lua(text: string): LoadResult {
  return loadLuaConfigText('t.lua', text);
}
export function json(raw: unknown): LoadResult {
  return validateConfig(raw, { file: 'c.json' });
}
