// Loads an lsyncd Lua config UNCHANGED in fengari (Lua 5.3 in JS) and validates the result with
// the same schema as JSON/TS configs (docs/lsyncd-compat.md#config-files).
//
// The Lua environment is lsyncd's config-time surface:
//  - `settings{...}` / `settings{'nodaemon'}` (integer entry = true) / `settings('key')` (read back);
//    the legacy `settings = {...}` is rejected with lsyncd's message (docs/lsyncd-compat.md#config-files).
//  - `sync{ default.rsync | default.rsyncssh | default.direct, ... }`, with lsyncd's inheritance
//    of positional tables (any table in the list part is merged in for keys not set).
//  - the full Lua standard library of fengari (loops, locals, string functions, os.getenv, ...),
//    plus io.popen(cmd [, "r"]), which fengari lacks and lsyncd configs use to read a command's
//    output (`io.popen("hostname"):read("*l")`): the command runs to completion through /bin/sh,
//    its stdout is buffered and read back with read("l"/"L"/"a"/"n"/N), lines() and close().
// Lua action functions of custom syncs (action, onCreate …, init, prepare, collect) and the
// runtime API they use (inlet, events, spawn, spawnShell, log …) are lua_actions.ts: the state is
// kept for them after the load.
// Diagnostics carry the line of the sync{}/settings{} call (fengari debug info) refined to the
// key's own line by a scan of that block (locate_text.ts). Syntax errors get a human hint and all
// missing commas are reported in one go (lua_syntax_hint.ts).
// A runaway config (endless loop) is stopped after LUA_INSTRUCTION_LIMIT VM instructions.
// check-config (`checkOnly`) validates without side effects: os.execute, io.popen, os.remove and
// os.rename are replaced by stubs that do nothing (os.execute reports success, io.popen a command
// with empty output) and each use becomes a warning naming the call and its line. The daemon runs
// them as written. fengari has no io.open, so a config cannot write files through it either way.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import fengari from 'fengari';
import type { LuaState } from 'fengari';
import { diagnostic, formatPath, type ConfigDiagnostic, type LoadResult, type PathSegment } from './diagnostics.js';
import { commaFix, explainLuaSyntaxError, splitLuaError } from './lua_syntax_hint.js';
import { isLuaTable, LuaConversionError, LuaFunctionRef, readLuaValue, toPlain, type LuaJs, type LuaTableValue } from './lua_values.js';
import { textLineLocator, type TextAnchor } from './locate_text.js';
import { LUA_ACTIONS_PRELUDE, LUA_FUNCTION_KEYS, LuaActionRuntime } from './lua_actions.js';
import type { ConfigOverrides } from './normalize.js';
import { syncSchema } from './schema.js';
import { validateConfig } from './validate.js';

const { lua, lauxlib, lualib, to_luastring } = fengari;

export const LUA_INSTRUCTION_LIMIT = 50_000_000;
const LEGACY_SETTINGS = '__lsyncdts_legacy_settings__';
const LEGACY_SETTINGS_MESSAGE = 'Do not use settings = { ... }; please use settings{ ... } (without the equal sign)';

