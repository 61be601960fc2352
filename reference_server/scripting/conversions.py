"""Redis's type conversions between Lua values and replies, both ways, as Redis 8.2 does them.

Lua -> reply (what a script returns): strings are bulk strings, numbers are integers truncated toward zero (a
value a C ``long long`` cannot hold becomes its minimum, as the C cast does), tables are arrays up to the first nil
unless they carry one of the single-field shapes ({err=}, {ok=}, {double=}, {big_number=}, {map=}, {set=},
{verbatim_string=}). Booleans depend on the protocol the script chose with redis.setresp: in RESP2 true is 1 and
false a null; in RESP3 they are booleans.

Reply -> Lua (what redis.call returns): in RESP2 nulls are false, statuses {ok=}, errors {err=}, doubles strings and
maps/sets flat arrays; in RESP3 nulls are nil and maps, sets, doubles and verbatim strings keep their shape in
{map=}, {set=}, {double=}, {verbatim_string=} tables.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Protocol

from ..dtoa import d2string
from ..replies import NULL_ARRAY, BigNumber, Bool, Double, Err, Map, Pushes, RSet, Verbatim
from ..util import as_text

LLONG_MIN = -(1 << 63)
LLONG_MAX = (1 << 63) - 1
_EXACT_LIMIT = 1 << 62  # Redis's double2ll only prints doubles within ±LLONG_MAX/2 as integers


class LuaAccess(Protocol):
    """What the conversions need from the Lua runtime: raw reads (metatables are ignored, as Redis's
    lua_rawget/lua_next do), its type names, and new tables."""

    def raw(self, table: Any, key: Any) -> Any: ...
    def raw_pairs(self, table: Any) -> Iterator[tuple[Any, Any]]: ...
    def is_table(self, value: Any) -> bool: ...
    def table(self, fields: dict | None = None) -> Any: ...


def _single_line(text: bytes) -> bytes:
    """Status and error replies stay on one line: Redis maps CR and LF to spaces."""
    return text.replace(b"\r", b" ").replace(b"\n", b" ")


# -- Lua -> reply ---------------------------------------------------------------------------------------------------
def lua_number_to_integer(value: float | int) -> int:
    """The C cast ``(long long)d``: truncation toward zero; NaN, infinities and overflow give LLONG_MIN."""
    if isinstance(value, int):
        return value if LLONG_MIN <= value <= LLONG_MAX else LLONG_MIN
    if math.isnan(value) or not LLONG_MIN <= value < -LLONG_MIN:
        return LLONG_MIN
    return int(value)


# Redis stops converting nested tables when Lua's C stack is full (after 7995 levels of arrays) and puts the error
# "reached lua stack limit" in place of the rest; the reference stops sooner, inside Python's recursion limit.
NESTING_LIMIT = 250


def lua_to_reply(lua: LuaAccess, value: Any, script_resp: int, depth: int = 0) -> Any:
    """The reply for a value a script returned (or a table element of it, `depth` tables down)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        if script_resp == 3:
            return Bool(value)
        return 1 if value else None
    if isinstance(value, (int, float)):
        return lua_number_to_integer(value)
    if lua.is_table(value):
        if depth >= NESTING_LIMIT:
            return Err("ERR reached lua stack limit")
        return _table_to_reply(lua, value, script_resp, depth + 1)
    return None  # nil, functions, userdata: a null


def _table_to_reply(lua: LuaAccess, table: Any, script_resp: int, depth: int) -> Any:
    err = lua.raw(table, b"err")
    if isinstance(err, bytes):
        return Err(as_text(_single_line(err)))
    ok = lua.raw(table, b"ok")
    if isinstance(ok, bytes):
        return as_text(_single_line(ok))
    shaped = _shaped_table(lua, table, script_resp, depth)
    if shaped is not None:
        return shaped
    items = []
    while (item := lua.raw(table, len(items) + 1)) is not None:
        items.append(lua_to_reply(lua, item, script_resp, depth))
    return items


