// lsyncd's Layer 1/2 Lua actions (`action = function(inlet)`, `onCreate = function(event)`, init,
// prepare, collect) for custom-action syncs of a Lua config: the JS half. The Lua half (events,
// inlet, spawn, spawnShell, log, default.*) is lua_actions.lua.ts.
//
// Contract:
//  - The config's fengari state outlives the load: each user function becomes an ActionFunction
//    (schema.ts) of the sync, so the engine keeps its queue, collapsing and scheduling, and the
//    actions transport (src/transports/actions/) calls it once per event with the batch of one
//    event it is due to run (lsyncd also calls an action once per ready event; getEvents hands
//    out that one event here).
//  - Mapping: `action` serves every event kind (onCreate … onMove; moves stay moves, so the
//    action sees `event, event2` as in lsyncd); `init` serves the startup (lsyncd's Init event),
//    else an `onStartup` function, else default.init's behaviour (nothing; a string onStartup still
//    runs as a command). on* functions serve their own kind (lsyncd's default.action).
//  - The Lua function runs synchronously and records its spawn()/spawnShell() calls; when it
//    returns, the children run one after the other without a shell (spawnShell: /bin/sh -c) with
//    exact argument bytes (and lsyncd's '<' text on stdin), and the event is done when they are. Verdict: with a `collect`
//    function, its answer for each child ('again'/'die', anything else ok; the worst wins);
//    otherwise the first non-zero exit code, judged by the sync's `exitcodes` as for command
//    actions. No child (discarded, or nothing spawned) = done.
//  - An event the action neither spawns for nor discards is done too: lsyncd would hand it to the
//    action again at once, over and over.
//  - A Lua error in a function (including an unsupported API call, named in the message) makes
//    that run 'die' with the Lua message, like a throwing TS action.
//  - prepare(config, level, skipTarget) runs at load; the values it leaves are the ones validated.
//  - On a default.rsync/rsyncssh/direct sync, `action` (with `collect`) becomes the sync's
//    InletAction (schema.ts; run by src/transports/actions/inlet_action_transport.ts): per batch of
//    the engine, the function sees every event of the batch; default.X.action(inlet) hands the
//    waiting events to the sync's own transport, discarded ones are dropped, spawned children run
//    after it. Other functions (init, on*) there are a load error naming the key.
//  - A runaway Lua function is stopped after LUA_INSTRUCTION_LIMIT instructions (a 'die').
import fengari from 'fengari';
import type { LuaState } from 'fengari';

import type { ActionEvent, ActionFunction, ActionName, ActionResult, InletAction } from './schema.js';
import { LUA_ACTIONS_PRELUDE } from './lua_actions.lua.js';

const { lua, lauxlib, to_luastring } = fengari;

export { LUA_ACTIONS_PRELUDE };

/** The keys whose Lua functions this API handles (lsyncd's names). */
export const LUA_FUNCTION_KEYS = ['action', 'init', 'prepare', 'collect', 'onCreate', 'onModify', 'onAttrib', 'onDelete', 'onMove', 'onStartup'] as const;
export type LuaFunctionKey = (typeof LUA_FUNCTION_KEYS)[number];

const EVENT_KINDS: readonly ActionName[] = ['onCreate', 'onModify', 'onAttrib', 'onDelete', 'onMove'];

interface Child {
  readonly binary: string;
  readonly args: Buffer[];
  /** spawn(agent, binary, '<', text, ...): text for the child's stdin. */
  readonly stdin: Buffer | undefined;
}

/** Where log() lines go: the running event's log, or nowhere while the config loads. */
type LogSink = ((category: string, message: string) => void) | undefined;

export class LuaActionRuntime {
  private sink: LogSink;

  /**
   * `identity` names the config text: each generated function's toString() carries it, so a
   * reload compares functions by the text they came from (src/engine/reload_plan.ts compares
   * functions by their text, and every generated wrapper has the same JS source).
   */
  constructor(
    private readonly L: LuaState,
    private readonly instructionLimit: number,
    private readonly identity: string,
  ) {}

  private named<F extends object>(f: F, what: string): F {
        Object.defineProperty(f, 'toString', { value: () => `lua ${what} of config ${this.identity}` });
    return f;
  }

  /** Registers the JS callbacks the Lua half needs; call before running LUA_ACTIONS_PRELUDE. */
  static installCallbacks(L: LuaState, runtime: () => LuaActionRuntime | undefined): void {
    lua.lua_pushjsfunction(L, (l) => {
      const cat = lua.lua_tojsstring(l, 1);
      const msg = Buffer.from(lua.lua_tostring(l, 2)).toString('utf8');
      runtime()?.sink?.(cat, msg);
      return 0;
    });
    lua.lua_setglobal(L, to_luastring('__lsyncdts_js_log'));
    lua.lua_pushjsfunction(L, (l) => {
      lua.lua_pushnumber(l, Date.now() / 1000);
      return 1;
    });
    lua.lua_setglobal(L, to_luastring('__lsyncdts_js_now'));
  }