const PRELUDE = `
local reg = { settingsCalls = {}, syncs = {} }
__lsyncdts = reg
default = {
  rsync = { __lsyncdts_mode = 'rsync' },
  rsyncssh = { __lsyncdts_mode = 'rsyncssh' },
  direct = { __lsyncdts_mode = 'direct' },
}
-- Read-only io.popen over a command's complete output (see the header).
local function reader(out, how, code)
  local pos = 1
  local function one(fmt)
    if type(fmt) == 'number' then
      if pos > #out and fmt > 0 then return nil end
      local s = out:sub(pos, pos + fmt - 1)
      pos = pos + #s
      return s
    end
    local c = tostring(fmt):gsub('^%*', ''):sub(1, 1)
    if c == 'a' then
      local s = out:sub(pos)
      pos = #out + 1
      return s
    end
    if pos > #out then return nil end
    if c == 'l' or c == 'L' then
      local e = out:find('\\n', pos, true)
      local s
      if e then s = out:sub(pos, c == 'L' and e or e - 1); pos = e + 1 else s = out:sub(pos); pos = #out + 1 end
      return s
    end
    if c == 'n' then
      local b, e = out:find('^%s*[-+]?%d*%.?%d+', pos)
      if not b then return nil end
      pos = e + 1
      return tonumber(out:sub(b, e))
    end
    error("bad argument to 'read' (invalid format)", 3)
  end
  local h = {}
  function h:read(...)
    local n = select('#', ...)
    if n == 0 then return one('l') end
    local r = {}
    for i = 1, n do
      r[i] = one((select(i, ...)))
      if r[i] == nil then return table.unpack(r, 1, i) end
    end
    return table.unpack(r, 1, n)
  end
  function h:lines(fmt) return function() return one(fmt or 'l') end end
  function h:close()
    if how == 'exit' and code == 0 then return true, how, code end
    return nil, how, code
  end
  return h
end
reg.reader = reader
local popenRun = __lsyncdts_popen_run
__lsyncdts_popen_run = nil
io.popen = function(cmd, mode)
  if type(cmd) ~= 'string' then error("bad argument #1 to 'popen' (string expected)", 2) end
  if mode ~= nil and mode ~= 'r' then error('io.popen: only mode "r" (read the output) is available in lsyncd-ts configs', 2) end
  return reader(popenRun(cmd))
end
local function callerLine()
  local info = debug.getinfo(3, 'l')
  return info and info.currentline or -1
end
local settingsFn
settingsFn = function(t)
  if type(t) == 'string' then
    local v
    for _, c in ipairs(reg.settingsCalls) do
      if c.t[t] ~= nil then v = c.t[t] end
      for _, p in ipairs(c.t) do if p == t then v = true end end
    end
    return v
  end
  if type(t) ~= 'table' then error('settings{} expects a table', 2) end
  reg.settingsCalls[#reg.settingsCalls + 1] = { line = callerLine(), t = t, afterSync = #reg.syncs > 0 }
end
settings = settingsFn
-- lsyncd 2.3's tunnel{}: the table itself, validated with the sync (src/config/tunnel_config.ts).
function tunnel(t)
  if type(t) ~= 'table' then error('tunnel{} expects a table, e.g. tunnel{ command = { "ssh", "-N", "-L", "8873:localhost:873", "host" }, checkport = 8873 }', 2) end
  return t
end
function sync(t)
  if type(settings) ~= 'function' then error('${LEGACY_SETTINGS}', 0) end
  if type(t) ~= 'table' then error('sync{} expects a table, e.g. sync{ default.rsync, source = "/src", target = "host:/dst" }', 2) end
  reg.syncs[#reg.syncs + 1] = { line = callerLine(), t = t }
  return t
end
`;

// check-config only: side-effect-free stand-ins, recording what the config called and where.
const CHECK_ONLY_STUBS = `
local used = {}
__lsyncdts.stubbed = used
local function note(name)
  local info = debug.getinfo(3, 'l')
  used[#used + 1] = { name = name, line = info and info.currentline or -1 }
end
os.execute = function(cmd)
  note('os.execute')
  if cmd == nil then return true end
  return true, 'exit', 0
end
os.remove = function() note('os.remove') return true end
os.rename = function() note('os.rename') return true end
io.popen = function()
  note('io.popen')
  return __lsyncdts.reader('', 'exit', 0)
end
`;

export interface LuaLoadOptions {
  overrides?: ConfigOverrides | undefined;
  /** check-config: stub the calls with side effects (see above) and warn where they were used. */
  checkOnly?: boolean | undefined;
}

function loadChunk(L: LuaState, text: string, chunkName: string): string | undefined {
  const buf = to_luastring(text);
  const st = lauxlib.luaL_loadbuffer(L, buf, buf.length, to_luastring(`@${chunkName}`));
  if (st === lua.LUA_OK) return undefined;
  const msg = lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  return msg;
}

/** Syntax check that reports every missing comma at once (re-parsing with each fix applied). */
function syntaxDiagnostics(file: string, text: string, firstError: string): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  let current = text;
  let err: string | undefined = firstError;
  for (let round = 0; err !== undefined && round < 20; round++) {
    const p = explainLuaSyntaxError(current, err);
    const msg = p.hint === undefined ? `syntax error: ${p.luaMessage}` : `syntax error: ${p.hint} (Lua: ${p.luaMessage})`;
    out.push(diagnostic('error', file, p.commaAfterLine ?? p.line, '', msg));
    if (p.commaAfterLine === undefined) break;
    current = commaFix(current, p.commaAfterLine);
    const L = lauxlib.luaL_newstate();
    err = loadChunk(L, current, file);
  }
  return out;
}

function lastCodeLine(text: string): number {
  const lines = text.split('\n');
  let n = lines.length;
  while (n > 1 && lines[n - 1]!.trim() === '') n--;
  return n;
}

