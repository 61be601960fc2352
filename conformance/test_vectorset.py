"""Vector sets (the vectorset module built into Redis 8): VADD, VREM, VCARD, VDIM, VEMB, VGETATTR, VSETATTR, VINFO,
VISMEMBER, VLINKS, VRANDMEMBER, VSIM, and the generic commands on the new type.

Stored vectors are exact (Q8 quants, binary signs or normalised floats, with their norm and range), so VEMB and VSIM
scores are checked to the last digit; vectors stay below 16 components, where no Redis build switches to a SIMD
summation order. VSIM cases avoid equal distances except under TRUTH, whose linear scan orders them
deterministically; Redis's graph search orders ties by its random graph. VLINKS, VINFO max-level and vset-uid and
VRANDMEMBER depend on random levels and walks: only their shape is checked.
"""
from __future__ import annotations

import struct

import pytest

from forkdiff.types import NULL, Kind, Reply, array, boolean, bulk, bulks, double, integer, map_, simple

from .asserts import assert_error, assert_null, assert_null_array, assert_ok, assert_reply

pytestmark = pytest.mark.since("8.0")

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
BAD_VECTOR = "ERR invalid vector specification"


def arity(name: str) -> str:
    return f"ERR wrong number of arguments for '{name}' command"


def flag(resp: int, value: bool) -> Reply:
    return boolean(value) if resp == 3 else integer(int(value))


def num(resp: int, text: str) -> Reply:
    """A double reply: its text in RESP2 (the formatting is checked there), its value in RESP3."""
    return double(text) if resp == 3 else bulk(text)


def pairs(resp: int, *items: tuple[Reply, Reply]) -> Reply:
    """A map reply: a map in RESP3, a flat array in RESP2."""
    return map_(*items) if resp == 3 else array(*(x for pair in items for x in pair))


def vadd(conn, key: str, element: str, *values, options: tuple = ()) -> Reply:
    return conn.call("VADD", key, "VALUES", len(values), *values, element, *options)


def fp32(*values: float) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


@pytest.fixture
def five(conn):
    """a..e in three dimensions, Q8: from a, e then d then the two at a right angle (b and c, equal distance)."""
    for element, vec in (("a", (1, 0, 0)), ("b", (0, 1, 0)), ("c", (0, 0, 1)), ("d", (1, 1, 0)),
                         ("e", (0.5, 0.2, -0.3))):
        vadd(conn, "k", element, *vec)
    return conn


def info_of(conn, key: str) -> dict:
    """VINFO as {field: reply}, from a map (RESP3) or a flat array (RESP2)."""
    reply = conn.call("VINFO", key)
    items = reply.value if reply.kind is Kind.MAP else list(zip(reply.value[::2], reply.value[1::2]))
    return {k.value: v for k, v in items}


def info(conn) -> dict:
    return info_of(conn, "k")


# -- VADD ------------------------------------------------------------------------------------------------------------
def test_vadd_new_then_update(conn, resp):
    assert_reply(vadd(conn, "k", "a", 1, 2), flag(resp, True))
    assert_reply(vadd(conn, "k", "b", 3, 4), flag(resp, True))
    assert_reply(vadd(conn, "k", "a", 5, 6), flag(resp, False))
    assert_reply(conn.call("VCARD", "k"), integer(2))


@pytest.mark.parametrize("args", [[], ["k"], ["k", "VALUES"], ["k", "VALUES", "1"], ["k", "VALUES", "1", "1"],
                                  ["k", "VALUES", "2", "1", "2"], ["k", "FP32"], ["k", "REDUCE", "1"]])
def test_vadd_arity(conn, args):
    assert_error(conn.call("VADD", *args), arity("VADD"))


def test_vadd_arity_names_the_command_in_upper_case(conn):
    assert_error(conn.call("vadd", "k"), arity("VADD"))
    assert_error(conn.call("VaDd", "k", "VALUES"), arity("VADD"))


@pytest.mark.parametrize("args", [
    ["VALUES", "2", "1", "a"], ["VALUES", "0", "a"], ["VALUES", "-1", "1", "a"], ["VALUES", "x", "1", "a"],
    ["VALUES", "01", "1", "a"], ["VALUES", "65537", "1", "a"], ["VALUES", "1", "nan", "a"], ["VALUES", "1", "x", "a"],
    ["VALUES", "1", "1e400", "a"], ["VALUES", "1", "1e-400", "a"], ["VALUES", "1", " 1", "a"],
    ["FP32", "abc", "a"], ["FP32", "", "a"], ["FOO", "1", "a"], ["REDUCE", "0", "VALUES", "1", "1", "a"],
    ["REDUCE", "x", "VALUES", "1", "1", "a"], ["REDUCE", "-1", "VALUES", "1", "1", "a"], ["REDUCE", "1", "FP32"],
    ["REDUCE", "1", "a", "b"],
])
def test_vadd_invalid_vector(conn, args):
    assert_error(conn.call("VADD", "k", *args), BAD_VECTOR)
    assert_reply(conn.call("EXISTS", "k"), integer(0))


@pytest.mark.parametrize("options", [["BAR"], ["EF"], ["M"], ["SETATTR"], ["CAS", "WITHSCORES"],
                                     ["Q8", "EF", "5", "X"]])
def test_vadd_invalid_option_after_element(conn, options):
    assert_error(vadd(conn, "k", "a", 1, options=tuple(options)), "ERR invalid option after element")
    assert_reply(conn.call("EXISTS", "k"), integer(0))


