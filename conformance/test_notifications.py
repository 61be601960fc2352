"""Keyspace notifications (notify-keyspace-events): the __keyspace@<db>__:<key> and __keyevent@<db>__:<event>
messages, which classes each setting lets through, and the event names of the common commands.

A subscriber listens with PSUBSCRIBE __key*__:*; after the commands under test, a marker published on a channel
the same pattern matches ends the stream, so no case waits for messages that do not come.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.resp import encode_command
from forkdiff.types import Kind, Reply, array, bulk, integer, simple

from .asserts import assert_ok, assert_reply
from .helpers import since_marks, wait_blocked

MARKER = "__keymarker__:end"


@pytest.fixture
def events(conn, connect_client):
    """events(setting, *commands) -> ["<channel>=<payload>", ...] the commands' notifications, in order."""
    listener = connect_client()
    assert listener.call("PSUBSCRIBE", "__key*__:*").kind in (Kind.ARRAY, Kind.PUSH)

    def run(setting: str, *commands) -> list[str]:
        assert_ok(conn.call("CONFIG", "SET", "notify-keyspace-events", setting))
        for command in commands:
            conn.call(*command)
        return collect()

    def collect() -> list[str]:
        conn.call("PUBLISH", MARKER, "")
        seen = []
        while True:
            reply = listener.read_reply(timeout=2)
            assert reply.kind in (Kind.ARRAY, Kind.PUSH), reply
            channel, payload = (part.value.decode() for part in reply.value[2:4])
            if channel == MARKER:
                return seen
            seen.append(f"{channel}={payload}")

    run.collect = collect
    yield run
    assert_ok(conn.call("CONFIG", "SET", "notify-keyspace-events", ""))


def both(event: str, key: str, db: int = 0) -> list[str]:
    return [f"__keyspace@{db}__:{key}={event}", f"__keyevent@{db}__:{event}={key}"]


# -- the setting ---------------------------------------------------------------------------------------------------
@pytest.mark.command("set")
def test_notifications_off_by_default(events):
    assert events("", ("SET", "k", "v"), ("DEL", "k")) == []


@pytest.mark.command("set")
@pytest.mark.parametrize("setting,expected", [
    ("KEA", both("set", "k")), ("K$", both("set", "k")[:1]), ("E$", both("set", "k")[1:]),
    ("KA", both("set", "k")[:1]), ("Kg", []), ("A", []), ("$", []), ("Kl", [])],
    ids=["KEA", "K$", "E$", "KA", "Kg", "A-alone", "class-alone", "other-class"])
def test_notifications_setting_selects_channels_and_classes(events, setting, expected):
    assert events(setting, ("SET", "k", "v")) == expected


@pytest.mark.command("select")
def test_notifications_name_the_database(events, conn):
    assert_ok(conn.call("SELECT", 3))
    assert events("KEA", ("SET", "k", "v")) == both("set", "k", db=3)


def by_command(rows: list, ids: list[str], about: list[str]) -> list:
    """Each row of a table as a case marked with the command it is about."""
    return [pytest.param(*row, id=name, marks=pytest.mark.command(command))
            for row, name, command in zip(rows, ids, about, strict=True)]


# -- strings -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("commands,expected", by_command([
    ([("SET", "k", "v")], both("set", "k")),
    ([("SET", "k", "v", "EX", "100")], both("set", "k") + both("expire", "k")),
    ([("SETEX", "k", "100", "v")], both("set", "k") + both("expire", "k")),
    ([("SET", "k", "v", "NX"), ("SET", "k", "w", "NX")], both("set", "k")),
    ([("SET", "k", "v", "XX")], []),
    ([("SETNX", "k", "v"), ("SETNX", "k", "v")], both("set", "k")),
    ([("MSET", "a", "1", "b", "2")], both("set", "a") + both("set", "b")),
    ([("GETSET", "k", "v")], both("set", "k")),
    ([("APPEND", "k", "x")], both("append", "k")),
    ([("SETRANGE", "k", "2", "x")], both("setrange", "k")),
    ([("INCR", "n"), ("DECRBY", "n", "3")], both("incrby", "n") * 2),
    ([("INCRBYFLOAT", "n", "1.5")], both("incrbyfloat", "n")),
], ids=["set", "set-ex", "setex", "set-nx", "set-xx-missing", "setnx", "mset", "getset", "append", "setrange",
        "incr-decrby", "incrbyfloat"],
    about=["set", "set", "setex", "set", "set", "setnx", "mset", "getset", "append", "setrange", "incr",
           "incrbyfloat"]))
def test_notifications_string_commands(events, commands, expected):
    assert events("KEA", *commands) == expected


# -- generic -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("commands,expected", by_command([
    ([("DEL", "k", "missing")], both("del", "k")),
    ([("UNLINK", "k")], both("del", "k")),
    ([("EXPIRE", "k", "100")], both("expire", "k")),
    ([("EXPIRE", "k", "0")], both("del", "k")),
    ([("PEXPIREAT", "k", "1")], both("del", "k")),
    ([("PERSIST", "k"), ("EXPIRE", "k", "100"), ("PERSIST", "k")], both("expire", "k") + both("persist", "k")),
    ([("RENAME", "k", "k2")], both("rename_from", "k") + both("rename_to", "k2")),
    ([("COPY", "k", "k2")], both("copy_to", "k2")),
    ([("GETDEL", "k")], both("del", "k")),
    ([("GETEX", "k", "EX", "10"), ("GETEX", "k", "PERSIST")], both("expire", "k") + both("persist", "k")),
], ids=["del", "unlink", "expire", "expire-past", "pexpireat-past", "persist", "rename", "copy", "getdel", "getex"],
    about=["del", "unlink", "expire", "expire", "pexpireat", "persist", "rename", "copy", "getdel", "getex"]))
def test_notifications_generic_commands(events, conn, commands, expected):
    assert_ok(conn.call("SET", "k", "v"))
    assert events("KEA", *commands) == expected


# A key or hash field past its TTL goes when a command looks it up or when the server's active expire cycle gets to
# it, whichever comes first. On Redis both ways publish the same events; on a server where they differ, which way
# won would decide the outcome from run to run. So the cases about the lookup start again (up to TRIES times) when
# the cycle was first, and the cycle's own cases look nothing up.
TRIES = 5
EXPIRY_EVENTS = {"expired", "hexpired", "del"}


def expiry_event(seen: str) -> bool:
    """Whether `<channel>=<payload>` reports an expiry: the event is the payload on a keyspace channel, the channel's
    tail on a keyevent one."""
    channel, payload = seen.split("=", 1)
    name = payload if channel.startswith("__keyspace") else channel.split(":", 1)[1]
    return name in EXPIRY_EVENTS