/** lsyncd's positional-table inheritance: fields of tables in the list part fill unset keys. */
function flatten(t: LuaTableValue, errors: { path: PathSegment[]; message: string }[], path: PathSegment[]): Map<string, LuaJs> {
  const out = new Map(t.fields);
  t.positional.forEach((p, i) => {
    if (!isLuaTable(p)) {
      errors.push({ path, message: `unexpected list entry #${i + 1} (${typeof p === 'string' ? JSON.stringify(p) : typeof p}) — sync{} takes key = value pairs and at most a parent such as default.rsync` });
      return;
    }
    for (const [k, v] of flatten(p, errors, path)) {
      const mine = out.get(k);
      if (mine === undefined) out.set(k, v);
      else if (isLuaTable(mine) && isLuaTable(v)) {
        const merged = new Map(mine.fields);
        for (const [k2, v2] of v.fields) if (!merged.has(k2)) merged.set(k2, v2);
        out.set(k, { kind: 'table', fields: merged, positional: mine.positional });
      }
    }
  });
  return out;
}

/** Report Lua functions/conversion errors and drop them so zod does not report them twice. */
function extractBadValues(v: unknown, path: PathSegment[], errors: { path: PathSegment[]; message: string }[]): unknown {
  if (v instanceof LuaFunctionRef) {
    errors.push({ path, message: 'expected a value, got a Lua function' });
    return undefined;
  }
  if (v instanceof LuaConversionError) {
    errors.push({ path, message: v.message });
    return undefined;
  }
  if (Array.isArray(v)) return v.map((x, i) => extractBadValues(x, [...path, i], errors));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = extractBadValues(x, [...path, k], errors);
      if (y !== undefined) o[k] = y;
    }
    return o;
  }
  return v;
}

/** Keys only one mode reads: elsewhere a config's own key of that name is left to its Lua. */
const RSYNCSSH_ONLY = new Set(['host', 'targetdir', 'ssh', 'sshExitCodes']);

/**
 * lsyncd's `checkgauge`: a config table (such as examples/lpostcmd.lua's) declares the extra keys
 * its Lua functions read (`postcmd = true`, `host = true`). Those stay in the Lua table and are not
 * validated, unless the sync's mode reads a key of that name itself (target, or host/targetdir for
 * rsyncssh). The checkgauge table itself is dropped.
 */
function dropGaugedKeys(obj: Record<string, unknown>, gauge: LuaJs | undefined): void {
  if (!isLuaTable(gauge)) return;
  delete obj['checkgauge'];
  const mode = obj['mode'];
  const known = new Set(Object.keys(syncSchema.shape));
  for (const [key, declared] of gauge.fields) {
    if (declared !== true || key === 'source' || key === 'checkgauge') continue;
    const modeReadsIt = known.has(key) && (mode === 'rsyncssh' ? key !== 'target' : !RSYNCSSH_ONLY.has(key));
    if (!modeReadsIt) delete obj[key];
  }
}

/**
 * Replaces the Lua functions of sync `index` by its ActionFunctions (lua_actions.ts): the
 * built-in functions of default.X tables are dropped; on a default.X sync a user's `action` (with
 * `collect`) becomes its InletAction, and other functions but prepare are errors naming the key.
 */
function attachLuaFunctions(obj: Record<string, unknown>, index: number, runtime: LuaActionRuntime, errors: { path: PathSegment[]; message: string }[]): void {
  const mine = runtime.userFunctions(index);
  for (const key of LUA_FUNCTION_KEYS) {
    if (obj[key] instanceof LuaFunctionRef) delete obj[key];
  }
  if (mine.size === 0) return;
  const mode = obj['mode'];
  if (typeof mode === 'string') {
    // action (and its collect) runs in front of the built-in transport; prepare ran at load.
    if (mine.has('action')) obj['action'] = runtime.inletAction(index, mine.has('collect'));
    for (const key of mine) {
      if (key === 'prepare' || (mine.has('action') && (key === 'action' || key === 'collect'))) continue;
      errors.push({
        path: ['sync', index, key],
        message: `a Lua function as ${key} on a default.${mode} sync is not supported by lsyncd-ts: default.${mode} runs in the built-in transport (only action, collect and prepare can be Lua there) — drop default.${mode} for a custom action sync, or drop the function`,
      });
    }
    return;
  }
  Object.assign(obj, runtime.actionsFor(index, mine));
}

