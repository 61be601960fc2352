"""LuaBitOp as Redis bundles it: 32-bit operations on Lua numbers (tobit, tohex, bnot, band, bor, bxor, lshift,
rshift, arshift, rol, ror, bswap).

A number becomes 32 bits as LuaBitOp does it: adding 2^52+2^51 to the double and keeping the low word of its
bits, so fractions round to even and large values wrap. Results are signed 32-bit numbers. The Lua side checks
the arguments (numbers or numeric strings, with LuaBitOp's "number expected" error) and hands numbers here.
"""
from __future__ import annotations

import struct

_MAGIC = 6755399441055744.0  # 2^52 + 2^51


def to_bits(number: float) -> int:
    """The argument's 32 bits, unsigned."""
    return struct.unpack("<Q", struct.pack("<d", float(number) + _MAGIC))[0] & 0xFFFFFFFF


def _signed(bits: int) -> int:
    bits &= 0xFFFFFFFF
    return bits - (1 << 32) if bits & 0x80000000 else bits


def _fold(operation):
    def apply(*numbers: float) -> int:
        result = to_bits(numbers[0])
        for number in numbers[1:]:
            result = operation(result, to_bits(number))
        return _signed(result)
    return apply


def _shift(operation):
    def apply(number: float, count: float) -> int:
        return _signed(operation(to_bits(number), to_bits(count) & 31))
    return apply


def _arshift(bits: int, n: int) -> int:
    return _signed(bits) >> n


def _rol(bits: int, n: int) -> int:
    return (bits << n) | (bits >> (32 - n))


def _ror(bits: int, n: int) -> int:
    return (bits << (32 - n)) | (bits >> n)


def tohex(number: float, digits: float | None = None) -> bytes:
    bits = to_bits(number)
    count = 8 if digits is None else _signed(to_bits(digits))
    alphabet = "0123456789abcdef"
    if count < 0:
        count, alphabet = min(-count, 1 << 31), "0123456789ABCDEF"
    count = min(count, 8)
    text = "".join(alphabet[(bits >> (4 * i)) & 15] for i in reversed(range(count)))
    return text.encode()


def bswap(number: float) -> int:
    return _signed(int.from_bytes(to_bits(number).to_bytes(4, "little"), "big"))


OPERATIONS = {
    "tobit": lambda number: _signed(to_bits(number)),
    "bnot": lambda number: _signed(~to_bits(number)),
    "band": _fold(lambda a, b: a & b), "bor": _fold(lambda a, b: a | b), "bxor": _fold(lambda a, b: a ^ b),
    "lshift": _shift(lambda b, n: b << n), "rshift": _shift(lambda b, n: b >> n), "arshift": _shift(_arshift),
    "rol": _shift(_rol), "ror": _shift(_ror), "bswap": bswap, "tohex": tohex,
}

# Argument checks on the Lua side: every argument a function reads must be a number or a numeric string.
BIT_LUA = r"""
local S, py = ...
local select, tonumber, type, error = select, tonumber, type, error
local ARITY = {tobit = 1, bnot = 1, bswap = 1, lshift = 2, rshift = 2, arshift = 2, rol = 2, ror = 2}
local function numbers(name, count, ...)
  local out = {}
  for n = 1, count do
    local value = (select(n, ...))
    local number = tonumber(value)
    if number == nil then
      local got = select('#', ...) >= n and type(value) or 'no value'
      error({positioned = ("bad argument #%d to '%s' (number expected, got %s)"):format(n, name, got)})
    end
    out[n] = number
  end
  return unpack(out, 1, count)
end
local bit = {}
for name, operation in pairs(py.operations) do
  bit[name] = function(...)
    local count = ARITY[name] or select('#', ...)
    if name == 'tohex' then
      if select('#', ...) >= 2 then return operation(numbers(name, 2, ...)) end
      return operation(numbers(name, 1, ...))
    end
    if count == 0 then count = 1 end
    return operation(numbers(name, count, ...))
  end
end
return bit
"""