def expired_unseen(events, expire) -> list[str]:
    """Runs `expire()` (which leaves something past its TTL, not yet looked up) until the active cycle has not taken
    it by the time it returns; the events published so far. If the cycle is first every time, its events come back
    and the case measures that way."""
    for _ in range(TRIES):
        expire()
        before = events.collect()
        if not any(expiry_event(seen) for seen in before):
            break
    return before


def expired_key(events, conn) -> list[str]:
    def expire():
        conn.call("DEL", "k")
        events.collect()  # the DEL of a try the cycle overtook
        assert_ok(conn.call("SET", "k", "v", "PX", "20"))
        time.sleep(0.05)  # past the TTL on the server's clock too: its SET ran before this client read the reply
    return expired_unseen(events, expire)


@pytest.mark.command("expire")
def test_notifications_expired_key(events, conn):
    assert events("KEA") == []
    before = expired_key(events, conn)
    assert_reply(conn.call("EXISTS", "k"), integer(0))
    assert before + events.collect() == both("set", "k") + both("expire", "k") + both("expired", "k")


@pytest.mark.command("expire")
def test_notifications_expired_class_alone(events, conn):
    assert events("Ex") == []
    before = expired_key(events, conn)
    assert conn.call("GET", "k").value is None
    assert before + events.collect() == both("expired", "k")[1:]


@pytest.mark.command("expire")
def test_notifications_expired_by_the_active_cycle(events, conn):
    """Nothing looks the key up: only the server's own expire cycle can remove it and publish "expired"."""
    assert events("Ex", ("SET", "k", "v", "PX", "20")) == []
    seen, deadline = [], time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
        seen = events.collect()
    assert seen == both("expired", "k")[1:]


# -- containers ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("commands,expected", by_command([
    ([("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c")], both("lpush", "l") + both("rpush", "l")),
    ([("LPUSHX", "missing", "a"), ("RPUSH", "l", "a"), ("LPUSHX", "l", "b")], both("rpush", "l") + both("lpush", "l")),
    ([("RPUSH", "l", "a", "b"), ("LPOP", "l"), ("RPOP", "l", "5")],
     both("rpush", "l") + both("lpop", "l") + both("rpop", "l") + both("del", "l")),
    ([("HSET", "h", "a", "1", "b", "2"), ("HDEL", "h", "a", "zz"), ("HDEL", "h", "b")],
     both("hset", "h") + both("hdel", "h") + both("hdel", "h") + both("del", "h")),
    ([("HSETNX", "h", "a", "1"), ("HSETNX", "h", "a", "2"), ("HINCRBY", "h", "n", "1"),
      ("HINCRBYFLOAT", "h", "n", "0.5")], both("hset", "h") + both("hincrby", "h") + both("hincrbyfloat", "h")),
    ([("SADD", "s", "a", "b"), ("SADD", "s", "a"), ("SREM", "s", "a", "zz"), ("SREM", "s", "b")],
     both("sadd", "s") + both("srem", "s") + both("srem", "s") + both("del", "s")),
    ([("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "1", "a"), ("ZADD", "z", "INCR", "1", "a"),
      ("ZINCRBY", "z", "1", "b"), ("ZREM", "z", "a", "b")],
     both("zadd", "z") + both("zincr", "z") + both("zincr", "z") + both("zrem", "z") + both("del", "z")),
    ([("XADD", "x", "*", "f", "v")], both("xadd", "x")),
], ids=["push", "pushx", "pop", "hash", "hash-increments", "set", "zset", "stream"],
    about=["lpush", "lpushx", "lpop", "hdel", "hincrby", "srem", "zincrby", "xadd"]))
def test_notifications_container_commands(events, commands, expected):
    assert events("KEA", *commands) == expected


@pytest.mark.command("lpush")
def test_notifications_container_classes_filter(events):
    commands = [("RPUSH", "l", "a"), ("LPOP", "l"), ("SADD", "s", "a"), ("HSET", "h", "a", "1")]
    assert events("El", *commands) == both("rpush", "l")[1:] + both("lpop", "l")[1:]
    assert events("Kg", *commands) == both("del", "l")[:1]


# -- the other writing commands --------------------------------------------------------------------------------------
def ev(*pairs: str) -> list[str]:
    """both() of each "event:key" in order."""
    return [line for pair in pairs for line in both(*pair.split(":"))]


def write_case(name: str, commands: list, *events: str):
    return pytest.param(commands, ev(*events), id=name,
                        marks=[pytest.mark.command(name.split("-")[0]), *since_marks(commands)])


