"""The function engine's side of Lua: loading a library's code and calling a registered function.

Redis runs functions in a Lua state of their own (nothing is shared with EVAL scripts: not KEYS/ARGV, not
math.random's generator), so `FunctionBridge` is a second sandboxed interpreter with two more entry points:

- ``load``: the library's code runs once, seeing as globals nothing but a small ``redis`` table (register_function,
  log, the LOG_* levels and the version); any other name is "nonexistent", as Redis's load-time globals are. The
  run is cut off after Redis's 500 ms load timeout. It answers the registered functions in registration order.
- ``call``: a registered callback runs with the keys and arguments as its two parameters, under the full sandbox.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from .lua import LuaBridge, Outcome

LIBRARY_SOURCE = b"@user_function"
LOAD_TIMEOUT_S = 0.5
FLAG_ORDER = ("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys")

FUNCTIONS_LUA = r"""
local S, py = ...
local raise, handler, globals, env, refuse = S.raise, S.handler, S.globals, S.env, S.refuse
local type, select, next, tostring, error, xpcall, setmetatable, setfenv, loadstring =
      type, select, next, tostring, error, xpcall, setmetatable, setfenv, loadstring
local dbg = debug
local NAME_ERROR = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one ' ..
                   'character long'
local FLAGS = {}
for i, name in ipairs(py.flag_order) do FLAGS[name] = i end

local loading  -- the library whose code is running: its functions in registration order, and their names

local function is_string(v) local t = type(v) return t == 'string' or t == 'number' end  -- lua_isstring

local function read_flags(flags)
  local seen, i = {}, 1
  while true do
    local flag = flags[i]
    if flag == nil then return seen end
    if not is_string(flag) or not FLAGS[tostring(flag):lower()] then return nil end
    seen[FLAGS[tostring(flag):lower()]] = true
    i = i + 1
  end
end

local function named_arguments(t)
  if type(t) ~= 'table' then
    raise('calling redis.register_function with a single argument is only applicable to Lua table ' ..
          '(representing named arguments).')
  end
  local name, callback, description, flags
  for key, value in next, t do
    if not is_string(key) then raise('named argument key given to redis.register_function is not a string') end
    local option = tostring(key):lower()
    if option == 'function_name' then
      if not is_string(value) then
        raise('function_name argument given to redis.register_function must be a string')
      end
      name = tostring(value)
    elseif option == 'description' then
      if not is_string(value) then raise('description argument given to redis.register_function must be a string') end
      description = tostring(value)
    elseif option == 'callback' then
      if type(value) ~= 'function' then
        raise('callback argument given to redis.register_function must be a function')
      end
      callback = value
    elseif option == 'flags' then
      if type(value) ~= 'table' then
        raise('flags argument to redis.register_function must be a table representing function flags')
      end
      flags = read_flags(value)
      if not flags then raise('unknown flag given') end
    else
      raise('unknown argument given to redis.register_function')
    end
  end
  if not name then raise('redis.register_function must get a function name argument') end
  if not callback then raise('redis.register_function must get a callback argument') end
  return name, callback, description, flags or {}
end

local function positional_arguments(name, callback)
  if not is_string(name) then raise('first argument to redis.register_function must be a string') end
  if type(callback) ~= 'function' then raise('second argument to redis.register_function must be a function') end
  return tostring(name), callback, nil, {}
end