@pytest.mark.parametrize("value", ["0", "-1", "1000001", "abc", "1.5"])
def test_vadd_invalid_ef(conn, value):
    assert_error(vadd(conn, "k", "a", 1, options=("EF", value)), "ERR invalid EF")


@pytest.mark.parametrize("value", ["3", "4097", "abc", "-16"])
def test_vadd_invalid_m(conn, value):
    assert_error(vadd(conn, "k", "a", 1, options=("M", value)), "ERR invalid M")


def test_vadd_accepts_every_option(conn, resp):
    reply = vadd(conn, "k", "a", 1, 2, options=("CAS", "Q8", "EF", "1000000", "M", "4096", "SETATTR", '{"x":1}'))
    assert_reply(reply, flag(resp, True))
    assert_reply(conn.call("VGETATTR", "k", "a"), bulk('{"x":1}'))
    assert info(conn)["hnsw-m"] == integer(4096)


def test_vadd_last_quantization_option_wins(conn):
    vadd(conn, "k", "a", 1, options=("M", "4", "BIN", "NOQUANT"))
    assert info(conn)["quant-type"] == simple("f32")
    assert info(conn)["hnsw-m"] == integer(4)


def test_vadd_mismatches_with_the_existing_set(conn):
    vadd(conn, "k", "a", 1, 2)
    assert_error(vadd(conn, "k", "b", 1, 2, options=("NOQUANT",)),
                 "ERR asked quantization mismatch with existing vector set")
    assert_error(vadd(conn, "k", "b", 1, 2, options=("BIN",)),
                 "ERR asked quantization mismatch with existing vector set")
    assert_error(vadd(conn, "k", "b", 1, 2, options=("M", "8")), "ERR asked M value mismatch with existing vector set")
    assert_error(vadd(conn, "k", "b", 1, 2, 3), "ERR Vector dimension mismatch - got 3 but set has 2")
    assert_error(conn.call("VADD", "k", "REDUCE", "1", "VALUES", "3", "1", "2", "3", "b"),
                 "ERR Vector dimension mismatch - got 3 but set has 2")
    assert_reply(conn.call("VCARD", "k"), integer(1))


def test_vadd_checks_quantization_before_dimension(conn):
    vadd(conn, "k", "a", 1, 2)
    assert_error(vadd(conn, "k", "b", 1, 2, 3, options=("M", "8")),
                 "ERR asked M value mismatch with existing vector set")


def test_vadd_reduce_mismatches(conn, resp):
    assert_reply(conn.call("VADD", "k", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "x"), flag(resp, True))
    assert_error(vadd(conn, "k", "y", 1, 2, 3, 4), "ERR Vector dimension mismatch - got 4 but set has 2")
    assert_error(vadd(conn, "k", "y", 5, 6), "ERR Vector dimension mismatch - got 2 but set has 2")
    assert_error(conn.call("VADD", "k", "REDUCE", "3", "VALUES", "4", "1", "2", "3", "4", "y"),
                 "ERR Vector dimension mismatch - got 4 but set has 2")
    assert_error(conn.call("VADD", "k", "REDUCE", "2", "VALUES", "3", "5", "6", "7", "y"),
                 "ERR Input dimension mismatch for projection - got 3 but projection expects 4")
    assert_reply(conn.call("VADD", "k", "REDUCE", "2", "VALUES", "4", "5", "6", "7", "8", "y"), flag(resp, True))


def test_vadd_wrongtype(conn):
    conn.call("SET", "s", "x")
    assert_error(vadd(conn, "s", "a", 1), WRONGTYPE)
    assert_error(vadd(conn, "s", "a", 1, options=("BOGUS",)), "ERR invalid option after element")


def test_vadd_update_keeps_or_replaces_the_attribute(conn, resp):
    vadd(conn, "k", "a", 1, 2, options=("SETATTR", '{"x":1}'))
    assert_reply(vadd(conn, "k", "a", 1, 2), flag(resp, False))
    assert_reply(conn.call("VGETATTR", "k", "a"), bulk('{"x":1}'))
    assert_reply(vadd(conn, "k", "a", 2, 1, options=("SETATTR", '{"y":2}')), flag(resp, False))
    assert_reply(conn.call("VGETATTR", "k", "a"), bulk('{"y":2}'))
    assert info(conn)["attributes-count"] == integer(1)
    assert_reply(vadd(conn, "k", "a", 2, 1, options=("SETATTR", "")), flag(resp, False))
    assert_null(conn.call("VGETATTR", "k", "a"), resp)
    assert info(conn)["attributes-count"] == integer(0)


def test_vadd_update_is_a_new_node(conn):
    vadd(conn, "k", "a", 1, 2)
    vadd(conn, "k", "b", 2, 1)
    vadd(conn, "k", "a", 1, 2)
    vadd(conn, "k", "a", 3, 3)
    assert info(conn)["hnsw-max-node-uid"] == integer(4)
    assert info(conn)["size"] == integer(2)


def test_vadd_empty_setattr_on_a_new_element_is_kept(conn):
    vadd(conn, "k", "a", 1, options=("SETATTR", ""))
    assert_reply(conn.call("VGETATTR", "k", "a"), bulk(""))
    assert info(conn)["attributes-count"] == integer(1)


