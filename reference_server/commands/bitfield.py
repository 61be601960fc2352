"""BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits (u63 at most) at any bit offset of a
string, read, written and incremented with WRAP, SAT or FAIL overflow handling.

Every operation is parsed (and every error reported) before the key is touched; then they run in order, each
seeing the writes of the ones before it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..util import string2ll
from . import command
from .bitmap import bits_for_write, parse_bit_offset
from .strings import c_string, parse_integer, read_string

GET, SET, INCRBY = "get", "set", "incrby"
WRAP, SAT, FAIL = b"wrap", b"sat", b"fail"
_ARGS_AFTER = {b"get": 2, b"set": 3, b"incrby": 3}


@dataclass(frozen=True)
class Field:
    signed: bool
    bits: int
    offset: int

    @property
    def low(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def high(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def wrap(self, value: int) -> int:
        """`value` reduced to the field's width, two's complement when signed."""
        value &= (1 << self.bits) - 1
        if self.signed and value >> (self.bits - 1):
            value -= 1 << self.bits
        return value


@dataclass(frozen=True)
class Op:
    kind: str
    field: Field
    amount: int
    overflow: bytes


def _parse_type(arg: bytes) -> tuple[bool, int]:
    """"i<bits>" (1..64) or "u<bits>" (1..63)."""
    sign = arg[:1]
    bits = string2ll(arg[1:].split(b"\0", 1)[0])
    if sign not in (b"i", b"u") or bits is None or bits < 1 or bits > (64 if sign == b"i" else 63):
        raise CommandError(errors.BITFIELD_TYPE)
    return sign == b"i", bits


def parse_ops(engine, argv: list[bytes]) -> list[Op]:
    ops: list[Op] = []
    overflow = WRAP
    j = 2
    while j < len(argv):
        name, remaining = c_string(argv[j]), len(argv) - j - 1
        if name == b"overflow" and remaining >= 1:
            overflow = c_string(argv[j + 1])
            if overflow not in (WRAP, SAT, FAIL):
                raise CommandError(errors.BITFIELD_OVERFLOW)
            j += 2
            continue
        if name not in _ARGS_AFTER or remaining < _ARGS_AFTER[name]:
            raise CommandError(errors.SYNTAX)
        signed, bits = _parse_type(argv[j + 1])
        offset = parse_bit_offset(engine, argv[j + 2], bits)
        amount = parse_integer(argv[j + 3]) if name != b"get" else 0
        ops.append(Op(name.decode(), Field(signed, bits, offset), amount, overflow))
        j += 1 + _ARGS_AFTER[name]
    return ops


# -- reading and writing a field -------------------------------------------------------------------------------------
def read_field(buf, field: Field) -> int:
    """The field's value; bytes past the end of `buf` read as zeros."""
    first, last = field.offset >> 3, (field.offset + field.bits - 1) >> 3
    chunk = bytes(buf[first:last + 1]).ljust(last - first + 1, b"\0")
    shift = (last - first + 1) * 8 - (field.offset & 7) - field.bits
    return field.wrap(int.from_bytes(chunk, "big") >> shift)


def write_field(buf: bytearray, field: Field, value: int) -> None:
    first, last = field.offset >> 3, (field.offset + field.bits - 1) >> 3
    width = (last - first + 1) * 8
    shift = width - (field.offset & 7) - field.bits
    mask = ((1 << field.bits) - 1) << shift
    chunk = int.from_bytes(buf[first:last + 1], "big")
    chunk = (chunk & ~mask) | ((value << shift) & mask)
    buf[first:last + 1] = chunk.to_bytes(width // 8, "big")


def _checked(field: Field, value: int, overflow: bytes) -> int | None:
    """`value` as the field stores it under the overflow policy; None when FAIL refuses it."""
    if field.low <= value <= field.high:
        return value
    if overflow == FAIL:
        return None
    if overflow == SAT:
        return field.high if value > field.high else field.low
    return field.wrap(value)


def _unsigned_set_value(amount: int) -> int:
    """An unsigned SET sees its 64-bit argument as unsigned: a negative value is a huge positive one."""
    return amount & ((1 << 64) - 1)


def apply_write(buf: bytearray, op: Op) -> tuple[int | None, bool]:
    """Run a SET or INCRBY: (the reply, whether the stored value changed)."""
    field = op.field
    old = read_field(buf, field)
    if op.kind == INCRBY:
        wanted = old + op.amount
    else:
        wanted = op.amount if field.signed else _unsigned_set_value(op.amount)
    new = _checked(field, wanted, op.overflow)
    if new is None:
        return None, False
    write_field(buf, field, new)
    return (new if op.kind == INCRBY else old), new != old


# -- the commands ----------------------------------------------------------------------------------------------------
def _bitfield(engine, client, argv, read_only: bool):
    ops = parse_ops(engine, argv)
    writes = [op for op in ops if op.kind != GET]
    if not writes:
        value = read_string(engine, client, argv[1])
        return [read_field(value or b"", op.field) for op in ops]
    if read_only:
        raise CommandError(errors.BITFIELD_RO_GET_ONLY)
    highest = max(op.field.offset + op.field.bits - 1 for op in writes)
    buf, grew = bits_for_write(engine, client, argv[1], highest)
    replies, changed = [], False
    for op in ops:
        if op.kind == GET:
            replies.append(read_field(buf, op.field))
            continue
        reply, modified = apply_write(buf, op)
        replies.append(reply)
        # a write counts when it stored something new, or anything at all into a created or grown string
        changed = changed or modified or (grew and reply is not None)
    if changed:
        engine.db(client).signal(argv[1])
        notify(engine, client.db, "$", "setbit", argv[1])
    return replies


@command("bitfield")
def bitfield(engine, client, argv):
    return _bitfield(engine, client, argv, read_only=False)


@command("bitfield_ro")
def bitfield_ro(engine, client, argv):
    return _bitfield(engine, client, argv, read_only=True)