  /** Pushes __lsyncdts_rt[name] and returns the stack top before it (restore with settop). */
  private pushRt(name: string): number {
    const top = lua.lua_gettop(this.L);
    lua.lua_getglobal(this.L, to_luastring('__lsyncdts_rt'));
    lua.lua_getfield(this.L, -1, to_luastring(name));
    return top;
  }

  /** pcall with the instruction limit; returns the Lua error text or undefined. */
  private pcall(nargs: number, nresults: number, what: string): string | undefined {
    let steps = 0;
    const limit = this.instructionLimit;
    lua.lua_sethook(this.L, (hl) => {
      steps += 1_000_000;
      if (steps >= limit) lauxlib.luaL_error(hl, to_luastring(`${what} did not finish after ${limit} Lua instructions (endless loop?)`));
    }, lua.LUA_MASKCOUNT, 1_000_000);
    const st = lua.lua_pcall(this.L, nargs, nresults, 0);
    lua.lua_sethook(this.L, null, 0, 0);
    if (st === lua.LUA_OK) return undefined;
    return lua.lua_type(this.L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(this.L, -1) : 'error object is not a string';
  }

  /** Runs every prepare(); the Lua error text of the first that fails, or undefined. */
  prepareAll(): string | undefined {
    const top = this.pushRt('prepareAll');
    const err = this.pcall(0, 0, 'prepare()');
    lua.lua_settop(this.L, top);
    return err;
  }

  /** The keys of sync `index` (0-based) that hold a user's Lua function. */
  userFunctions(index: number): Set<LuaFunctionKey> {
    const top = this.pushRt('userFunctions');
    lua.lua_pushinteger(this.L, index + 1);
    const out = new Set<LuaFunctionKey>();
    if (this.pcall(1, 1, 'userFunctions') === undefined) {
      const n = lua.lua_rawlen(this.L, -1);
      for (let k = 1; k <= n; k++) {
        lua.lua_rawgeti(this.L, -1, k);
        out.add(lua.lua_tojsstring(this.L, -1) as LuaFunctionKey);
        lua.lua_pop(this.L, 1);
      }
    }
    lua.lua_settop(this.L, top);
    return out;
  }

  /**
   * The ActionFunctions of sync `index` for its user functions `keys`: every event kind for
   * `action`, onStartup for `init`, and each on* function for itself.
   */
  actionsFor(index: number, keys: ReadonlySet<LuaFunctionKey>): Partial<Record<ActionName, ActionFunction>> {
    const out: Partial<Record<ActionName, ActionFunction>> = {};
    const collect = keys.has('collect');
    const fn = (hook: string): ActionFunction => this.named((ev: ActionEvent) => this.run(index, hook, collect, ev), `sync[${index + 1}].${hook}`);
    for (const kind of EVENT_KINDS) {
      if (keys.has('action')) out[kind] = fn('action');
      else if (keys.has(kind)) out[kind] = fn(kind);
    }
    if (keys.has('init')) out.onStartup = fn('init');
    else if (keys.has('onStartup')) out.onStartup = fn('onStartup');
    return out;
  }

  /** Calls the Lua function for one event, then runs what it spawned; throws a Lua error. */
  private async run(index: number, hook: string, collect: boolean, ev: ActionEvent): Promise<ActionResult> {
    const { children, id } = this.dispatch(index, hook, ev);
    try {
      let firstFailure: number | undefined;
      let verdict: 'ok' | 'again' | 'die' = 'ok';
      for (const [n, child] of children.entries()) {
        if (ev.signal.aborted) return 'again';
        const code = await ev.run(child.binary, child.args, child.stdin);
        if (collect) {
          const rc = this.collect(index, id, n + 1, code, ev.log);
          if (rc === 'die' || (rc === 'again' && verdict === 'ok')) verdict = rc;
        } else if (code !== 0 && firstFailure === undefined) firstFailure = code;
      }
      if (collect) return verdict;
      return firstFailure ?? 'ok';
    } finally {
      if (id !== 0) this.release(id);
    }
  }

  /**
   * The InletAction of default.X sync `index` (its `action` function; `collect` judges the
   * children when the sync has one).
   */
  inletAction(index: number, collect: boolean): InletAction {
    return this.named(this.batchAction(index, collect), `sync[${index + 1}].action`);
  }

  private batchAction(index: number, collect: boolean): InletAction {
    return (batch) => {
      const L = this.L;
      const { engine, children, id } = this.withSink(batch.log, () => {
        const top = this.pushRt('dispatchBatch');
        lua.lua_pushinteger(L, index + 1);
        lua.lua_pushstring(L, to_luastring(batch.source));
        if (batch.target === undefined) lua.lua_pushnil(L);
        else lua.lua_pushstring(L, to_luastring(batch.target));
        lua.lua_createtable(L, batch.events.length, 0);
        batch.events.forEach((e, n) => {
          lua.lua_createtable(L, 3, 0);
          lua.lua_pushstring(L, to_luastring(e.etype));
          lua.lua_rawseti(L, -2, 1);
          lua.lua_pushstring(L, new Uint8Array(e.path));
          lua.lua_rawseti(L, -2, 2);
          if (e.path2 !== undefined) {
            lua.lua_pushstring(L, new Uint8Array(e.path2));
            lua.lua_rawseti(L, -2, 3);
          }
          lua.lua_rawseti(L, -2, n + 1);
        });
        const err = this.pcall(4, 3, 'action()');
        if (err !== undefined) {
          lua.lua_settop(L, top);
          throw new Error(err);
        }
        const callId = lua.lua_tointeger(L, -1);
        lua.lua_pop(L, 1);
        const kids = this.readChildren();
        const toEngine: number[] = [];
        const n = lua.lua_rawlen(L, -1);
        for (let k = 1; k <= n; k++) {
          lua.lua_rawgeti(L, -1, k);
          toEngine.push(lua.lua_tointeger(L, -1));
          lua.lua_pop(L, 1);
        }
        lua.lua_settop(L, top);
        return { engine: toEngine, children: kids, id: callId };
      });
      return {
        toTransport: engine,
        children,
        judge: collect ? (n: number, code: number) => this.collect(index, id, n + 1, code, batch.log) : undefined,
        done: () => this.release(id),
      };
    };
  }

  /** The children list at the top of the stack (popped) as JS values. */
  private readChildren(): Child[] {
    const L = this.L;
    const children: Child[] = [];
    const n = lua.lua_rawlen(L, -1);
    for (let k = 1; k <= n; k++) {
      lua.lua_rawgeti(L, -1, k);
      lua.lua_rawgeti(L, -1, 1);
      const binary = Buffer.from(lua.lua_tostring(L, -1)).toString('utf8');
      lua.lua_pop(L, 1);
      lua.lua_rawgeti(L, -1, 2);
      const args: Buffer[] = [];
      const na = lua.lua_rawlen(L, -1);
      for (let a = 1; a <= na; a++) {
        lua.lua_rawgeti(L, -1, a);
        args.push(Buffer.from(lua.lua_tostring(L, -1)));
        lua.lua_pop(L, 1);
      }
      lua.lua_pop(L, 1);
      lua.lua_rawgeti(L, -1, 3);
      const stdin = lua.lua_type(L, -1) === lua.LUA_TSTRING ? Buffer.from(lua.lua_tostring(L, -1)) : undefined;
      lua.lua_pop(L, 2);
      children.push({ binary, args, stdin });
    }
    lua.lua_pop(L, 1);
    return children;
  }

  private withSink<T>(log: (message: string) => void, f: () => T): T {
    this.sink = (cat, msg) => log(cat === 'Normal' ? msg : `${cat}: ${msg}`);
    try {
      return f();
    } finally {
      this.sink = undefined;
    }
  }

  private dispatch(index: number, hook: string, ev: ActionEvent): { children: Child[]; id: number } {
    return this.withSink(ev.log, () => {
      const L = this.L;
      const top = this.pushRt('dispatch');
      lua.lua_pushinteger(L, index + 1);
      lua.lua_pushstring(L, to_luastring(hook));
      lua.lua_pushstring(L, to_luastring(ev.source));
      if (ev.target === undefined) lua.lua_pushnil(L);
      else lua.lua_pushstring(L, to_luastring(ev.target));
      lua.lua_pushstring(L, to_luastring(ev.etype));
      lua.lua_pushstring(L, ev.etype === 'Init' ? to_luastring('/') : new Uint8Array(ev.pathBytes));
      if (ev.destPathBytes === undefined) lua.lua_pushnil(L);
      else lua.lua_pushstring(L, new Uint8Array(ev.destPathBytes));
      const err = this.pcall(7, 2, `${hook}()`);
      if (err !== undefined) {
        lua.lua_settop(L, top);
        throw new Error(err);
      }
      const id = lua.lua_tointeger(L, -1);
      lua.lua_pop(L, 1);
      const children = this.readChildren();
      lua.lua_settop(L, top);
      return { children, id };
    });
  }

  private collect(index: number, id: number, n: number, code: number, log: (message: string) => void): 'ok' | 'again' | 'die' {
    return this.withSink(log, () => {
      const top = this.pushRt('collect');
      lua.lua_pushinteger(this.L, index + 1);
      lua.lua_pushinteger(this.L, id);
      lua.lua_pushinteger(this.L, n);
      lua.lua_pushinteger(this.L, code);
      const err = this.pcall(4, 1, 'collect()');
      if (err !== undefined) {
        lua.lua_settop(this.L, top);
        throw new Error(err);
      }
      const rc = lua.lua_tojsstring(this.L, -1);
      lua.lua_settop(this.L, top);
      return rc === 'again' || rc === 'die' ? rc : 'ok';
    });
  }

  private release(id: number): void {
    const top = this.pushRt('release');
    lua.lua_pushinteger(this.L, id);
    this.pcall(1, 0, 'release');
    lua.lua_settop(this.L, top);
  }
}
