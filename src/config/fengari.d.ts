// Minimal typings for the parts of fengari 0.1.5 (a Lua 5.3 VM in JS) that load_lua.ts uses.
// fengari ships no types; keeping them here keeps `any` off our surfaces.
declare module 'fengari' {
  export type LuaState = { readonly __luaState: unique symbol };
  export interface LuaApi {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_TFUNCTION: number;
    LUA_MASKCOUNT: number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_type(L: LuaState, idx: number): number;
    lua_next(L: LuaState, idx: number): number;
    lua_pushnil(L: LuaState): void;
    lua_pop(L: LuaState, n: number): void;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, idx: number): void;
    lua_absindex(L: LuaState, idx: number): number;
    lua_isinteger(L: LuaState, idx: number): boolean;
    lua_tointeger(L: LuaState, idx: number): number;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tojsstring(L: LuaState, idx: number): string;
    lua_tostring(L: LuaState, idx: number): Uint8Array;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_sethook(L: LuaState, f: ((L: LuaState, ar: unknown) => void) | null, mask: number, count: number): void;
    lua_getinfo(L: LuaState, what: Uint8Array, ar: unknown): number;
    lua_topointer(L: LuaState, idx: number): object;
    lua_pushjsfunction(L: LuaState, f: (L: LuaState) => number): void;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean): void;
    lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
  }
  export interface LauxLib {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, buf: Uint8Array, size: number, name: Uint8Array): number;
    luaL_error(L: LuaState, fmt: Uint8Array): never;
    luaL_checkstring(L: LuaState, arg: number): Uint8Array;
  }
  export interface LuaLib {
    luaL_openlibs(L: LuaState): void;
  }
  const fengari: {
    lua: LuaApi;
    lauxlib: LauxLib;
    lualib: LuaLib;
    to_luastring(s: string): Uint8Array;
    to_jsstring(b: Uint8Array): string;
  };
  export default fengari;
}