def test_vadd_values_are_read_as_strtod_does(conn):
    vadd(conn, "k", "a", "0x10")
    assert_reply(conn.call("VEMB", "k", "a"), array(num(conn.resp, "16")))


def test_vadd_reduce_larger_than_the_vector(conn, resp):
    """Redis 8.2 accepts a REDUCE target above the input dimension (later versions refuse it)."""
    assert_reply(conn.call("VADD", "r", "REDUCE", "4", "VALUES", "3", "1", "2", "3", "a"), flag(resp, True))
    assert_reply(conn.call("VEMB", "r", "a"), array(*(num(resp, t) for t in
                                                       ("3.464101552963257", "1.1456083059310913", "0",
                                                        "-2.318493366241455"))))
    assert info_of(conn, "r")["projection-input-dim"] == integer(3)


def test_vadd_touches_watchers_once_the_key_is_open(conn, connect_client):
    vadd(conn, "k", "a", 1)
    other = connect_client()
    for command, touched in ((("VADD", "k", "VALUES", "1", "1", "b", "BOGUS"), False),
                             (("VADD", "k", "VALUES", "1", "1", "b", "M", "8"), True),
                             (("VADD", "k", "VALUES", "1", "1", "a"), True),
                             (("VREM", "k", "nosuch"), True), (("VSETATTR", "k", "nosuch", "{}"), True),
                             (("VREM", "missing", "x"), False), (("VSIM", "k", "ELE", "a"), False)):
        assert_ok(conn.call("WATCH", "k"))
        other.call(*command)
        conn.call("MULTI")
        conn.call("PING")
        reply = conn.call("EXEC")
        assert (reply.value is None) == touched, (command, reply)


def test_vadd_sends_no_keyspace_events(conn, connect_client, resp):
    listener = connect_client()
    assert listener.call("PSUBSCRIBE", "__key*__:*").kind in (Kind.ARRAY, Kind.PUSH)
    previous = conn.call("CONFIG", "GET", "notify-keyspace-events").plain()
    previous = previous[0][1] if isinstance(previous[0], tuple) else previous[1]
    try:
        assert_ok(conn.call("CONFIG", "SET", "notify-keyspace-events", "KEA"))
        assert_reply(vadd(conn, "n", "a", 1), flag(resp, True))
        assert_reply(conn.call("VSETATTR", "n", "a", "{}"), flag(resp, True))
        assert_reply(conn.call("VREM", "n", "a"), flag(resp, True))
        conn.call("SET", "marker", "1")
        reply = listener.read_reply(timeout=5)
        assert reply.value[2].value == b"__keyspace@0__:marker", reply
    finally:
        conn.call("CONFIG", "SET", "notify-keyspace-events", previous)


# -- VEMB ------------------------------------------------------------------------------------------------------------
def test_vemb_q8_values(five, resp):
    assert_reply(five.call("VEMB", "k", "e"), array(num(resp, "0.5"), num(resp, "0.20078742504119873"),
                                                    num(resp, "-0.29921257495880127")))
    assert_reply(five.call("VEMB", "k", "d"), array(num(resp, "0.9999999403953552"), num(resp, "0.9999999403953552"),
                                                    num(resp, "0")))


def test_vemb_raw_q8(five, resp):
    assert_reply(five.call("VEMB", "k", "e", "RAW"),
                 array(simple("int8"), bulk(b"\x7f3\xb4"), num(resp, "0.6164413690567017"),
                       num(resp, "0.8111071586608887")))
    assert_reply(five.call("VEMB", "k", "a", "raw"), array(simple("int8"), bulk(b"\x7f\x00\x00"), num(resp, "1"),
                                                           num(resp, "1")))


def test_vemb_noquant(conn, resp):
    vadd(conn, "k", "x", 3, -4, 12, options=("NOQUANT",))
    assert_reply(conn.call("VEMB", "k", "x"), array(num(resp, "3"), num(resp, "-4"), num(resp, "12")))
    assert_reply(conn.call("VEMB", "k", "x", "RAW"),
                 array(simple("f32"), bulk(b"\xc5Nl>\xd9\x89\x9d\xbe\xc5Nl?"), num(resp, "13")))


def test_vemb_bin(conn, resp):
    vadd(conn, "k", "x", 3, -4, 12, options=("BIN",))
    assert_reply(conn.call("VEMB", "k", "x"), array(num(resp, "1"), num(resp, "-1"), num(resp, "1")))
    assert_reply(conn.call("VEMB", "k", "x", "RAW"), array(simple("bin"), bulk(b"\x05" + b"\x00" * 7), num(resp, "13")))


def test_vemb_fp32_input(conn, resp):
    assert_reply(conn.call("VADD", "k", "FP32", fp32(1.0, 2.0), "x"), flag(resp, True))
    assert_reply(conn.call("VEMB", "k", "x"), array(num(resp, "0.992125928401947"), num(resp, "2")))


def test_vemb_reduced_vector(conn, resp):
    conn.call("VADD", "k", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "x")
    assert_reply(conn.call("VEMB", "k", "x"), array(num(resp, "5"), num(resp, "-0.9842519760131836")))


def test_vemb_zero_vector(conn, resp):
    vadd(conn, "k", "z", 0, 0)
    assert_reply(conn.call("VEMB", "k", "z"), array(num(resp, "0"), num(resp, "0")))
    assert_reply(conn.call("VEMB", "k", "z", "RAW"), array(simple("int8"), bulk(b"\x00\x00"), num(resp, "1"),
                                                           num(resp, "0")))


