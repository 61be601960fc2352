"""lua-struct as Redis bundles it: struct.pack, struct.unpack and struct.size with its format letters.

Formats: ``>`` big-endian, ``<`` little-endian, ``!n`` alignment (a power of two, 8 by default), spaces ignored;
``b/B`` char, ``h/H`` short, ``l/L`` long and ``T`` size_t (8 bytes), ``i/In`` an n-byte integer (4 by default, at
most 32), ``f`` float, ``d`` double, ``x`` a zero byte, ``cn`` n bytes (``c0``: the whole string when packing, the
previous number's size when unpacking), ``s`` a zero-terminated string. Lower case letters are signed. Errors are
lua-struct's texts; the Lua side raises them at the script's line.
"""
from __future__ import annotations

import math
import struct as native

MAXINTSIZE = 32
MAXALIGN = 8
_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "f": 4, "d": 8, "x": 1}


class StructError(Exception):
    """A lua-struct error: its message, raised in Lua at the caller's line."""


def _argerror(n: int, name: str, message: str) -> StructError:
    return StructError(f"bad argument #{n} to '{name}' ({message})")


def lua_type_name(value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, bytes):
        return "string"
    from lupa import lua51
    return lua51.lua_type(value) or "userdata"


def lua_tonumber(value) -> float | int | None:
    """Lua 5.1's string-to-number coercion (strtod, or hexadecimal), for numbers given as strings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, bytes):
        return None
    text = value.decode("latin-1").strip(" \t\n\r\f\v")
    if "_" in text or not text:
        return None
    try:
        if text.lower().lstrip("+-").startswith("0x"):
            return float(int(text, 16))
        return float(text)
    except ValueError:
        return None


class Format:
    """A walk over a format string, keeping the endianness and alignment its control letters set."""

    def __init__(self, fmt: bytes, name: str) -> None:
        self.fmt, self.i, self.name = fmt.decode("latin-1"), 0, name
        self.little, self.align = True, 1

    def __iter__(self):
        while self.i < len(self.fmt):
            opt = self.fmt[self.i]
            self.i += 1
            yield opt, self._size(opt)

    def _number(self, default: int) -> int:
        if self.i >= len(self.fmt) or not self.fmt[self.i].isdigit():
            return default
        value = 0
        while self.i < len(self.fmt) and self.fmt[self.i].isdigit():
            value = value * 10 + int(self.fmt[self.i])
            if value > 2**31 - 1:
                raise StructError("integral size overflow")
            self.i += 1
        return value

    def _size(self, opt: str) -> int:
        if opt in _SIZES:
            return _SIZES[opt]
        if opt == "c":
            return self._number(1)
        if opt in "iI":
            size = self._number(4)
            if size > MAXINTSIZE:
                raise StructError(f"integral size {size} is larger than limit of {MAXINTSIZE}")
            return size
        return 0

    def padding(self, length: int, opt: str, size: int) -> int:
        if size == 0 or opt == "c":
            return 0
        size = min(size, self.align)
        return (size - (length & (size - 1))) & (size - 1)

    def control(self, opt: str) -> None:
        if opt == " ":
            return
        if opt in "<>":
            self.little = opt == "<"
            return
        if opt == "!":
            align = self._number(MAXALIGN)
            if align <= 0 or align & (align - 1):
                raise StructError(f"alignment {align} is not a power of 2")
            self.align = align
            return
        raise _argerror(1, self.name, f"invalid format option '{opt}'")


def _check_string(args: list, n: int, name: str) -> bytes:
    value = args[n - 1] if n <= len(args) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    if not isinstance(value, bytes):
        got = lua_type_name(value) if n <= len(args) else "no value"
        raise _argerror(n, name, f"string expected, got {got}")
    return value


def _number_text(value: float) -> bytes:
    if float(value).is_integer() and abs(value) < 1e15:
        return b"%d" % int(value)
    return (b"%.14g" % value)


def _check_number(args: list, n: int, name: str) -> float:
    value = args[n - 1] if n <= len(args) else None
    number = lua_tonumber(value)
    if number is None:
        got = lua_type_name(value) if n <= len(args) else "no value"
        raise _argerror(n, name, f"number expected, got {got}")
    return float(number)


def _integer_bytes(number: float, size: int, little: bool) -> bytes:
    if math.isnan(number) or math.isinf(number) or abs(number) >= 2.0**64:
        value = 1 << 63  # what x86-64 makes of a double no long can hold
    else:
        value = int(number) & 0xFFFFFFFFFFFFFFFF
    data = bytes((value >> (8 * i)) & 0xFF if i < 8 else 0 for i in range(size))
    return data if little else data[::-1]


def pack(*args) -> bytes:
    # lua-struct pushes a nil past its arguments before reading them: a missing one is "nil", not "no value"
    args = list(args) + [None] * (len(args) + 64)
    form = Format(_check_string(args, 1, "pack"), "pack")
    out, arg = bytearray(), 2
    for opt, size in form:
        pad = form.padding(len(out), opt, size)
        out += bytes(pad)
        if opt in "bBhHlLTiI":
            out += _integer_bytes(_check_number(args, arg, "pack"), size, form.little)
            arg += 1
        elif opt == "x":
            out += b"\0"
        elif opt in "fd":
            code = ("<" if form.little else ">") + opt
            out += native.pack(code, _float_value(_check_number(args, arg, "pack"), opt))
            arg += 1
        elif opt in "cs":
            text = _check_string(args, arg, "pack")
            arg += 1
            size = size or len(text)
            if len(text) < size:
                raise _argerror(arg, "pack", "string too short")
            out += text[:size] + (b"\0" if opt == "s" else b"")
        else:
            form.control(opt)
    return bytes(out)


def _float_value(number: float, opt: str) -> float:
    if opt == "f" and not math.isinf(number) and abs(number) > 3.4028234663852886e38:
        return math.copysign(math.inf, number)
    return number


def unpack(*args) -> list:
    args = list(args)
    form = Format(_check_string(args, 1, "unpack"), "unpack")
    data = _check_string(args, 2, "unpack")
    pos = 1 if len(args) < 3 or args[2] is None else int(_check_number(args, 3, "unpack"))
    if pos == 0:
        raise _argerror(3, "unpack", "offset must be 1 or greater")
    pos = (pos - 1) % (1 << 64)
    results: list = []
    for opt, size in form:
        pos += form.padding(pos, opt, size)
        if size > len(data) or pos > len(data) - size:
            raise _argerror(2, "unpack", "data string too short")
        if opt in "bBhHlLTiI":
            results.append(_integer_value(data[pos:pos + size], form.little, opt.islower()))
        elif opt in "fd":
            code = ("<" if form.little else ">") + opt
            results.append(native.unpack(code, data[pos:pos + size])[0])
        elif opt == "c":
            if size == 0:
                if not results or not isinstance(results[-1], (int, float)):
                    raise StructError("format 'c0' needs a previous size")
                size = int(results.pop())
                if size > len(data) or pos > len(data) - size:
                    raise _argerror(2, "unpack", "data string too short")
            results.append(data[pos:pos + size])
        elif opt == "s":
            end = data.find(b"\0", pos)
            if end < 0:
                raise StructError("unfinished string in data")
            size = end - pos + 1
            results.append(data[pos:end])
        elif opt != "x":
            form.control(opt)
        pos += size
    return results + [pos + 1]


def _integer_value(raw: bytes, little: bool, signed: bool) -> float:
    value = int.from_bytes(raw if little else raw[::-1], "little") & 0xFFFFFFFFFFFFFFFF
    if signed and len(raw) and value & (1 << (min(len(raw), 8) * 8 - 1)):
        value -= 1 << 64 if len(raw) >= 8 else 1 << (len(raw) * 8)
    return float(value)


def size(*args) -> int:
    args = list(args)
    form = Format(_check_string(args, 1, "size"), "size")
    pos = 0
    for opt, length in form:
        pos += form.padding(pos, opt, length)
        if opt == "s":
            raise _argerror(1, "size", "option 's' has no fixed size")
        if opt == "c" and length == 0:
            raise _argerror(1, "size", "option 'c0' has no fixed size")
        if not opt.isalnum():
            form.control(opt)
        pos += length
    return pos


def guarded(function):
    """The function as Lua calls it: (True, results...) or (False, the error message)."""
    def call(*args):
        try:
            result = function(*args)
        except StructError as exc:
            return False, str(exc).encode()
        return (True, *result) if isinstance(result, list) else (True, result)
    return call


OPERATIONS = {"pack": guarded(pack), "unpack": guarded(unpack), "size": guarded(size)}