/** io.popen's runner: `cmd` through /bin/sh to completion → stdout, "exit"/"signal", code. */
function popenRun(L: LuaState): number {
  const cmd = fengari.to_jsstring(lauxlib.luaL_checkstring(L, 1));
  const r = spawnSync('/bin/sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  lua.lua_pushstring(L, r.stdout ?? new Uint8Array(0));
  lua.lua_pushstring(L, to_luastring(r.signal !== null ? 'signal' : 'exit'));
  lua.lua_pushinteger(L, r.signal !== null ? (osConstants.signals[r.signal] ?? 0) : (r.status ?? 127));
  return 3;
}

/** Load and validate Lua config text. `file` is only used in messages and as the chunk name. */
export function loadLuaConfigText(file: string, text: string, opts: LuaLoadOptions = {}): LoadResult {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushjsfunction(L, popenRun);
  lua.lua_setglobal(L, to_luastring('__lsyncdts_popen_run'));
  const runtime = new LuaActionRuntime(L, LUA_INSTRUCTION_LIMIT, createHash('sha256').update(text).digest('hex').slice(0, 16));
  LuaActionRuntime.installCallbacks(L, () => runtime);
  for (const [chunk, name] of [[PRELUDE, '=lsyncd-ts prelude'], [LUA_ACTIONS_PRELUDE, '=lsyncd-ts action API']] as const) {
    const preludeErr = loadChunk(L, chunk, name);
    if (preludeErr !== undefined || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      return { ok: false, errors: [diagnostic('error', file, undefined, '', `internal error: Lua prelude failed: ${preludeErr ?? lua.lua_tojsstring(L, -1)}`)], warnings: [] };
    }
  }
  if (opts.checkOnly === true) {
    const stubErr = loadChunk(L, CHECK_ONLY_STUBS, '=lsyncd-ts check-config stubs');
    if (stubErr !== undefined || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      return { ok: false, errors: [diagnostic('error', file, undefined, '', `internal error: Lua stubs failed: ${stubErr ?? lua.lua_tojsstring(L, -1)}`)], warnings: [] };
    }
  }
  const syntaxErr = loadChunk(L, text, file);
  if (syntaxErr !== undefined) return { ok: false, errors: syntaxDiagnostics(file, text, syntaxErr), warnings: [] };

  let steps = 0;
  lua.lua_sethook(L, (hl, ar) => {
    steps += 1_000_000;
    if (steps < LUA_INSTRUCTION_LIMIT) return;
    lua.lua_getinfo(hl, to_luastring('l'), ar);
    const line = (ar as { currentline?: number }).currentline ?? -1;
    lauxlib.luaL_error(hl, to_luastring(`${file}:${line}: config did not finish after ${LUA_INSTRUCTION_LIMIT} Lua instructions (endless loop?)`));
  }, lua.LUA_MASKCOUNT, 1_000_000);
  if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    const raw = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : 'error object is not a string';
    if (raw === LEGACY_SETTINGS) return legacySettingsError(file, text);
    const { line, message } = splitLuaError(raw);
    return { ok: false, errors: [diagnostic('error', file, line, '', message)], warnings: [] };
  }
  lua.lua_sethook(L, null, 0, 0);
  const prepareErr = runtime.prepareAll();
  if (prepareErr !== undefined) {
    const { line, message } = splitLuaError(prepareErr);
    return { ok: false, errors: [diagnostic('error', file, line, '', `prepare(): ${message}`)], warnings: [] };
  }

  lua.lua_getglobal(L, to_luastring('settings'));
  const settingsIsTable = lua.lua_type(L, -1) === lua.LUA_TTABLE;
  lua.lua_pop(L, 1);
  if (settingsIsTable) return legacySettingsError(file, text);

  lua.lua_getglobal(L, to_luastring('__lsyncdts'));
  const reg = readLuaValue(lua, L, -1);
  lua.lua_pop(L, 1);
  if (!isLuaTable(reg)) {
    return { ok: false, errors: [diagnostic('error', file, undefined, '', 'the config overwrote lsyncd-ts internals (__lsyncdts)')], warnings: [] };
  }
  return buildAndValidate(file, text, reg, opts, runtime);
}

function legacySettingsError(file: string, text: string): LoadResult {
  const idx = text.split('\n').findIndex((l) => /^\s*settings\s*=(?!=)/.test(l));
  return { ok: false, errors: [diagnostic('error', file, idx < 0 ? undefined : idx + 1, 'settings', LEGACY_SETTINGS_MESSAGE)], warnings: [] };
}

