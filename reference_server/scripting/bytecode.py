"""Scripts compiled without tail calls, so every redis.call keeps the script's frame below it.

Redis's redis.call is a C function: a script's `return redis.call(...)` leaves the script's frame on the stack, and
an error is reported at the script's line. Here redis.call is a Lua function, and a Lua tail call into it would
drop that frame. So a compiled chunk (string.dump of Lua 5.1) has each TAILCALL turned into a CALL: the compiler
always follows TAILCALL A B 0 with RETURN A 0, which returns what CALL A B 0 left, so the results are the same.
"""
from __future__ import annotations

import struct

_OP_CALL, _OP_TAILCALL = 28, 29
_OPCODE_MASK = 0x3F


class _Chunk:
    def __init__(self, data: bytes) -> None:
        if data[:5] != b"\x1bLua\x51" or len(data) < 12:
            raise ValueError("not a Lua 5.1 chunk")
        self.data = bytearray(data)
        little = data[6] == 1
        self.int_size, self.size_t, self.insn_size, self.number_size = data[7], data[8], data[9], data[10]
        order = "<" if little else ">"
        self.int_fmt = order + {4: "i", 8: "q"}[self.int_size]
        self.size_fmt = order + {4: "I", 8: "Q"}[self.size_t]
        self.insn_fmt = order + "I"
        self.pos = 12

    def _int(self) -> int:
        value = struct.unpack_from(self.int_fmt, self.data, self.pos)[0]
        self.pos += self.int_size
        return value

    def _string(self) -> None:
        length = struct.unpack_from(self.size_fmt, self.data, self.pos)[0]
        self.pos += self.size_t + length

    def function(self) -> None:
        self._string()  # source
        self.pos += 2 * self.int_size + 4  # line defined, last line, nups, params, vararg, max stack
        for _ in range(self._int()):
            insn = struct.unpack_from(self.insn_fmt, self.data, self.pos)[0]
            if insn & _OPCODE_MASK == _OP_TAILCALL:
                struct.pack_into(self.insn_fmt, self.data, self.pos, (insn & ~_OPCODE_MASK) | _OP_CALL)
            self.pos += self.insn_size
        for _ in range(self._int()):  # constants
            kind = self.data[self.pos]
            self.pos += 1
            if kind == 1:
                self.pos += 1
            elif kind == 3:
                self.pos += self.number_size
            elif kind == 4:
                self._string()
        for _ in range(self._int()):  # nested functions
            self.function()
        lines = self._int()  # line info
        self.pos += lines * self.int_size
        for _ in range(self._int()):  # local variables
            self._string()
            self.pos += 2 * self.int_size
        for _ in range(self._int()):  # upvalue names
            self._string()


def without_tail_calls(dumped: bytes) -> bytes:
    chunk = _Chunk(dumped)
    chunk.function()
    return bytes(chunk.data)