def test_vemb_infinite_component(conn, resp):
    vadd(conn, "k", "i", "inf")
    assert conn.call("VEMB", "k", "i").raw == (b"*1\r\n,nan\r\n" if resp == 3 else b"*1\r\n$3\r\nnan\r\n")
    assert_reply(conn.call("VEMB", "k", "i", "RAW"), array(simple("int8"), bulk(b"\x00"), num(resp, "inf"),
                                                           num(resp, "0")))


def test_vemb_missing(conn, resp):
    assert_null(conn.call("VEMB", "k", "a"), resp)
    vadd(conn, "k", "a", 1)
    assert_null(conn.call("VEMB", "k", "zz"), resp)


def test_vemb_errors(conn):
    assert_error(conn.call("VEMB", "k"), arity("VEMB"))
    assert_error(conn.call("VEMB", "k", "a", "RAW", "x"), "ERR invalid option")
    assert_error(conn.call("VEMB", "missing", "a", "x"), "ERR invalid option")
    conn.call("SET", "s", "x")
    assert_error(conn.call("VEMB", "s", "a"), WRONGTYPE)


# -- VCARD, VDIM, VISMEMBER, VREM ------------------------------------------------------------------------------------
def test_vcard(five):
    assert_reply(five.call("VCARD", "k"), integer(5))
    assert_reply(five.call("VCARD", "missing"), integer(0))
    assert_error(five.call("VCARD"), arity("VCARD"))
    assert_error(five.call("VCARD", "k", "x"), arity("VCARD"))


def test_vdim(five):
    assert_reply(five.call("VDIM", "k"), integer(3))
    assert_error(five.call("VDIM", "missing"), "ERR key does not exist")
    assert_error(five.call("VDIM", "k", "x"), arity("VDIM"))


def test_vdim_of_a_reduced_set(conn):
    conn.call("VADD", "k", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "x")
    assert_reply(conn.call("VDIM", "k"), integer(2))


def test_vismember(five, resp):
    assert_reply(five.call("VISMEMBER", "k", "a"), flag(resp, True))
    assert_reply(five.call("VISMEMBER", "k", "zz"), flag(resp, False))
    assert_reply(five.call("VISMEMBER", "missing", "a"), flag(resp, False))
    assert_error(five.call("VISMEMBER", "k"), arity("VISMEMBER"))


def test_vrem(five, resp):
    assert_reply(five.call("VREM", "k", "a"), flag(resp, True))
    assert_reply(five.call("VREM", "k", "a"), flag(resp, False))
    assert_reply(five.call("VREM", "missing", "a"), flag(resp, False))
    assert_reply(five.call("VCARD", "k"), integer(4))
    assert_reply(five.call("VISMEMBER", "k", "a"), flag(resp, False))
    assert_error(five.call("VREM", "k"), arity("VREM"))
    assert_error(five.call("VREM", "k", "a", "b"), arity("VREM"))


def test_vrem_of_the_last_element_deletes_the_key(conn, resp):
    vadd(conn, "k", "a", 1)
    assert_reply(conn.call("VREM", "k", "a"), flag(resp, True))
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_vrem_keeps_search_working(five, resp):
    for element in ("a", "d", "b"):
        five.call("VREM", "k", element)
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "WITHSCORES"),
                 pairs(resp, (bulk("e"), num(resp, "0.9055535793304443")), (bulk("c"), num(resp, "0.5"))))


WRONGTYPE_CASES = [["VCARD", "s"], ["VDIM", "s"], ["VISMEMBER", "s", "a"], ["VREM", "s", "a"], ["VGETATTR", "s", "a"],
                   ["VSETATTR", "s", "a", "{}"], ["VINFO", "s"], ["VLINKS", "s", "a"], ["VRANDMEMBER", "s"],
                   ["VRANDMEMBER", "s", "2"], ["VSIM", "s", "ELE", "a"], ["VSIM", "s", "VALUES", "1", "1"]]


@pytest.mark.parametrize("command", [pytest.param(c, marks=pytest.mark.command(c[0].lower()), id="-".join(c))
                                     for c in WRONGTYPE_CASES])
def test_vector_commands_wrongtype(conn, command):
    conn.call("SET", "s", "x")
    assert_error(conn.call(*command), WRONGTYPE)


# -- VSETATTR, VGETATTR ----------------------------------------------------------------------------------------------
def test_vsetattr_and_vgetattr(five, resp):
    assert_null(five.call("VGETATTR", "k", "a"), resp)
    assert_reply(five.call("VSETATTR", "k", "a", '{"year": 1984}'), flag(resp, True))
    assert_reply(five.call("VGETATTR", "k", "a"), bulk('{"year": 1984}'))
    assert_reply(five.call("VSETATTR", "k", "a", "not json at all"), flag(resp, True))
    assert_reply(five.call("VGETATTR", "k", "a"), bulk("not json at all"))
    assert info(five)["attributes-count"] == integer(1)
    assert_reply(five.call("VSETATTR", "k", "a", ""), flag(resp, True))
    assert_null(five.call("VGETATTR", "k", "a"), resp)
    assert info(five)["attributes-count"] == integer(0)
    assert_reply(five.call("VSETATTR", "k", "b", ""), flag(resp, True))


