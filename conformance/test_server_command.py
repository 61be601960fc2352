"""COMMAND and its subcommands: COUNT, INFO, DOCS, LIST (FILTERBY), GETKEYS, GETKEYSANDFLAGS, HELP.

COMMAND INFO / DOCS of a command are compared byte for byte with the replies captured from Redis 8.2 in the
generated spec (RESP3 as captured; RESP2 as Redis flattens them). The cases name only commands whose whole
family the reference implements, since a server lists only the commands it has.
"""
from __future__ import annotations

import pytest

from forkdiff.spec import load_spec
from forkdiff.types import Kind, Reply, array, bulk, bulks, simple

from .asserts import assert_error, assert_reply

FULLY_IMPLEMENTED = ["get", "set", "dbsize", "swapdb", "info", "mset", "zunionstore", "sintercard"]


def captured(name: str, which: str, resp: int) -> Reply:
    """The reply Redis 8.2 gave for COMMAND INFO/DOCS of `name`, as it reads in the given protocol."""
    reply = Reply.from_json(load_spec()[name].raw[which])
    return reply if resp == 3 else flatten(reply)


def flatten(reply: Reply) -> Reply:
    """RESP2's view of a RESP3 reply: maps become flat arrays, sets arrays."""
    if reply.kind is Kind.MAP:
        return Reply(Kind.ARRAY, tuple(flatten(x) for pair in reply.value for x in pair))
    if reply.kind in (Kind.ARRAY, Kind.SET):
        return Reply(Kind.ARRAY, tuple(flatten(x) for x in reply.value))
    return reply


def names(reply: Reply) -> list[str]:
    assert reply.kind is Kind.ARRAY, f"expected an array, got {reply}"
    return [r.value.decode() for r in reply.value]


# -- COMMAND, COUNT ------------------------------------------------------------------------------------------------
def test_command_lists_every_command_once(conn):
    reply = conn.call("COMMAND")
    listed = [entry.value[0].value.decode() for entry in reply.value]
    assert len(listed) == len(set(listed)) == conn.call("COMMAND", "COUNT").value
    assert {"get", "command", "config", "info"} <= set(listed)


def test_command_count_matches_command_list(conn):
    top_level = [n for n in names(conn.call("COMMAND", "LIST")) if "|" not in n]
    assert conn.call("COMMAND", "COUNT").value == len(top_level)


def test_command_count_arity(conn):
    assert_error(conn.call("COMMAND", "COUNT", "x"), "ERR wrong number of arguments for 'command|count' command")


# -- COMMAND INFO --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FULLY_IMPLEMENTED)
def test_command_info_as_redis_reports_it(conn, name):
    assert_reply(conn.call("COMMAND", "INFO", name), array(captured(name, "info_reply", conn.resp)))


def test_command_info_several_and_unknown(conn):
    reply = conn.call("COMMAND", "INFO", "GET", "nosuch", "dbsize")
    assert reply.raw.startswith(b"*3\r\n")
    get, missing, dbsize = reply.value
    assert_reply(get, captured("get", "info_reply", conn.resp))
    assert missing.raw == (b"_\r\n" if conn.resp == 3 else b"$-1\r\n")
    assert_reply(dbsize, captured("dbsize", "info_reply", conn.resp))


def test_command_info_of_a_subcommand(conn):
    assert_reply(conn.call("COMMAND", "INFO", "config|get"),
                 array(captured("config|get", "info_reply", conn.resp)))
    assert_reply(conn.call("COMMAND", "INFO", "CONFIG|GET"),
                 array(captured("config|get", "info_reply", conn.resp)))


def test_command_info_unknown_subcommand(conn):
    assert conn.call("COMMAND", "INFO", "config|nosuch").raw == (b"*1\r\n_\r\n" if conn.resp == 3
                                                                else b"*1\r\n$-1\r\n")


def test_command_info_without_names_is_command(conn):
    listed = lambda r: sorted(e.value[0].value for e in r.value)  # noqa: E731
    assert listed(conn.call("COMMAND", "INFO")) == listed(conn.call("COMMAND"))


# -- COMMAND DOCS --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FULLY_IMPLEMENTED)
def test_command_docs_as_redis_reports_it(conn, name):
    expected = Reply(Kind.MAP, ((bulk(name), Reply.from_json(load_spec()[name].raw["docs_reply"])),))
    assert_reply(conn.call("COMMAND", "DOCS", name.upper()), expected if conn.resp == 3 else flatten(expected))


def test_command_docs_skips_unknown_names(conn):
    assert conn.call("COMMAND", "DOCS", "nosuch").raw == (b"%0\r\n" if conn.resp == 3 else b"*0\r\n")
    reply = conn.call("COMMAND", "DOCS", "nosuch", "dbsize")
    expected = Reply(Kind.MAP, ((bulk("dbsize"), Reply.from_json(load_spec()["dbsize"].raw["docs_reply"])),))
    assert_reply(reply, expected if conn.resp == 3 else flatten(expected))


def test_command_docs_of_a_subcommand(conn):
    expected = Reply(Kind.MAP, ((bulk("config|get"), Reply.from_json(load_spec()["config|get"].raw["docs_reply"])),))
    assert_reply(conn.call("COMMAND", "DOCS", "config|get"), expected if conn.resp == 3 else flatten(expected))


def test_command_docs_without_names_covers_every_command(conn):
    reply = conn.call("COMMAND", "DOCS")
    documented = [k.value for k, _ in reply.value] if conn.resp == 3 else [x.value for x in reply.value[::2]]
    assert len(documented) == conn.call("COMMAND", "COUNT").value


