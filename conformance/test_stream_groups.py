"""Stream consumer groups: XGROUP, XREADGROUP (new entries, history, NOACK, blocking), XACK, XACKDEL, XPENDING,
XCLAIM, XAUTOCLAIM, XINFO GROUPS / CONSUMERS / STREAM FULL, with the entries-read and lag bookkeeping.

Idle times and delivery times depend on the clock: they are checked by shape and relation, exact elsewhere."""
from __future__ import annotations

import pytest

from forkdiff.types import NULL, NULL_ARRAY, Kind, array, bulk, bulks, integer

from .asserts import assert_error, assert_null_array, assert_ok, assert_reply
from .helpers import wait_blocked
from .test_stream import INVALID_ID, NOT_INTEGER, SYNTAX, WRONGTYPE, entries, entry, xread_reply

NOGROUP_XCLAIM = "NOGROUP No such key '%s' or consumer group '%s'"


def as_dict(reply) -> dict:
    """A map reply (RESP3) or its flat-array form (RESP2) as field name -> reply."""
    if reply.kind is Kind.MAP:
        return {k.value.decode(): v for k, v in reply.value}
    values = reply.value
    return {values[i].value.decode(): values[i + 1] for i in range(0, len(values), 2)}


def groups_info(conn, key: str) -> list[dict]:
    return [as_dict(g) for g in conn.call("XINFO", "GROUPS", key).value]


@pytest.fixture
def grp(conn):
    """Stream s with four entries and group g at the beginning."""
    for i in range(1, 5):
        conn.call("XADD", "s", f"{i}-0", "f", f"v{i}")
    conn.call("XGROUP", "CREATE", "s", "g", "0")
    return conn


# -- XGROUP ------------------------------------------------------------------------------------------------------------
def test_xgroup_create(grp):
    assert_error(grp.call("XGROUP", "CREATE", "s", "g", "0"), "BUSYGROUP Consumer Group name already exists")
    assert_ok(grp.call("XGROUP", "CREATE", "s", "g2", "$"))
    assert_ok(grp.call("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"))
    assert_reply(grp.call("XLEN", "new"), integer(0))
    assert [g["name"] for g in groups_info(grp, "s")] == [bulk("g"), bulk("g2")]
    assert groups_info(grp, "s")[1]["last-delivered-id"] == bulk("4-0")


