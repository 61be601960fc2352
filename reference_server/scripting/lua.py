"""The bridge to a Lua 5.1 interpreter (through lupa): one sandboxed interpreter per engine.

`LuaBridge` compiles script bodies into sandboxed functions and runs them with KEYS/ARGV; the script's calls into
the server (redis.call, redis.pcall, redis.setresp, math.random…) come back to Python through callbacks that act on
the script run currently executing (`current`). The engine runs one script at a time (threaded runtimes lock
everything for EVAL), so one interpreter and one current run suffice.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from lupa import lua51

from ..errors import SCRIPT_KILLED
from .bytecode import without_tail_calls
from .busy import INTERRUPT_EVERY
from .libs import install as install_libraries
from .random48 import Rand48
from .sandbox_lua import PRELUDE

SCRIPT_SOURCE = b"@user_script"
REDIS_VERSION = b"8.2.3"
REDIS_VERSION_NUM = 0x080203


def sha1hex(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


@dataclass
class Outcome:
    """How a script ended: its value, or the error's text and where the script raised it."""

    ok: bool
    value: Any = None
    message: bytes | None = None
    source: bytes | None = None
    line: bytes | None = None


def _unpacked(args: Any) -> list:
    """The elements 1..n of a table Lua packed as {n = select('#', ...), ...}."""
    return [args[i] for i in range(1, args[b"n"] + 1)]


class LuaBridge:
    def __init__(self, call: Callable[..., tuple], set_resp: Callable[[int], None],
                 known_command: Callable[..., bool], interrupt: Callable[[], bool] = lambda: False) -> None:
        self.runtime = lua51.LuaRuntime(encoding=None, register_eval=False, register_builtins=False,
                                        unpack_returned_tuples=True)
        self.random = Rand48()
        callbacks = self.runtime.table_from({
            b"call": call, b"call_packed": lambda raise_error, args: call(raise_error, *_unpacked(args)),
            b"untail": without_tail_calls, b"setresp": set_resp, b"known_command": known_command,
            b"sha1hex": lambda body: sha1hex(body).encode(), b"rand": self.random.next_fraction,
            b"srand": self.random.seed, b"version": REDIS_VERSION, b"version_num": REDIS_VERSION_NUM,
            b"interrupt": interrupt, b"interrupt_every": INTERRUPT_EVERY, b"killed": SCRIPT_KILLED.encode(),
        })
        self.api = self.runtime.execute(PRELUDE, callbacks)
        install_libraries(self.runtime, self.api.sandbox)
        self.runtime.globals().python = None  # nothing of Python is reachable from a script

    # -- compiling and running ----------------------------------------------------------------------------------
    def compile(self, body: bytes) -> tuple[Any, bytes | None]:
        """(function, None), or (None, Lua's compile error message)."""
        function, message = self.api.compile(body, SCRIPT_SOURCE)
        return function, message

    def run(self, function: Any, keys: list[bytes], args: list[bytes]) -> Outcome:
        ok, *rest = self.api.run(function, self.array(keys), self.array(args))
        if ok:
            return Outcome(True, rest[0] if rest else None)
        message, source, line = (list(rest) + [None, None, None])[:3]
        return Outcome(False, message=message, source=source, line=line)

    # -- the conversions' view of Lua (LuaAccess) -----------------------------------------------------------------
    def raw(self, table: Any, key: Any) -> Any:
        return self.api.raw(table, key)

    def raw_pairs(self, table: Any) -> Iterator[tuple[Any, Any]]:
        flat = self.api.raw_pairs(table)
        for index in range(1, len(flat) + 1, 2):
            yield flat[index], flat[index + 1]

    def is_table(self, value: Any) -> bool:
        return lua51.lua_type(value) == "table"

    def table(self, fields: dict | None = None) -> Any:
        return self.runtime.table_from(fields) if fields else self.runtime.table()

    def array(self, items: list) -> Any:
        table = self.runtime.table()
        for index, item in enumerate(items, 1):
            table[index] = item
        return table
