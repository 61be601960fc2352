"""lua-cmsgpack 0.4.0 as Redis bundles it: cmsgpack.pack(...) and unpack / unpack_one / unpack_limit.

Packing: integral numbers in int64 range take the smallest integer encoding, other numbers a float32 when that is
exact, else a float64; strings are raw (fixraw/raw8/16/32); a table whose keys are exactly 1..n is an array (an
empty table too), any other a map in ``next`` order; tables nested 16 deep, functions and other values pack as nil.
Unpacking reads concatenated values; extension and bin types are a bad format, as in Redis.
"""
from __future__ import annotations

import math
import struct
from typing import Any

from lupa import lua51

MAX_NESTING = 16
_INT64 = 1 << 63


class UnpackError(Exception):
    pass


def _int_bytes(n: int) -> bytes:
    if n >= 0:
        for limit, head, size in ((0x7F, None, 1), (0xFF, 0xCC, 1), (0xFFFF, 0xCD, 2), (0xFFFFFFFF, 0xCE, 4)):
            if n <= limit:
                return bytes([n]) if head is None else bytes([head]) + n.to_bytes(size, "big")
        return b"\xcf" + n.to_bytes(8, "big")
    if n >= -32:
        return (n & 0xFF).to_bytes(1, "big")
    for low, head, size in ((-128, 0xD0, 1), (-32768, 0xD1, 2), (-(1 << 31), 0xD2, 4)):
        if n >= low:
            return bytes([head]) + n.to_bytes(size, "big", signed=True)
    return b"\xd3" + n.to_bytes(8, "big", signed=True)


def _number_bytes(number: float) -> bytes:
    if not math.isinf(number) and not math.isnan(number) and number == int(number) and -_INT64 <= number < _INT64:
        return _int_bytes(int(number))
    try:
        single = struct.unpack(">f", struct.pack(">f", number))[0]
    except OverflowError:
        single = None
    if single == number or (single is not None and math.isinf(number)):
        return b"\xca" + struct.pack(">f", number)
    return b"\xcb" + struct.pack(">d", number)


def _sized(length: int, small: int, small_mask: int, codes: tuple[int, ...]) -> bytes:
    if length <= small_mask:
        return bytes([small | length])
    if len(codes) == 3 and length <= 0xFF:
        return bytes([codes[0], length])
    if length <= 0xFFFF:
        return bytes([codes[-2]]) + length.to_bytes(2, "big")
    return bytes([codes[-1]]) + (length & 0xFFFFFFFF).to_bytes(4, "big")


def _is_array(table: Any) -> bool:
    count = biggest = 0
    for key in table.keys():
        if isinstance(key, bool) or not isinstance(key, (int, float)) or key <= 0 or key != int(key) \
                or key >= 1 << 31:
            return False
        biggest, count = max(biggest, int(key)), count + 1
    return biggest == count


def encode(value: Any, level: int, out: bytearray) -> None:
    kind = lua51.lua_type(value) if not isinstance(value, (bytes, bool, int, float)) and value is not None else None
    if isinstance(value, bytes):
        out += _sized(len(value), 0xA0, 31, (0xD9, 0xDA, 0xDB)) + value
    elif isinstance(value, bool):
        out += b"\xc3" if value else b"\xc2"
    elif isinstance(value, (int, float)):
        out += _number_bytes(float(value))
    elif kind == "table" and level < MAX_NESTING:
        _encode_table(value, level, out)
    else:
        out += b"\xc0"


def _encode_table(table: Any, level: int, out: bytearray) -> None:
    if _is_array(table):
        length = len(table)
        out += _sized(length, 0x90, 15, (0xDC, 0xDD))
        for index in range(1, length + 1):
            encode(table[index], level + 1, out)
        return
    items = list(table.items())
    out += _sized(len(items), 0x80, 15, (0xDE, 0xDF))
    for key, item in items:
        encode(key, level + 1, out)
        encode(item, level + 1, out)


def pack(*values: Any) -> bytes:
    out = bytearray()
    for value in values:
        encode(value, 0, out)
    return bytes(out)


