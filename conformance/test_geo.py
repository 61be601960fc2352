"""Geo group: GEOADD, GEOPOS, GEODIST, GEOHASH, GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH, GEOSEARCHSTORE.

Geo sets are sorted sets of 52-bit geohash scores; coordinates come back as cell centers (bulk strings in RESP2,
doubles in RESP3), distances as bulk strings with four decimals."""
from __future__ import annotations

import pytest

from forkdiff.types import Kind, Reply, array, bulk, bulks, double, integer

from .asserts import assert_error, assert_null, assert_null_array, assert_reply

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_FLOAT = "ERR value is not a valid float"
UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI"
NO_MEMBER = "ERR could not decode requested zset member"
PALERMO = ("13.361389338970184", "38.1155563954963")
CATANIA = ("15.087267458438873", "37.50266842333162")
EDGE1 = ("12.75848776102066", "38.78813451624225")
EDGE2 = ("17.241510450839996", "38.78813451624225")


@pytest.fixture
def sicily(conn):
    conn.call("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
              "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2")
    return conn


def coord(resp: int, text: str) -> Reply:
    return double(text) if resp == 3 else bulk(text)


def position(resp: int, lon_lat: tuple[str, str]) -> Reply:
    return array(coord(resp, lon_lat[0]), coord(resp, lon_lat[1]))


# -- GEOADD ----------------------------------------------------------------------------------------------------------
def test_geoadd_stores_geohash_scores(sicily):
    assert_reply(sicily.call("ZRANGE", "Sicily", 0, -1), bulks("Palermo", "edge1", "Catania", "edge2"))
    assert_reply(sicily.call("ZSCORE", "Sicily", "edge2"),
                 double(3481342659049484.0) if sicily.resp == 3 else bulk("3481342659049484"))
    assert_reply(sicily.call("TYPE", "Sicily"), Reply(Kind.SIMPLE, "zset"))


def test_geoadd_flags(sicily):
    assert_reply(sicily.call("GEOADD", "Sicily", "CH", "XX", "13.4", "38.1", "Palermo", "1", "1", "new"), integer(1))
    assert_reply(sicily.call("GEOADD", "Sicily", "NX", "13.5", "38.1", "Palermo", "1", "1", "new"), integer(1))
    assert_reply(sicily.call("GEOADD", "Sicily", "13.5", "38.1", "Palermo"), integer(0))
    assert_reply(sicily.call("GEOADD", "Sicily", "ch", "13.6", "38.1", "Palermo", "13.6", "38.1", "x"), integer(2))
    assert_reply(sicily.call("ZCARD", "Sicily"), integer(6))