def test_vsetattr_missing(five, resp):
    assert_reply(five.call("VSETATTR", "k", "zz", "{}"), flag(resp, False))
    assert_reply(five.call("VSETATTR", "missing", "a", "{}"), flag(resp, False))
    assert_null(five.call("VGETATTR", "k", "zz"), resp)
    assert_null(five.call("VGETATTR", "missing", "zz"), resp)


def test_vsetattr_vgetattr_arity(five):
    assert_error(five.call("VSETATTR", "k", "a"), arity("VSETATTR"))
    assert_error(five.call("VSETATTR", "k", "a", "{}", "x"), arity("VSETATTR"))
    assert_error(five.call("VGETATTR", "k"), arity("VGETATTR"))
    assert_error(five.call("VGETATTR", "k", "a", "x"), arity("VGETATTR"))


# -- VINFO -----------------------------------------------------------------------------------------------------------
def test_vinfo_fields(five, resp):
    five.call("VSETATTR", "k", "a", "{}")
    reply = five.call("VINFO", "k")
    assert reply.kind is (Kind.MAP if resp == 3 else Kind.ARRAY)
    fields = info(five)
    assert list(fields) == ["quant-type", "hnsw-m", "vector-dim", "projection-input-dim", "size", "max-level",
                            "attributes-count", "vset-uid", "hnsw-max-node-uid"]
    keys = [k for k, _ in reply.value] if resp == 3 else reply.value[::2]
    assert all(k.kind is Kind.SIMPLE for k in keys)
    assert fields["quant-type"] == simple("int8")
    assert fields["hnsw-m"] == integer(16)
    assert fields["vector-dim"] == integer(3)
    assert fields["projection-input-dim"] == integer(0)
    assert fields["size"] == integer(5)
    assert fields["attributes-count"] == integer(1)
    assert fields["hnsw-max-node-uid"] == integer(5)
    assert fields["max-level"].kind is Kind.INTEGER and 0 <= fields["max-level"].value <= 16
    assert fields["vset-uid"].kind is Kind.INTEGER and fields["vset-uid"].value >= 0


def test_vinfo_quantization_names(conn):
    for key, option, name in (("q", "Q8", "int8"), ("n", "NOQUANT", "f32"), ("b", "BIN", "bin")):
        vadd(conn, key, "a", 1, options=(option,))
        assert info_of(conn, key)["quant-type"] == simple(name)


def test_vinfo_missing_and_arity(conn, resp):
    assert_null_array(conn.call("VINFO", "missing"), resp)
    assert_error(conn.call("VINFO"), arity("VINFO"))
    assert_error(conn.call("VINFO", "k", "x"), arity("VINFO"))


def test_vinfo_counts_distinct_sets(conn):
    vadd(conn, "k1", "a", 1)
    vadd(conn, "k2", "a", 1)
    first, second = info_of(conn, "k1")["vset-uid"].value, info_of(conn, "k2")["vset-uid"].value
    assert second > first


# -- VLINKS ----------------------------------------------------------------------------------------------------------
def test_vlinks_shape(conn, resp):
    vadd(conn, "k", "a", 1, 0, 0)
    vadd(conn, "k", "d", 1, 1, 0)
    reply = conn.call("VLINKS", "k", "a")
    assert reply.kind is Kind.ARRAY and 1 <= len(reply.value) <= 17
    assert all(level.kind is Kind.ARRAY for level in reply.value)
    assert reply.value[-1] == bulks("d")
    assert all(level.value in ((), (bulk("d"),)) for level in reply.value)


def test_vlinks_withscores(conn, resp):
    vadd(conn, "k", "a", 1, 0, 0)
    vadd(conn, "k", "d", 1, 1, 0)
    reply = conn.call("VLINKS", "k", "a", "withscores")
    assert all(level.kind is (Kind.MAP if resp == 3 else Kind.ARRAY) for level in reply.value)
    assert_reply(reply.value[-1], pairs(resp, (bulk("d"), num(resp, "0.8535534143447876"))))


def test_vlinks_of_a_lone_element(conn, resp):
    vadd(conn, "k", "a", 1)
    reply = conn.call("VLINKS", "k", "a", "WITHSCORES")
    empty = map_() if resp == 3 else array()
    assert reply.kind is Kind.ARRAY and reply.value and all(level == empty for level in reply.value)


def test_vlinks_missing_and_errors(conn, resp):
    assert_null(conn.call("VLINKS", "missing", "a"), resp)
    vadd(conn, "k", "a", 1)
    assert_null(conn.call("VLINKS", "k", "zz"), resp)
    assert_error(conn.call("VLINKS", "k"), arity("VLINKS"))
    assert_error(conn.call("VLINKS", "k", "a", "foo"), arity("VLINKS"))
    assert_error(conn.call("VLINKS", "k", "a", "WITHSCORES", "x"), arity("VLINKS"))


# -- VRANDMEMBER -----------------------------------------------------------------------------------------------------
def test_vrandmember_single(five):
    reply = five.call("VRANDMEMBER", "k")
    assert reply.kind is Kind.BULK and reply.value in (b"a", b"b", b"c", b"d", b"e")


def test_vrandmember_positive_count_is_unique(five):
    for count, size in (("1", 1), ("3", 3), ("5", 5), ("10", 5)):
        reply = five.call("VRANDMEMBER", "k", count)
        assert reply.kind is Kind.ARRAY and len(reply.value) == size
        members = [r.value for r in reply.value]
        assert len(set(members)) == size and set(members) <= {b"a", b"b", b"c", b"d", b"e"}


