"""COMMAND and its subcommands, answered from the generated spec for the commands this server implements.

Each spec entry carries the COMMAND INFO and COMMAND DOCS replies Redis 8.2 gave (captured in RESP3); they are
turned back into reply values here, so RESP2 gets the same flattening Redis does. A container command (CONFIG,
CLIENT…) counts as implemented when any of its subcommands is, and lists only its implemented subcommands.
"""
from __future__ import annotations

from typing import Any, Iterable

from forkdiff.spec import CommandSpec

from .. import errors
from ..errors import CommandError
from ..glob import stringmatch as match
from ..replies import Bool, Double, Map, RSet, Verbatim
from . import HANDLERS, command

_SUBCOMMANDS_AT = 9  # position of the subcommand list in a COMMAND INFO entry


def reply_value(tree: dict) -> Any:
    """A reply tree in Reply.to_json() form as an engine reply value."""
    kind, value = tree["kind"], tree.get("value")
    if kind == "array":
        return [reply_value(v) for v in value]
    if kind == "set":
        return RSet(reply_value(v) for v in value)
    if kind == "map":
        return Map((reply_value(k), reply_value(v)) for k, v in value)
    if kind == "bulk":
        return value.encode()
    if kind == "simple":
        return value
    if kind == "integer":
        return value
    if kind == "null":
        return None
    if kind == "double":
        return Double(float(value))
    if kind == "boolean":
        return Bool(value)
    if kind == "verbatim":
        return Verbatim(value[1].encode())
    raise ValueError(f"unexpected reply kind {kind!r} in the command spec")


def handlers_of(engine) -> dict:
    """The engine's own command table (tests may give one engine a modified copy), else the registry."""
    return getattr(engine, "handlers", HANDLERS)


def is_implemented(spec: CommandSpec, handlers: dict = HANDLERS) -> bool:
    return spec.name in handlers or any(sub in handlers for sub in spec.subcommands)


def implemented(engine) -> list[CommandSpec]:
    """Implemented top-level commands, in the spec's order."""
    handlers = handlers_of(engine)
    return [spec for spec in engine.spec.top_level() if is_implemented(spec, handlers)]


def command_info(spec: CommandSpec, handlers: dict = HANDLERS) -> list:
    info = reply_value(spec.raw["info_reply"])
    if spec.subcommands:
        info[_SUBCOMMANDS_AT] = [sub for sub in info[_SUBCOMMANDS_AT] if sub[0].decode() in handlers]
    return info


def command_docs(spec: CommandSpec, handlers: dict = HANDLERS) -> Map:
    docs = reply_value(spec.raw["docs_reply"])
    return Map((k, Map((n, d) for n, d in v if n.decode() in handlers) if k == b"subcommands" else v)
               for k, v in docs)


def display_name(spec: CommandSpec) -> bytes:
    """The name Redis shows: module commands (vector sets) keep the upper case they were registered with."""
    return spec.raw.get("name", spec.name).encode() if "|" not in spec.name else spec.name.encode()


def _module_of(spec: CommandSpec) -> bytes | None:
    docs = spec.raw.get("docs_reply", {}).get("value", [])
    return next((v["value"].encode() for k, v in docs if k.get("value") == "module"), None)


def _find(engine, name: bytes) -> CommandSpec | None:
    """A command by name, "container|sub" names included, if this server implements it."""
    spec = engine.spec.get(name.decode("utf-8", "surrogateescape"))
    return spec if spec is not None and is_implemented(spec, handlers_of(engine)) else None


@command("command")
def command_all(engine, client, argv):
    return [command_info(spec, handlers_of(engine)) for spec in implemented(engine)]


@command("command|count")
def command_count(engine, client, argv):
    return len(implemented(engine))


@command("command|info")
def command_info_cmd(engine, client, argv):
    if len(argv) == 2:
        return command_all(engine, client, argv)
    found = (_find(engine, name) for name in argv[2:])
    return [None if spec is None else command_info(spec, handlers_of(engine)) for spec in found]


@command("command|docs")
def command_docs_cmd(engine, client, argv):
    if len(argv) == 2:
        specs: Iterable[CommandSpec] = implemented(engine)
    else:
        specs = (spec for spec in (_find(engine, name) for name in argv[2:]) if spec is not None)
    return Map((display_name(spec), command_docs(spec, handlers_of(engine))) for spec in specs)


@command("command|list")
def command_list(engine, client, argv):
    keep = _list_filter(argv)
    names = []
    for spec in implemented(engine):
        subs = [engine.spec[sub] for sub in spec.subcommands if sub in handlers_of(engine)]
        names.extend(display_name(s) for s in (spec, *subs) if keep(s))
    return names


def _list_filter(argv: list[bytes]):
    """COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]."""
    if len(argv) == 2:
        return lambda spec: True
    if len(argv) != 5 or argv[2].lower() != b"filterby":
        raise CommandError(errors.SYNTAX)
    kind, value = argv[3].lower(), argv[4]
    if kind == b"module":  # the built-in vectorset module is the only one
        return lambda spec: (_module_of(spec) or b"").lower() == value.lower()
    if kind == b"aclcat":
        category = "@" + value.decode("utf-8", "surrogateescape").lower()
        return lambda spec: category in spec.acl_categories
    if kind == b"pattern":
        return lambda spec: match(value, display_name(spec), True)
    raise CommandError(errors.SYNTAX)


_HELP = [
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Print this help.",
]


@command("command|help")
def command_help(engine, client, argv):
    return list(_HELP)