def test_geoadd_poles_and_antimeridian(conn):
    assert_reply(conn.call("GEOADD", "p", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne", "0", "0", "zero"),
                 integer(3))
    resp = conn.resp
    assert_reply(conn.call("GEOPOS", "p", "sw", "ne", "zero"), array(
        position(resp, ("-179.99999731779099", "-85.05112751263943")), position(resp, ("180", "85.05112878")),
        position(resp, ("2.682209014892578e-6", "1.2673605809254695e-6"))))
    assert_reply(conn.call("ZSCORE", "p", "ne"), double(13510798882111488.0) if resp == 3 else bulk("13510798882111488"))


@pytest.mark.parametrize("lon,lat,text", [
    ("200", "100", "200.000000,100.000000"), ("0", "85.05112879", "0.000000,85.051129"),
    ("-180.0000001", "0", "-180.000000,0.000000"), ("inf", "0", "inf,0.000000"), ("20", "-86", "20.000000,-86.000000"),
])
def test_geoadd_invalid_pair(conn, lon, lat, text):
    assert_error(conn.call("GEOADD", "g", "1", "1", "ok", lon, lat, "x"), "ERR invalid longitude,latitude pair " + text)
    assert_reply(conn.call("EXISTS", "g"), integer(0))


def test_geoadd_errors(conn):
    assert_error(conn.call("GEOADD", "g", "abc", "10", "x"), NOT_FLOAT)
    assert_error(conn.call("GEOADD", "g", "nan", "10", "x"), NOT_FLOAT)
    assert_error(conn.call("GEOADD", "g", "1e400", "10", "x"), NOT_FLOAT)
    assert_error(conn.call("GEOADD", "g", "NX", "XX", "10", "10", "x"), SYNTAX)
    assert_error(conn.call("GEOADD", "g", "GT", "10", "10", "x"), SYNTAX)
    assert_error(conn.call("GEOADD", "g", "10", "10", "x", "11"), SYNTAX)
    assert_error(conn.call("GEOADD", "g", "10", "10"), "ERR wrong number of arguments for 'geoadd' command")
    conn.call("SET", "s", "x")
    assert_error(conn.call("GEOADD", "s", "1", "1", "x"), WRONGTYPE)


# -- GEOPOS / GEOHASH / GEODIST --------------------------------------------------------------------------------------
def test_geopos_cell_centers(sicily, resp):
    reply = sicily.call("GEOPOS", "Sicily", "Palermo", "Catania", "nope")
    assert_reply(array(*reply.value[:2]), array(position(resp, PALERMO), position(resp, CATANIA)))
    assert_null_array(reply.value[2], resp)


def test_geopos_missing_key(conn, resp):
    reply = conn.call("GEOPOS", "missing", "a")
    assert len(reply.value) == 1
    assert_null_array(reply.value[0], resp)


def test_geopos_of_plain_zset_scores(conn):
    """Scores no GEOADD produced still decode, as Redis's unsigned cast of the double reads them."""
    conn.call("ZADD", "p", "-1", "neg", "inf", "pinf", "-inf", "ninf", "1e30", "huge")
    resp = conn.resp
    top, bottom_left = ("180", "85.05112878"), ("-179.99999731779099", "-85.05112751263943")
    assert_reply(conn.call("GEOPOS", "p", "neg", "pinf", "ninf", "huge"), array(
        position(resp, top), position(resp, bottom_left), position(resp, ("180", "-85.05112751263943")),
        position(resp, bottom_left)))
    assert_reply(conn.call("GEOHASH", "p", "neg", "pinf", "ninf", "huge"),
                 bulks("bp05b5048p0", "00bh0hbj200", "00bh0hbj200", "00bh0hbj200"))


def test_geohash_standard_strings(sicily, resp):
    reply = sicily.call("GEOHASH", "Sicily", "Palermo", "Catania", "edge1", "nope")
    assert_reply(array(*reply.value[:3]), bulks("sqc8b49rny0", "sqdtr74hyu0", "sqchdm4mq20"))
    assert_null(reply.value[3], resp)


def test_geohash_corners(conn):
    conn.call("GEOADD", "p", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne", "0", "0", "zero")
    assert_reply(conn.call("GEOHASH", "p", "sw", "ne", "zero"), bulks("00bh0hbj200", "bp05b5048p0", "s0000000000"))
    reply = conn.call("GEOHASH", "missing", "a", "b")
    assert len(reply.value) == 2
    for item in reply.value:
        assert_null(item, conn.resp)


@pytest.mark.parametrize("unit,expected", [
    (None, "166274.1516"), ("m", "166274.1516"), ("km", "166.2742"), ("KM", "166.2742"), ("mi", "103.3182"),
    ("ft", "545518.8700"),
])
def test_geodist_units(sicily, unit, expected):
    args = [unit] if unit else []
    assert_reply(sicily.call("GEODIST", "Sicily", "Palermo", "Catania", *args), bulk(expected))


def test_geodist_same_member_and_far_points(sicily):
    assert_reply(sicily.call("GEODIST", "Sicily", "Palermo", "Palermo"), bulk("0.0000"))
    sicily.call("GEOADD", "p", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne")
    assert_reply(sicily.call("GEODIST", "p", "sw", "ne"), bulk("18919844.5891"))


def test_geodist_missing(sicily, resp):
    assert_null(sicily.call("GEODIST", "Sicily", "Palermo", "nope"), resp)
    assert_null(sicily.call("GEODIST", "missing", "a", "b"), resp)


def test_geodist_errors(sicily):
    assert_error(sicily.call("GEODIST", "Sicily", "Palermo", "Catania", "yards"), UNIT)
    assert_error(sicily.call("GEODIST", "missing", "a", "b", "yards"), UNIT)  # the unit is checked first
    assert_error(sicily.call("GEODIST", "Sicily", "Palermo", "Catania", "km", "x"), SYNTAX)
    sicily.call("SET", "s", "x")
    assert_error(sicily.call("GEODIST", "s", "a", "b"), WRONGTYPE)
    assert_error(sicily.call("GEOPOS", "s", "a"), WRONGTYPE)
    assert_error(sicily.call("GEOHASH", "s", "a"), WRONGTYPE)


# -- GEORADIUS / GEORADIUSBYMEMBER -----------------------------------------------------------------------------------
@pytest.mark.parametrize("options,expected", [
    ((), ["Palermo", "Catania"]), (("ASC",), ["Catania", "Palermo"]), (("DESC",), ["Palermo", "Catania"]),
    (("COUNT", "1"), ["Catania"]), (("COUNT", "1", "ANY"), ["Palermo"]), (("COUNT", "1", "DESC"), ["Palermo"]),
    (("count", "5", "asc"), ["Catania", "Palermo"]),
])
def test_georadius_order_and_count(sicily, options, expected):
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "200", "km", *options), bulks(*expected))


def test_georadius_with_everything(sicily, resp):
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD", "WITHHASH", "COUNT", "1"),
                 array(array(bulk("Catania"), integer(3479447370796909), position(resp, CATANIA))))
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"),
                 array(array(bulk("Catania"), bulk("56.4413")), array(bulk("Palermo"), bulk("190.4424"))))