class Reader:
    """A cursor over packed bytes that builds Lua values."""

    def __init__(self, runtime: Any, data: bytes, offset: int) -> None:
        self.runtime, self.data, self.pos = runtime, data, offset

    def take(self, size: int) -> bytes:
        if len(self.data) - self.pos < size:
            raise UnpackError("Missing bytes in input.")
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def number(self, size: int, signed: bool = False) -> int:
        return int.from_bytes(self.take(size), "big", signed=signed)

    def value(self) -> Any:
        head = self.take(1)[0]
        if head <= 0x7F or head >= 0xE0:
            return head if head <= 0x7F else head - 256
        if 0xA0 <= head <= 0xBF:
            return self.take(head & 0x1F)
        if 0x90 <= head <= 0x9F:
            return self.array(head & 0xF)
        if 0x80 <= head <= 0x8F:
            return self.mapping(head & 0xF)
        return self.typed(head)

    def typed(self, head: int) -> Any:
        fixed = {0xC0: None, 0xC2: False, 0xC3: True}
        if head in fixed:
            return fixed[head]
        integers = {0xCC: (1, False), 0xCD: (2, False), 0xCE: (4, False), 0xCF: (8, False),
                    0xD0: (1, True), 0xD1: (2, True), 0xD2: (4, True), 0xD3: (8, True)}
        if head in integers:
            value = self.number(*integers[head])
            return value if abs(value) < 1 << 53 else float(value)
        if head == 0xCA:
            return struct.unpack(">f", self.take(4))[0]
        if head == 0xCB:
            return struct.unpack(">d", self.take(8))[0]
        sizes = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xDC: 2, 0xDD: 4, 0xDE: 2, 0xDF: 4}
        if head not in sizes:
            raise UnpackError("Bad data format in input.")
        length = self.number(sizes[head])
        if head <= 0xDB:
            return self.take(length)
        return self.array(length) if head <= 0xDD else self.mapping(length)

    def array(self, length: int) -> Any:
        table = self.runtime.table()
        for index in range(1, length + 1):
            table[index] = self.value()
        return table

    def mapping(self, length: int) -> Any:
        table = self.runtime.table()
        for _ in range(length):
            key = self.value()
            table[key] = self.value()
        return table


def unpack(runtime: Any, data: bytes, limit: int = 0, offset: int = 0) -> tuple:
    decode_all = not limit and not offset
    if offset < 0 or limit < 0:
        raise UnpackError(f"Invalid request to unpack with offset of {offset} and limit of {len(data)}.")
    if offset > len(data):
        raise UnpackError(f"Start offset {offset} greater than input length {len(data)}.")
    reader = Reader(runtime, data, offset)
    values: list = []
    limit = limit if not decode_all else 1 << 31
    while reader.pos < len(data) and len(values) < limit:
        values.append(reader.value())
    if decode_all:
        return tuple(values)
    return (-1 if reader.pos == len(data) else reader.pos, *values)


def operations(runtime: Any) -> dict:
    def guarded(function):
        def call(*args):
            try:
                return (True, *function(*args))
            except UnpackError as exc:
                return False, str(exc).encode()
        return call
    return {"pack": lambda *values: pack(*values),
            "unpack": guarded(lambda data: unpack(runtime, data)),
            "unpack_limit": guarded(lambda data, limit, offset: unpack(runtime, data, limit, offset))}


# Argument checks and the module table on the Lua side.
CMSGPACK_LUA = r"""
local S, py = ...
local select, type, tonumber, tostring, error, floor = select, type, tonumber, tostring, error, math.floor
local function fail(message) error({positioned = message}) end
local function string_argument(name, ...)
  local value = ...
  if type(value) == 'number' then return tostring(value) end
  if type(value) ~= 'string' then
    local got = select('#', ...) >= 1 and type(value) or 'no value'
    fail(("bad argument #1 to '%s' (string expected, got %s)"):format(name, got))
  end
  return value
end
local function integer_argument(name, n, value, present, default)
  if value == nil and default then return default end
  local number = tonumber(value)
  if number == nil then
    fail(("bad argument #%d to '%s' (number expected, got %s)"):format(n, name, present and type(value) or 'no value'))
  end
  return number >= 0 and floor(number) or -floor(-number)
end
local function results(ok, ...)
  if not ok then fail((...)) end
  return ...
end
local m = {_NAME = 'cmsgpack', _VERSION = 'lua-cmsgpack 0.4.0', _COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo',
           _DESCRIPTION = 'MessagePack C implementation for Lua'}
function m.pack(...)
  if select('#', ...) == 0 then fail("bad argument #0 to 'pack' (MessagePack pack needs input.)") end
  return py.pack(...)
end
function m.unpack(...)
  return results(py.unpack(string_argument('unpack', ...)))
end
function m.unpack_one(...)
  local data = string_argument('unpack_one', ...)
  local offset = integer_argument('unpack_one', 2, (select(2, ...)), select('#', ...) >= 2, 0)
  return results(py.unpack_limit(data, 1, offset))
end
function m.unpack_limit(...)
  local data = string_argument('unpack_limit', ...)
  local limit = integer_argument('unpack_limit', 2, (select(2, ...)), select('#', ...) >= 2)
  local offset = integer_argument('unpack_limit', 3, (select(3, ...)), select('#', ...) >= 3, 0)
  return results(py.unpack_limit(data, limit, offset))
end
return m
"""
