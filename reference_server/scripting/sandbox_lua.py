"""The Lua side of the sandbox, run once per interpreter: what a script sees as its globals.

Redis locks its global table (and every table reachable from it) with a patched Lua; stock Lua 5.1 cannot, so the
script's environment here is an empty proxy: reads go to the allowed globals (an unknown name is an error), writes
are refused with Redis's text, and the libraries are read-only proxies too. rawset/setmetatable/rawget/next/pairs
see through the proxies, loadstring/load give their chunks the same environment. Error positions skip this
prelude's own frames, so a failing redis.call is reported at the script's line, as Redis reports it.
"""

PRELUDE = r"""
local py = ...
local type, tostring, tonumber, error, select, rawget, rawset, next, setmetatable, loadstring, load, setfenv,
      pcall, xpcall, floor, sha1 =
      type, tostring, tonumber, error, select, rawget, rawset, next, setmetatable, loadstring, load, setfenv,
      pcall, xpcall, math.floor, py.sha1hex
local unpack = unpack
local dbg = debug
local PRELUDE = dbg.getinfo(1, 'S').source
local READONLY = 'Attempt to modify a readonly table'

local real_of = setmetatable({}, {__mode = 'k'})

local function refuse() error(READONLY, 2) end

-- A function that may raise, seen from the script as a C function. A script's `return f(...)` is a tail call,
-- which drops the script's own frame when f is a Lua function, and with it the line Redis reports the error at;
-- calling a C function (here the wrapper of a fresh coroutine running f) keeps that frame, as Redis's C API does.
local function pack(...) return {n = select('#', ...), ...} end
local function c_function(f)
  return coroutine.wrap(function(...)
    local args = pack(...)
    while true do  -- run, hand the results back, wait for the next call's arguments
      args = pack(coroutine.yield(f(unpack(args, 1, args.n))))
    end
  end)
end

local function readonly(t, raising)
  local proxy = {}
  real_of[proxy] = t
  local index = t
  if raising then
    index = function(_, k)
      local v = t[k]
      if raising[k] then return c_function(v) end
      return v
    end
  end
  return setmetatable(proxy, {__index = index, __newindex = refuse, __metatable = {}})
end

local function copy(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

-- the error table Redis builds for an error text: "-CODE msg" keeps its code, anything else gets ERR
local function error_table(s)
  local code, msg = 'ERR', s
  if s:sub(1, 1) == '-' then
    local space = s:find(' ', 1, true)
    if space then code, msg = s:sub(2, space - 1), s:sub(space + 1) else msg = s:sub(2) end
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

local function raise(s) error(error_table(s)) end

-- redis.* ---------------------------------------------------------------------------------------------------------
local redis = {}
-- the arguments go to Python as one table: a Python call from Lua takes fewer than 8000 of them, redis.call more
function redis.call(...)
  local ok, value = py.call_packed(true, pack(...))
  if not ok then error(value) end
  return value
end
function redis.pcall(...)
  local _, value = py.call_packed(false, pack(...))
  return value
end
local function single_field(name, ...)
  local value = ...
  if select('#', ...) ~= 1 or type(value) ~= 'string' then return error_table('wrong number or type of arguments') end
  return {[name] = value}
end
function redis.error_reply(...)
  local value = ...
  if select('#', ...) ~= 1 or type(value) ~= 'string' then return error_table('wrong number or type of arguments') end
  if value:sub(1, 1) ~= '-' then value = '-' .. value end
  return error_table(value)
end
function redis.status_reply(...) return single_field('ok', ...) end
function redis.sha1hex(...)
  if select('#', ...) ~= 1 then raise('wrong number of arguments') end
  local value = ...
  if type(value) == 'number' then value = tostring(value) end
  return sha1(type(value) == 'string' and value or '')
end
local function int_of(value) local n = tonumber(value) or 0; return n >= 0 and floor(n) or -floor(-n) end
function redis.setresp(...)
  if select('#', ...) ~= 1 then raise('redis.setresp() requires one argument.') end
  local version = int_of((...))
  if version ~= 2 and version ~= 3 then raise('RESP version must be 2 or 3.') end
  py.setresp(version)
end
function redis.set_repl(...)
  if select('#', ...) ~= 1 then raise('redis.set_repl() requires one argument.') end
  local flags = int_of((...))
  if flags < 0 or flags > 3 then
    raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  end
end
function redis.log(...)
  if select('#', ...) < 2 then raise('redis.log() requires two arguments or more.') end
  local level = ...
  if type(tonumber(level)) ~= 'number' then raise('First argument must be a number (log level).') end
  level = int_of(level)
  if level < 0 or level > 3 then raise('Invalid log level.') end
end
function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end
function redis.acl_check_cmd(...)
  local allowed = py.known_command(...)
  if allowed == nil then raise('Invalid command passed to redis.acl_check_cmd()') end
  return allowed
end
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = py.version, py.version_num

-- math.random from Redis's own deterministic generator ------------------------------------------------------------
local function checkint(n, name, ...)
  local value = tonumber((select(n, ...)))
  if value == nil then
    local got = select('#', ...) >= n and type((select(n, ...))) or 'no value'
    error({positioned = ("bad argument #%d to '%s' (number expected, got %s)"):format(n, name, got)})
  end
  return value >= 0 and floor(value) or -floor(-value)
end
local maths = copy(math)
function maths.random(...)
  local count = select('#', ...)
  local r = py.rand()
  if count == 0 then return r end
  if count == 1 then
    local upper = checkint(1, 'random', ...)
    if upper < 1 then error({positioned = "bad argument #1 to 'random' (interval is empty)"}) end
    return floor(r * upper) + 1
  end
  if count == 2 then
    local lower, upper = checkint(1, 'random', ...), checkint(2, 'random', ...)
    if lower > upper then error({positioned = "bad argument #2 to 'random' (interval is empty)"}) end
    return floor(r * (upper - lower + 1)) + lower
  end
  error({positioned = 'wrong number of arguments'})
end
function maths.randomseed(...) py.srand(checkint(1, 'randomseed', ...)) end

-- the environment -------------------------------------------------------------------------------------------------
local globals = {}
local library_globals = nil  -- while FUNCTION LOAD runs a library's code: all it may see (functions.py)
local raising_globals = {rawset = true, setmetatable = true}
local env = setmetatable({}, {
  __index = function(_, name)
    local value = rawget(library_globals or globals, name)
    if raising_globals[name] and not library_globals then return c_function(value) end
    if value == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end
    return value
  end,
  __newindex = refuse,
  __metatable = {},
})
real_of[env] = globals

local function sandboxed(f, err)
  if f then setfenv(f, env) end
  return f, err
end
-- compiled code without tail calls (bytecode.py): `return redis.call(...)` keeps the script's frame for errors
local dump = string.dump
local function untail(f, err)
  if not f then return f, err end
  return loadstring(py.untail(dump(f)))
end
local function see_through(t) return real_of[t] or t end
local function guarded(t) if real_of[t] then error({err = 'ERR ' .. READONLY}) end return t end
local function next_of(t, k) return next(see_through(t), k) end
local function finish(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local m = rawget(e, 'positioned') or e.err
    if type(m) == 'string' or type(m) == 'number' then e = m end
  end
  return false, e
end

for _, name in ipairs({'xpcall', 'tostring', 'next', 'assert', 'tonumber', 'rawequal', 'collectgarbage',
                       'getmetatable', 'type', 'select', 'unpack', 'gcinfo', 'ipairs', '_VERSION', 'error'}) do
  globals[name] = _G[name]
end
globals.pcall = function(f, ...) return finish(pcall(f, ...)) end
globals.rawset = function(t, k, v) return rawset(guarded(t), k, v) end
globals.rawget = function(t, k) return rawget(see_through(t), k) end
globals.setmetatable = function(t, m) return setmetatable(guarded(t), m) end
globals.next = next_of
globals.pairs = function(t) return next_of, t, nil end
-- Redis's Lua parses every chunk as source text: a precompiled (binary) chunk is a syntax error, never loaded
globals.loadstring = function(s, name)
  if type(s) == 'string' and s:sub(1, 1) == '\27' then return nil, "unexpected symbol near '<\\27>'" end
  return sandboxed(loadstring(s, name))
end
globals.load = function(f, name) return sandboxed(load(f, name)) end
globals.string = readonly(copy(string))
globals.table = readonly(copy(table))
globals.coroutine = readonly(copy(coroutine))
globals.math = readonly(maths, {random = true, randomseed = true})
globals.os = readonly({clock = os.clock})
globals.redis = readonly(redis, {sha1hex = true, setresp = true, set_repl = true, log = true,
                                         acl_check_cmd = true})
globals._G = env

-- running a script ------------------------------------------------------------------------------------------------
local function handler(err)
  local level = 2
  local info = dbg.getinfo(level, 'nSl')
  while info and (info.what == 'C' or info.source == PRELUDE) do
    level = level + 1
    info = dbg.getinfo(level, 'nSl')
  end
  if type(err) == 'table' and rawget(err, 'positioned') then  -- an error Lua would place at the caller's line
    local where = info and (info.short_src .. ':' .. info.currentline .. ': ') or ''
    err = {err = 'ERR ' .. where .. err.positioned}
  elseif type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if info and not real_of[err] then err.source, err.line = info.source, info.currentline end
  return err
end

local function text_of(value)
  if type(value) == 'number' then return tostring(value) end
  if type(value) == 'string' then return value end
  return nil
end

globals.__redis__err__handler = handler

-- every INTERRUPT_EVERY instructions the server serves others and may end the script (Redis's count hook); once it
-- must end, the hook runs on every line, so a pcall in the script cannot keep it alive
local interrupt, every = py.interrupt, py.interrupt_every
local function busy_hook()
  if interrupt() then
    dbg.sethook(busy_hook, 'l')
    local info = dbg.getinfo(2, 'S')  -- what was running: the script's own code, not this prelude's
    if info and info.source ~= PRELUDE then error({err = py.killed}) end
  end
end
local function guarded_run(f)
  dbg.sethook(busy_hook, '', every)
  local results = pack(xpcall(f, handler))
  dbg.sethook()
  return unpack(results, 1, results.n)
end

local api = {}
function api.compile(body, name) return sandboxed(untail(loadstring(body, name))) end
function api.run(f, keys, args)
  globals.KEYS, globals.ARGV = keys, args
  local ok, result = guarded_run(f)
  if ok then return true, result end
  if type(result) ~= 'table' then return false end
  return false, text_of(result.err), text_of(result.source), text_of(result.line)
end
function api.raw(t, k) return rawget(see_through(t), k) end
function api.raw_pairs(t)
  local out, k, v = {}, next(t)
  while k ~= nil do out[#out + 1] = k; out[#out + 1] = v; k, v = next(t, k) end
  return out
end
function api.type(v) return type(v) end
-- what the function engine and the bundled libraries build on (functions_lua.py, libs/)
api.sandbox = {globals = globals, env = env, handler = handler, guarded_run = guarded_run, raise = raise, error_table = error_table,
               readonly = readonly, refuse = refuse, redis = redis, c_function = c_function, untail = untail,
               set_library_globals = function(t) library_globals = t end}
return api
"""
