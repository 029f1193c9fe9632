// Lua value (on a fengari stack) → plain JS value, for validating lsyncd Lua configs with the same
// zod schema as JSON. Rules:
//  - a table with only keys 1..n becomes an array; a table with string keys becomes an object;
//  - integer keys outside 1..n (e.g. exitcodes = { [0] = 'ok', [23] = 'ok' }) become string keys;
//  - in a table with both, the 1..n part is kept apart as `positional` (lsyncd's
//    `sync{ default.rsync, source = ... }` inheritance, and `settings{ 'nodaemon' }`);
//  - strings keep their bytes: what is not valid UTF-8 is byte-escaped (luaString);
//  - Lua functions become `LuaFunctionRef` (the loader replaces those at action keys by
//    lua_actions.ts wrappers and reports the others), cycles/over-deep nesting are cut with an
//    error value.
import type { LuaApi, LuaState } from 'fengari';

import { decodePathBytes } from '../paths/byte_path.js';

export class LuaFunctionRef {
  readonly luaFunction = true;
}
export class LuaConversionError {
  constructor(readonly message: string) {}
}

export interface LuaTableValue {
  kind: 'table';
  fields: Map<string, LuaJs>;
  positional: LuaJs[];
}
export type LuaJs = string | number | boolean | LuaFunctionRef | LuaConversionError | LuaTableValue;

const MAX_DEPTH = 32;

/**
 * A Lua string (bytes) as JS text: UTF-8 decoded, with bytes that are not valid UTF-8 kept
 * byte-escaped (src/paths/byte_path.ts), so `source = "/srv/\255"` names exactly that directory.
 * Only for values already of type string (lua_tostring would convert a number in place).
 */
function luaString(lua: LuaApi, L: LuaState, idx: number): string {
  return decodePathBytes(lua.lua_tostring(L, idx));
}

export function readLuaValue(lua: LuaApi, L: LuaState, idx: number, depth = 0, seen: Set<object> = new Set()): LuaJs | undefined {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNIL) return undefined;
  if (t === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, idx);
  if (t === lua.LUA_TNUMBER) return lua.lua_isinteger(L, idx) ? lua.lua_tointeger(L, idx) : lua.lua_tonumber(L, idx);
  if (t === lua.LUA_TSTRING) return luaString(lua, L, idx);
  if (t === lua.LUA_TFUNCTION) return new LuaFunctionRef();
  if (t !== lua.LUA_TTABLE) return new LuaConversionError('unsupported Lua value (userdata/thread)');
  if (depth > MAX_DEPTH) return new LuaConversionError('tables nested too deeply');
  const ptr = lua.lua_topointer(L, idx);
  if (seen.has(ptr)) return new LuaConversionError('table refers to itself');
  seen.add(ptr);
  const abs = lua.lua_absindex(L, idx);
  const fields = new Map<string, LuaJs>();
  const ints = new Map<number, LuaJs>();
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    const kt = lua.lua_type(L, -2);
    const v = readLuaValue(lua, L, -1, depth + 1, seen);
    if (v !== undefined) {
      if (kt === lua.LUA_TSTRING) fields.set(luaString(lua, L, -2), v);
      else if (kt === lua.LUA_TNUMBER && lua.lua_isinteger(L, -2)) ints.set(lua.lua_tointeger(L, -2), v);
      else if (kt === lua.LUA_TNUMBER) fields.set(String(lua.lua_tonumber(L, -2)), v);
      else fields.set('?', new LuaConversionError('table keys must be strings or numbers'));
    }
    lua.lua_pop(L, 1);
  }
  seen.delete(ptr);
  const positional: LuaJs[] = [];
  for (let k = 1; ints.has(k); k++) {
    positional.push(ints.get(k)!);
    ints.delete(k);
  }
  for (const [k, v] of ints) fields.set(String(k), v);
  return { kind: 'table', fields, positional };
}

export function isLuaTable(v: unknown): v is LuaTableValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'table';
}

/** Keys whose Lua tables are maps even with integer keys (exit-code tables). */
const RECORD_KEYS = new Set(['exitcodes', 'rsyncExitCodes', 'sshExitCodes']);
/** Keys whose Lua tables are lists, so that an empty `{}` is an empty list. */
const LIST_KEYS = new Set(['exclude', 'filter', '_extra', 'rsyncOps', 'sync']);

/**
 * Plain JS view of a converted value, given the key it is stored under: a table becomes an array
 * when it only has positional entries (or is empty under a list key), an object otherwise
 * (positional entries of mixed tables are dropped here — callers that care handle them first).
 */
export function toPlain(v: LuaJs, key = ''): unknown {
  if (!isLuaTable(v)) return v;
  if (RECORD_KEYS.has(key)) {
    const o: Record<string, unknown> = {};
    v.positional.forEach((x, i) => (o[String(i + 1)] = toPlain(x)));
    for (const [k, x] of v.fields) o[k] = toPlain(x, k);
    return o;
  }
  if (v.fields.size === 0 && (v.positional.length > 0 || LIST_KEYS.has(key))) return v.positional.map((x) => toPlain(x));
  const o: Record<string, unknown> = {};
  for (const [k, x] of v.fields) o[k] = toPlain(x, k);
  return o;
}