def test_xgroup_create_errors(grp):
    assert_error(grp.call("XGROUP", "CREATE", "nokey", "g", "0"),
                 "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
                 "MKSTREAM option to create an empty stream automatically.")
    assert_error(grp.call("XGROUP", "CREATE", "s", "x", "0", "FOO"),
                 "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
    assert_error(grp.call("XGROUP", "create", "s", "x", "0", "ENTRIESREAD", "1", "x"),
                 "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.")
    assert_error(grp.call("XGROUP", "CREATE", "s", "x", "0", "ENTRIESREAD", "-2"),
                 "ERR value for ENTRIESREAD must be positive or -1")
    assert_error(grp.call("XGROUP", "CREATE", "s", "x", "0", "ENTRIESREAD", "x"), NOT_INTEGER)
    assert_error(grp.call("XGROUP", "CREATE", "s", "x", "-"), INVALID_ID)
    grp.call("SET", "str", "x")
    assert_error(grp.call("XGROUP", "CREATE", "str", "x", "0", "MKSTREAM"), WRONGTYPE)


@pytest.mark.since("8.2")
def test_xgroup_entriesread_is_capped_by_entries_added(grp):
    assert_ok(grp.call("XGROUP", "CREATE", "s", "g1", "0", "ENTRIESREAD", "10"))
    assert_ok(grp.call("XGROUP", "CREATE", "s", "g2", "2-0", "ENTRIESREAD", "2"))
    assert_ok(grp.call("XGROUP", "CREATE", "s", "g3", "2-0", "ENTRIESREAD", "-1"))
    info = {g["name"].value: g for g in groups_info(grp, "s")}
    assert (info[b"g1"]["entries-read"], info[b"g1"]["lag"]) == (integer(4), integer(4))
    assert (info[b"g2"]["entries-read"], info[b"g2"]["lag"]) == (integer(2), integer(2))
    assert (info[b"g3"]["entries-read"], info[b"g3"]["lag"]) == (NULL, NULL)
    grp.call("XADD", "s", "5-0", "f", "v5")
    grp.call("XREADGROUP", "GROUP", "g1", "c", "COUNT", "2", "STREAMS", "s", ">")  # recounted from the first entry
    info = {g["name"].value: g for g in groups_info(grp, "s")}
    assert (info[b"g1"]["entries-read"], info[b"g1"]["lag"]) == (integer(2), integer(3))


@pytest.mark.since("7.0")
def test_xgroup_setid(grp):
    assert_ok(grp.call("XGROUP", "SETID", "s", "g", "$"))
    assert groups_info(grp, "s")[0]["last-delivered-id"] == bulk("4-0")
    assert_ok(grp.call("XGROUP", "SETID", "s", "g", "+"))
    assert groups_info(grp, "s")[0]["last-delivered-id"] == bulk("18446744073709551615-18446744073709551615")
    assert_ok(grp.call("XGROUP", "SETID", "s", "g", "2", "ENTRIESREAD", "2"))
    info = groups_info(grp, "s")[0]
    assert (info["last-delivered-id"], info["entries-read"], info["lag"]) == (bulk("2-0"), integer(2), integer(2))
    assert_error(grp.call("XGROUP", "SETID", "s", "nog", "0"), "NOGROUP No such consumer group 'nog' for key name 's'")
    assert_error(grp.call("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"),
                 "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.")
    assert_error(grp.call("XGROUP", "SETID", "s", "g", "bad"), INVALID_ID)


def test_xgroup_consumers_and_destroy(grp):
    assert_reply(grp.call("XGROUP", "CREATECONSUMER", "s", "g", "alice"), integer(1))
    assert_reply(grp.call("XGROUP", "CREATECONSUMER", "s", "g", "alice"), integer(0))
    grp.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "3", "STREAMS", "s", ">")
    assert_reply(grp.call("XGROUP", "DELCONSUMER", "s", "g", "bob"), integer(3))
    assert_reply(grp.call("XGROUP", "DELCONSUMER", "s", "g", "nobody"), integer(0))
    assert_reply(grp.call("XPENDING", "s", "g"), array(integer(0), NULL, NULL, NULL_ARRAY))
    assert_error(grp.call("XGROUP", "CREATECONSUMER", "s", "nog", "c"),
                 "NOGROUP No such consumer group 'nog' for key name 's'")
    assert_reply(grp.call("XGROUP", "DESTROY", "s", "g"), integer(1))
    assert_reply(grp.call("XGROUP", "DESTROY", "s", "g"), integer(0))
    assert_reply(grp.call("XINFO", "GROUPS", "s"), array())


def test_xgroup_help(conn):
    reply = conn.call("XGROUP", "HELP")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 17
    assert reply.value[-2].value == "HELP"


# -- XREADGROUP --------------------------------------------------------------------------------------------------------
def test_xreadgroup_new_entries(grp, resp):
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"),
                 xread_reply(resp, ("s", entries(entry("1-0", "f", "v1"), entry("2-0", "f", "v2")))))
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"),
                 xread_reply(resp, ("s", entries(entry("3-0", "f", "v3"), entry("4-0", "f", "v4")))))
    assert_null_array(grp.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"), resp)
    info = groups_info(grp, "s")[0]
    assert (info["consumers"], info["pending"], info["entries-read"], info["lag"]) == \
        (integer(2), integer(4), integer(4), integer(0))


def test_xreadgroup_history(grp, resp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", "0"),
                 xread_reply(resp, ("s", entries(entry("1-0", "f", "v1"), entry("2-0", "f", "v2")))))
    grp.call("XDEL", "s", "2-0")
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-0"),
                 xread_reply(resp, ("s", array(array(bulk("2-0"), NULL_ARRAY), entry("3-0", "f", "v3")))))
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "nobody", "STREAMS", "s", "0"), xread_reply(resp, ("s", array())))
    counts = [p.value[3] for p in grp.call("XPENDING", "s", "g", "-", "+", "10").value]
    assert counts == [integer(2), integer(2), integer(2)]  # the deleted entry is not counted as delivered again