def test_georadius_infinite_radius(sicily):
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "inf", "km", "COUNT", "1"), bulks("Catania"))


def test_georadius_store(sicily):
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "st"), integer(2))
    assert_reply(sicily.call("ZRANGE", "st", 0, -1), bulks("Palermo", "Catania"))
    assert_reply(sicily.call("ZSCORE", "st", "Catania"),
                 double(3479447370796909.0) if sicily.resp == 3 else bulk("3479447370796909"))
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "st"), integer(2))
    assert_reply(sicily.call("ZSCORE", "st", "Palermo"),
                 double(190.44242984775784) if sicily.resp == 3 else bulk("190.44242984775784"))
    assert_reply(sicily.call("OBJECT", "ENCODING", "st"), bulk("listpack"))


def test_georadius_store_nothing_found_deletes(sicily):
    sicily.call("SET", "st", "old")
    assert_reply(sicily.call("GEORADIUS", "Sicily", "15", "37", "1", "km", "STORE", "st"), integer(0))
    assert_reply(sicily.call("EXISTS", "st"), integer(0))


def test_georadius_missing_key(conn):
    assert_reply(conn.call("GEORADIUS", "missing", "15", "37", "200", "km"), array())
    conn.call("SET", "st", "old")
    assert_reply(conn.call("GEORADIUS", "missing", "15", "37", "200", "km", "STORE", "st"), integer(0))
    assert_reply(conn.call("EXISTS", "st"), integer(0))