function buildAndValidate(file: string, text: string, reg: LuaTableValue, opts: LuaLoadOptions, runtime: LuaActionRuntime): LoadResult {
  const convErrors: { path: PathSegment[]; message: string }[] = [];
  const warnings: ConfigDiagnostic[] = [];
  const listOf = (key: string): LuaTableValue[] => {
    const v = reg.fields.get(key);
    return isLuaTable(v) ? v.positional.filter(isLuaTable) : [];
  };
  const numField = (t: LuaTableValue, k: string): number => {
    const v = t.fields.get(k);
    return typeof v === 'number' ? v : -1;
  };

  // settings{} calls, merged in order.
  const settings: Record<string, unknown> = {};
  const settingsCalls = listOf('settingsCalls');
  for (const call of settingsCalls) {
    const t = call.fields.get('t');
    if (!isLuaTable(t)) continue;
    t.positional.forEach((p, i) => {
      if (typeof p === 'string') settings[p] = true;
      else convErrors.push({ path: ['settings'], message: `unexpected list entry #${i + 1} — settings{} takes key = value pairs or setting names` });
    });
    for (const [k, v] of t.fields) settings[k] = toPlain(v, k);
    if (call.fields.get('afterSync') === true && (t.fields.has('maxProcesses') || t.fields.has('maxDelays'))) {
      warnings.push(diagnostic('warning', file, numField(call, 'line'), 'settings',
        'settings{} comes after a sync{}: lsyncd would not apply its maxProcesses/maxDelays to the syncs above it; lsyncd-ts applies them to every sync — move settings{} to the top'));
    }
  }

  // Calls check-config stubbed instead of running, once per call site.
  const seen = new Set<string>();
  for (const use of listOf('stubbed')) {
    const name = use.fields.get('name');
    const line = numField(use, 'line');
    if (typeof name !== 'string' || seen.has(`${name}:${line}`)) continue;
    seen.add(`${name}:${line}`);
    warnings.push(diagnostic('warning', file, line < 0 ? undefined : line, '',
      `${name} was not run: check-config validates without side effects (${name === 'io.popen' ? 'it read empty output' : 'it reported success'}); the daemon runs it — check values that depend on it`));
  }

  // sync{} calls.
  const syncCalls = listOf('syncs');
  const syncs: unknown[] = [];
  syncCalls.forEach((call, i) => {
    const t = call.fields.get('t');
    if (!isLuaTable(t)) return;
    const flat = flatten(t, convErrors, ['sync', i]);
    const obj: Record<string, unknown> = {};
    const mode = flat.get('__lsyncdts_mode');
    flat.delete('__lsyncdts_mode');
    if (typeof mode === 'string' && !flat.has('mode')) obj['mode'] = mode;
    for (const [k, v] of flat) obj[k] = toPlain(v, k);
    dropGaugedKeys(obj, flat.get('checkgauge'));
    attachLuaFunctions(obj, i, runtime, convErrors);
    syncs.push(obj);
  });

  const raw = extractBadValues({ ...(settingsCalls.length > 0 ? { settings } : {}), sync: syncs }, [], convErrors);

  // Line anchors: each sync{} call, the first settings{} call, and EOF for "Nothing to watch!".
  const total = text.split('\n').length;
  const starts = syncCalls.map((c) => numField(c, 'line'));
  const anchors: TextAnchor[] = starts.map((start, i) => {
    const next = starts.filter((s) => s > start).sort((a, b) => a - b)[0];
    return { path: ['sync', i], start, end: next === undefined ? total : next - 1 };
  });
  const firstSettings = settingsCalls[0];
  if (firstSettings !== undefined) {
    const start = numField(firstSettings, 'line');
    const next = starts.filter((s) => s > start).sort((a, b) => a - b)[0];
    anchors.push({ path: ['settings'], start, end: next === undefined ? total : next - 1 });
  }
  anchors.push({ path: ['sync'], start: syncCalls.length === 0 ? lastCodeLine(text) : (starts[0] ?? 1), end: total });
  const lineOf = textLineLocator(text, anchors, 'lua');

  if (convErrors.length > 0) {
    return {
      ok: false,
      errors: convErrors.map((e) => diagnostic('error', file, lineOf(e.path), formatPath(e.path), e.message)),
      warnings,
    };
  }
  return validateConfig(raw, { file, lineOf, overrides: opts.overrides, warnings });
}