def test_xreadgroup_noack(grp, resp):
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "alice", "NOACK", "COUNT", "1", "STREAMS", "s", ">"),
                 xread_reply(resp, ("s", entries(entry("1-0", "f", "v1")))))
    assert_reply(grp.call("XPENDING", "s", "g").value[0], integer(0))
    assert as_dict(grp.call("XINFO", "CONSUMERS", "s", "g").value[0])["name"] == bulk("alice")


def test_xreadgroup_errors(grp):
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
                 "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
                 "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return "
                 "an empty result set.")
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+"),
                 "ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this "
                 "consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return "
                 "an empty result set.")
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"),
                 "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option")
    assert_error(grp.call("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
                 "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    assert_error(grp.call("XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"),
                 "ERR Missing GROUP option for XREADGROUP")
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">"),
                 "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.")
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad"), INVALID_ID)
    grp.call("SET", "str", "x")
    assert_error(grp.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"), WRONGTYPE)


def test_xreadgroup_block_wakes_on_xadd(conn, connect_client, resp):
    conn.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conn.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "5000", "STREAMS", "s", ">")
    other = connect_client()
    wait_blocked(other, 1)
    other.call("XADD", "s", "5-0", "f", "v")
    assert_reply(conn.read_reply(), xread_reply(resp, ("s", entries(entry("5-0", "f", "v")))))
    assert_reply(conn.call("XPENDING", "s", "g").value[0], integer(1))


def test_xreadgroup_block_group_destroyed(conn, connect_client):
    conn.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conn.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    other = connect_client()
    wait_blocked(other, 1)
    other.call("XGROUP", "DESTROY", "s", "g")
    assert_error(conn.read_reply(), "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")


@pytest.mark.parametrize("change,error", [
    (("DEL", "s"), "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"),
    (("SET", "s", "x"), "WRONGTYPE Operation against a key holding the wrong kind of value"),
], ids=["deleted", "overwritten"])
def test_xreadgroup_block_key_deleted_or_overwritten(conn, connect_client, change, error):
    """A blocked XREADGROUP is woken (and fails) when its stream goes away, unlike XREAD or BLPOP."""
    conn.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conn.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    other = connect_client()
    wait_blocked(other, 1)
    other.call(*change)
    assert_error(conn.read_reply(), error)


def test_xread_block_survives_its_key_being_overwritten(conn, connect_client, resp):
    conn.call("XADD", "s", "1-0", "f", "v")
    conn.send("XREAD", "BLOCK", "200", "STREAMS", "s", "$")
    other = connect_client()
    other.call("DEL", "s")
    other.call("SET", "s", "x")
    assert_null_array(conn.read_reply(), resp)


def test_xreadgroup_block_timeout_and_history(grp, resp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    assert_null_array(grp.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "30", "STREAMS", "s", ">"), resp)
    # history is answered at once, even with BLOCK and nothing pending after the ID
    assert_reply(grp.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", "4-0"),
                 xread_reply(resp, ("s", array())))