@pytest.mark.parametrize("commands,expected", [
    write_case("setbit", [("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "0")],
               "setbit:b", "setbit:b"),
    write_case("bitfield", [("BITFIELD", "b", "SET", "u8", "0", "1", "INCRBY", "u8", "0", "1"),
                            ("BITFIELD", "b", "GET", "u8", "0"), ("BITFIELD", "b", "SET", "u8", "0", "2"),
                            ("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300")], "setbit:b"),
    write_case("bitop", [("SET", "a", "x"), ("BITOP", "NOT", "d", "a"), ("BITOP", "AND", "d", "m1", "m2"),
                         ("BITOP", "AND", "d", "m1", "m2")], "set:a", "set:d", "del:d"),
    pytest.param([("SET", "k", "v"), ("MOVE", "k", "1")], ev("set:k", "move_from:k") + both("move_to", "k", db=1),
                 id="move", marks=pytest.mark.command("move")),
    write_case("lset", [("RPUSH", "l", "a", "b"), ("LSET", "l", "0", "x"), ("LINSERT", "l", "BEFORE", "x", "y"),
                        ("LINSERT", "l", "BEFORE", "zz", "y")], "rpush:l", "lset:l", "linsert:l"),
    write_case("lrem", [("RPUSH", "l", "a", "b", "a"), ("LREM", "l", "0", "q"), ("LREM", "l", "1", "a"),
                        ("LREM", "l", "0", "a"), ("LREM", "l", "0", "b")],
               "rpush:l", "lrem:l", "lrem:l", "lrem:l", "del:l"),
    write_case("ltrim", [("RPUSH", "l", "a", "b"), ("LTRIM", "l", "0", "5"), ("LTRIM", "l", "5", "9")],
               "rpush:l", "ltrim:l", "ltrim:l", "del:l"),
    write_case("lmove", [("RPUSH", "l", "a", "b"), ("LMOVE", "l", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "l", "d"),
                         ("LMOVE", "d", "d", "LEFT", "RIGHT")],
               "rpush:l", "rpush:d", "lpop:l", "lpush:d", "rpop:l", "del:l", "rpush:d", "lpop:d"),
    write_case("blmove", [("RPUSH", "l", "a"), ("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"),
                          ("BRPOPLPUSH", "d", "e", "0")],
               "rpush:l", "lpush:d", "rpop:l", "del:l", "lpush:e", "rpop:d", "del:d"),
    write_case("hexpire", [("HSET", "h", "a", "1", "b", "2"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a"),
                           ("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"),
                           ("HPERSIST", "h", "FIELDS", "2", "a", "b"), ("HPERSIST", "h", "FIELDS", "1", "a"),
                           ("HPEXPIRE", "h", "100000", "FIELDS", "1", "a"),
                           ("HPEXPIREAT", "h", "1", "FIELDS", "2", "a", "b")],
               "hset:h", "hexpire:h", "hpersist:h", "hexpire:h", "hdel:h", "del:h"),
    write_case("hexpire-partly-past", [("HSET", "h", "a", "1", "b", "2"),
                                       ("HEXPIRE", "h", "100", "FIELDS", "1", "a"),
                                       ("HPEXPIREAT", "h", "1", "FIELDS", "1", "b")],
               "hset:h", "hexpire:h", "hdel:h"),
    write_case("hgetdel", [("HSET", "h", "a", "1", "b", "2"), ("HGETDEL", "h", "FIELDS", "1", "zz"),
                           ("HGETDEL", "h", "FIELDS", "1", "a"), ("HGETDEL", "h", "FIELDS", "2", "b", "zz")],
               "hset:h", "hdel:h", "hdel:h", "del:h"),
    write_case("hgetex", [("HSET", "h", "a", "1", "b", "2"), ("HGETEX", "h", "FIELDS", "1", "a"),
                          ("HGETEX", "h", "EX", "100", "FIELDS", "1", "a"),
                          ("HGETEX", "h", "PERSIST", "FIELDS", "1", "a"),
                          ("HGETEX", "h", "PXAT", "1", "FIELDS", "2", "a", "b")],
               "hset:h", "hexpire:h", "hpersist:h", "hdel:h", "del:h"),
    write_case("hsetex", [("HSETEX", "h", "FIELDS", "1", "a", "1"),
                          ("HSETEX", "h", "EX", "100", "FIELDS", "1", "b", "2"),
                          ("HSETEX", "h", "FNX", "FIELDS", "1", "a", "3"),
                          ("HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "b", "4"),
                          ("HSETEX", "h", "PXAT", "1", "FIELDS", "1", "a", "5"),
                          ("HSETEX", "h", "PXAT", "1", "FIELDS", "1", "b", "6")],
               "hset:h", "hset:h", "hexpire:h", "hset:h", "hset:h", "hdel:h", "hset:h", "hdel:h", "del:h"),
    write_case("spop", [("SADD", "s", "a"), ("SPOP", "s"), ("SADD", "s", "a", "b"), ("SPOP", "s", "0"),
                        ("SPOP", "s", "5")], "sadd:s", "spop:s", "del:s", "sadd:s", "spop:s", "del:s"),
    write_case("smove", [("SADD", "s", "a", "b"), ("SADD", "d", "a"), ("SMOVE", "s", "d", "zz"),
                         ("SMOVE", "s", "d", "a"), ("SMOVE", "s", "d", "b"), ("SMOVE", "d", "d", "a")],
               "sadd:s", "sadd:d", "srem:s", "srem:s", "del:s", "sadd:d"),
    write_case("sinterstore", [("SADD", "a", "1", "2"), ("SADD", "b", "2", "3"), ("SINTERSTORE", "d", "a", "b"),
                               ("SUNIONSTORE", "d", "a", "b"), ("SDIFFSTORE", "d", "a", "b"),
                               ("SINTERSTORE", "d", "a", "zz"), ("SDIFFSTORE", "d", "zz")],
               "sadd:a", "sadd:b", "sinterstore:d", "sunionstore:d", "sdiffstore:d", "del:d"),
    write_case("zremrangebyscore", [("ZADD", "z", "1", "a", "2", "b", "3", "c"),
                                    ("ZREMRANGEBYSCORE", "z", "9", "10"), ("ZREMRANGEBYSCORE", "z", "1", "1"),
                                    ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYLEX", "z", "-", "+")],
               "zadd:z", "zremrangebyscore:z", "zremrangebyrank:z", "zremrangebylex:z", "del:z"),
    write_case("zpopmin", [("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "5"),
                           ("ZADD", "y", "1", "a"), ("ZMPOP", "1", "y", "MAX"), ("ZADD", "x", "1", "a"),
                           ("BZPOPMIN", "x", "0")],
               "zadd:z", "zpopmin:z", "zpopmax:z", "del:z", "zadd:y", "zpopmax:y", "del:y", "zadd:x", "zpopmin:x",
               "del:x"),
    write_case("zunionstore", [("ZADD", "a", "1", "x", "2", "y"), ("ZADD", "b", "1", "y"),
                               ("ZUNIONSTORE", "d", "2", "a", "b"), ("ZINTERSTORE", "d", "2", "a", "b"),
                               ("ZDIFFSTORE", "d", "2", "a", "b"), ("ZRANGESTORE", "d", "a", "0", "0"),
                               ("ZINTERSTORE", "d", "2", "a", "zz"), ("ZRANGESTORE", "d", "a", "5", "9")],
               "zadd:a", "zadd:b", "zunionstore:d", "zinterstore:d", "zdiffstore:d", "zrangestore:d", "del:d"),
    write_case("geosearchstore", [("GEOADD", "g", "13.361389", "38.115556", "p"),
                                  ("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "500", "km"),
                                  ("GEORADIUS", "g", "13", "38", "500", "km", "STOREDIST", "d"),
                                  ("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
                                  ("SET", "e", "v"),
                                  ("GEOSEARCHSTORE", "e", "zz", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km")],
               "zadd:g", "geosearchstore:d", "georadiusstore:d", "del:d", "set:e", "del:e"),
    write_case("pfadd", [("PFADD", "p", "a"), ("PFADD", "p", "a"), ("PFADD", "q"), ("PFADD", "q"),
                         ("PFMERGE", "d", "p", "q"), ("PFMERGE", "d")],
               "pfadd:p", "pfadd:q", "pfadd:d", "pfadd:d"),
    write_case("sort", [("RPUSH", "l", "2", "1"), ("SORT", "l", "STORE", "d"), ("SORT", "zz", "STORE", "d"),
                        ("SORT", "zz", "STORE", "d")], "rpush:l", "sortstore:d", "del:d"),
    write_case("xadd", [("XADD", "x", "NOMKSTREAM", "*", "f", "v"), ("XADD", "x", "1-1", "f", "v"),
                        ("XADD", "x", "MAXLEN", "5", "2-1", "f", "v"), ("XADD", "x", "MAXLEN", "1", "3-1", "f", "v")],
               "xadd:x", "xadd:x", "xadd:x", "xtrim:x"),
    write_case("xtrim", [("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-1", "f", "v"), ("XDEL", "x", "9-9"),
                         ("XDEL", "x", "1-1"), ("XTRIM", "x", "MAXLEN", "5"), ("XTRIM", "x", "MAXLEN", "0"),
                         ("XSETID", "x", "5-5"), ("XADD", "x", "6-1", "f", "v"), ("XDELEX", "x", "IDS", "1", "6-1")],
               "xadd:x", "xadd:x", "xdel:x", "xtrim:x", "xsetid:x", "xadd:x", "xdel:x"),
    write_case("xgroup", [("XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"), ("XGROUP", "CREATE", "x", "h", "0"),
                          ("XGROUP", "SETID", "x", "g", "0"), ("XGROUP", "CREATECONSUMER", "x", "g", "c"),
                          ("XGROUP", "CREATECONSUMER", "x", "g", "c"), ("XGROUP", "DELCONSUMER", "x", "g", "c"),
                          ("XGROUP", "DELCONSUMER", "x", "g", "c"), ("XGROUP", "DESTROY", "x", "h"),
                          ("XGROUP", "DESTROY", "x", "h")],
               "xgroup-create:x", "xgroup-create:x", "xgroup-setid:x", "xgroup-createconsumer:x",
               "xgroup-delconsumer:x", "xgroup-destroy:x"),
    write_case("xreadgroup", [("XADD", "x", "1-1", "f", "v"), ("XGROUP", "CREATE", "x", "g", "0"),
                              ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"),
                              ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", "0"),
                              ("XCLAIM", "x", "g", "c2", "0", "1-1"), ("XAUTOCLAIM", "x", "g", "c3", "0", "0"),
                              ("XACK", "x", "g", "1-1"), ("XAUTOCLAIM", "x", "g", "c3", "0", "0")],
               "xadd:x", "xgroup-create:x", "xgroup-createconsumer:x", "xgroup-createconsumer:x",
               "xgroup-createconsumer:x"),
    write_case("xackdel", [("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-1", "f", "v"),
                           ("XGROUP", "CREATE", "x", "g", "0"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"),
                           ("XACKDEL", "x", "g", "IDS", "1", "1-1"), ("XACKDEL", "x", "g", "IDS", "1", "1-1"),
                           ("XDEL", "x", "2-1"), ("XACKDEL", "x", "g", "IDS", "1", "2-1")],
               "xadd:x", "xadd:x", "xgroup-create:x", "xgroup-createconsumer:x", "xdel:x", "xdel:x"),
])
def test_notifications_more_write_commands(events, commands, expected):
    assert events("KEA", *commands) == expected


# -- hexpired (class h): hash fields whose TTL ran out ---------------------------------------------------------------
# A field past its TTL is removed when a command looks it up, or by the active expire cycle, whichever comes first;
# the cases below are built so both ways publish the same thing: one "hexpired" per hash and round, then "del" if
# the hash went empty, and before the event of the command that found the field gone.
def wait_fields_expired(conn, key: str, *fields: str) -> None:
    """Until HKEYS stops listing the fields: expired by the server's clock; HKEYS removes nothing. (Not HPTTL: on
    Redis 8.2 it answers -2 a few milliseconds before HGET stops finding the field.)"""
    names = {field.encode() for field in fields}
    deadline = time.monotonic() + 2
    while names & set(conn.call("HKEYS", key).plain()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not names & set(conn.call("HKEYS", key).plain())


def expiring_hash(events, conn, setting: str, fields: dict, expiring: tuple) -> list[str]:
    """Hash h with `fields`, of which `expiring` are past their 20 ms TTL and not yet taken by the active expire
    cycle; the set-up's events ("hset", "hexpire")."""
    assert events(setting) == []

    def expire():
        conn.call("DEL", "h")
        events.collect()  # the DEL of a try the cycle overtook
        assert_reply(conn.call("HSET", "h", *(part for pair in fields.items() for part in pair)), integer(len(fields)))
        assert conn.call("HPEXPIRE", "h", "20", "FIELDS", str(len(expiring)), *expiring).plain() == [1] * len(expiring)
        wait_fields_expired(conn, "h", *expiring)
    return expired_unseen(events, expire)


NULL_REPLY = Reply(Kind.NULL, None)


def field_case(command: tuple, reply: Reply, expected: list, name: str):
    """A case on hash fields past their TTL: it needs hash-field TTLs (HPEXPIRE, Redis 7.4) and its own command."""
    return pytest.param(command, reply, expected, id=name,
                        marks=[pytest.mark.command(name.split("-")[0]), *since_marks([("HPEXPIRE",), command])])


@pytest.mark.parametrize("command,reply,expected", [
    field_case(("HGET", "h", "a"), NULL_REPLY, ["hexpired:h", "del:h"], "hget"),
    field_case(("HEXISTS", "h", "a"), integer(0), ["hexpired:h", "del:h"], "hexists"),
    field_case(("HSTRLEN", "h", "a"), integer(0), ["hexpired:h", "del:h"], "hstrlen"),
    field_case(("HRANDFIELD", "h"), NULL_REPLY, ["hexpired:h", "del:h"], "hrandfield"),
    field_case(("HGETDEL", "h", "FIELDS", "1", "a"), array(NULL_REPLY), ["hexpired:h", "del:h"], "hgetdel"),
    field_case(("HGETEX", "h", "EX", "100", "FIELDS", "1", "a"), array(NULL_REPLY), ["hexpired:h", "del:h"],
               "hgetex"),
    field_case(("HSETEX", "h", "FXX", "FIELDS", "1", "a", "2"), integer(0), ["hexpired:h", "del:h"], "hsetex-fxx"),
])
def test_notifications_hexpired_then_del_when_the_last_field_went(events, conn, command, reply, expected):
    before = expiring_hash(events, conn, "KEA", {"a": "1"}, ("a",))
    assert_reply(conn.call(*command), reply)
    assert_reply(conn.call("EXISTS", "h"), integer(0))
    assert before + events.collect() == ev("hset:h", "hexpire:h", *expected)


@pytest.mark.parametrize("command,reply,expected", [
    field_case(("HINCRBY", "h", "a", "5"), integer(5), ["hexpired:h", "hincrby:h"], "hincrby"),
    field_case(("HINCRBYFLOAT", "h", "a", "1.5"), bulk("1.5"), ["hexpired:h", "hincrbyfloat:h"], "hincrbyfloat"),
    field_case(("HSETNX", "h", "a", "7"), integer(1), ["hexpired:h", "hset:h"], "hsetnx"),
    field_case(("HSETEX", "h", "FNX", "FIELDS", "1", "a", "7"), integer(1), ["hexpired:h", "hset:h"], "hsetex-fnx"),
    field_case(("HGETDEL", "h", "FIELDS", "2", "a", "b"), array(NULL_REPLY, bulk("2")),
               ["hexpired:h", "hdel:h", "del:h"], "hgetdel"),
    field_case(("HMGET", "h", "a", "b"), array(NULL_REPLY, bulk("2")), ["hexpired:h"], "hmget"),
])
def test_notifications_hexpired_before_the_command_own_event(events, conn, command, reply, expected):
    before = expiring_hash(events, conn, "KEA", {"a": "1", "b": "2"}, ("a",))
    assert_reply(conn.call(*command), reply)
    assert before + events.collect() == ev("hset:h", "hexpire:h", *expected)


@pytest.mark.parametrize("command,reply,expected", [
    field_case(("HMGET", "h", "a", "b", "c"), array(NULL_REPLY, NULL_REPLY, bulk("3")), ["hexpired:h"], "hmget"),
    field_case(("HGETDEL", "h", "FIELDS", "3", "a", "b", "c"), array(NULL_REPLY, NULL_REPLY, bulk("3")),
               ["hexpired:h", "hdel:h", "del:h"], "hgetdel"),
    field_case(("HGETEX", "h", "PERSIST", "FIELDS", "3", "a", "b", "c"), array(NULL_REPLY, NULL_REPLY, bulk("3")),
               ["hexpired:h"], "hgetex"),
    field_case(("HSETEX", "h", "FNX", "FIELDS", "2", "a", "7", "b", "8"), integer(1), ["hexpired:h", "hset:h"],
               "hsetex-fnx"),
    field_case(("HRANDFIELD", "h", "-3"), array(bulk("c"), bulk("c"), bulk("c")), ["hexpired:h"], "hrandfield"),
])
def test_notifications_one_hexpired_for_the_fields_of_one_command(events, conn, command, reply, expected):
    before = expiring_hash(events, conn, "KEA", {"a": "1", "b": "2", "c": "3"}, ("a", "b"))
    assert_reply(conn.call(*command), reply)
    assert before + events.collect() == ev("hset:h", "hexpire:h", *expected)


@pytest.mark.since("7.4")
@pytest.mark.command("hget")
@pytest.mark.parametrize("setting,expected", [
    ("Eh", ev("hset:h", "hexpire:h", "hexpired:h")[1::2]), ("Kg", ["__keyspace@0__:h=del"]), ("Ex", []),
    ("KEA", ev("hset:h", "hexpire:h", "hexpired:h", "del:h"))],
    ids=["hash-class", "generic-class", "not-expired-class", "all"])
def test_notifications_hexpired_is_of_the_hash_class(events, conn, setting, expected):
    before = expiring_hash(events, conn, setting, {"a": "1"}, ("a",))
    assert_reply(conn.call("HGET", "h", "a"), Reply(Kind.NULL, None))
    assert before + events.collect() == expected


@pytest.mark.since("7.4")
@pytest.mark.command("hpexpire")
def test_notifications_hexpired_from_the_active_expire_cycle(events, conn):
    assert events("Egh") == []
    assert_reply(conn.call("HSET", "h", "a", "1", "b", "2", "c", "3"), integer(3))
    assert_reply(conn.call("HSET", "g", "a", "1"), integer(1))
    assert conn.call("HPEXPIRE", "h", "20", "FIELDS", "2", "a", "b").plain() == [1, 1]  # one time: one sweep
    assert conn.call("HPEXPIRE", "g", "20", "FIELDS", "1", "a").plain() == [1]
    # HLEN and EXISTS look no field up: only the server's own sweep removes the fields; the two hashes' order is its
    deadline = time.monotonic() + 5
    while (conn.call("HLEN", "h").plain(), conn.call("EXISTS", "g").plain()) != (1, 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (conn.call("HLEN", "h").plain(), conn.call("EXISTS", "g").plain()) == (1, 0)
    seen = events.collect()
    assert [e for e in seen if e.endswith("=h")] == ev("hset:h", "hexpire:h", "hexpired:h")[1::2]
    assert [e for e in seen if e.endswith("=g")] == ev("hset:g", "hexpire:g", "hexpired:g", "del:g")[1::2]
    assert len(seen) == 7


# -- new (class n): a key added where there was none -----------------------------------------------------------------
NEW_CLASS_SINCE = "7.0"  # class n and its "new" event came with Redis 7.0


def new_class(setting: str, expected: list, name: str):
    marks = [pytest.mark.since(NEW_CLASS_SINCE)] if "n" in setting else []
    return pytest.param(setting, expected, id=name, marks=marks)


@pytest.mark.command("set")
@pytest.mark.parametrize("setting,expected", [
    new_class("KEn", ev("new:k"), "both"), new_class("En", both("new", "k")[1:], "keyevent"),
    new_class("Kn", both("new", "k")[:1], "keyspace"), new_class("KEA", ev("set:k", "set:k"), "A-excludes-n"),
    new_class("KEAn", ev("new:k", "set:k", "set:k"), "A-and-n"), new_class("n", [], "class-alone")])
def test_notifications_new_setting(events, setting, expected):
    assert events(setting, ("SET", "k", "v"), ("SET", "k", "w")) == expected


@pytest.mark.since(NEW_CLASS_SINCE)
@pytest.mark.command("config")
def test_notifications_new_kept_beside_A_though_not_shown(events, conn):
    assert events("KEAn") == []
    shown = conn.call("CONFIG", "GET", "notify-keyspace-events").plain()  # a flat array, or a map's pairs
    assert (shown if isinstance(shown[0], tuple) else [tuple(shown)]) == [(b"notify-keyspace-events", b"AKE")]
    assert_ok(conn.call("SET", "k", "v"))
    assert events.collect() == ev("new:k", "set:k")


@pytest.mark.parametrize("commands,expected", [
    write_case("rename", [("SET", "a", "v"), ("SET", "b", "w"), ("RENAME", "a", "b")],
               "new:a", "new:b", "new:b"),
    pytest.param([("SET", "k", "v"), ("MOVE", "k", "1")], ev("new:k") + both("new", "k", db=1), id="move",
                 marks=pytest.mark.command("move")),
    write_case("copy", [("SET", "k", "v"), ("COPY", "k", "c"), ("COPY", "k", "c", "REPLACE")],
               "new:k", "new:c", "new:c"),
    write_case("lmove", [("RPUSH", "l", "a", "b"), ("LMOVE", "l", "d", "LEFT", "LEFT"),
                         ("LMOVE", "l", "d", "LEFT", "LEFT")], "new:l", "new:d"),
    write_case("smove", [("SADD", "s", "a"), ("SMOVE", "s", "d", "a")], "new:s", "new:d"),
    write_case("sunionstore", [("SADD", "s", "a"), ("SUNIONSTORE", "d", "s"), ("SUNIONSTORE", "d", "s")],
               "new:s", "new:d"),
    write_case("incr", [("INCR", "n"), ("INCR", "n"), ("APPEND", "a", "x"), ("SETBIT", "b", "1", "1"),
                        ("PFADD", "p")], "new:n", "new:a", "new:b", "new:p"),
    write_case("xgroup", [("XGROUP", "CREATE", "x", "g", "$", "MKSTREAM")], "new:x"),
    write_case("hsetex", [("HSETEX", "h", "PXAT", "1", "FIELDS", "1", "a", "1")], "new:h"),  # made and gone at once
])
@pytest.mark.since(NEW_CLASS_SINCE)
def test_notifications_new_from_commands_that_add_keys(events, commands, expected):
    assert events("KEn", *commands) == expected


# -- to the client that caused them --------------------------------------------------------------------------------
# A push to the client whose command is running waits for that command's reply (after a whole EXEC or script), as in
# Redis 7.2+; a client in RESP2 can only subscribe and write in one transaction.
def frame(resp: int, *parts) -> Reply:
    items = tuple(integer(p) if isinstance(p, int) else bulk(p) for p in parts)
    return Reply(Kind.PUSH if resp == 3 else Kind.ARRAY, items)


def listen(conn, resp: int, *patterns: str) -> None:
    for count, pattern in enumerate(patterns, 1):
        assert_reply(conn.call("PSUBSCRIBE", pattern), frame(resp, "psubscribe", pattern, count))


@pytest.mark.resp(3)
@pytest.mark.command("set")
def test_notifications_own_write_follow_its_reply(conn, resp, config):
    config("notify-keyspace-events", "KEA")
    listen(conn, resp, "__keyspace@0__:*", "__keyevent@0__:*")
    assert_ok(conn.call("SET", "k", "v"))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyspace@0__:*", "__keyspace@0__:k", "set"))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "k"))
    conn.send_raw(encode_command([b"DEL", b"k"]) + encode_command([b"GET", b"k"]))  # pipelined: between the two
    assert_reply(conn.read_reply(), integer(1))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyspace@0__:*", "__keyspace@0__:k", "del"))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:del", "k"))
    assert_reply(conn.read_reply(), Reply(Kind.NULL, None))


@pytest.mark.command("exec")
def test_notifications_own_writes_in_exec_follow_the_exec_reply(conn, resp, config):
    config("notify-keyspace-events", "E$")
    assert_ok(conn.call("MULTI"))
    for command in [("SUBSCRIBE", "__keyevent@0__:set"), ("SET", "a", "1"), ("SET", "b", "2")]:
        assert_reply(conn.call(*command), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), array(frame(resp, "subscribe", "__keyevent@0__:set", 1), simple("OK"),
                                          simple("OK")))
    assert_reply(conn.read_reply(), frame(resp, "message", "__keyevent@0__:set", "a"))
    assert_reply(conn.read_reply(), frame(resp, "message", "__keyevent@0__:set", "b"))


@pytest.mark.resp(3)
@pytest.mark.command("eval")
def test_notifications_own_writes_in_a_script_follow_its_reply(conn, resp, config):
    config("notify-keyspace-events", "KEA")
    listen(conn, resp, "__keyevent@0__:*")
    script = "redis.call('set', KEYS[1], 'v') redis.call('lpush', KEYS[2], 'x') return redis.call('get', KEYS[1])"
    assert_reply(conn.call("EVAL", script, "2", "k", "l"), bulk("v"))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "k"))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:lpush", "l"))
    library = ("#!lua name=notifylib\nredis.register_function('touchit', function(keys) "
               "return redis.call('incr', keys[1]) end)")
    assert_reply(conn.call("FUNCTION", "LOAD", "REPLACE", library), bulk("notifylib"))
    assert_reply(conn.call("FCALL", "touchit", "1", "n"), integer(1))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:incrby", "n"))
    assert_reply(conn.call("FUNCTION", "DELETE", "notifylib"), simple("OK"))


@pytest.mark.resp(3)
@pytest.mark.command("set")
def test_notifications_of_another_client_arrive_on_their_own(conn, resp, config, connect_client):
    config("notify-keyspace-events", "E$")
    listener = connect_client()
    listen(listener, resp, "__keyevent@0__:*")
    assert_ok(conn.call("SET", "k", "v"))
    assert_reply(listener.read_reply(timeout=2), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:set",
                                                       "k"))
    assert_ok(conn.call("SET", "k", "w"))  # already there when the listener next sends a command
    assert_reply(listener.call("PING"), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "k"))
    assert_reply(listener.read_reply(), simple("PONG"))


@pytest.mark.resp(3)
@pytest.mark.command("blpop")
def test_notifications_served_blocked_client_hears_its_own_pop_after_its_reply(conn, resp, config, connect_client):
    config("notify-keyspace-events", "El")
    waiter = connect_client()
    listen(waiter, resp, "__keyevent@0__:*")
    waiter.send("BLPOP", "l", "0")
    wait_blocked(conn, 1)
    assert_reply(conn.call("LPUSH", "l", "a"), integer(1))
    # the push that fed it is another client's, sent at once; the pop is its own command's, after the reply
    assert_reply(waiter.read_reply(timeout=2), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:lpush",
                                                     "l"))
    assert_reply(waiter.read_reply(timeout=2), array(bulk("l"), bulk("a")))
    assert_reply(waiter.read_reply(timeout=2), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:lpop",
                                                     "l"))


# -- keymiss (class m): a key looked up for reading and not found ----------------------------------------------------
# Redis publishes it from lookupKey for every read lookup (lookupKeyRead*) that finds nothing, unless the caller
# passes LOOKUP_NONOTIFY (OBJECT); write lookups never do. 'A' does not include m.
def missed(*keys: str) -> list[str]:
    return [f"__keyevent@0__:keymiss={key}" for key in keys]


def case(name: str, commands: list, *keys: str):
    return pytest.param(commands, missed(*keys), id=name,
                        marks=[pytest.mark.command(name.split("-")[0]), *since_marks(commands)])


@pytest.mark.command("get")
@pytest.mark.parametrize("setting,expected", [
    ("KEA", []), ("Km", both("keymiss", "k")[:1]), ("Em", both("keymiss", "k")[1:]), ("KEAm", both("keymiss", "k")),
    ("m", [])], ids=["A-excludes-m", "keyspace", "keyevent", "all-and-m", "class-alone"])
def test_notifications_keymiss_setting(events, setting, expected):
    assert events(setting, ("GET", "k")) == expected


@pytest.mark.parametrize("commands,expected", [
    case("get", [("GET", "k")], "k"),
    case("mget", [("SET", "b", "v"), ("LPUSH", "l", "x"), ("MGET", "a", "b", "l", "c", "a")], "a", "c", "a"),
    case("getrange", [("GETRANGE", "k", "0", "1")], "k"),
    case("strlen", [("STRLEN", "k")], "k"),
    case("getdel", [("GETDEL", "k")], "k"),
    case("getex", [("GETEX", "k", "PERSIST")], "k"),
    case("lcs", [("LCS", "a", "b")], "a", "b"),
    case("getbit", [("GETBIT", "k", "0")], "k"),
    case("bitcount", [("BITCOUNT", "k")], "k"),
    case("bitpos", [("BITPOS", "k", "1")], "k"),
    case("bitfield_ro", [("BITFIELD_RO", "k", "GET", "u8", "0")], "k"),
    case("bitop", [("BITOP", "OR", "d", "a", "b")], "a", "b"),
    case("exists", [("EXISTS", "a", "b", "a")], "a", "b", "a"),
    case("type", [("TYPE", "k")], "k"),
    case("ttl", [("TTL", "k"), ("PTTL", "k")], "k", "k"),
    case("expiretime", [("EXPIRETIME", "k"), ("PEXPIRETIME", "k")], "k", "k"),
    case("touch", [("SET", "b", "v"), ("TOUCH", "a", "b", "c")], "a", "c"),
    case("dump", [("DUMP", "k")], "k"),
    case("copy", [("COPY", "k", "d")], "k"),
    case("llen", [("LLEN", "k")], "k"),
    case("lrange", [("LRANGE", "k", "0", "-1")], "k"),
    case("lindex", [("LINDEX", "k", "0")], "k"),
    case("lpos", [("LPOS", "k", "a")], "k"),
    case("hget", [("HGET", "k", "f"), ("HMGET", "k", "f", "g")], "k", "k"),
    case("hgetall", [("HGETALL", "k"), ("HKEYS", "k"), ("HVALS", "k")], "k", "k", "k"),
    case("hlen", [("HLEN", "k"), ("HEXISTS", "k", "f"), ("HSTRLEN", "k", "f")], "k", "k", "k"),
    case("hrandfield", [("HRANDFIELD", "k"), ("HRANDFIELD", "k", "2", "WITHVALUES")], "k", "k"),
    case("hscan", [("HSCAN", "k", "0")], "k"),
    case("httl", [("HTTL", "k", "FIELDS", "1", "f"), ("HPEXPIRETIME", "k", "FIELDS", "1", "f")], "k", "k"),
    case("httl-bad-fields", [("HTTL", "k", "FIELDS", "2", "f")], "k"),  # looked up before FIELDS is parsed
    case("smembers", [("SMEMBERS", "k"), ("SCARD", "k")], "k", "k"),
    case("sismember", [("SISMEMBER", "k", "a"), ("SMISMEMBER", "k", "a", "b")], "k", "k"),
    case("srandmember", [("SRANDMEMBER", "k"), ("SRANDMEMBER", "k", "3")], "k", "k"),
    case("sscan", [("SSCAN", "k", "0")], "k"),
    case("sinter", [("SINTER", "a", "b"), ("SINTERCARD", "2", "a", "b")], "a", "b", "a", "b"),
    case("sunionstore", [("SUNIONSTORE", "d", "a", "b"), ("SDIFFSTORE", "d", "a")], "a", "b", "a"),
    case("sinter-wrongtype", [("LPUSH", "l", "x"), ("SINTER", "a", "l", "b")], "a"),
    case("zscore", [("ZSCORE", "k", "a"), ("ZMSCORE", "k", "a", "b"), ("ZCARD", "k")], "k", "k", "k"),
    case("zrange", [("ZRANGE", "k", "0", "-1"), ("ZRANGEBYSCORE", "k", "0", "1"), ("ZREVRANGE", "k", "0", "-1")],
         "k", "k", "k"),
    case("zcount", [("ZCOUNT", "k", "0", "1"), ("ZLEXCOUNT", "k", "-", "+")], "k", "k"),
    case("zrank", [("ZRANK", "k", "a"), ("ZREVRANK", "k", "a")], "k", "k"),
    case("zrandmember", [("ZRANDMEMBER", "k"), ("ZSCAN", "k", "0")], "k", "k"),
    case("zrangestore", [("ZRANGESTORE", "d", "k", "0", "-1")], "k"),
    case("zunionstore", [("ZUNIONSTORE", "d", "2", "a", "b"), ("ZINTERCARD", "2", "a", "b")], "a", "b", "a", "b"),
    case("zinter-syntax-error", [("ZINTER", "2", "a", "b", "BADOPT")], "a", "b"),  # keys before options
    case("xlen", [("XLEN", "k"), ("XRANGE", "k", "-", "+"), ("XREVRANGE", "k", "+", "-")], "k", "k", "k"),
    case("xread", [("XADD", "b", "1-1", "f", "v"), ("XREAD", "STREAMS", "a", "b", "0", "0")], "a", "a"),
    case("xread-empty", [("XREAD", "STREAMS", "a", "$")], "a", "a"),  # IDs resolved, then each stream served
    case("xreadgroup", [("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">")], "k"),
    case("xinfo", [("XINFO", "STREAM", "k"), ("XINFO", "GROUPS", "k")], "k", "k"),
    case("xpending", [("XPENDING", "k", "g"), ("XACK", "k", "g", "1-1")], "k", "k"),
    case("xclaim", [("XCLAIM", "k", "g", "c", "0", "1-1"), ("XAUTOCLAIM", "k", "g", "c", "0", "0")], "k", "k"),
    case("pfcount", [("PFCOUNT", "a", "b")], "a", "b"),
    case("pfmerge", [("PFMERGE", "d", "a")], "d", "a"),
    case("geopos", [("GEOPOS", "k", "a"), ("GEODIST", "k", "a", "b"), ("GEOHASH", "k", "a")], "k", "k", "k"),
    case("geosearch", [("GEOSEARCH", "k", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
                       ("GEOSEARCHSTORE", "d", "k", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km")], "k", "k"),
    case("sort", [("SORT", "k"), ("SORT_RO", "k")], "k", "k"),
    case("sort-patterns", [("RPUSH", "l", "2", "1"), ("SORT", "l", "BY", "w_*", "GET", "h_*->f", "GET", "#")],
         "w_2", "w_1", "h_1", "h_2"),
    case("sort-limit", [("RPUSH", "l", "2", "1"), ("SORT", "l", "BY", "w_*", "LIMIT", "0", "1", "GET", "x_*")],
         "w_2", "w_1", "x_1"),
    case("vcard", [("VCARD", "k"), ("VDIM", "k"), ("VINFO", "k")], "k", "k", "k"),
    case("vsim", [("VSIM", "k", "ELE", "a"), ("VEMB", "k", "a"), ("VISMEMBER", "k", "a")], "k", "k", "k"),
    case("eval", [("EVAL", "return redis.call('mget', KEYS[1], KEYS[2])", "2", "a", "b")], "a", "b"),
])
def test_notifications_keymiss_of_read_lookups(events, commands, expected):
    assert events("Em", *commands) == expected


@pytest.mark.parametrize("commands", [
    pytest.param(commands, id=commands[-1][0].lower(),
                 marks=[pytest.mark.command(commands[-1][0].lower()), *since_marks(commands)])
    for commands in [
        [("OBJECT", "ENCODING", "k"), ("OBJECT", "REFCOUNT", "k"), ("OBJECT", "IDLETIME", "k")],  # LOOKUP_NONOTIFY
        [("MEMORY", "USAGE", "k")],
        [("DEL", "k"), ("UNLINK", "k"), ("EXPIRE", "k", "10"), ("PERSIST", "k"), ("MOVE", "k", "1")],
        [("RENAME", "k", "d")],
        [("SET", "k", "v", "XX"), ("INCR", "n"), ("APPEND", "s", "x"), ("SETRANGE", "r", "0", "x")],
        [("LPOP", "k"), ("LPUSHX", "k", "a"), ("LTRIM", "k", "0", "1"), ("RPOPLPUSH", "k", "d"),
         ("LMOVE", "k", "d", "LEFT", "LEFT"), ("LMPOP", "1", "k", "LEFT")],
        [("HDEL", "k", "f"), ("HGETDEL", "k", "FIELDS", "1", "f"), ("HEXPIRE", "k", "10", "FIELDS", "1", "f"),
         ("HPERSIST", "k", "FIELDS", "1", "f"), ("HGETEX", "k", "FIELDS", "1", "f")],
        [("SREM", "k", "a"), ("SPOP", "k"), ("SPOP", "k", "2"), ("SMOVE", "k", "d", "a")],
        [("ZREM", "k", "a"), ("ZPOPMIN", "k"), ("ZREMRANGEBYSCORE", "k", "0", "1"), ("ZADD", "k", "XX", "1", "a")],
        [("XDEL", "k", "1-1"), ("XTRIM", "k", "MAXLEN", "0"), ("XSETID", "k", "1-1")],
        [("VREM", "k", "a")],
        [("SCAN", "0"), ("KEYS", "*"), ("RANDOMKEY",), ("DBSIZE",)],
    ]])
def test_notifications_no_keymiss_from_write_or_peeking_lookups(events, commands):
    assert events("Em", *commands) == []


@pytest.mark.command("get")
def test_notifications_keymiss_after_expired_on_a_read(events, conn):
    assert events("Exm") == []
    assert_ok(conn.call("SET", "k", "v", "PX", "50"))
    wait_logically_expired(conn, "k")
    # whether the read deletes it or the active expire cycle got there first, the read misses after the expiry
    assert_reply(conn.call("GET", "k"), Reply(Kind.NULL, None))
    assert events.collect() == both("expired", "k")[1:] + missed("k")


@pytest.mark.command("lpush")
def test_notifications_no_keymiss_after_expired_on_a_write(events, conn):
    assert events("Exlm") == []
    assert_ok(conn.call("SET", "k", "v", "PX", "50"))
    wait_logically_expired(conn, "k")
    assert_reply(conn.call("LPUSH", "k", "a"), integer(1))
    assert events.collect() == both("expired", "k")[1:] + both("lpush", "k")[1:]


def wait_logically_expired(conn, key: str) -> None:
    """Until KEYS stops listing the key: expired by the server's clock; KEYS skips it without deleting it."""
    deadline = time.monotonic() + 2
    while conn.call("KEYS", key).value and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not conn.call("KEYS", key).value


@pytest.mark.command("set")
def test_notifications_keymiss_before_the_write_of_set_get(events):
    assert events("KEAm", ("SET", "k", "v", "GET"), ("GETSET", "k", "w"), ("GETSET", "n", "w")) == (
        both("keymiss", "k") + both("set", "k") + both("set", "k") + both("keymiss", "n") + both("set", "n"))


@pytest.mark.command("exec")
def test_notifications_keymiss_inside_exec_in_order(events, conn):
    assert events("E$m") == []
    assert_ok(conn.call("MULTI"))
    for command in [("GET", "a"), ("SET", "b", "v"), ("GET", "b"), ("LLEN", "c")]:
        assert_reply(conn.call(*command), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), array(Reply(Kind.NULL, None), simple("OK"), bulk("v"), integer(0)))
    assert events.collect() == missed("a") + both("set", "b")[1:] + missed("c")


@pytest.mark.resp(3)
@pytest.mark.command("get")
def test_notifications_own_keymiss_follows_its_reply(conn, resp, config):
    config("notify-keyspace-events", "Em")
    listen(conn, resp, "__keyevent@0__:*")
    conn.send_raw(encode_command([b"GET", b"a"]) + encode_command([b"MGET", b"b", b"c"]))  # pipelined
    assert_reply(conn.read_reply(), Reply(Kind.NULL, None))
    assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:keymiss", "a"))
    assert_reply(conn.read_reply(), array(Reply(Kind.NULL, None), Reply(Kind.NULL, None)))
    for key in ("b", "c"):
        assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:*", "__keyevent@0__:keymiss", key))


@pytest.mark.resp(3)
@pytest.mark.command("exec")
def test_notifications_own_keymiss_in_exec_and_script_follow_their_reply(conn, resp, config):
    config("notify-keyspace-events", "Em")
    listen(conn, resp, "__keyevent@0__:keymiss")
    assert_ok(conn.call("MULTI"))
    for command in [("GET", "a"), ("TYPE", "b")]:
        assert_reply(conn.call(*command), simple("QUEUED"))
    assert_reply(conn.call("EXEC"), array(Reply(Kind.NULL, None), simple("none")))
    for key in ("a", "b"):
        assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:keymiss", "__keyevent@0__:keymiss",
                                              key))
    script = "redis.call('get', KEYS[1]) return redis.call('exists', KEYS[2])"
    assert_reply(conn.call("EVAL", script, "2", "c", "d"), integer(0))
    for key in ("c", "d"):
        assert_reply(conn.read_reply(), frame(resp, "pmessage", "__keyevent@0__:keymiss", "__keyevent@0__:keymiss",
                                              key))