@pytest.mark.parametrize("args,message", [
    (("10", "10", "abc", "km"), "ERR need numeric radius"),
    (("10", "10", "1e400", "km"), "ERR need numeric radius"),
    (("10", "10", "-1", "km"), "ERR radius cannot be negative"),
    (("10", "10", "1", "kmm"), UNIT),
    (("10", "100", "1", "km"), "ERR invalid longitude,latitude pair 10.000000,100.000000"),
    (("x", "10", "1", "km"), NOT_FLOAT),
    (("10", "10", "1000", "km", "COUNT", "0"), "ERR COUNT must be > 0"),
    (("10", "10", "1000", "km", "COUNT", "a"), "ERR value is not an integer or out of range"),
    (("10", "10", "1000", "km", "COUNT"), SYNTAX),
    (("10", "10", "1000", "km", "ANY"), "ERR the ANY argument requires COUNT argument"),
    (("10", "10", "1000", "km", "STORE", "d", "WITHDIST"),
     "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
    (("10", "10", "1000", "km", "STORE"), SYNTAX),
    (("10", "10", "1000", "km", "foo"), SYNTAX),
    (("10", "10", "1000", "km", "FROMMEMBER", "Palermo"), SYNTAX),
], ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_georadius_errors(sicily, args, message):
    assert_error(sicily.call("GEORADIUS", "Sicily", *args), message)


def test_georadius_wrongtype_first(conn):
    conn.call("SET", "s", "x")
    assert_error(conn.call("GEORADIUS", "s", "1000", "1000", "-1", "yards"), WRONGTYPE)


def test_georadius_ro_refuses_store(sicily):
    assert_error(sicily.call("GEORADIUS_RO", "Sicily", "10", "10", "1000", "km", "STORE", "d"), SYNTAX)
    assert_error(sicily.call("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "1000", "km", "STOREDIST", "d"), SYNTAX)
    assert_reply(sicily.call("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "DESC"), bulks("Palermo", "Catania"))


def test_georadiusbymember(sicily):
    assert_reply(sicily.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", "100", "mi", "WITHDIST"),
                 array(array(bulk("Palermo"), bulk("0.0000")), array(bulk("edge1"), bulk("56.7939"))))
    assert_reply(sicily.call("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "ASC"),
                 bulks("Palermo", "edge1", "Catania"))
    assert_reply(sicily.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "STORE", "st"), integer(3))


def test_georadiusbymember_errors(sicily):
    assert_error(sicily.call("GEORADIUSBYMEMBER", "Sicily", "nope", "1000", "km"), NO_MEMBER)
    assert_error(sicily.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", "x", "km"), "ERR need numeric radius")


def test_georadiusbymember_missing_key_skips_member_and_radius(conn):
    assert_reply(conn.call("GEORADIUSBYMEMBER", "missing", "nope", "abc", "km"), array())
    assert_reply(conn.call("GEORADIUSBYMEMBER", "missing", "nope", "abc", "km", "STORE", "d"), integer(0))
    assert_error(conn.call("GEORADIUSBYMEMBER", "missing", "nope", "abc", "km", "bogus"), SYNTAX)


# -- GEOSEARCH / GEOSEARCHSTORE --------------------------------------------------------------------------------------
def test_geosearch_box_with_coordinates(sicily, resp):
    assert_reply(sicily.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC",
                             "WITHCOORD", "WITHDIST"), array(
        array(bulk("Catania"), bulk("56.4413"), position(resp, CATANIA)),
        array(bulk("Palermo"), bulk("190.4424"), position(resp, PALERMO)),
        array(bulk("edge2"), bulk("279.7403"), position(resp, EDGE2)),
        array(bulk("edge1"), bulk("279.7405"), position(resp, EDGE1))))


def test_geosearch_from_member(sicily):
    assert_reply(sicily.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "200", "200", "km", "DESC"),
                 bulks("edge1", "Palermo"))
    assert_reply(sicily.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "0", "km", "WITHDIST"),
                 array(array(bulk("Palermo"), bulk("0.0000"))))
    assert_reply(sicily.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"),
                 bulks("Catania", "Palermo"))
    assert_reply(sicily.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "0", "km"), array())


def test_geosearch_far_searches(conn):
    conn.call("GEOADD", "p", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne", "0", "0", "zero")
    assert_reply(conn.call("GEOSEARCH", "p", "FROMLONLAT", "0", "0", "BYRADIUS", "30000", "km", "WITHDIST"),
                 array(array(bulk("zero"), bulk("0.0003")), array(bulk("sw"), bulk("10560.8118"))))
    assert_reply(conn.call("GEOSEARCH", "p", "FROMLONLAT", "179", "85", "BYRADIUS", "500", "km"), array())


def test_geosearch_missing_key(conn):
    assert_reply(conn.call("GEOSEARCH", "missing", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"), array())
    assert_reply(conn.call("GEOSEARCHSTORE", "d", "missing", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"), integer(0))


@pytest.mark.parametrize("args,message", [
    (("FROMMEMBER", "Palermo", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km"), SYNTAX),
    (("FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"), SYNTAX),
    (("FROMMEMBER", "Palermo", "BYBOX", "-1", "1", "km"), "ERR height or width cannot be negative"),
    (("FROMMEMBER", "Palermo", "BYBOX", "a", "1", "km"), "ERR need numeric width"),
    (("FROMMEMBER", "Palermo", "BYBOX", "1", "a", "km"), "ERR need numeric height"),
    (("FROMMEMBER", "Palermo", "BYBOX", "1", "1", "yd"), UNIT),
    (("FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STOREDIST"), SYNTAX),
    (("FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STORE", "d"), SYNTAX),
    (("FROMMEMBER", "nope", "BYRADIUS", "1", "km"), NO_MEMBER),
    (("FROMLONLAT", "1", "1", "COUNT", "2"), "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"),
    (("BYRADIUS", "1", "km", "ASC", "WITHDIST"), "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"),
    (("FROMLONLAT", "1", "100", "BYRADIUS", "1", "km"), "ERR invalid longitude,latitude pair 1.000000,100.000000"),
    (("FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "ANY"), "ERR the ANY argument requires COUNT argument"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_geosearch_errors(sicily, args, message):
    assert_error(sicily.call("GEOSEARCH", "Sicily", *args), message)


def test_geosearch_error_names_the_command_as_sent(sicily):
    assert_error(sicily.call("GeoSearch", "Sicily", "FROMLONLAT", "1", "1", "COUNT", "2"),
                 "ERR exactly one of BYRADIUS and BYBOX can be specified for GeoSearch")
    assert_error(sicily.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"),
                 "ERR wrong number of arguments for 'geosearch' command")


def test_geosearchstore(sicily):
    args = ("FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "COUNT", "3")
    assert_reply(sicily.call("GEOSEARCHSTORE", "dst", "Sicily", *args), integer(3))
    assert_reply(sicily.call("ZRANGE", "dst", 0, -1), bulks("Palermo", "Catania", "edge2"))
    assert_reply(sicily.call("GEOSEARCHSTORE", "dst", "Sicily", *args, "STOREDIST"), integer(3))
    assert_reply(sicily.call("ZRANGE", "dst", 0, -1), bulks("Catania", "Palermo", "edge2"))
    assert_reply(sicily.call("ZSCORE", "dst", "edge2"),
                 double(279.7403417843143) if sicily.resp == 3 else bulk("279.7403417843143"))


def test_geosearchstore_errors(sicily):
    assert_error(sicily.call("GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km",
                             "WITHDIST"),
                 "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    assert_error(sicily.call("GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "1", "1", "COUNT", "2"),
                 "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCHSTORE")
    sicily.call("SET", "s", "x")
    assert_error(sicily.call("GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "a", "BYRADIUS", "1", "km"), WRONGTYPE)