def _shaped_table(lua: LuaAccess, table: Any, script_resp: int, depth: int) -> Any:
    """{double=}, {big_number=}, {map=}, {set=}, {verbatim_string=}: None when the table has none of them."""
    number = lua.raw(table, b"double")
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        return Double(number)
    big = lua.raw(table, b"big_number")
    if isinstance(big, bytes):
        return BigNumber(_single_line(big))
    mapping = lua.raw(table, b"map")
    if lua.is_table(mapping):
        return Map((lua_to_reply(lua, k, script_resp, depth), lua_to_reply(lua, v, script_resp, depth))
                   for k, v in lua.raw_pairs(mapping))
    members = lua.raw(table, b"set")
    if lua.is_table(members):
        return RSet(lua_to_reply(lua, k, script_resp, depth) for k, _ in lua.raw_pairs(members))
    verbatim = lua.raw(table, b"verbatim_string")
    if lua.is_table(verbatim):
        text, kind = lua.raw(verbatim, b"string"), lua.raw(verbatim, b"format")
        if isinstance(text, bytes) and isinstance(kind, bytes):
            return Verbatim(text)
    return None


# -- reply -> Lua ---------------------------------------------------------------------------------------------------
def error_table(lua: LuaAccess, text: str | bytes) -> Any:
    """The {err="CODE message"} table Redis hands to Lua for an error (a missing code becomes ERR)."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    if text.startswith(b"-"):
        code, _, message = text[1:].partition(b" ")
        text = code + b" " + message if message else b"ERR " + code
    else:
        text = b"ERR " + text
    return lua.table({b"err": text.rstrip(b"\r\n")})


def reply_to_lua(lua: LuaAccess, reply: Any, script_resp: int) -> Any:
    """The Lua value redis.call/pcall returns for a command's reply, in the script's protocol."""
    kind = type(reply)
    if kind is bytes or kind is bytearray:
        return bytes(reply)
    if kind is int:
        return reply
    if kind is str:
        return lua.table({b"ok": reply.encode("utf-8", "surrogateescape")})
    if kind is Err:
        return lua.table({b"err": reply.encode("utf-8", "surrogateescape")})
    if reply is None or reply is NULL_ARRAY:
        return False if script_resp == 2 else None
    if kind is Bool:
        return bool(reply) if script_resp == 3 else int(reply)
    if kind is Double:
        return lua.table({b"double": float(reply)}) if script_resp == 3 else d2string(reply)
    if kind is Verbatim:
        if script_resp == 2:
            return bytes(reply)
        return lua.table({b"verbatim_string": lua.table({b"format": b"txt", b"string": bytes(reply)})})
    if kind is BigNumber:
        return lua.table({b"big_number": bytes(reply)}) if script_resp == 3 else bytes(reply)
    if kind is Pushes and reply:  # DEBUG PROTOCOL ATTRIB: a script sees the reply, not the attribute before it
        return reply_to_lua(lua, reply[-1], script_resp)
    if kind is Map:
        return _map_to_lua(lua, reply, script_resp)
    if kind is RSet:
        return _set_to_lua(lua, reply, script_resp)
    if isinstance(reply, (list, tuple)):
        return _array(lua, [reply_to_lua(lua, item, script_resp) for item in reply])
    if isinstance(reply, int):  # IntEnum and friends
        return int(reply)
    return False if script_resp == 2 else None


def _array(lua: LuaAccess, items: list) -> Any:
    table = lua.table()
    for index, item in enumerate(items, 1):
        if item is not None:
            table[index] = item
    return table


def _map_to_lua(lua: LuaAccess, pairs: Map, script_resp: int) -> Any:
    if script_resp == 2:
        return _array(lua, [reply_to_lua(lua, x, script_resp) for pair in pairs for x in pair])
    inner = lua.table()
    for key, value in pairs:
        inner[reply_to_lua(lua, key, script_resp)] = reply_to_lua(lua, value, script_resp)
    return lua.table({b"map": inner})


def _set_to_lua(lua: LuaAccess, members: RSet, script_resp: int) -> Any:
    if script_resp == 2:
        return _array(lua, [reply_to_lua(lua, m, script_resp) for m in members])
    inner = lua.table()
    for member in members:
        inner[reply_to_lua(lua, member, script_resp)] = True
    return lua.table({b"set": inner})


# -- arguments of redis.call ----------------------------------------------------------------------------------------
def lua_argument(value: Any) -> bytes | None:
    """A redis.call argument as Redis builds it: strings as they are, numbers printed (integers plainly);
    None for anything else (a table, a boolean, nil)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, int):
        return b"%d" % value if -_EXACT_LIMIT <= value <= _EXACT_LIMIT else d2string(float(value))
    return d2string(value)
