"""Functions group: FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/KILL/HELP, FCALL and FCALL_RO.

The libraries, their loading and the calls live in ``reference_server/scripting/functions.py``; these handlers
parse the arguments and shape the replies; DUMP/RESTORE's payloads are in ``scripting/functions_dump.py``.
"""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..glob import stringmatch
from ..replies import OK, Err, Map, RSet
from ..scripting import functions_dump
from ..scripting.functions import ENGINE_NAME, Library, functions
from ..util import as_text
from . import command
from .monitor import feed_script_call
from .scripting import keys_and_args

HELP = [
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE "
    "command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Print this help.",
]


@command("function|load")
def function_load(engine, client, argv):
    replace = False
    for option in argv[2:-1]:  # everything before the code is an option; the code is the last argument
        if option.lower() != b"replace":
            return Err(errors.FUNCTION_LOAD_OPTION % as_text(option))
        replace = True
    return functions(engine).load(argv[-1], replace).encode()


@command("function|delete")
def function_delete(engine, client, argv):
    if not functions(engine).delete(as_text(argv[2])):
        return Err(errors.FUNCTION_LIBRARY_NOT_FOUND)
    return OK


@command("function|flush")
def function_flush(engine, client, argv):
    if len(argv) > 3:
        return Err(errors.SUBCOMMAND_SYNTAX % (as_text(argv[1]), "FUNCTION"))
    if len(argv) == 3 and argv[2].lower() not in (b"sync", b"async"):
        return Err(errors.FUNCTION_FLUSH_OPTION)
    functions(engine).flush()
    return OK


@command("function|list")
def function_list(engine, client, argv):
    pattern, with_code = _list_options(argv)
    return [_library_entry(library, with_code) for library in functions(engine).libraries.values()
            if pattern is None or stringmatch(pattern, library.name.encode(), nocase=True)]


def _list_options(argv: list[bytes]) -> tuple[bytes | None, bool]:
    pattern, with_code, index = None, False, 2
    while index < len(argv):
        option = argv[index].lower()
        if option == b"withcode" and not with_code:
            with_code = True
        elif option == b"libraryname" and pattern is None:
            if index == len(argv) - 1:
                raise CommandError(errors.FUNCTION_LIST_NO_PATTERN)
            index += 1
            pattern = argv[index]
        else:
            raise CommandError(errors.FUNCTION_LIST_ARGUMENT % as_text(argv[index]))
        index += 1
    return pattern, with_code


def _library_entry(library: Library, with_code: bool) -> Map:
    entry = Map([(b"library_name", library.name.encode()), (b"engine", ENGINE_NAME.encode()),
                 (b"functions", [Map([(b"name", f.name.encode()), (b"description", f.description),
                                      (b"flags", RSet(f.flags))]) for f in library.functions.values()])])
    if with_code:
        entry.append((b"library_code", library.code))
    return entry


@command("function|stats")
def function_stats(engine, client, argv):
    running = engine.busy.function_stats()  # served beside a timed-out script (see scripting/busy.py)
    if type(running) is Err:
        return running
    state = functions(engine)
    functions_count = sum(len(library.functions) for library in state.libraries.values())
    counts = Map([(b"libraries_count", len(state.libraries)), (b"functions_count", functions_count)])
    return Map([(b"running_script", running), (b"engines", Map([(ENGINE_NAME.encode(), counts)]))])


@command("function|kill")
def function_kill(engine, client, argv):
    return engine.busy.kill(eval_mode=False)


@command("function|dump")
def function_dump(engine, client, argv):
    return functions_dump.dump(functions(engine), compress=engine.config.get("rdbcompression") == "yes")


@command("function|restore")
def function_restore(engine, client, argv):
    if len(argv) > 4:
        return Err(errors.SUBCOMMAND_SYNTAX % (as_text(argv[1]), "FUNCTION"))
    policy = argv[3].decode("latin-1").lower() if len(argv) == 4 else "append"
    if policy not in ("append", "replace", "flush"):
        return Err(errors.FUNCTION_RESTORE_POLICY)
    functions_dump.restore(functions(engine), argv[2], policy)
    return OK


@command("function|help")
def function_help(engine, client, argv):
    return list(HELP)


@command("fcall", "fcall_ro")
def fcall(engine, client, argv):
    feed_script_call(engine, client, argv)
    state = functions(engine)
    function = state.find(argv[1])
    if function is None:
        return Err(errors.FUNCTION_NOT_FOUND)
    keys, args = keys_and_args(argv, errors.FUNCTION_BAD_NUMKEYS)
    return state.call(client, function, keys, args, argv[0].lower() == b"fcall_ro", argv)
