"""cjson as Redis bundles it (lua-cjson 2.1.0): encode/decode, cjson.null, the encode_*/decode_* settings, new().

Written in Lua on the sandbox: tables are walked with ``next``, so objects come out in the same order as Redis's
(the same Lua 5.1 table layout). Numbers print as C's ``%.14g``; a table whose keys are all positive integers is an
array (an empty one is an object, ``{}``), too sparse an array is an error; strings escape ``"``, ``\\``, ``/``,
control characters and DEL. Decoding follows cjson's tokenizer and its error texts (the character is 1-based);
JSON null is ``cjson.null``, a userdata that prints as Redis's NULL light userdata does.
"""

CJSON_LUA = r"""
local S = ...
local type, next, select, tostring, tonumber, error, rawget, rawset, ipairs, floor, format =
      type, next, select, tostring, tonumber, error, rawget, rawset, ipairs, math.floor, string.format
local byte, sub, find, char, concat = string.byte, string.sub, string.find, string.char, table.concat

local NULL = newproxy(false)
local function fail(message) error({positioned = message}) end
local function argument_error(n, name, message) fail(("bad argument #%d to '%s' (%s)"):format(n, name, message)) end

-- encoding ----------------------------------------------------------------------------------------------------------
local ESCAPES = {['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\t'] = '\\t', ['\n'] = '\\n',
                 ['\f'] = '\\f', ['\r'] = '\\r', ['\127'] = '\\u007f'}
for code = 0, 31 do
  local c = char(code)
  if not ESCAPES[c] then ESCAPES[c] = format('\\u%04x', code) end
end
local function quote(s) return '"' .. s:gsub('[%z\1-\031"/\\\127]', ESCAPES) .. '"' end

local function number_text(cfg, n, what)
  if n ~= n or n == 1/0 or n == -1/0 then
    if cfg.encode_invalid_numbers == 'off' then fail('Cannot serialise ' .. what .. ': must not be NaN or Inf') end
    if cfg.encode_invalid_numbers == 'null' then return 'null' end
    if n ~= n then return 'nan' end
  end
  return format('%.' .. cfg.encode_number_precision .. 'g', n)
end

local function array_length(cfg, t)
  local max, items = 0, 0
  for k in next, t do
    if type(k) ~= 'number' or k == 0 or floor(k) ~= k or k < 1 then return -1 end
    if k > max then max = k end
    items = items + 1
  end
  if cfg.encode_sparse_ratio > 0 and max > items * cfg.encode_sparse_ratio and max > cfg.encode_sparse_safe then
    if not cfg.encode_sparse_convert then fail('Cannot serialise table: excessively sparse array') end
    return -1
  end
  return max
end

local encode_value
local function encode_table(cfg, t, depth, out)
  depth = depth + 1
  if depth > cfg.encode_max_depth then fail(('Cannot serialise, excessive nesting (%d)'):format(depth)) end
  local length = array_length(cfg, t)
  if length > 0 then
    out[#out + 1] = '['
    for i = 1, length do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(cfg, rawget(t, i), depth, out)
    end
    out[#out + 1] = ']'
    return
  end
  out[#out + 1] = '{'
  local first = true
  for k, v in next, t do
    if not first then out[#out + 1] = ',' end
    first = false
    local kind = type(k)
    if kind == 'number' then
      out[#out + 1] = '"' .. number_text(cfg, k, 'number') .. '":'
    elseif kind == 'string' then
      out[#out + 1] = quote(k) .. ':'
    else
      fail('Cannot serialise ' .. kind .. ': table key must be a number or string')
    end
    encode_value(cfg, v, depth, out)
  end
  out[#out + 1] = '}'
end

function encode_value(cfg, v, depth, out)
  local kind = type(v)
  if kind == 'string' then out[#out + 1] = quote(v)
  elseif kind == 'number' then out[#out + 1] = number_text(cfg, v, 'number')
  elseif kind == 'boolean' then out[#out + 1] = v and 'true' or 'false'
  elseif kind == 'table' then encode_table(cfg, v, depth, out)
  elseif v == nil or v == NULL then out[#out + 1] = 'null'
  else fail('Cannot serialise ' .. kind .. ': type not supported') end
end

-- decoding ----------------------------------------------------------------------------------------------------------
local ESCAPED = {['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', t = '\t', n = '\n', f = '\f', r = '\r'}
local SINGLE = {['{'] = 'T_OBJ_BEGIN', ['}'] = 'T_OBJ_END', ['['] = 'T_ARR_BEGIN', [']'] = 'T_ARR_END',
                [','] = 'T_COMMA', [':'] = 'T_COLON'}
local UNKNOWN = {}
for c in ('fiIntN"+-0123456789'):gmatch('.') do UNKNOWN[c] = true end

local function hex4(s, p)
  local digits = sub(s, p, p + 3)
  if #digits < 4 or not digits:find('^%x%x%x%x$') then return nil end
  return tonumber(digits, 16)
end

local function utf8(code)
  if code <= 0x7F then return char(code) end
  if code <= 0x7FF then return char(0xC0 + floor(code / 64), 0x80 + code % 64) end
  if code <= 0xFFFF then
    return char(0xE0 + floor(code / 4096), 0x80 + floor(code / 64) % 64, 0x80 + code % 64)
  end
  return char(0xF0 + floor(code / 262144), 0x80 + floor(code / 4096) % 64, 0x80 + floor(code / 64) % 64,
              0x80 + code % 64)
end

-- a \uXXXX escape (or a surrogate pair of them) at p: the UTF-8 text and the escape's length, or nil
local function unicode_escape(s, p)
  local code = hex4(s, p + 2)
  if not code then return nil end
  local length = 6
  if code >= 0xD800 and code <= 0xDFFF then
    if code >= 0xDC00 or sub(s, p + 6, p + 7) ~= '\\u' then return nil end
    local low = hex4(s, p + 8)
    if not low or low < 0xDC00 or low > 0xDFFF then return nil end
    code, length = (code - 0xD800) * 1024 + (low - 0xDC00) + 0x10000, 12
  end
  return utf8(code), length
end

local function string_token(s, p)  -- p at the opening quote; (value, next position) or (nil, error, position)
  local parts, i = {}, p + 1
  while true do
    local c = sub(s, i, i)
    if c == '"' then return concat(parts), i + 1 end
    if c == '' then return nil, 'unexpected end of string', i end
    if c == '\\' then
      local e = sub(s, i + 1, i + 1)
      if e == 'u' then
        local text, length = unicode_escape(s, i)
        if not text then return nil, 'invalid unicode escape code', i end
        parts[#parts + 1], i = text, i + length
      elseif ESCAPED[e] then
        parts[#parts + 1], i = ESCAPED[e], i + 2
      else
        return nil, 'invalid escape code', i
      end
    else
      local stop = find(s, '["\\]', i) or #s + 1
      parts[#parts + 1], i = sub(s, i, stop - 1), stop
    end
  end
end

local function is_invalid_number(s, p)
  local c = sub(s, p, p)
  if c == '+' then return true end
  if c == '-' then p = p + 1; c = sub(s, p, p) end
  if c == '0' then
    local c2 = sub(s, p + 1, p + 1)
    return c2 == 'x' or c2 == 'X' or c2:find('^%d$') ~= nil
  end
  if c ~= '' and byte(c) <= 57 then return false end
  local word = sub(s, p, p + 2):lower()
  return word == 'inf' or word == 'nan'
end

-- the longest prefix at p that C's strtod reads: its end (exclusive), or p when there is none
local function strtod_end(s, p)
  local q = p
  if sub(s, q, q):find('^[+-]$') then q = q + 1 end
  local word = sub(s, q, q + 7):lower()
  if word == 'infinity' then return q + 8 end
  if sub(word, 1, 3) == 'inf' then return q + 3 end
  if sub(word, 1, 3) == 'nan' then
    local close = sub(s, q + 3, q + 3) == '(' and s:match('^%([%w_]*%)()', q + 3)
    return close or q + 3
  end
  if sub(s, q, q + 1):lower() == '0x' then
    local e = s:match('^%x*%.?%x*()', q + 2)
    if e == q + 2 or sub(s, q + 2, e - 1) == '.' then return q + 1 end
    return s:match('^[pP][+-]?%d+()', e) or e
  end
  local e = s:match('^%d*%.?%d*()', q)
  if e == q or sub(s, q, e - 1) == '.' then return p end
  return s:match('^[eE][+-]?%d+()', e) or e
end

local function next_token(cfg, s, p)  -- type, value, index (1-based), next position
  p = find(s, '[^ \t\n\r]', p) or #s + 1
  local c = sub(s, p, p)
  if c == '' then return 'T_END', nil, p, p end
  if SINGLE[c] then return SINGLE[c], nil, p, p + 1 end
  if not UNKNOWN[c] then return 'T_ERROR', 'invalid token', p, p end
  if c == '"' then
    local value, e, at = string_token(s, p)
    if value == nil then return 'T_ERROR', e, at, at end
    return 'T_STRING', value, p, e
  end
  local numeric = c == '-' or c:find('^%d$')
  if numeric and not cfg.decode_invalid_numbers and is_invalid_number(s, p) then
    return 'T_ERROR', 'invalid number', p, p
  end
  if not numeric then
    if sub(s, p, p + 3) == 'true' then return 'T_BOOLEAN', true, p, p + 4 end
    if sub(s, p, p + 4) == 'false' then return 'T_BOOLEAN', false, p, p + 5 end
    if sub(s, p, p + 3) == 'null' then return 'T_NULL', NULL, p, p + 4 end
    if not (cfg.decode_invalid_numbers and is_invalid_number(s, p)) then return 'T_ERROR', 'invalid token', p, p end
  end
  local e = strtod_end(s, p)
  if e == p then return 'T_ERROR', 'invalid number', p, p end
  return 'T_NUMBER', tonumber(sub(s, p, e - 1)), p, e
end

local function expected(what, kind, value, index)
  fail(('Expected %s but found %s at character %d'):format(what, kind == 'T_ERROR' and value or kind, index))
end

local decode_value
local function descend(cfg, state, p)
  state.depth = state.depth + 1
  if state.depth > cfg.decode_max_depth then
    fail(('Found too many nested data structures (%d) at character %d'):format(state.depth, p - 1))
  end
end

local function decode_object(cfg, s, p, state)
  descend(cfg, state, p)
  local t = {}
  local kind, value, index, q = next_token(cfg, s, p)
  if kind == 'T_OBJ_END' then state.depth = state.depth - 1 return t, q end
  while true do
    if kind ~= 'T_STRING' then expected('object key string', kind, value, index) end
    local key = value
    kind, value, index, q = next_token(cfg, s, q)
    if kind ~= 'T_COLON' then expected('colon', kind, value, index) end
    kind, value, index, q = next_token(cfg, s, q)
    local item
    item, q = decode_value(cfg, s, state, kind, value, index, q)
    rawset(t, key, item)
    kind, value, index, q = next_token(cfg, s, q)
    if kind == 'T_OBJ_END' then state.depth = state.depth - 1 return t, q end
    if kind ~= 'T_COMMA' then expected('comma or object end', kind, value, index) end
    kind, value, index, q = next_token(cfg, s, q)
  end
end

local function decode_array(cfg, s, p, state)
  descend(cfg, state, p)
  local t = {}
  local kind, value, index, q = next_token(cfg, s, p)
  if kind == 'T_ARR_END' then state.depth = state.depth - 1 return t, q end
  local i = 1
  while true do
    local item
    item, q = decode_value(cfg, s, state, kind, value, index, q)
    rawset(t, i, item)
    i = i + 1
    kind, value, index, q = next_token(cfg, s, q)
    if kind == 'T_ARR_END' then state.depth = state.depth - 1 return t, q end
    if kind ~= 'T_COMMA' then expected('comma or array end', kind, value, index) end
    kind, value, index, q = next_token(cfg, s, q)
  end
end

function decode_value(cfg, s, state, kind, value, index, q)
  if kind == 'T_STRING' or kind == 'T_NUMBER' or kind == 'T_BOOLEAN' or kind == 'T_NULL' then return value, q end
  if kind == 'T_OBJ_BEGIN' then return decode_object(cfg, s, q, state) end
  if kind == 'T_ARR_BEGIN' then return decode_array(cfg, s, q, state) end
  expected('value', kind, value, index)
end

-- the module --------------------------------------------------------------------------------------------------------
local function one_argument(name, ...)
  if select('#', ...) ~= 1 then argument_error(1, name, 'expected 1 argument') end
  return ...
end

local function integer_option(n, name, value, low, high, current)
  if value == nil then return current end
  local number = tonumber(value)
  if number == nil then
    argument_error(n, name, 'number expected, got ' .. type(value))
  end
  number = number >= 0 and floor(number) or -floor(-number)
  if number < low or number > high then
    argument_error(1, name, ('expected integer between %d and %d'):format(low, high))
  end
  return number
end

local function enum_option(n, name, value, current, options)
  if value == nil then return current end
  if type(value) == 'boolean' then return value and 'on' or 'off' end
  for _, option in ipairs(options) do
    if value == option then return option end
  end
  if type(value) ~= 'string' then argument_error(n, name, 'string expected, got ' .. type(value)) end
  argument_error(n, name, "invalid option '" .. value .. "'")
end

local function as_boolean_or_text(value)
  if value == 'on' then return true elseif value == 'off' then return false end
  return value
end

local function settings_check(name, count, ...)
  if select('#', ...) > count then argument_error(count + 1, name, 'found too many arguments') end
  return ...
end

local new
function new()
  local cfg = {encode_sparse_convert = false, encode_sparse_ratio = 2, encode_sparse_safe = 10,
               encode_max_depth = 1000, decode_max_depth = 1000, encode_invalid_numbers = 'off',
               decode_invalid_numbers = true, encode_keep_buffer = true, encode_number_precision = 14}
  local m = {_NAME = 'cjson', _VERSION = '2.1.0', null = NULL, new = function() return new() end}
  function m.encode(...)
    local out = {}
    encode_value(cfg, one_argument('encode', ...), 0, out)
    return concat(out)
  end
  function m.decode(...)
    local s = one_argument('decode', ...)
    if type(s) == 'number' then s = tostring(s) end
    if type(s) ~= 'string' then argument_error(1, 'decode', 'string expected, got ' .. type(s)) end
    if #s >= 2 and (byte(s, 1) == 0 or byte(s, 2) == 0) then fail('JSON parser does not support UTF-16 or UTF-32') end
    local nul = find(s, '\0', 1, true)
    if nul then s = sub(s, 1, nul - 1) end  -- C reads the text up to its first NUL
    local state = {depth = 0}
    local kind, value, index, q = next_token(cfg, s, 1)
    local result
    result, q = decode_value(cfg, s, state, kind, value, index, q)
    kind, value, index = next_token(cfg, s, q)
    if kind ~= 'T_END' then expected('the end', kind, value, index) end
    return result
  end
  function m.encode_sparse_array(...)
    local convert, ratio, safe = settings_check('encode_sparse_array', 3, ...)
    cfg.encode_sparse_convert = as_boolean_or_text(enum_option(1, 'encode_sparse_array', convert,
      cfg.encode_sparse_convert and 'on' or 'off', {'off', 'on'}))
    cfg.encode_sparse_ratio = integer_option(2, 'encode_sparse_array', ratio, 0, 2147483647, cfg.encode_sparse_ratio)
    cfg.encode_sparse_safe = integer_option(3, 'encode_sparse_array', safe, 0, 2147483647, cfg.encode_sparse_safe)
    return cfg.encode_sparse_convert, cfg.encode_sparse_ratio, cfg.encode_sparse_safe
  end
  local function integer_setting(name, low, high)
    m[name] = function(...)
      cfg[name] = integer_option(1, name, settings_check(name, 1, ...), low, high, cfg[name])
      return cfg[name]
    end
  end
  integer_setting('encode_max_depth', 1, 2147483647)
  integer_setting('decode_max_depth', 1, 2147483647)
  integer_setting('encode_number_precision', 1, 14)
  local function boolean_setting(name)
    m[name] = function(...)
      local value = settings_check(name, 1, ...)
      cfg[name] = as_boolean_or_text(enum_option(1, name, value, cfg[name] and 'on' or 'off', {'off', 'on'}))
      return cfg[name]
    end
  end
  boolean_setting('encode_keep_buffer')
  boolean_setting('decode_invalid_numbers')
  function m.encode_invalid_numbers(...)
    local value = settings_check('encode_invalid_numbers', 1, ...)
    cfg.encode_invalid_numbers = enum_option(1, 'encode_invalid_numbers', value, cfg.encode_invalid_numbers,
                                             {'off', 'on', 'null'})
    return as_boolean_or_text(cfg.encode_invalid_numbers)
  end
  return m
end

return new(), NULL
"""