def test_vrandmember_negative_count_may_repeat(five):
    reply = five.call("VRANDMEMBER", "k", "-12")
    assert reply.kind is Kind.ARRAY and len(reply.value) == 12
    assert {r.value for r in reply.value} <= {b"a", b"b", b"c", b"d", b"e"}


def test_vrandmember_missing_and_zero(conn, resp):
    assert_null(conn.call("VRANDMEMBER", "missing"), resp)
    assert_reply(conn.call("VRANDMEMBER", "missing", "3"), array())
    conn.call("SET", "s", "x")
    assert_reply(conn.call("VRANDMEMBER", "s", "0"), array())  # a zero count answers before the key is read


def test_vrandmember_errors(conn):
    assert_error(conn.call("VRANDMEMBER", "k", "x"), "ERR COUNT value is not an integer")
    assert_error(conn.call("VRANDMEMBER"), arity("VRANDMEMBER"))
    assert_error(conn.call("VRANDMEMBER", "k", "1", "2"), arity("VRANDMEMBER"))


# -- VSIM ------------------------------------------------------------------------------------------------------------
def test_vsim_scores(five, resp):
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "WITHSCORES", "COUNT", "3"),
                 pairs(resp, (bulk("a"), num(resp, "1")), (bulk("e"), num(resp, "0.9055535793304443")),
                       (bulk("d"), num(resp, "0.8535533845424652"))))


def test_vsim_ele(five, resp):
    assert_reply(five.call("VSIM", "k", "ELE", "a", "COUNT", "3"), bulks("a", "e", "d"))
    assert_reply(five.call("VSIM", "k", "ele", "a", "COUNT", "2", "WITHSCORES"),
                 pairs(resp, (bulk("a"), num(resp, "1")), (bulk("e"), num(resp, "0.9055535793304443"))))


def test_vsim_fp32_query(five, resp):
    assert_reply(five.call("VSIM", "k", "FP32", fp32(2.0, 0.0, 0.0), "COUNT", "2"), bulks("a", "e"))


def test_vsim_truth_orders_ties_by_insertion(five, resp):
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "TRUTH", "NOTHREAD", "WITHSCORES"),
                 pairs(resp, (bulk("a"), num(resp, "1")), (bulk("e"), num(resp, "0.9055535793304443")),
                       (bulk("d"), num(resp, "0.8535533845424652")), (bulk("b"), num(resp, "0.5")),
                       (bulk("c"), num(resp, "0.5"))))


def test_vsim_epsilon(five, resp):
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "EPSILON", "0.2"), bulks("a", "e", "d"))
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "EPSILON", "0.1"), bulks("a", "e"))
    assert_reply(five.call("VSIM", "k", "VALUES", "3", "1", "0", "0", "EPSILON", "0.05"), bulks("a"))


def test_vsim_withattribs(five, resp):
    five.call("VSETATTR", "k", "e", '{"n":1}')
    query = ("VSIM", "k", "VALUES", "3", "1", "0", "0", "COUNT", "2")
    assert_reply(five.call(*query, "WITHATTRIBS"), pairs(resp, (bulk("a"), NULL), (bulk("e"), bulk('{"n":1}'))))
    both = five.call(*query, "WITHSCORES", "WITHATTRIBS")
    if resp == 3:
        assert_reply(both, map_((bulk("a"), array(num(resp, "1"), NULL)),
                                (bulk("e"), array(num(resp, "0.9055535793304443"), bulk('{"n":1}')))))
    else:
        assert_reply(both, array(bulk("a"), bulk("1"), NULL, bulk("e"), bulk("0.9055535793304443"), bulk('{"n":1}')))


def test_vsim_missing_key_answers_before_parsing(conn):
    assert_reply(conn.call("VSIM", "missing", "ELE", "a"), array())
    assert_reply(conn.call("VSIM", "missing", "BOGUS", "x", "COUNT", "0"), array())


def test_vsim_noquant_and_bin_scores(conn, resp):
    vadd(conn, "n", "x", 3, -4, 12, options=("NOQUANT",))
    vadd(conn, "n", "y", 1, 2, 3, options=("NOQUANT",))
    assert_reply(conn.call("VSIM", "n", "ELE", "x", "WITHSCORES"),
                 pairs(resp, (bulk("x"), num(resp, "1")), (bulk("y"), num(resp, "0.8186576068401337"))))
    vadd(conn, "b", "x", 3, -4, 12, options=("BIN",))
    vadd(conn, "b", "y", 1, 2, 3, options=("BIN",))
    assert_reply(conn.call("VSIM", "b", "ELE", "x", "WITHSCORES"),
                 pairs(resp, (bulk("x"), num(resp, "1")), (bulk("y"), num(resp, "0.6666666567325592"))))


def test_vsim_reduced_set(conn, resp):
    conn.call("VADD", "g", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "x")
    conn.call("VADD", "g", "REDUCE", "2", "VALUES", "4", "5", "6", "7", "8", "y")
    assert_reply(conn.call("VSIM", "g", "VALUES", "4", "1", "2", "3", "4", "WITHSCORES"),
                 pairs(resp, (bulk("x"), num(resp, "0.9993990957736969")),
                       (bulk("y"), num(resp, "0.9964233338832855"))))
    assert_reply(conn.call("VSIM", "g", "VALUES", "2", "1", "2", "WITHSCORES"),
                 pairs(resp, (bulk("y"), num(resp, "0.6860827207565308")),
                       (bulk("x"), num(resp, "0.6312134265899658"))))
    assert_error(conn.call("VSIM", "g", "VALUES", "3", "1", "2", "3"),
                 "ERR Input dimension mismatch for projection - got 3 but projection expects 4")


