"""CONFIG GET / SET / RESETSTAT / HELP: glob patterns and aliases, atomic multi-parameter SET, Redis's messages.

CONFIG GET answers in Redis's dictionary order, so its pairs are compared as a dict; the wire type (a map in RESP3,
a flat array in RESP2) is checked exactly. Every case that changes a parameter puts it back.
"""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, array, simple

from .asserts import assert_error, assert_ok, assert_reply


def _text(r: Reply) -> str:
    """A parameter's name or value; one that is not a string (a server may answer an array) is kept as its bytes,
    so a snapshot of CONFIG GET * can still be compared."""
    return r.value.decode() if isinstance(r.value, bytes) else r.raw.decode("utf-8", "backslashreplace")


def config_map(reply: Reply, resp: int) -> dict[str, str]:
    if resp == 3:
        assert reply.kind is Kind.MAP, f"expected a map, got {reply}"
        return {_text(k): _text(v) for k, v in reply.value}
    assert reply.kind is Kind.ARRAY, f"expected an array, got {reply}"
    items = [_text(r) for r in reply.value]
    assert len(items) == 2 * len(set(items[::2])), "each parameter is named once"
    return dict(zip(items[::2], items[1::2]))


def get(conn, *patterns: str) -> dict[str, str]:
    return config_map(conn.call("CONFIG", "GET", *patterns), conn.resp)


def failed(name: str, why: str) -> str:
    return f"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"


@pytest.fixture
def restore(conn):
    """Parameters named here are put back to their values from before the case."""
    saved: dict[str, str] = {}

    def remember(*names: str) -> None:
        for name in names:
            saved.update(get(conn, name))

    yield remember
    for name, value in saved.items():
        conn.call("CONFIG", "SET", name, value)


# -- CONFIG GET ----------------------------------------------------------------------------------------------------
# Parameters older Redis does not have under these names (the listpack names came with 7.0, the set ones with 7.2).
NEWER_PARAMETERS = {name: "7.0" for name in (
    "hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value",
    "list-max-listpack-size", "busy-reply-threshold", "latency-tracking")} | {
    "set-max-listpack-entries": "7.2", "set-max-listpack-value": "7.2"}


def parameter(name: str, value: str):
    since = NEWER_PARAMETERS.get(name)
    return pytest.param(name, value, marks=[pytest.mark.since(since)] if since else [])


@pytest.mark.parametrize("name,value", [parameter(name, value) for name, value in [
    ("maxmemory", "0"), ("maxmemory-policy", "noeviction"), ("hz", "10"), ("save", ""), ("appendonly", "no"),
    ("databases", "16"), ("hash-max-listpack-entries", "512"), ("hash-max-listpack-value", "64"),
    ("set-max-intset-entries", "512"), ("set-max-listpack-entries", "128"), ("set-max-listpack-value", "64"),
    ("zset-max-listpack-entries", "128"), ("zset-max-listpack-value", "64"), ("list-max-listpack-size", "-2"),
    ("list-compress-depth", "0"), ("notify-keyspace-events", ""), ("proto-max-bulk-len", "536870912"),
    ("stream-node-max-bytes", "4096"), ("stream-node-max-entries", "100"), ("hll-sparse-max-bytes", "3000"),
    ("lazyfree-lazy-user-flush", "no"), ("busy-reply-threshold", "5000"), ("lua-time-limit", "5000"),
    ("slowlog-log-slower-than", "10000"), ("slowlog-max-len", "128"), ("maxclients", "10000"),
    ("timeout", "0"), ("tcp-keepalive", "300"), ("appendfsync", "everysec"), ("latency-tracking", "yes"),
]])
def test_config_get_defaults(conn, name, value):
    assert get(conn, name) == {name: value}


def test_config_get_alias_answers_under_the_asked_name(conn):
    assert get(conn, "hash-max-ziplist-entries") == {"hash-max-ziplist-entries": "512"}
    assert get(conn, "hash-max-ziplist-entries", "hash-max-listpack-entries") == \
        {"hash-max-ziplist-entries": "512", "hash-max-listpack-entries": "512"}


def test_config_get_exact_name_is_case_insensitive(conn):
    assert get(conn, "MAXMEMORY") == {"MAXMEMORY": "0"}
    assert get(conn, "hz", "HZ") == {"hz": "10"}
    assert get(conn, "HZ", "h?") == {"HZ": "10"}


