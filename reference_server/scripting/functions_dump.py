"""FUNCTION DUMP and RESTORE: libraries carried in Redis's RDB serialization.

A dump is, per library, the FUNCTION2 opcode and the library's code as an RDB string (LZF-compressed when
rdbcompression allows and it pays), then the RDB version and a CRC64 of all of it, as DUMP payloads end. Restoring
compiles every library first (a payload naming one library twice fails as FUNCTION LOAD would), then FLUSH swaps
them in for all the current ones, APPEND adds them (any name taken is an error) and REPLACE replaces libraries of
the same name.
"""
from __future__ import annotations

import struct

from .. import errors
from ..errors import CommandError
from ..rdb.crc64 import crc64
from ..rdb.deserialize import Reader, payload_ok
from ..rdb.listpack import Malformed
from ..rdb.serialize import RDB_VERSION, Writer
from .functions import Functions, Library, parse_metadata

OPCODE_FUNCTION2 = 245
OPCODE_FUNCTION_PRE_GA = 246
_FOOTER = 10


def dump(state: Functions, compress: bool) -> bytes:
    body = Writer(compress)
    for library in state.libraries.values():
        body.byte(OPCODE_FUNCTION2)
        body.string(library.code)
    payload = bytes(body.out) + struct.pack("<H", RDB_VERSION)
    return payload + struct.pack("<Q", crc64(payload))


def restore(state: Functions, payload: bytes, policy: str) -> None:
    if not payload_ok(payload):
        raise CommandError(errors.DUMP_PAYLOAD_INVALID)
    staged = _stage(state, _library_codes(payload))
    if policy == "flush":
        state.flush()
    else:
        _check_join(state, staged, replace=policy == "replace")
        for library in staged:
            state.delete(library.name)
    for library in staged:
        state.link(library)


def _library_codes(payload: bytes) -> list[bytes]:
    reader, codes = Reader(payload), []
    while len(payload) - reader.pos > _FOOTER:
        opcode = reader.byte()
        if opcode == OPCODE_FUNCTION_PRE_GA:
            raise CommandError(errors.FUNCTION_RESTORE_PRE_GA)
        if opcode != OPCODE_FUNCTION2:
            raise CommandError(errors.FUNCTION_RESTORE_NOT_FUNCTION)
        try:
            codes.append(reader.string())
        except Malformed:
            raise CommandError(errors.FUNCTION_RESTORE_BAD_LIBRARY) from None
    return codes


def _stage(state: Functions, codes: list[bytes]) -> list[Library]:
    """Compile every library of the payload, checked against each other as loads into an empty set would be."""
    staged: dict[str, Library] = {}
    names: set[str] = set()
    for code in codes:
        name, body = parse_metadata(code)
        if name in staged:
            raise CommandError(errors.FUNCTION_LIBRARY_EXISTS % name)
        library = state.compile_library(name, code, body)
        for function in library.functions.values():
            if function.name.lower() in names:
                raise CommandError(errors.FUNCTION_EXISTS % function.name)
        names.update(f.lower() for f in library.functions)
        staged[name] = library
    return list(staged.values())


def _check_join(state: Functions, staged: list[Library], replace: bool) -> None:
    for library in staged:
        if library.name in state.libraries and not replace:
            raise CommandError(errors.FUNCTION_RESTORE_LIBRARY_EXISTS % library.name)
    replaced = {library.name for library in staged}
    taken = {key for key, f in state.by_name.items() if f.library.name not in replaced}
    for library in staged:
        for function in library.functions.values():
            if function.name.lower() in taken:
                raise CommandError(errors.FUNCTION_EXISTS % function.name)
