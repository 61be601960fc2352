"""Scripting group: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.

The interpreter, the sandbox and the conversions live in ``reference_server/scripting/``; these handlers parse the
arguments (numkeys, the ``#!lua`` shebang) and reply.
"""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..replies import OK, Err
from ..scripting.runner import Script, scripting
from ..util import as_text, string2ll
from . import command
from .monitor import feed_script_call

HELP = [
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Print this help.",
]

# Shebang flags Redis knows; only no-writes changes what the reference does (the others concern OOM, stale
# replicas and cluster slots, which this server does not have).
SHEBANG_FLAGS = frozenset({b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster", b"allow-cross-slot-keys"})


def keys_and_args(argv: list[bytes], not_a_number: str = errors.NOT_INTEGER) -> tuple[list[bytes], list[bytes]]:
    """EVAL/EVALSHA/FCALL <script> <numkeys> ...: the keys and the arguments after them (FCALL words a
    numkeys that is not a number differently: `not_a_number`)."""
    numkeys = string2ll(argv[2])
    if numkeys is None:
        raise CommandError(not_a_number)
    if numkeys > len(argv) - 3:
        raise CommandError(errors.SCRIPT_NUMKEYS_TOO_BIG)
    if numkeys < 0:
        raise CommandError(errors.SCRIPT_NUMKEYS_NEGATIVE)
    return argv[3:3 + numkeys], argv[3 + numkeys:]


def _shebang(body: bytes) -> tuple[bytes, bool]:
    """(the body to compile, whether flags=no-writes); a ``#!lua`` first line keeps its line as a blank one."""
    if not body.startswith(b"#!"):
        return body, False
    end = body.find(b"\n")
    if end < 0:
        raise CommandError(errors.SCRIPT_SHEBANG_INVALID)
    engine_name, *options = body[:end].split()
    if engine_name != b"#!lua":
        raise CommandError(errors.SCRIPT_SHEBANG_ENGINE % as_text(engine_name))
    read_only = False
    for option in options:
        if not option.startswith(b"flags="):
            raise CommandError(errors.SCRIPT_SHEBANG_OPTION % as_text(option))
        for flag in filter(None, option[len(b"flags="):].split(b",")):
            if flag not in SHEBANG_FLAGS:
                raise CommandError(errors.SCRIPT_SHEBANG_FLAG % as_text(flag))
            read_only |= flag == b"no-writes"
    return body[end:], read_only


def _load(engine, body: bytes) -> Script:
    function_body, read_only = _shebang(body)
    return scripting(engine).load(body, function_body, read_only)


def _run(engine, client, script: Script, keys, args, argv):
    read_only = argv[0].lower() in (b"eval_ro", b"evalsha_ro")
    # a script that declares its flags (a shebang) without no-writes may write: *_RO refuses it before it runs;
    # one without a shebang runs, and only its writes are refused
    if read_only and script.body.startswith(b"#!") and not script.read_only:
        raise CommandError(errors.SCRIPT_WRITE_FLAG_RO)
    return scripting(engine).run(client, script, keys, args, read_only, argv)


@command("eval", "eval_ro")
def eval_(engine, client, argv):
    feed_script_call(engine, client, argv)
    keys, args = keys_and_args(argv)
    script = _load(engine, argv[1])
    return _run(engine, client, script, keys, args, argv)


@command("evalsha", "evalsha_ro")
def evalsha(engine, client, argv):
    feed_script_call(engine, client, argv)
    keys, args = keys_and_args(argv)
    script = scripting(engine).scripts.get(as_text(argv[1]).lower())
    if script is None:
        return Err(errors.NOSCRIPT)
    return _run(engine, client, script, keys, args, argv)


@command("script|load")
def script_load(engine, client, argv):
    return _load(engine, argv[2]).sha.encode()


@command("script|exists")
def script_exists(engine, client, argv):
    cache = scripting(engine).scripts
    return [int(as_text(sha).lower() in cache) for sha in argv[2:]]


@command("script|flush")
def script_flush(engine, client, argv):
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        return Err(errors.SCRIPT_FLUSH_OPTION)
    scripting(engine).flush()
    return OK


@command("script|kill")
def script_kill(engine, client, argv):
    return engine.busy.kill(eval_mode=True)  # served beside a timed-out script (see scripting/busy.py)


@command("script|help")
def script_help(engine, client, argv):
    return list(HELP)