local function register_function(...)
  local count = select('#', ...)
  if count < 1 or count > 2 then raise('wrong number of arguments to redis.register_function') end
  local name, callback, description, flags
  if count == 1 then
    name, callback, description, flags = named_arguments(...)
  else
    name, callback, description, flags = positional_arguments(...)
  end
  if not name:find('^[A-Za-z0-9_]+$') then raise(NAME_ERROR) end
  if loading.names[name] then raise('Function already exists in the library') end
  loading.names[name] = true
  local listed = {}
  for i = 1, #py.flag_order do if flags[i] then listed[#listed + 1] = py.flag_order[i] end end
  loading.functions[#loading.functions + 1] = {name, callback, description or false, listed}
end

local real = S.redis
local library_fields = {
  register_function = register_function, log = S.c_function(real.log),
  LOG_DEBUG = real.LOG_DEBUG, LOG_VERBOSE = real.LOG_VERBOSE, LOG_NOTICE = real.LOG_NOTICE,
  LOG_WARNING = real.LOG_WARNING, REDIS_VERSION = real.REDIS_VERSION, REDIS_VERSION_NUM = real.REDIS_VERSION_NUM,
}
-- the load-time redis table: read-only, and an unknown field is an error, as for a global
local library_redis = setmetatable({}, {
  __index = function(_, name)
    local value = library_fields[name]
    if value == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end
    return value
  end,
  __newindex = refuse, __metatable = {},
})
local library_globals = {redis = library_redis}

local function timeout_hook()
  if py.load_expired() then error({err = 'ERR FUNCTION LOAD timeout'}) end
end

local function text_of(value)
  if type(value) == 'number' then return tostring(value) end
  if type(value) == 'string' then return value end
  return nil
end

local api = {}
function api.load(code)
  local chunk, message = S.untail(loadstring(code, py.source))
  if not chunk then return false, 'Error compiling function: ' .. message end
  setfenv(chunk, env)
  loading = {names = {}, functions = {}}
  S.set_library_globals(library_globals)
  dbg.sethook(timeout_hook, '', 100000)
  local ok, err = xpcall(chunk, handler)
  dbg.sethook()
  S.set_library_globals(nil)
  local functions = loading.functions
  loading = nil
  if not ok then return false, 'Error registering functions: ' .. (text_of(err.err) or 'ERR unknown error') end
  return true, functions
end
function api.call(f, keys, args)
  globals.KEYS, globals.ARGV = nil, nil
  local ok, result = S.guarded_run(function() return f(keys, args) end)
  if ok then return true, result end
  if type(result) ~= 'table' then return false end
  return false, text_of(result.err), text_of(result.source), text_of(result.line)
end
return api
"""


class FunctionBridge(LuaBridge):
    """The function engine's interpreter: the script sandbox plus library loading and keys/args calls."""

    def __init__(self, call: Callable[..., tuple], set_resp: Callable[[int], None],
                 known_command: Callable[..., bool], interrupt: Callable[[], bool] = lambda: False) -> None:
        super().__init__(call, set_resp, known_command, interrupt)
        self._load_deadline = 0.0
        callbacks = self.runtime.table_from({
            b"flag_order": self.runtime.table_from([f.encode() for f in FLAG_ORDER]),
            b"load_expired": lambda: time.monotonic() > self._load_deadline, b"source": LIBRARY_SOURCE,
        })
        self.functions_api = self.runtime.execute(FUNCTIONS_LUA, self.api.sandbox, callbacks)

    def load_library(self, code: bytes) -> tuple[bool, Any]:
        """(True, [(name, callback, description, flags)...]) or (False, the error text after "ERR ")."""
        self._load_deadline = time.monotonic() + LOAD_TIMEOUT_S
        ok, result = self.functions_api.load(code)
        if not ok:
            return False, result.decode("utf-8", "surrogateescape")
        registered = []
        for index in range(1, len(result) + 1):
            name, callback, description, flags = (result[index][i] for i in range(1, 5))
            registered.append((name.decode(), callback, description or None,
                               tuple(flags[i].decode() for i in range(1, len(flags) + 1))))
        return True, registered

    def run(self, function: Any, keys: list[bytes], args: list[bytes]) -> Outcome:
        ok, *rest = self.functions_api.call(function, self.array(keys), self.array(args))
        if ok:
            return Outcome(True, rest[0] if rest else None)
        message, source, line = (list(rest) + [None, None, None])[:3]
        return Outcome(False, message=message, source=source, line=line)