# -- COMMAND LIST --------------------------------------------------------------------------------------------------
def test_command_list_includes_subcommands(conn):
    listed = names(conn.call("COMMAND", "LIST"))
    assert {"get", "config", "config|get", "config|set", "command|list"} <= set(listed)
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("pattern,expected", [
    ("dbsiz?", ["dbsize"]), ("CONFIG|GET", ["config|get"]), ("swap*", ["swapdb"]), ("nosuch*", []),
    ("command|getkeys*", ["command|getkeys", "command|getkeysandflags"]),
])
def test_command_list_filterby_pattern(conn, pattern, expected):
    assert sorted(names(conn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", pattern))) == expected


def test_command_list_filterby_pattern_sees_containers_and_subcommands(conn):
    listed = names(conn.call("COMMAND", "LIST", "filterby", "pattern", "conf*"))
    assert {"config", "config|get", "config|set", "config|help", "config|resetstat"} <= set(listed)


def test_command_list_filterby_aclcat(conn):
    listed = set(names(conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace")))
    assert {"dbsize", "flushall", "flushdb", "swapdb", "del"} <= listed and "get" not in listed
    assert "config" not in set(names(conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin")))
    assert "config|set" in set(names(conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN")))


@pytest.mark.parametrize("args", [["ACLCAT", "nosuch"], ["ACLCAT", "@keyspace"], ["MODULE", "nosuch"]])
def test_command_list_filterby_nothing_matches(conn, args):
    assert_reply(conn.call("COMMAND", "LIST", "FILTERBY", *args), array())


@pytest.mark.parametrize("args", [["x"], ["FILTERBY"], ["FILTERBY", "x", "y"], ["FILTERBY", "PATTERN"],
                                  ["FILTERBY", "PATTERN", "a", "b"]])
def test_command_list_syntax_error(conn, args):
    assert_error(conn.call("COMMAND", "LIST", *args), "ERR syntax error")


# -- COMMAND GETKEYS / GETKEYSANDFLAGS -----------------------------------------------------------------------------
@pytest.mark.parametrize("line,keys", [
    ("get a", ["a"]), ("set a b", ["a"]), ("mset a 1 b 2", ["a", "b"]), ("mset a 1 b", ["a", "b"]),
    ("del a b c", ["a", "b", "c"]), ("zunionstore d 2 a b WEIGHTS 1 2", ["d", "a", "b"]), ("zunion 2 a b", ["a", "b"]),
    ("sintercard 2 a b", ["a", "b"]), ("object encoding k", ["k"]), ("rename a b", ["a", "b"]),
    ("sort a", ["a"]), ("sort a STORE b", ["a", "b"]), ("sort a BY x GET y STORE b LIMIT 0 1", ["a", "b"]),
    ("sort a store b store c", ["a", "c"]), ("sort a STORE", ["a"]), ("GET a", ["a"]),
])
def test_command_getkeys(conn, line, keys):
    assert_reply(conn.call("COMMAND", "GETKEYS", *line.split()), bulks(*keys))


@pytest.mark.parametrize("line,message", [
    ("nosuch a", "ERR Invalid command specified"),
    ("config nosuch", "ERR Invalid command specified"),
    ("get", "ERR Invalid number of arguments specified for command"),
    ("get a b", "ERR Invalid number of arguments specified for command"),
    ("ping", "ERR The command has no key arguments"),
    ("config get x", "ERR The command has no key arguments"),
    ("config", "ERR The command has no key arguments"),
    ("zunionstore d 0 a", "ERR Invalid arguments specified for command"),
    ("zunionstore d 5 a b", "ERR Invalid arguments specified for command"),
    ("zunionstore d x a", "ERR Invalid arguments specified for command"),
    ("sintercard 0 a", "ERR Invalid arguments specified for command"),
])
def test_command_getkeys_errors(conn, line, message):
    assert_error(conn.call("COMMAND", "GETKEYS", *line.split()), message)


def test_command_getkeys_arity(conn):
    assert_error(conn.call("COMMAND", "GETKEYS"), "ERR wrong number of arguments for 'command|getkeys' command")


def _keys_and_flags(*pairs: tuple[str, list[str]], resp: int) -> Reply:
    flags = lambda fs: Reply(Kind.SET if resp == 3 else Kind.ARRAY, tuple(simple(f) for f in fs))  # noqa: E731
    return array(*(array(bulk(key), flags(fs)) for key, fs in pairs))


@pytest.mark.parametrize("line,expected", [
    ("set a b", [("a", ["OW", "update"])]),
    ("set a b GET", [("a", ["RW", "access", "update"])]),
    ("get a", [("a", ["RO", "access"])]),
    ("rename a b", [("a", ["RW", "access", "delete"]), ("b", ["OW", "update"])]),
    ("sort a STORE b", [("a", ["RO", "access"]), ("b", ["OW", "update"])]),
])
def test_command_getkeysandflags(conn, line, expected):
    assert_reply(conn.call("COMMAND", "GETKEYSANDFLAGS", *line.split()), _keys_and_flags(*expected, resp=conn.resp))


def test_command_getkeysandflags_errors(conn):
    assert_error(conn.call("COMMAND", "GETKEYSANDFLAGS", "ping"), "ERR The command has no key arguments")
    assert_error(conn.call("COMMAND", "GETKEYSANDFLAGS", "nosuch"), "ERR Invalid command specified")


# -- COMMAND HELP, unknown subcommand ------------------------------------------------------------------------------
def test_command_help(conn):
    assert_reply(conn.call("COMMAND", "HELP"), array(*map(simple, [
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
    ])))


def test_command_unknown_subcommand(conn):
    assert_error(conn.call("COMMAND", "nosuch"), "ERR unknown subcommand 'nosuch'. Try COMMAND HELP.")
