"""Redis Functions: libraries of named Lua functions, loaded with FUNCTION LOAD and called with FCALL/FCALL_RO.

A library's code starts with a ``#!<engine> name=<library>`` line (only the LUA engine exists). Loading runs the
code once in the function engine's interpreter (functions_lua.py), which answers the functions it registered; the
library then replaces or joins the others only if none of its function names is taken by another library. Function
names are looked up without regard to case, library names with it. Functions run through the same Scripting
runner as EVAL scripts (one client of their own, redis.call's checks, error texts), named by the function.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..errors import CommandError
from ..protocol import split_args
from ..util import as_text
from .functions_lua import FunctionBridge
from .runner import Script, Scripting

ENGINE_NAME = "LUA"


@dataclass
class Function:
    name: str
    library: "Library"
    script: Script  # what the runner executes: the callback, named by the function, read-only if no-writes
    description: bytes | None
    flags: tuple[str, ...]


@dataclass
class Library:
    name: str
    code: bytes
    functions: dict[str, Function] = field(default_factory=dict)  # by exact name, in registration order


@dataclass(eq=False)
class Functions:
    """Per-engine function state: ``engine.extensions["functions"]``."""

    engine: Any
    libraries: dict[str, Library] = field(default_factory=dict)
    by_name: dict[str, Function] = field(default_factory=dict)  # lower-cased name -> function
    runner: Scripting = field(init=False)

    def __post_init__(self) -> None:
        self.runner = Scripting(self.engine, bridge_type=FunctionBridge)

    # -- loading ------------------------------------------------------------------------------------------------
    def load(self, payload: bytes, replace: bool) -> str:
        """Load (or with REPLACE, reload) a library; its name, or CommandError with Redis's text."""
        name, code = parse_metadata(payload)
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise CommandError(errors.FUNCTION_LIBRARY_EXISTS % name)
        library = self.compile_library(name, payload, code)
        for function in library.functions.values():  # a name taken by another library (not the one replaced)
            taken = self.by_name.get(function.name.lower())
            if taken is not None and (old is None or taken.library is not old):
                raise CommandError(errors.FUNCTION_EXISTS % function.name)
        if old is not None:
            self.delete(name)
        self.link(library)
        return name

    def compile_library(self, name: str, payload: bytes, code: bytes) -> Library:
        ok, result = self.runner.bridge.load_library(code)
        if not ok:
            raise CommandError("ERR " + result)
        if not result:
            raise CommandError(errors.FUNCTION_NONE_REGISTERED)
        library = Library(name, payload)
        for function_name, callback, description, flags in result:
            script = Script(function_name, b"", callback, read_only="no-writes" in flags)
            library.functions[function_name] = Function(function_name, library, script, description, flags)
        return library

    def link(self, library: Library) -> None:
        self.libraries[library.name] = library
        for function in library.functions.values():
            self.by_name[function.name.lower()] = function

    def delete(self, name: str) -> bool:
        library = self.libraries.pop(name, None)
        if library is None:
            return False
        for function in library.functions.values():
            self.by_name.pop(function.name.lower(), None)
        return True

    def flush(self) -> None:
        self.libraries.clear()
        self.by_name.clear()

    # -- calling ------------------------------------------------------------------------------------------------
    def find(self, name: bytes) -> Function | None:
        return self.by_name.get(name.decode("utf-8", "surrogateescape").lower())

    def call(self, caller: Any, function: Function, keys: list[bytes], args: list[bytes], read_only: bool,
             command: list[bytes] = ()) -> Any:
        if read_only and not function.script.read_only:
            raise CommandError(errors.SCRIPT_WRITE_FLAG_RO)
        return self.runner.run(caller, function.script, keys, args, read_only, command)


def functions(engine: Any) -> Functions:
    state = engine.extensions.get("functions")
    if state is None:
        state = engine.extensions.setdefault("functions", Functions(engine))
    return state


def valid_name(name: str) -> bool:
    return bool(name) and all(c.isascii() and (c.isalnum() or c == "_") for c in name)


def parse_metadata(payload: bytes) -> tuple[str, bytes]:
    """The ``#!lua name=<library>`` first line: (library name, the code after it, from its newline on)."""
    if not payload.startswith(b"#!"):
        raise CommandError(errors.FUNCTION_MISSING_METADATA)
    end = payload.find(b"\n")
    parts = split_args(payload[:end]) if end >= 0 else None
    if not parts:
        raise CommandError(errors.FUNCTION_INVALID_METADATA)
    name = None
    for part in parts[1:]:
        if part[:5].lower() != b"name=":
            raise CommandError(errors.FUNCTION_METADATA_VALUE % as_text(part))
        if name is not None:
            raise CommandError(errors.FUNCTION_METADATA_NAME_TWICE)
        name = as_text(part[5:])
    if name is None:
        raise CommandError(errors.FUNCTION_NO_LIBRARY_NAME)
    if not valid_name(name):
        raise CommandError(errors.FUNCTION_BAD_NAME)
    engine = as_text(parts[0][2:])
    if engine.upper() != ENGINE_NAME:
        raise CommandError(errors.FUNCTION_NO_ENGINE % engine)
    return name, payload[end:]