def test_vsim_zero_query(conn, resp):
    vadd(conn, "k", "x", 1, 0)
    assert_reply(conn.call("VSIM", "k", "VALUES", "2", "0", "0", "WITHSCORES"),
                 pairs(resp, (bulk("x"), num(resp, "0.5"))))


def test_vsim_large_ef_is_accepted(five):
    assert_reply(five.call("VSIM", "k", "ELE", "a", "EF", "1000001", "COUNT", "1"), bulks("a"))


@pytest.mark.parametrize("args,message", [
    (["ELE", "zz"], "ERR element not found in set"),
    (["FOO", "a"], BAD_VECTOR),
    (["REDUCE", "2", "VALUES", "3", "1", "0", "0"], BAD_VECTOR),
    (["VALUES", "x", "1", "0"], BAD_VECTOR),
    (["VALUES", "3", "1", "0"], BAD_VECTOR),
    (["FP32", "abc"], BAD_VECTOR),
    (["VALUES", "2", "1", "0"], "ERR Vector dimension mismatch - got 2 but set has 3"),
    (["VALUES", "4", "1", "0", "0", "0"], "ERR Vector dimension mismatch - got 4 but set has 3"),
    (["FP32", fp32(1.0)], "ERR Vector dimension mismatch - got 1 but set has 3"),
    (["ELE", "a", "COUNT", "0"], "ERR invalid COUNT"),
    (["ELE", "a", "COUNT", "x"], "ERR invalid COUNT"),
    (["ELE", "a", "COUNT", "-1"], "ERR invalid COUNT"),
    (["ELE", "a", "COUNT"], "ERR syntax error in VSIM command"),
    (["ELE", "a", "EPSILON", "0"], "ERR invalid EPSILON"),
    (["ELE", "a", "EPSILON", "x"], "ERR invalid EPSILON"),
    (["ELE", "a", "EF", "0"], "ERR invalid EF"),
    (["ELE", "a", "EF", "x"], "ERR invalid EF"),
    (["ELE", "a", "FILTER-EF", "0"], "ERR invalid FILTER-EF"),
    (["ELE", "a", "FILTER"], "ERR syntax error in VSIM command"),
    (["ELE", "a", "BOGUS"], "ERR syntax error in VSIM command"),
    (["ELE", "a", "WITHSCORES", "COUNT", "2", "NOPE"], "ERR syntax error in VSIM command"),
])
def test_vsim_errors(five, args, message):
    assert_error(five.call("VSIM", "k", *args), message)


def test_vsim_arity(conn):
    for args in ([], ["k"], ["k", "ELE"]):
        assert_error(conn.call("VSIM", *args), arity("VSIM"))


@pytest.mark.parametrize("expression,near", [
    ("((", "(("), (".a >", ".a >"), ("1 +", "1 +"), ("@", "@"), ("1 @ 2", "@ 2"), (".a == 'x", ".a == 'x"),
    ("1 2", "1 2"), ("", ""), (")", ")"), ("(1", "(1"), ("1 and (2 or", "1 and (2 or"), ("1 + 2 )", "1 + 2 )"),
    ("andy", "andy"), (".a.b", ".a.b"), ("1e-3 > 0", "-3 > 0"), ("1 = 1", " 1"), ("nulla", "nulla"),
    ("!!1", "!!1"), ("()", "()"), ("[1, 2", "[1, 2"), ("[1 2]", "2]"), ("[a]", "a]"),
])
def test_vsim_filter_syntax_errors(five, expression, near):
    assert_error(five.call("VSIM", "k", "ELE", "a", "FILTER", expression),
                 f"ERR syntax error in FILTER expression near: {near}")


MOVIES = {
    "a": '{"year": 1984, "name": "The Matrix", "tags": ["x", 2], "n": null, "t": true, "s": "x\'y", "q": "a\\"b",'
         ' "num": "5", "ns": " 5", "e": ""}',
    "b": '{"year": 2000, "name": "Other", "tags": [], "t": false, "num": 7, "obj": {"z":1}}',
    "c": "not json",
    "d": '{"year": 1990,}',
    "f": "",
}


@pytest.fixture
def movies(conn):
    for i, (element, attributes) in enumerate(MOVIES.items()):
        vadd(conn, "m", element, 1, i + 1, options=("SETATTR", attributes))
    vadd(conn, "m", "plain", 1, 9)
    return conn


ALL = ["a", "b", "c", "d", "f"]  # every element with attributes, the empty string included