def test_config_get_pattern(conn):
    assert get(conn, "maxmemory*") == {"maxmemory": "0", "maxmemory-policy": "noeviction", "maxmemory-samples": "5",
                                       "maxmemory-eviction-tenacity": "10", "maxmemory-clients": "0"}


def test_config_get_pattern_matches_aliases_too(conn):
    assert get(conn, "*ziplist*") == {"zset-max-ziplist-value": "64", "zset-max-ziplist-entries": "128",
                                      "hash-max-ziplist-entries": "512", "list-max-ziplist-size": "-2",
                                      "hash-max-ziplist-value": "64"}


def test_config_get_pattern_is_case_insensitive_with_classes(conn):
    assert get(conn, "MAX*Y") == {"maxmemory": "0", "maxmemory-policy": "noeviction",
                                  "maxmemory-eviction-tenacity": "10"}
    assert get(conn, "h[xyz]") == {"hz": "10"}


def test_config_get_several_patterns_are_merged(conn):
    assert get(conn, "hz", "maxmemory", "maxmemory-p*", "nosuch") == \
        {"hz": "10", "maxmemory": "0", "maxmemory-policy": "noeviction"}


def test_config_get_unknown_is_empty(conn):
    reply = conn.call("CONFIG", "GET", "nosuch")
    assert reply.raw == (b"%0\r\n" if conn.resp == 3 else b"*0\r\n")


def test_config_get_arity(conn):
    assert_error(conn.call("CONFIG", "GET"), "ERR wrong number of arguments for 'config|get' command")


# -- CONFIG SET ----------------------------------------------------------------------------------------------------
def test_config_set_reads_back(conn, restore):
    restore("maxmemory-policy", "hash-max-listpack-entries", "appendonly")
    assert_ok(conn.call("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"))
    assert_ok(conn.call("CONFIG", "SET", "hash-max-ziplist-entries", "100"))
    assert_ok(conn.call("CONFIG", "SET", "appendonly", "no"))
    assert get(conn, "maxmemory-policy", "hash-max-listpack-entries") == \
        {"maxmemory-policy": "allkeys-lru", "hash-max-listpack-entries": "100"}


def test_config_set_several_at_once(conn, restore):
    restore("hz", "maxmemory")
    assert_ok(conn.call("CONFIG", "SET", "hz", "20", "maxmemory", "10mb"))
    assert get(conn, "hz", "maxmemory") == {"hz": "20", "maxmemory": "10485760"}