# -- XACK / XACKDEL ----------------------------------------------------------------------------------------------------
def test_xack(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    assert_reply(grp.call("XACK", "s", "g", "1-0", "2-0", "9-0", "1-0"), integer(2))
    assert_reply(grp.call("XACK", "s", "nog", "bad"), integer(0))
    assert_reply(grp.call("XACK", "nokey", "g", "1-0"), integer(0))
    assert_error(grp.call("XACK", "s", "g", "3-0", "bad"), INVALID_ID)
    assert_reply(grp.call("XPENDING", "s", "g").value[0], integer(2))
    grp.call("SET", "str", "x")
    assert_error(grp.call("XACK", "str", "g", "1-0"), WRONGTYPE)


@pytest.mark.since("8.2")
def test_xackdel(grp):
    grp.call("XGROUP", "CREATE", "s", "g2", "0")
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    grp.call("XREADGROUP", "GROUP", "g2", "bob", "COUNT", "1", "STREAMS", "s", ">")
    assert_reply(grp.call("XACKDEL", "s", "g", "ACKED", "IDS", "2", "1-0", "3-0"), array(integer(2), integer(-1)))
    assert_reply(grp.call("XACKDEL", "s", "g", "IDS", "1", "2-0"), array(integer(1)))  # KEEPREF by default
    assert_reply(grp.call("XPENDING", "s", "g2").value[0], integer(1))
    assert_reply(grp.call("XACKDEL", "s", "g2", "DELREF", "IDS", "1", "1-0"), array(integer(1)))
    assert_reply(grp.call("XRANGE", "s", "-", "+"), entries(entry("3-0", "f", "v3"), entry("4-0", "f", "v4")))
    assert_reply(grp.call("XACKDEL", "s", "nog", "IDS", "1", "bad"), array(integer(-1)))
    assert_reply(grp.call("XACKDEL", "nokey", "g", "IDS", "1", "bad"), array(integer(-1)))


@pytest.mark.since("8.2")
def test_xackdel_errors(grp):
    assert_error(grp.call("XACKDEL", "s", "g", "IDS", "2", "1-0"),
                 "ERR The `numids` parameter must match the number of arguments")
    assert_error(grp.call("XACKDEL", "s", "nog", "FOO", "IDS", "1", "1-0"), SYNTAX)
    assert_error(grp.call("XACKDEL", "s", "g", "IDS", "1", "bad"), INVALID_ID)
    assert_error(grp.call("XACKDEL", "s", "g", "IDS", "-3", "1-0"), "ERR Number of IDs must be a positive integer")
    grp.call("SET", "str", "x")
    assert_error(grp.call("XACKDEL", "str", "g", "IDS", "x", "bad"), WRONGTYPE)


# -- XPENDING ----------------------------------------------------------------------------------------------------------
def test_xpending_summary(grp):
    assert_reply(grp.call("XPENDING", "s", "g"), array(integer(0), NULL, NULL, NULL_ARRAY))
    grp.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    assert_reply(grp.call("XPENDING", "s", "g"),
                 array(integer(4), bulk("1-0"), bulk("4-0"), array(bulks("alice", "3"), bulks("bob", "1"))))


def test_xpending_extended(grp):
    grp.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    rows = grp.call("XPENDING", "s", "g", "(1-0", "+", "2").value
    assert [r.value[0] for r in rows] == [bulk("2-0"), bulk("3-0")]
    assert all(r.value[1] == bulk("alice") and r.value[2].kind is Kind.INTEGER and 0 <= r.value[2].value < 1000
               and r.value[3] == integer(1) for r in rows)
    assert [r.value[0] for r in grp.call("XPENDING", "s", "g", "-", "+", "10", "bob").value] == [bulk("1-0")]
    assert_reply(grp.call("XPENDING", "s", "g", "-", "+", "10", "nobody"), array())
    assert_reply(grp.call("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"), array())
    assert len(grp.call("XPENDING", "s", "g", "IDLE", "0", "-", "(4-0", "10").value) == 3
    assert_reply(grp.call("XPENDING", "s", "g", "-", "+", "-1"), array())


def test_xpending_errors(grp):
    assert_error(grp.call("XPENDING", "s", "g", "-", "+"), SYNTAX)
    assert_error(grp.call("XPENDING", "s", "g", "IDLE", "10", "-", "+"), SYNTAX)
    assert_error(grp.call("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"), NOT_INTEGER)
    assert_error(grp.call("XPENDING", "s", "g", "-", "+", "x"), NOT_INTEGER)
    assert_error(grp.call("XPENDING", "s", "g", "bad", "+", "10"), INVALID_ID)
    assert_error(grp.call("XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"),
                 "ERR invalid start ID for the interval")
    assert_error(grp.call("XPENDING", "s", "nog"), NOGROUP_XCLAIM % ("s", "nog"))
    assert_error(grp.call("XPENDING", "nokey", "g"), NOGROUP_XCLAIM % ("nokey", "g"))
    grp.call("SET", "str", "x")
    assert_error(grp.call("XPENDING", "str", "g"), WRONGTYPE)


# -- XCLAIM ------------------------------------------------------------------------------------------------------------
def test_xclaim(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0"),
                 entries(entry("1-0", "f", "v1"), entry("2-0", "f", "v2")))
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "3600000", "3-0"), array())  # not idle long enough
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "3-0", "RETRYCOUNT", "7", "JUSTID"), bulks("3-0"))
    rows = {r.value[0].value: r.value for r in grp.call("XPENDING", "s", "g", "-", "+", "10").value}
    assert rows[b"1-0"][1] == bulk("bob") and rows[b"1-0"][3] == integer(2)
    assert rows[b"3-0"][3] == integer(7)
    assert rows[b"4-0"][1] == bulk("alice")


