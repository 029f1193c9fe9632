// Entry point of the configuration layer: pick the loader by file extension and return
// a validated, normalised config or one-line diagnostics — as values, never thrown.
//   *.json → load_json.ts;  *.ts/*.mts/*.cts/*.js/*.mjs/*.cjs → load_module.ts;
//   anything else (*.lua, lsyncd's usual *.conf, no extension) → Lua, as lsyncd itself would.
import { readFile } from 'node:fs/promises';
import { diagnostic, type LoadResult } from './diagnostics.js';
import { loadJsonConfigText } from './load_json.js';
import { loadLuaConfigText } from './load_lua.js';
import { loadModuleConfig } from './load_module.js';
import type { ConfigOverrides } from './normalize.js';

export type ConfigFormat = 'json' | 'module' | 'lua';

export function configFormatOf(file: string): ConfigFormat {
  if (/\.json$/i.test(file)) return 'json';
  if (/\.(ts|mts|cts|js|mjs|cjs)$/i.test(file)) return 'module';
  return 'lua';
}

export interface LoadOptions {
  /**
   * check-config: validate without side effects. A Lua config's os.execute, io.popen, os.remove
   * and os.rename do nothing and are reported as warnings (load_lua.ts). A TS/JS config is a
   * program and runs as written.
   */
  readonly checkOnly?: boolean;
}

/** Load, validate and normalise a config file. `overrides` are command-line values (-delay, -logfile ...). */
export async function loadConfig(file: string, overrides?: ConfigOverrides, opts: LoadOptions = {}): Promise<LoadResult> {
  const format = configFormatOf(file);
  if (format === 'module') return loadModuleConfig(file, overrides);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [diagnostic('error', file, undefined, '', `cannot read config: ${(e as Error).message}`)], warnings: [] };
  }
  return loadConfigText(file, text, format, overrides, opts);
}

/** Validate config text already in memory (JSON or Lua). */
export function loadConfigText(file: string, text: string, format: 'json' | 'lua', overrides?: ConfigOverrides, opts: LoadOptions = {}): LoadResult {
  return format === 'json' ? loadJsonConfigText(file, text, overrides) : loadLuaConfigText(file, text, { overrides, checkOnly: opts.checkOnly });
}