def test_config_set_is_atomic(conn, restore):
    restore("hz")
    assert_error(conn.call("CONFIG", "SET", "hz", "20", "maxmemory-policy", "bad"),
                 failed("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                        "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"))
    assert get(conn, "hz") == {"hz": "10"}


@pytest.mark.parametrize("value,shown", [("1k", "1000"), ("1kb", "1024"), ("2M", "2000000"), ("1gb", "1073741824"),
                                         ("100", "100")])
def test_config_set_memory_units(conn, restore, value, shown):
    restore("maxmemory")
    assert_ok(conn.call("CONFIG", "SET", "maxmemory", value))
    assert get(conn, "maxmemory") == {"maxmemory": shown}


@pytest.mark.parametrize("value,shown", [("600", "500"), ("0", "1"), ("42", "42")])
def test_config_set_hz_is_clamped(conn, restore, value, shown):
    restore("hz")
    assert_ok(conn.call("CONFIG", "SET", "hz", value))
    assert get(conn, "hz") == {"hz": shown}


@pytest.mark.parametrize("value,shown", [("KEA", "AKE"), ("Kx", "xK"), ("E$lsh", "$lshE"), ("g$lshzxetdn", "A"),
                                         ("mK", "Km"), ("", "")])
def test_config_set_notify_keyspace_events_canonical_form(conn, restore, value, shown):
    restore("notify-keyspace-events")
    assert_ok(conn.call("CONFIG", "SET", "notify-keyspace-events", value))
    assert get(conn, "notify-keyspace-events") == {"notify-keyspace-events": shown}


def test_config_set_save_points(conn, restore):
    restore("save")
    assert_ok(conn.call("CONFIG", "SET", "save", "3600 1 300 100"))
    assert get(conn, "save") == {"save": "3600 1 300 100"}


MUST_BE_INT = "argument couldn't be parsed into an integer"
ERRORS = [
    (["nosuch", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
    (["hz", "11", "nosuch", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
    (["databases", "1", "nosuch", "2"], failed("databases", "can't set immutable config")),
    (["databases", "3"], failed("databases", "can't set immutable config")),
    (["hz", "abc", "databases", "1"], failed("databases", "can't set immutable config")),
    (["io-threads", "2"], failed("io-threads", "can't set immutable config")),
    (["hz", "12", "hz", "13"], failed("hz", "duplicate parameter")),
    (["hz", "12", "HZ", "13"], failed("HZ", "duplicate parameter")),
    (["hz", "abc"], failed("hz", MUST_BE_INT)),
    (["HZ", "abc"], failed("hz", MUST_BE_INT)),
    (["hz", "+5"], failed("hz", MUST_BE_INT)),
    (["hz", "-1"], failed("hz", "argument must be between 0 and 2147483647 inclusive")),
    (["timeout", "-1"], failed("timeout", "argument must be between 0 and 2147483647 inclusive")),
    (["appendonly", "maybe"], failed("appendonly", "argument must be 'yes' or 'no'")),
    (["appendonly", "1"], failed("appendonly", "argument must be 'yes' or 'no'")),
    (["maxmemory", "1xb"], failed("maxmemory", "argument must be a memory value")),
    (["maxmemory", "-1"], failed("maxmemory", "argument must be a memory value")),
    (["maxmemory", "1.5gb"], failed("maxmemory", "argument must be a memory value")),
    (["maxmemory", "99999999999999999999"], failed("maxmemory", "argument must be greater or equal to 0")),
    (["hash-max-ziplist-entries", "abc"], failed("hash-max-ziplist-entries", MUST_BE_INT)),
    (["hash-max-ziplist-entries", "-1"], failed("hash-max-ziplist-entries", "argument must be greater or equal to 0")),
    (["set-max-intset-entries", "99999999999999999999"], failed("set-max-intset-entries", MUST_BE_INT)),
    (["zset-max-listpack-value", "-1"], failed("zset-max-listpack-value", "argument must be a memory value")),
    (["hash-max-listpack-value", "abc"], failed("hash-max-listpack-value", "argument must be a memory value")),
    (["list-max-listpack-size", "99999999999"],
     failed("list-max-listpack-size", "argument must be between -2147483648 and 2147483647 inclusive")),
    (["slowlog-log-slower-than", "-5"],
     failed("slowlog-log-slower-than", "argument must be between -1 and 9223372036854775807 inclusive")),
    (["proto-max-bulk-len", "1"],
     failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")),
    (["maxclients", "0"], failed("maxclients", "argument must be between 1 and 4294967295 inclusive")),
    (["maxclients", "-1"], failed("maxclients", "argument must be greater or equal to 0")),
    (["maxmemory-samples", "0"], failed("maxmemory-samples", "argument must be between 1 and 64 inclusive")),
    (["maxmemory-clients", "-1"], failed("maxmemory-clients", "argument must be a memory or percent value")),
    (["notify-keyspace-events", "q"],
     failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")),
    (["save", "x"], failed("save", "Invalid save parameters")),
    (["appendfsync", "x"], failed("appendfsync", "argument(s) must be one of the following: everysec, always, no")),
    (["hz", "11", "maxmemory"], "ERR syntax error"),
]


@pytest.mark.parametrize("args,message", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_config_set_errors(conn, args, message):
    before = get(conn, "*")
    assert_error(conn.call("CONFIG", "SET", *args), message)
    assert get(conn, "*") == before


@pytest.mark.parametrize("args", [[], ["hz"]])
def test_config_set_arity(conn, args):
    assert_error(conn.call("CONFIG", "SET", *args), "ERR wrong number of arguments for 'config|set' command")


# -- CONFIG RESETSTAT, HELP, unknown subcommand --------------------------------------------------------------------
def test_config_resetstat(conn):
    conn.call("GET")
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    assert conn.call("INFO", "errorstats").plain() == b"# Errorstats\r\n"  # bulk or verbatim text


def test_config_resetstat_arity(conn):
    assert_error(conn.call("CONFIG", "RESETSTAT", "x"), "ERR wrong number of arguments for 'config|resetstat' command")


def test_config_help(conn):
    assert_reply(conn.call("CONFIG", "HELP"), array(*map(simple, [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Print this help.",
    ])))


def test_config_unknown_subcommand(conn):
    assert_error(conn.call("CONFIG", "nosuch"), "ERR unknown subcommand 'nosuch'. Try CONFIG HELP.")
    assert_error(conn.call("CONFIG"), "ERR wrong number of arguments for 'config' command")
