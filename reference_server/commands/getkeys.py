"""COMMAND GETKEYS / GETKEYSANDFLAGS: the keys of a full command line, as Redis finds them.

Key specs answer first. Where they cannot (an 'unknown' or INCOMPLETE spec, a numkeys that does not fit) or where
their flags depend on the arguments (VARIABLE_FLAGS), Redis asks the command's own key function; the few whose
answer differs from "no keys" are written out here (SORT, SORT_RO, MIGRATE, SET, BITFIELD).
"""
from __future__ import annotations

from forkdiff.spec import CommandSpec

from .. import errors
from ..errors import CommandError
from ..replies import RSet
from . import command
from .command_cmd import handlers_of, is_implemented

KeyRefs = list[tuple[int, tuple[str, ...]]]
_READ = ("RO", "access")
_OVERWRITE = ("OW", "update")
_READ_WRITE = ("RW", "access", "update")


@command("command|getkeys")
def command_getkeys(engine, client, argv):
    line = argv[2:]
    return [line[i] for i, _flags in find_keys(engine, line)]


@command("command|getkeysandflags")
def command_getkeysandflags(engine, client, argv):
    line = argv[2:]
    return [[line[i], RSet(flags)] for i, flags in find_keys(engine, line)]


def find_keys(engine, line: list[bytes]) -> KeyRefs:
    spec = _lookup(engine, line)
    if spec is None:
        raise CommandError(errors.GETKEYS_INVALID_COMMAND)
    if not _has_keys(spec):
        raise CommandError(errors.GETKEYS_NO_KEYS)
    if not spec.arity_ok(len(line)):
        raise CommandError(errors.GETKEYS_INVALID_ARGC)
    refs = _from_specs(spec, line)
    if not refs and "no_mandatory_keys" not in spec.flags:
        raise CommandError(errors.GETKEYS_INVALID_ARGS)
    return refs


def command_keys(spec: CommandSpec, line: list[bytes]) -> list[bytes]:
    """The keys of a command that is running (Redis's getKeysFromCommand): what client-side caching remembers."""
    return [line[i] for i, _flags in _from_specs(spec, line)]


def _lookup(engine, line: list[bytes]) -> CommandSpec | None:
    """Like Redis's lookupCommand, among the commands this server implements: a container with a subcommand
    argument must name a known subcommand."""
    top = engine.spec.get(line[0].decode("utf-8", "surrogateescape"))
    if top is not None and top.subcommands and len(line) > 1:
        top = engine.spec.get(f"{top.name}|{line[1].decode('utf-8', 'surrogateescape')}")
    return top if top is not None and is_implemented(top, handlers_of(engine)) else None


def _has_keys(spec: CommandSpec) -> bool:
    return spec.name in _KEY_FUNCTIONS or any("not_key" not in ks.get("flags", ()) for ks in spec.key_specs)


def _from_specs(spec: CommandSpec, line: list[bytes]) -> KeyRefs:
    variable = any("variable_flags" in ks.get("flags", ()) for ks in spec.key_specs)
    refs = None if variable else spec.key_refs(line)
    if refs is not None:
        return refs
    key_function = _KEY_FUNCTIONS.get(spec.name)
    return key_function(line) if key_function else []


def _sort_keys(line: list[bytes]) -> KeyRefs:
    """The sorted key, and the last STORE destination (BY/GET patterns name no key of their own)."""
    refs: KeyRefs = [(1, _READ)]
    store = None
    skip = {b"limit": 2, b"get": 1, b"by": 1}
    i = 2
    while i < len(line):
        word = line[i].lower()
        if word in skip:
            i += skip[word]
        elif word == b"store" and i + 1 < len(line):
            store = i + 1
        i += 1
    return refs + [(store, _OVERWRITE)] if store is not None else refs


def _sort_ro_keys(line: list[bytes]) -> KeyRefs:
    return [(1, _READ)]


def _migrate_keys(line: list[bytes]) -> KeyRefs:
    """The key argument, or with KEYS (and an empty key argument) every argument after it."""
    first, count = 3, 1
    skip = {b"copy": 0, b"replace": 0, b"auth": 1, b"auth2": 2}
    i = 6
    while i < len(line):
        word = line[i].lower()
        if word == b"keys":
            first, count = (i + 1, len(line) - i - 1) if not line[3] else (first, 0)
            break
        i += skip.get(word, 0) + 1
    return [(j, ("RW", "access", "delete")) for j in range(first, first + count)]


def _set_keys(line: list[bytes]) -> KeyRefs:
    """SET reads the old value only with GET."""
    reads = any(arg.lower() == b"get" for arg in line[3:])
    return [(1, _READ_WRITE if reads else _OVERWRITE)]


def _bitfield_keys(line: list[bytes]) -> KeyRefs:
    """BITFIELD only reads when every operation is a complete GET (or OVERFLOW); anything else may write."""
    i, argc = 2, len(line)
    while i < argc:
        word, rest = line[i].lower(), argc - i - 1
        if word == b"get" and rest >= 2:
            i += 3
        elif word == b"overflow" and rest >= 1:
            i += 2
        else:
            return [(1, _READ_WRITE)]
    return [(1, _READ)]


_KEY_FUNCTIONS = {"sort": _sort_keys, "sort_ro": _sort_ro_keys, "migrate": _migrate_keys, "set": _set_keys,
                  "bitfield": _bitfield_keys}