@pytest.mark.parametrize("expression,matches", [
    (".year > 1985", ["b", "d"]), (".year", ["a", "b", "d"]), (".name == 'The Matrix'", ["a"]),
    ('.name == "The Matrix"', ["a"]), (".missing or 1", []), ("not .missing", []), (".n == null", ["a"]),
    (".n", []), ("!.n", ["a"]), (".t", ["a"]), (".t == 1", ["a"]), ("'x' in .tags", ["a"]), ("2 in .tags", ["a"]),
    (".year in [1984, 2000]", ["a", "b"]), (".name in ['Other', 'x']", ["b"]), (".s == 'x\\'y'", []),
    ('.s == "x\'y"', ["a"]), (".q == 'a\"b'", ["a"]), (".num == 5", ["a"]), (".num > 4", ["a", "b"]),
    (".ns == 5", ["a"]), (".e", []), ("!.e", ["a"]), (".obj", []), (".year >= 1984 and .year <= 1990", ["a", "d"]),
    ("2 ** 3 ** 2 == 512", ALL), ("(1 + 2) * 3 == 9", ALL), ("1 + 2 * 3 == 7", ALL), ("10 % 3 == 1", ALL),
    ("1 / 0 > 100", ALL), ("-1 < 0", ALL), (".year - 1984 == 0", ["a"]), (".year -1984 == 0", ["a"]),
    ("'abc' != 'abd'", ALL), ("1 == 1 == 1", ALL), ("!0", ALL), ("1 && 0 || 1", ALL), ("'5' == 5", ALL),
    ("'' == 0", ALL), ("'a' == 0", ALL), ("[1,2]", ALL), ("-2 in [1, 'x', -2]", ALL), ("1e3 == 1000", ALL),
    (".year == 1984 or .missing", []), (".tags", ["a", "b"]), ("'x' in .name", ["a"]), ("'Mat' in .name", ["a"]),
    (".year>1985", ["b", "d"]), ("1 in []", []), ("null", []), ("1 == null", []), (".n == .n", ["a"]),
    ("(-8) ** 0.5", ALL), ("5 % 0", ALL), (".year > 1985 and (.name == 'x' or 1)", ["b"]), ("0", []),
])
def test_vsim_filter(movies, expression, matches):
    reply = movies.call("VSIM", "m", "VALUES", "2", "1", "1", "TRUTH", "FILTER", expression)
    assert reply.kind is Kind.ARRAY
    assert sorted(r.value.decode() for r in reply.value) == sorted(matches)


def test_vsim_filter_ef_and_count(movies, resp):
    reply = movies.call("VSIM", "m", "VALUES", "2", "1", "1", "FILTER", ".year", "FILTER-EF", "500", "COUNT", "2",
                        "WITHSCORES")
    assert reply.kind is (Kind.MAP if resp == 3 else Kind.ARRAY)
    assert len(reply.value) == (2 if resp == 3 else 4)


def test_vsim_last_filter_wins(movies):
    reply = movies.call("VSIM", "m", "VALUES", "2", "1", "1", "FILTER", ".year > 1985", "FILTER", ".t")
    assert reply == bulks("a")


# -- the type in the generic commands (counted under VADD, which makes the type) ----------------------------------------
@pytest.mark.command("vadd")
def test_vectorset_type_and_encoding(conn):
    vadd(conn, "k", "a", 1)
    assert_reply(conn.call("TYPE", "k"), simple("vectorset"))
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk("raw"))
    assert_reply(conn.call("SCAN", "0", "TYPE", "vectorset"), array(bulk("0"), bulks("k")))


@pytest.mark.command("vadd")
def test_vectorset_copy_is_refused(conn):
    vadd(conn, "k", "a", 1)
    assert_error(conn.call("COPY", "k", "k2"), "ERR not supported for this module key")
    assert_reply(conn.call("EXISTS", "k2"), integer(0))
    conn.call("SET", "s", "x")
    assert_reply(conn.call("COPY", "k", "s"), integer(0))
    assert_error(conn.call("COPY", "k", "s", "REPLACE"), "ERR not supported for this module key")
    assert_reply(conn.call("GET", "s"), bulk("x"))
    assert_error(conn.call("COPY", "k", "k3", "DB", "2"), "ERR not supported for this module key")


@pytest.mark.command("vadd")
def test_vectorset_rename_move_expire_del(conn, resp):
    vadd(conn, "k", "a", 1, 2, options=("SETATTR", "{}"))
    assert_ok(conn.call("RENAME", "k", "k2"))
    assert_reply(conn.call("VGETATTR", "k2", "a"), bulk("{}"))
    assert_reply(conn.call("MOVE", "k2", "1"), integer(1))
    assert_ok(conn.call("SELECT", "1"))
    assert_reply(conn.call("VCARD", "k2"), integer(1))
    assert_reply(conn.call("EXPIRE", "k2", "100"), integer(1))
    assert_reply(conn.call("TTL", "k2"), integer(100))
    assert_reply(conn.call("DEL", "k2"), integer(1))
    assert_reply(conn.call("VCARD", "k2"), integer(0))


@pytest.mark.command("vadd")
def test_vectorset_in_multi(conn, resp):
    conn.call("MULTI")
    conn.call("VADD", "k", "VALUES", "1", "1", "a", "CAS")
    conn.call("VSIM", "k", "ELE", "a")
    assert_reply(conn.call("EXEC"), array(flag(resp, True), bulks("a")))


@pytest.mark.command("vadd")
def test_vectorset_command_table(conn):
    reply = conn.call("COMMAND", "LIST", "FILTERBY", "MODULE", "vectorset")
    assert sorted(r.value for r in reply.value) == sorted(
        b"VADD VCARD VDIM VEMB VGETATTR VINFO VISMEMBER VLINKS VRANDMEMBER VREM VSETATTR VSIM".split())
    info_reply = conn.call("COMMAND", "INFO", "vadd")
    assert info_reply.value[0].value[0] == bulk("VADD") and info_reply.value[0].value[1] == integer(-1)