def test_xclaim_idle_and_time(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    grp.call("XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "5000000", "JUSTID")
    grp.call("XCLAIM", "s", "g", "bob", "0", "2-0", "TIME", "1", "JUSTID")
    grp.call("XCLAIM", "s", "g", "bob", "0", "3-0", "TIME", "99999999999999", "JUSTID")
    rows = {r.value[0].value: r.value for r in grp.call("XPENDING", "s", "g", "-", "+", "10").value}
    assert rows[b"1-0"][2].value >= 5000000
    assert rows[b"2-0"][2].value > 1_000_000_000_000  # delivered at unix time 1 ms
    assert rows[b"3-0"][2].value < 1000  # a time in the future counts as now
    assert_reply(grp.call("XCLAIM", "s", "g", "carol", "4000000", "1-0", "2-0", "3-0", "JUSTID"), bulks("1-0", "2-0"))


def test_xclaim_force_and_missing_entries(grp):
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "1-0"), array())  # not pending
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "1-0", "9-0", "FORCE", "JUSTID"), bulks("1-0"))
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    grp.call("XDEL", "s", "2-0")
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "2-0"), array())
    assert_reply(grp.call("XPENDING", "s", "g").value[0], integer(1))  # the deleted entry left the PEL


def test_xclaim_lastid(grp):
    assert_reply(grp.call("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "3-0"), array())
    assert groups_info(grp, "s")[0]["last-delivered-id"] == bulk("3-0")
    grp.call("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "2-0")
    assert groups_info(grp, "s")[0]["last-delivered-id"] == bulk("3-0")


def test_xclaim_errors(grp):
    assert_error(grp.call("XCLAIM", "s", "nog", "c", "0", "1-0"), NOGROUP_XCLAIM % ("s", "nog"))
    assert_error(grp.call("XCLAIM", "nokey", "g", "c", "0", "1-0"), NOGROUP_XCLAIM % ("nokey", "g"))
    assert_error(grp.call("XCLAIM", "s", "g", "c", "x", "1-0"), "ERR Invalid min-idle-time argument for XCLAIM")
    assert_error(grp.call("XCLAIM", "s", "g", "c", "0", "1-0", "FOO"), "ERR Unrecognized XCLAIM option 'FOO'")
    assert_error(grp.call("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"), "ERR Unrecognized XCLAIM option 'IDLE'")
    for option in ("IDLE", "TIME", "RETRYCOUNT"):
        assert_error(grp.call("XCLAIM", "s", "g", "c", "0", "1-0", option.lower(), "x"),
                     f"ERR Invalid {option} option argument for XCLAIM")
    assert_error(grp.call("XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "bad"), INVALID_ID)
    grp.call("SET", "str", "x")
    assert_error(grp.call("XCLAIM", "str", "g", "c", "0", "1-0"), WRONGTYPE)


# -- XAUTOCLAIM --------------------------------------------------------------------------------------------------------
def test_xautoclaim(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    assert_reply(grp.call("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "2"),
                 array(bulk("3-0"), entries(entry("1-0", "f", "v1"), entry("2-0", "f", "v2")), array()))
    assert_reply(grp.call("XAUTOCLAIM", "s", "g", "bob", "0", "(2-0", "JUSTID"),
                 array(bulk("0-0"), bulks("3-0", "4-0"), array()))
    assert_reply(grp.call("XAUTOCLAIM", "s", "g", "carol", "3600000", "0"), array(bulk("0-0"), array(), array()))
    counts = [r.value[3] for r in grp.call("XPENDING", "s", "g", "-", "+", "10").value]
    assert counts == [integer(2), integer(2), integer(1), integer(1)]  # JUSTID does not count a delivery


def test_xautoclaim_deleted_entries(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    grp.call("XDEL", "s", "1-0", "3-0")
    assert_reply(grp.call("XAUTOCLAIM", "s", "g", "bob", "0", "-", "COUNT", "2"),
                 array(bulk("3-0"), entries(entry("2-0", "f", "v2")), bulks("1-0")))
    assert_reply(grp.call("XAUTOCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID"),
                 array(bulk("0-0"), bulks("4-0"), bulks("3-0")))
    assert_reply(grp.call("XPENDING", "s", "g").value[0], integer(2))


def test_xautoclaim_errors(grp):
    assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "x", "0"), "ERR Invalid min-idle-time argument for XAUTOCLAIM")
    assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "0", "bad"), INVALID_ID)
    assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"),
                 "ERR invalid start ID for the interval")
    for count in ("0", "x", "576460752303423488"):
        assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", count), "ERR COUNT must be > 0")
    assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"),
                 "ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
    assert_error(grp.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"), SYNTAX)
    assert_error(grp.call("XAUTOCLAIM", "s", "nog", "c", "0", "0"), NOGROUP_XCLAIM % ("s", "nog"))
    grp.call("SET", "str", "x")
    assert_error(grp.call("XAUTOCLAIM", "str", "g", "c", "0", "0"), WRONGTYPE)
    assert_error(grp.call("XAUTOCLAIM", "str", "g", "c", "x", "0"), "ERR Invalid min-idle-time argument for XAUTOCLAIM")


# -- XINFO GROUPS / CONSUMERS / STREAM FULL ----------------------------------------------------------------------------
def test_xinfo_groups_lag(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
    info = groups_info(grp, "s")[0]
    assert (info["entries-read"], info["lag"]) == (integer(1), integer(3))
    grp.call("XDEL", "s", "3-0")  # a tombstone ahead of the group: the lag cannot be known
    info = groups_info(grp, "s")[0]
    assert (info["entries-read"], info["lag"]) == (integer(1), NULL)
    grp.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    info = groups_info(grp, "s")[0]
    assert (info["entries-read"], info["lag"]) == (integer(4), integer(0))
    grp.call("XADD", "s", "5-0", "f", "v5")
    assert groups_info(grp, "s")[0]["lag"] == integer(1)


def test_xinfo_groups_lag_after_trimming(grp):
    grp.call("XTRIM", "s", "MAXLEN", "2")
    info = groups_info(grp, "s")[0]
    assert (info["entries-read"], info["lag"]) == (NULL, integer(2))
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
    info = groups_info(grp, "s")[0]
    assert (info["last-delivered-id"], info["entries-read"], info["lag"]) == (bulk("3-0"), integer(3), integer(1))


def test_xinfo_consumers(grp):
    grp.call("XGROUP", "CREATECONSUMER", "s", "g", "zed")
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    consumers = [as_dict(c) for c in grp.call("XINFO", "CONSUMERS", "s", "g").value]
    assert [c["name"] for c in consumers] == [bulk("alice"), bulk("zed")]
    assert [c["pending"] for c in consumers] == [integer(2), integer(0)]
    assert consumers[1]["inactive"] == integer(-1)
    assert 0 <= consumers[0]["idle"].value < 1000 and 0 <= consumers[0]["inactive"].value < 1000
    assert_error(grp.call("XINFO", "CONSUMERS", "s", "nog"), "NOGROUP No such consumer group 'nog' for key name 's'")
    assert_error(grp.call("XINFO", "CONSUMERS", "nokey", "g"), "ERR no such key")


def test_xinfo_stream_full_groups(grp):
    grp.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    full = as_dict(grp.call("XINFO", "STREAM", "s", "FULL", "COUNT", "2"))
    group = as_dict(full["groups"].value[0])
    assert list(group) == ["name", "last-delivered-id", "entries-read", "lag", "pel-count", "pending", "consumers"]
    assert (group["entries-read"], group["lag"], group["pel-count"]) == (integer(3), integer(1), integer(3))
    pending = group["pending"].value
    assert [p.value[0] for p in pending] == [bulk("1-0"), bulk("2-0")]
    assert pending[0].value[1] == bulk("alice") and pending[0].value[3] == integer(1)
    consumer = as_dict(group["consumers"].value[0])
    assert list(consumer) == ["name", "seen-time", "active-time", "pel-count", "pending"]
    assert consumer["pel-count"] == integer(3) and len(consumer["pending"].value) == 2
    assert consumer["pending"].value[0].value[1] == pending[0].value[2]  # the same delivery time
