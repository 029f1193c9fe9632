// The Lua half of lsyncd's Layer 1/2 action API in lsyncd-ts (see lua_actions.ts for the JS half
// and the contract). Installed into the config's fengari state before the config runs; the
// state stays alive with the daemon so the config's functions can be called for each event.
//
// What exists (lsyncd 2.2.3 names and semantics, lsyncd.lua InletFactory / spawn / default.lua):
//  - events: etype, isdir, name, basename, path, pathdir, pathname, source, sourcePath,
//    sourcePathdir, sourcePathname, target, targetPath, targetPathdir, targetPathname, config,
//    inlet, status, isList, move ('Fr'/'To' on the two halves of a Move); any other field is
//    lsyncd's error 'event does not have field "X"'. Paths are joined with one slash, as the
//    ^variables of command strings are (src/transports/actions/substitution.ts).
//  - event lists (inlet.getEvents): isList, config, getPaths([mutator]) — raw paths with the
//    leading '/', the mutator called with (etype, path, path2) as in lsyncd —, size() (2.3).
//  - the inlet: getEvent, getEvents([test]), discardEvent, createBlanketEvent, getConfig,
//    getExcludes, getFilters, hasFilters. addExclude/rmExclude/appendFilter fail naming the call:
//    excludes and filters are compiled once at load here; so do 2.3's getSync,
//    getSubstitutionData and createFullEvent (lsyncd's internal objects).
//  - spawn(agent, binary, ...) / spawnShell(agent, command, ...): recorded, started by the JS
//    half after the Lua function returns (one child per event, as lsyncd allows); arguments may be
//    strings, numbers or lists of them (lsyncd 2.3 flattens lists); a first argument '<' makes
//    the next one the child's stdin, as in lsyncd.
//  - log(category, ...), now(), default.action/init/collect (lsyncd's own Layer 2 glue, so a
//    Layer 1 action can delegate to onCreate ... functions), default.direct.action (lsyncd's
//    Lua: mkdir/cp -p/rm -rf/mv per event).
//  - default.rsync/rsyncssh/direct.action(inlet) in the action of a default.X sync hand the
//    waiting events (not Init/Blanket) to the sync's own transport (rt.dispatchBatch); in a custom
//    sync default.rsync/rsyncssh.action fail at their call (their transfers are the engine's).
//  - alarm, observefd, nonobservefd and terminate fail naming the call.
export const LUA_ACTIONS_PRELUDE = `
local reg = __lsyncdts
local rt = {}
__lsyncdts_rt = rt
local jsLog = __lsyncdts_js_log
__lsyncdts_js_log = nil
local FUNCTION_KEYS = { 'action', 'init', 'prepare', 'collect', 'onCreate', 'onModify', 'onAttrib', 'onDelete', 'onMove', 'onStartup' }
rt.FUNCTION_KEYS = FUNCTION_KEYS

local function unsupported(name, why)
  return function() error(name .. ' is not supported by lsyncd-ts: ' .. why, 2) end
end
alarm = unsupported('alarm()', 'there are no timed Lua callbacks (use an external timer, or crontab where available)')
observefd = unsupported('observefd()', 'Lua cannot watch file descriptors')
nonobservefd = unsupported('nonobservefd()', 'Lua cannot watch file descriptors')
terminate = unsupported('terminate()', "return 'die' from collect (or let the child fail) to stop the sync")
function now() return __lsyncdts_js_now() end
function log(cat, ...)
  local parts = {}
  for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  jsLog(tostring(cat), table.concat(parts))
end

-- lsyncd's inheritance, as load_lua.ts flatten(): own keys first, then the positional parents
-- fill keys not set; a table set on both sides is merged one level deep.
local function inherit(t)
  local n = #t
  local out = {}
  for k, v in pairs(t) do
    if not (math.type(k) == 'integer' and k >= 1 and k <= n) then out[k] = v end
  end
  for i = 1, n do
    local p = t[i]
    if type(p) == 'table' then
      for k, v in pairs(inherit(p)) do
        local mine = out[k]
        if mine == nil then out[k] = v
        elseif type(mine) == 'table' and type(v) == 'table' then
          local m = {}
          for k2, v2 in pairs(mine) do m[k2] = v2 end
          for k2, v2 in pairs(v) do if m[k2] == nil then m[k2] = v2 end end
          out[k] = m
        end
      end
    end
  end
  return out
end

local configs = {}
function rt.config(i)
  local c = configs[i]
  if c == nil then c = inherit(reg.syncs[i].t); configs[i] = c end
  return c
end

-- The built-in functions of default.X tables are not the user's.
local builtin = {}
-- Names of the keys of sync i that hold a user's function (a list).
function rt.userFunctions(i)
  local c = rt.config(i)
  local out = {}
  for _, k in ipairs(FUNCTION_KEYS) do
    local f = c[k]
    if type(f) == 'function' and not builtin[f] then out[#out + 1] = k end
  end
  return out
end

-- prepare(config, level, skipTarget) runs at load, as in lsyncd; what it changes is what the
-- loader validates (e.g. a target built from host and targetdir).
function rt.prepareAll()
  for i, s in ipairs(reg.syncs) do
    local c = rt.config(i)
    if type(c.prepare) == 'function' and not builtin[c.prepare] then
      local ok, err = pcall(c.prepare, c, 4, false)
      if not ok then
        -- lsyncd's prepare() errors name a level above the function (error(msg, 4)); here that
        -- is this file or nothing: point at the sync{} instead.
        err = tostring(err)
        local rest = err:match('^lsyncd%-ts action API:%d+: (.*)$')
        if rest ~= nil or not err:match('^[^:]*:%d+: ') then err = 'config:' .. tostring(s.line) .. ': ' .. (rest or err) end
        error(err, 0)
      end
      s.t = c
    end
  end
end

local function cutSlash(p) if p:byte(-1) == 47 then return p:sub(1, -2) end return p end
local function rel(p) if p:byte(1) == 47 then return p:sub(2) end return p end
local function dirOf(p) return rel(p):match('^(.*/)[^/]+/?') or '' end
local function withSlash(b) local c = b:sub(-1) if c == '/' or c == ':' then return b end return b .. '/' end

local e2d = setmetatable({}, { __mode = 'k' })
local function getPath(event)
  local d = e2d[event]
  if rawget(event, 'move') == 'To' then return d.path2 end
  return d.path
end
local function targetOf(d, field)
  local t = d.ctx.target
  if t == nil then error('event.' .. field .. ': the sync has no target', 3) end
  return t
end
local eventFields = {
  config = function(d) return d.ctx.config end,
  inlet = function(d) return d.ctx.inlet end,
  etype = function(d) return d.etype end,
  isList = function() return false end,
  status = function(d) return d.status end,
  isdir = function(d, p) return p:byte(-1) == 47 end,
  name = function(d, p) return p:match('[^/]+/?$') end,
  basename = function(d, p) return p:match('([^/]+)/?$') end,
  path = function(d, p) return rel(p) end,
  pathdir = function(d, p) return dirOf(p) end,
  pathname = function(d, p) return cutSlash(rel(p)) end,
  source = function(d) return d.ctx.source end,
  sourcePath = function(d, p) return withSlash(d.ctx.source) .. rel(p) end,
  sourcePathdir = function(d, p) return withSlash(d.ctx.source) .. dirOf(p) end,
  sourcePathname = function(d, p) return withSlash(d.ctx.source) .. cutSlash(rel(p)) end,
  target = function(d) return d.ctx.target end,
  targetPath = function(d, p) return withSlash(targetOf(d, 'targetPath')) .. rel(p) end,
  targetPathdir = function(d, p) return withSlash(targetOf(d, 'targetPathdir')) .. dirOf(p) end,
  targetPathname = function(d, p) return withSlash(targetOf(d, 'targetPathname')) .. cutSlash(rel(p)) end,
}
local eventMeta = {
  __index = function(event, field)
    local f = eventFields[field]
    if not f then
      if field == 'move' then return nil end
      error('event does not have field "' .. tostring(field) .. '"', 2)
    end
    local d = e2d[event]
    return f(d, getPath(event))
  end,
}
local function d2e(d)
  if d.events then return table.unpack(d.events) end
  if d.etype ~= 'Move' then
    local e = setmetatable({}, eventMeta)
    e2d[e] = d
    d.events = { e }
    return e
  end
  local e1 = setmetatable({ move = 'Fr' }, eventMeta)
  local e2 = setmetatable({ move = 'To' }, eventMeta)
  e2d[e1] = d
  e2d[e2] = d
  d.events = { e1, e2 }
  return e1, e2
end

local l2d = setmetatable({}, { __mode = 'k' })
local listFuncs = {
  getPaths = function(dlist, mutator)
    local out = {}
    for _, d in ipairs(dlist) do
      local s1, s2
      if mutator then s1, s2 = mutator(d.etype, d.path, d.path2) else s1, s2 = d.path, d.path2 end
      out[#out + 1] = s1
      if s2 then out[#out + 1] = s2 end
    end
    return out
  end,
  size = function(dlist) return #dlist end,
}
local listMeta = {
  __index = function(elist, name)
    local dlist = l2d[elist]
    if name == 'isList' then return true end
    if name == 'config' then return dlist.ctx.config end
    local f = listFuncs[name]
    if not f then error('event list does not have function "' .. tostring(name) .. '"', 2) end
    return function(...) return f(dlist, ...) end
  end,
}

local function listOf(v)
  if v == nil then return {} end
  if type(v) == 'table' then return v end
  return { v }
end
local function notHere(name)
  return function() error('inlet.' .. name .. ' is not supported by lsyncd-ts: excludes and filters are compiled once at load — write them in exclude/filter', 2) end
end
local function internal(name)
  return function() error('inlet.' .. name .. " is not supported by lsyncd-ts: it reaches into lsyncd 2.3's own sync object and queue, which lsyncd-ts does not have", 2) end
end
local inletFuncs = {
  getEvent = function(ctx)
    for _, d in ipairs(ctx.delays) do
      if d.status == 'wait' then return d2e(d) end
    end
    return nil
  end,
  getEvents = function(ctx, test)
    local dlist = { ctx = ctx }
    for _, d in ipairs(ctx.delays) do
      if d.status == 'wait' and (test == nil or test(d2e(d))) then dlist[#dlist + 1] = d end
    end
    local elist = setmetatable({}, listMeta)
    l2d[elist] = dlist
    return elist
  end,
  discardEvent = function(ctx, event)
    local d = e2d[event]
    if d == nil then error('inlet.discardEvent: not an event', 3) end
    if d.status ~= 'wait' then
      log('Error', 'Ignored cancel of a non-waiting event of type ', d.etype)
      return
    end
    d.status = 'done'
  end,
  createBlanketEvent = function(ctx)
    local d = { ctx = ctx, etype = 'Blanket', path = '/', status = 'wait' }
    ctx.delays[#ctx.delays + 1] = d
    return d2e(d)
  end,
  getConfig = function(ctx) return ctx.config end,
  getExcludes = function(ctx)
    local out = {}
    for _, p in ipairs(listOf(ctx.config.exclude)) do out[#out + 1] = p end
    return out
  end,
  getFilters = function(ctx)
    local out = {}
    for _, f in ipairs(listOf(ctx.config.filter)) do out[#out + 1] = f end
    for _, p in ipairs(listOf(ctx.config.exclude)) do out[#out + 1] = '- ' .. p end
    return out
  end,
  hasFilters = function(ctx) return ctx.config.filter ~= nil end,
  addExclude = notHere('addExclude'),
  rmExclude = notHere('rmExclude'),
  appendFilter = notHere('appendFilter'),
  getSync = internal('getSync'),
  getSubstitutionData = internal('getSubstitutionData'),
  createFullEvent = internal('createFullEvent'),
}
local i2c = setmetatable({}, { __mode = 'k' })
local inletMeta = {
  __index = function(inlet, name)
    local f = inletFuncs[name]
    if not f then error('inlet does not have function "' .. tostring(name) .. '"', 2) end
    local ctx = i2c[inlet]
    return function(...) return f(ctx, ...) end
  end,
}

-- The call in progress (spawn needs it); nil outside of actions (at load).
local current

local function addArgs(out, v, where)
  local tv = type(v)
  if tv == 'string' or tv == 'number' then out[#out + 1] = tostring(v)
  elseif tv == 'table' then for _, x in ipairs(v) do addArgs(out, x, where) end
  else error(where .. ': arguments must be strings (got ' .. tv .. ')', 4) end
end

function spawn(agent, binary, ...)
  if type(agent) ~= 'table' then error('spawning with an invalid agent', 2) end
  if type(binary) ~= 'string' then error('calling spawn(agent, binary, ...): binary is not a string', 2) end
  if current == nil then error('spawn() can only be called from an action (not while the config loads)', 2) end
  local dlist
  local d = e2d[agent]
  if d then dlist = { d } else dlist = l2d[agent] end
  if dlist == nil then error('spawning with an unknown agent', 2) end
  for _, x in ipairs(dlist) do
    if x.status ~= 'wait' then error('spawn() called on a non-waiting event', 2) end
  end
  local args = {}
  for i = 1, select('#', ...) do addArgs(args, (select(i, ...)), 'spawn()') end
  -- lsyncd: a first argument '<' means the next one is written to the child's stdin.
  local stdin
  if args[1] == '<' then
    stdin = args[2] or ''
    table.remove(args, 1)
    table.remove(args, 1)
  end
  for _, x in ipairs(dlist) do x.status = 'active' end
  current.spawns[#current.spawns + 1] = { agent = agent, binary = binary, args = args, stdin = stdin }
end

function spawnShell(agent, command, ...)
  if type(command) ~= 'string' then error('calling spawnShell(agent, command, ...): command is not a string', 2) end
  return spawn(agent, '/bin/sh', '-c', command, '/bin/sh', ...)
end

-- lsyncd's default.lua glue, so Layer 1 code can delegate to Layer 2 functions.
local function defaultAction(inlet)
  local event, event2 = inlet.getEvent()
  local config = inlet.getConfig()
  local func = config['on' .. event.etype]
  if type(func) == 'function' then func(event, event2) end
  if event.status == 'wait' then inlet.discardEvent(event) end
end
local function defaultInit(event)
  local config = event.config
  if type(config.onStartup) == 'function' then config.onStartup(event) end
  if event.status == 'wait' then event.inlet.discardEvent(event) end
end
local function defaultCollect(agent, exitcode)
  local config = agent.config
  if config.exitcodes then return config.exitcodes[exitcode] end
  if exitcode == 0 then return 'ok' end
  return 'die'
end
local function directAction(inlet)
  local ctx = i2c[inlet]
  if ctx ~= nil and ctx.batch then return toEngine(ctx) end
  local event, event2 = inlet.getEvent()
  local config = inlet.getConfig()
  if event.etype == 'Create' then
    if event.isdir then spawn(event, '/bin/mkdir', '--', event.targetPath)
    else spawn(event, '/bin/cp', '-p', '--', event.sourcePath, event.targetPathdir) end
  elseif event.etype == 'Modify' then
    if event.isdir then error("Do not know how to handle 'Modify' on dirs") end
    spawn(event, '/bin/cp', '-p', '--', event.sourcePath, event.targetPathdir)
  elseif event.etype == 'Delete' then
    if config.delete ~= true and config.delete ~= 'running' then inlet.discardEvent(event) return end
    local tp = event.targetPath
    if tp == '' or tp == '/' or not tp then error('Refusing to erase your harddisk!') end
    spawn(event, '/bin/rm', '-rf', '--', tp)
  elseif event.etype == 'Move' then
    local tp = event.targetPath
    if tp == '' or tp == '/' or not tp then error('Refusing to erase your harddisk!') end
    local command = '/bin/mv -- "$1" "$2" || /bin/rm -rf -- "$1"'
    if config.delete ~= true and config.delete ~= 'running' then command = '/bin/mv -- "$1" "$2"' end
    spawnShell(event, command, event.targetPath, event2.targetPath)
  else
    log('Warn', 'ignored an event of type "', event.etype, '"')
    inlet.discardEvent(event)
  end
end
-- default.X.action(inlet) in the action of a default.X sync: the waiting events (but Init and
-- Blanket, as lsyncd's default.rsync.action) go to the sync's own transport.
local function toEngine(ctx)
  for _, d in ipairs(ctx.delays) do
    if d.status == 'wait' and d.etype ~= 'Blanket' and d.etype ~= 'Init' then
      d.status = 'engine'
      ctx.engine[#ctx.engine + 1] = d.index
    end
  end
end
local function engineOnly(name)
  local parent = name:gsub('%.action$', '')
  return function(inlet)
    local ctx = i2c[inlet]
    if ctx ~= nil and ctx.batch then return toEngine(ctx) end
    error(name .. '(inlet) is not supported in the action of a custom sync by lsyncd-ts: its transfers belong to the built-in transport — write sync{ ' .. parent .. ', action = ..., ... }', 2)
  end
end
local function noPrepare() end
default.action = defaultAction
default.init = defaultInit
default.collect = defaultCollect
default.direct.action = directAction
default.rsync.action = engineOnly('default.rsync.action')
default.rsyncssh.action = engineOnly('default.rsyncssh.action')
default.rsync.prepare = noPrepare
default.rsyncssh.prepare = noPrepare
default.direct.prepare = noPrepare
for _, f in ipairs({ defaultAction, defaultInit, defaultCollect, directAction, default.rsync.action, default.rsyncssh.action, noPrepare }) do builtin[f] = true end

-- One call of a user function for one event: hook is 'action', 'init' or an on* key. Returns the
-- recorded children as { binary, args } pairs (a list), in spawn order, and the id of the call
-- for collect(); rt.release(id) forgets it.
local calls = {}
local nextCall = 0
function rt.dispatch(i, hook, source, target, etype, path, path2)
  local config = rt.config(i)
  local ctx = { source = source, target = target, config = config, delays = {}, spawns = {} }
  local inlet = setmetatable({}, inletMeta)
  i2c[inlet] = ctx
  ctx.inlet = inlet
  local d = { ctx = ctx, etype = etype, path = path, path2 = path2, status = 'wait' }
  ctx.delays[1] = d
  current = ctx
  local ok, err = pcall(function()
    if hook == 'action' then config.action(inlet)
    elseif hook == 'init' then config.init(d2e(d))
    else config[hook](d2e(d)) end
  end)
  current = nil
  if not ok then error(err, 0) end
  local out = {}
  for n, s in ipairs(ctx.spawns) do out[n] = { s.binary, s.args, s.stdin } end
  if #out == 0 then return out, 0 end
  nextCall = nextCall + 1
  calls[nextCall] = ctx
  return out, nextCall
end

-- The action of a default.X sync for one batch of the engine: events is a list of
-- { etype, path, path2 }. lsyncd calls the action while a ready event waits; here it is called
-- again while events wait and the last call changed something (at most once per event, plus one).
-- Returns the (0-based) indexes of the events for the transport, the children, the call id.
function rt.dispatchBatch(i, source, target, events)
  local config = rt.config(i)
  local ctx = { source = source, target = target, config = config, delays = {}, spawns = {}, engine = {}, batch = true }
  local inlet = setmetatable({}, inletMeta)
  i2c[inlet] = ctx
  ctx.inlet = inlet
  for n, e in ipairs(events) do
    ctx.delays[n] = { ctx = ctx, etype = e[1], path = e[2], path2 = e[3], status = 'wait', index = n - 1 }
  end
  local function state()
    local w = 0
    for _, d in ipairs(ctx.delays) do if d.status == 'wait' then w = w + 1 end end
    return w, #ctx.delays, #ctx.spawns
  end
  current = ctx
  local ok, err = pcall(function()
    for _ = 1, #events + 1 do
      local w, n, s = state()
      if w == 0 then break end
      config.action(inlet)
      local w2, n2, s2 = state()
      if w2 == w and n2 == n and s2 == s then break end
    end
  end)
  current = nil
  if not ok then error(err, 0) end
  local out = {}
  for n, s in ipairs(ctx.spawns) do out[n] = { s.binary, s.args, s.stdin } end
  nextCall = nextCall + 1
  calls[nextCall] = ctx
  return ctx.engine, out, nextCall
end

-- collect(agent, exitcode) of sync i for child n of call id: 'ok', 'again' or 'die'.
function rt.collect(i, id, n, exitcode)
  local s = calls[id].spawns[n]
  local rc = rt.config(i).collect(s.agent, exitcode)
  if rc == 'again' or rc == 'die' then return rc end
  return 'ok'
end
function rt.release(id) calls[id] = nil end
`;
