"""Server group, the rest of it: persistence, replication, SHUTDOWN, DEBUG, MODULE.

The reference keeps no data on disk and replicates to nobody, and it answers as Redis 8.2 answers when started as
the conformance targets are (`save ""`, `appendonly no`, no replicas, no aclfile, enable-debug-command and
enable-module-command left at "no"):

- SAVE, BGSAVE and BGREWRITEAOF succeed at once (there is nothing to write); LASTSAVE moves to the save time.
  Nothing runs in the background, so BGSAVE never finds a save in progress.
- REPLICAOF makes the instance a replica (replication.py): ROLE and INFO say so and writes get READONLY; the link
  to the master stays in its "connect" state, as Redis's does until a master answers. REPLICAOF NO ONE restores.
- SHUTDOWN parses its options exactly as Redis does; ABORT finds no shutdown in progress, and a real shutdown
  request gets Redis's failure reply: the server stays up (a shared test target must never be stopped by a case).
- DEBUG lives in debug.py; MODULE LOAD/LOADEX/UNLOAD are refused with Redis's texts; MODULE LIST shows the
  built-in vectorset.
- SYNC/PSYNC attach the client as a replica: an empty RDB payload, then the replication stream
  (repl_stream.py).
"""
from __future__ import annotations

from .. import errors, repl_stream, replication
from ..errors import CommandError
from ..replies import NO_REPLY, OK, Err, Map
from ..util import string2ll
from . import command
from .connection import BUILTIN_MODULES


# -- persistence ---------------------------------------------------------------------------------------------
def _saved(engine) -> None:
    engine.lastsave = engine.now_ms() // 1000
    engine.stats["dirty"] = 0


@command("save")
def save(engine, client, argv):
    _saved(engine)
    return OK


@command("bgsave")
def bgsave(engine, client, argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() != b"schedule"):
        raise CommandError(errors.SYNTAX)
    _saved(engine)
    return "Background saving started"


@command("bgrewriteaof")
def bgrewriteaof(engine, client, argv):
    return "Background append only file rewriting started"


# -- replication ---------------------------------------------------------------------------------------------
@command("role")
def role(engine, client, argv):
    return replication.role_reply(engine)


@command("replicaof", "slaveof")
def replicaof(engine, client, argv):
    if argv[1].lower() == b"no" and argv[2].lower() == b"one":
        replication.stop_replica(engine)
        return OK
    if "slave" in client.flags:
        raise CommandError(errors.REPLICAOF_FROM_REPLICA)
    port = string2ll(argv[2])
    if port is None or not 0 <= port <= 65535:
        raise CommandError(errors.INVALID_MASTER_PORT)
    host = argv[1].decode("utf-8", "surrogateescape")
    if not replication.start_replica(engine, host, port):
        return "OK Already connected to specified master"
    return OK


@command("sync", "psync")
def sync(engine, client, argv):
    return repl_stream.attach(engine, client, psync=argv[0].lower() == b"psync")


_REPLCONF_OPTIONS = (b"listening-port", b"ip-address", b"capa", b"rdb-only", b"rdb-filter-only", b"rdb-channel")


@command("replconf")
def replconf(engine, client, argv):
    if len(argv) % 2 == 0:
        raise CommandError(errors.SYNTAX)
    for i in range(1, len(argv), 2):
        option = argv[i].lower()
        if option in (b"ack", b"fack"):  # a replica's offset report is never answered
            return NO_REPLY
        if option not in _REPLCONF_OPTIONS:
            raise CommandError(errors.REPLCONF_UNRECOGNIZED % argv[i].decode("utf-8", "surrogateescape"))
        if option == b"listening-port" and string2ll(argv[i + 1]) is None:
            raise CommandError(errors.NOT_INTEGER)
    return OK


@command("failover")
def failover(engine, client, argv):
    if len(argv) == 2 and argv[1].lower() == b"abort":
        raise CommandError(errors.FAILOVER_NOT_IN_PROGRESS)
    _parse_failover(argv)
    raise CommandError(errors.FAILOVER_NO_REPLICAS)


def _parse_failover(argv: list[bytes]) -> None:
    timeout = host = force = None
    i = 1
    while i < len(argv):
        word, rest = argv[i].lower(), len(argv) - i - 1
        if word == b"timeout" and rest >= 1 and not timeout:
            timeout = string2ll(argv[i + 1])
            if timeout is None:
                raise CommandError(errors.NOT_INTEGER)
            if timeout <= 0:
                raise CommandError(errors.FAILOVER_TIMEOUT)
            i += 2
        elif word == b"to" and rest >= 2 and host is None:
            if string2ll(argv[i + 2]) is None:
                raise CommandError(errors.NOT_INTEGER)
            host, i = argv[i + 1], i + 3
        elif word == b"force" and not force:
            force, i = True, i + 1
        else:
            raise CommandError(errors.SYNTAX)


# -- SHUTDOWN ------------------------------------------------------------------------------------------------
_SHUTDOWN_FLAGS = (b"nosave", b"save", b"now", b"force", b"abort")


@command("shutdown")
def shutdown(engine, client, argv):
    given = {arg.lower() for arg in argv[1:]}
    if not given <= set(_SHUTDOWN_FLAGS):
        raise CommandError(errors.SYNTAX)
    if (b"abort" in given and len(given) > 1) or {b"save", b"nosave"} <= given:
        raise CommandError(errors.SYNTAX)
    if b"abort" in given:
        raise CommandError(errors.SHUTDOWN_NOT_IN_PROGRESS)
    refusal = engine.busy.shutdown_refusal(nosave=b"nosave" in given)
    if refusal is not None:
        return refusal
    return Err(errors.SHUTDOWN_FAILED)


# -- MODULE --------------------------------------------------------------------------------------------------
@command("module|list")
def module_list(engine, client, argv):
    return [Map([(b"name", name), (b"ver", ver), (b"path", b""), (b"args", [])]) for name, ver in BUILTIN_MODULES]


@command("module|load", "module|loadex", "module|unload")
def module_load(engine, client, argv):
    return Err(errors.MODULE_NOT_ALLOWED)


_MODULE_HELP = [
    "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LIST",
    "    Return a list of loaded modules.",
    "LOAD <path> [<arg> ...]",
    "    Load a module library from <path>, passing to it any optional arguments.",
    "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
    "    Load a module library from <path>, while passing it module configurations and optional arguments.",
    "UNLOAD <name>",
    "    Unload a module.",
    "HELP",
    "    Print this help.",
]


@command("module|help")
def module_help(engine, client, argv):
    return list(_MODULE_HELP)
