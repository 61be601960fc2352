"""The RDB codec under DUMP/RESTORE: CRC64, LZF, listpacks, intsets, ziplists, and the engine commands, checked
against bytes Redis itself produced (Redis 8.2.3 unless a test says otherwise) and against round trips."""
from __future__ import annotations

import random
import struct

import pytest

from reference_server.engine import Engine
from reference_server.rdb import legacy, listpack, lzf
from reference_server.rdb.crc64 import crc64
from reference_server.rdb.deserialize import load_payload, payload_ok
from reference_server.rdb.listpack import Malformed
from reference_server.rdb.serialize import dump_payload

NOW = 1_700_000_000_000


def run(engine, client, *args):
    return engine.execute(client, [a if isinstance(a, bytes) else str(a).encode() for a in args])


@pytest.fixture
def engine():
    return Engine(clock=lambda: NOW)


# -- primitives ----------------------------------------------------------------------------------------------------
def test_crc64_check_value():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA  # CRC-64/Jones, as Redis's crc64 self-test


def test_lzf_matches_redis_output():
    # DUMP of SET k aaaa…(30) on Redis: \xc3, compressed length 9, original length 30, then these bytes
    assert lzf.compress(b"a" * 30, 26) == b"\x01aa\xe0\x11\x00\x01aa"


def test_lzf_gives_up_when_output_does_not_fit():
    assert lzf.compress(bytes(range(40)), 36) is None


def test_lzf_round_trips_random_data():
    rng = random.Random(7)
    for n in (21, 64, 300, 5000):
        data = bytes(rng.choice(b"ab") for _ in range(8)) * (n // 8 + 1)
        packed = lzf.compress(data, len(data) - 4)
        assert packed is not None and lzf.decompress(packed, len(data)) == data


def test_lzf_decompress_rejects_bad_input():
    assert lzf.decompress(b"\x01aa\xe0\x11\x00\x01aa", 29) is None  # expands to 30 bytes, not 29
    assert lzf.decompress(b"\x20\x05", 10) is None  # a back reference before the start
    assert lzf.decompress(b"\x05ab", 6) is None  # a literal run past the input


def test_listpack_layout_as_redis_writes_it():
    assert listpack.encode([b"a", b"1", b"b"]) == bytes.fromhex("0f00000003008161020101816202ff")


@pytest.mark.parametrize("value", [0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 40000, -8388608, 8388607,
                                   2 ** 31 - 1, -2 ** 31, 2 ** 63 - 1, -2 ** 63])
def test_listpack_integers_round_trip(value):
    assert listpack.decode(listpack.encode([value, str(value).encode()])) == [value, value]


def test_listpack_back_length_boundaries():
    # 16383 bytes of entry switch the back-length to three bytes (Redis's "< 16383" test, not "< 16384")
    assert listpack._backlen(16382) == b"\x7f\xfe"
    assert listpack._backlen(16383) == b"\x00\xff\xff"
    big = [b"x" * 16378, b"y" * 70000]
    assert listpack.decode(listpack.encode(big)) == big


def test_listpack_decode_rejects_corruption():
    good = listpack.encode([b"abc", 5])
    for bad in (good[:-1], good[:4] + b"\x09\x00" + good[6:], b"\x07\x00\x00\x00\x00\x00\xfe",
                good[:6] + b"\x84" + good[7:]):
        with pytest.raises(Malformed):
            listpack.decode(bad)


def test_intset_width_and_order():
    blob = listpack.encode_intset([3, -1, 70000], 4)
    assert blob == bytes.fromhex("0400000003000000ffffffff0300000070110100")  # Redis 6.2's SADD k 3 -1 70000
    assert listpack.decode_intset(blob) == ([-1, 3, 70000], 4)
    with pytest.raises(Malformed):
        listpack.decode_intset(blob[:-1])


def test_ziplist_from_redis_6_2():
    # the hash ziplist Redis 6.2 dumps for HSET k f v n 12
    zl = bytes.fromhex("160000001300000004000001660301760301" "6e03fdff")
    assert legacy.decode_ziplist(zl) == [b"f", b"v", b"n", 12]
    with pytest.raises(Malformed):
        legacy.decode_ziplist(zl[:-2] + b"\x04\xff")  # wrong previous-entry length


def test_zipmap_decodes_pairs():
    zm = b"\x02\x03foo\x03\x00bar\x01k\x02\x01hi!\xff"
    assert legacy.decode_zipmap(zm) == [(b"foo", b"bar"), (b"k", b"hi")]


# -- payloads ------------------------------------------------------------------------------------------------------
def test_payload_footer_checks():
    payload = dump_payload(b"hello")
    assert payload == b"\x00\x05hello\x0c\x00\xa8\x04\xeb\xb6\x9f\x1e\xbeC"  # Redis's DUMP of "hello"
    assert payload_ok(payload)
    assert not payload_ok(payload[:-1] + b"D")
    assert not payload_ok(payload[:-10] + b"\x0d\x00" + struct.pack("<Q", crc64(payload[:-10] + b"\x0d\x00")))
    assert not payload_ok(b"123456789")


def test_strings_choose_integer_lzf_or_raw():
    assert dump_payload(b"-100")[:-10] == b"\x00\xc0\x9c"
    assert dump_payload(b"9223372036854775807")[:-10] == b"\x00\x139223372036854775807"
    assert dump_payload(b"0123")[:-10] == b"\x00\x040123"
    assert dump_payload(b"a" * 30, compress=False)[:-10] == b"\x00\x1e" + b"a" * 30


@pytest.mark.parametrize("history, encoding", [
    ([["RPUSH", "k", "a", "1", "b" * 9000, "c"]], b"quicklist"),
    ([["RPUSH", "k", "a", "-5"]], b"listpack"),
    ([["SADD", "k", "1", "100000"], ["SREM", "k", "100000"]], b"intset"),
    ([["SADD", "k", "x", "1"]], b"listpack"),
    ([["SADD", "k", "m" * 70, "n"]], b"hashtable"),
    ([["ZADD", "k", "1.5", "a", "-0", "b", "inf", "c"]], b"listpack"),
    ([["ZADD", "k", "1.5", "a", "2", "b" * 70]], b"skiplist"),
    ([["HSET", "k", "f", "v", "g", "1"]], b"listpack"),
    ([["HSET", "k", "f", "v", "g", "1"], ["HPEXPIREAT", "k", "4000000000000", "FIELDS", "1", "g"]], b"listpackex"),
    ([["HSET", "k", "f", "v" * 70, "g", "1"], ["HPEXPIREAT", "k", "4000000000000", "FIELDS", "1", "g"]],
     b"hashtable"),
    ([["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "2-1", "g", "w"], ["XDEL", "k", "1-1"],
      ["XGROUP", "CREATE", "k", "grp", "0"], ["XREADGROUP", "GROUP", "grp", "c", "STREAMS", "k", ">"]], b"stream"),
])
def test_dump_restore_round_trip_keeps_encoding_and_bytes(engine, history, encoding):
    client = engine.new_client()
    for command in history:
        run(engine, client, *command)
    payload = run(engine, client, "DUMP", "k")
    assert run(engine, client, "RESTORE", "copy", 0, payload) == "OK"
    assert run(engine, client, "OBJECT", "ENCODING", "copy") == encoding
    assert run(engine, client, "DUMP", "copy") == payload


def test_restore_old_list_types_push_elements(engine):
    def body(rdb_type: int, blob: bytes) -> bytes:
        return bytes([rdb_type]) + bytes([len(blob)]) + blob
    zl = bytes.fromhex("110000000d0000000200" "000161" "030162" "ff")  # a ziplist holding "a", "b"
    payload = body(10, zl) + b"\x09\x00"
    value = load_payload(payload, Engine().config)
    assert value.items == [b"a", b"b"] and value.encoding() == "quicklist"  # type 10 is never converted


def test_restore_errors(engine):
    client = engine.new_client()
    run(engine, client, "SET", "src", "v")
    payload = run(engine, client, "DUMP", "src")
    assert run(engine, client, "RESTORE", "src", 0, payload).startswith("BUSYKEY")
    assert run(engine, client, "RESTORE", "k", -1, payload) == "ERR Invalid TTL value, must be >= 0"
    bad = b"\x08\x00" + payload[2:-8]
    bad += struct.pack("<Q", crc64(bad))
    assert run(engine, client, "RESTORE", "k", 0, bad) == "ERR Bad data format"
    assert run(engine, client, "RESTORE", "k", 0, payload[:-1]) == \
        "ERR DUMP payload version or checksum are wrong"


def test_restore_ttl_and_idletime(engine):
    client = engine.new_client()
    run(engine, client, "SET", "src", "v")
    payload = run(engine, client, "DUMP", "src")
    assert run(engine, client, "RESTORE", "k", 5000, payload, "IDLETIME", 30) == "OK"
    assert run(engine, client, "PTTL", "k") == 5000
    assert run(engine, client, "OBJECT", "IDLETIME", "k") == 30
    assert run(engine, client, "RESTORE", "k", NOW, payload, "REPLACE", "ABSTTL") == "OK"
    assert run(engine, client, "EXISTS", "k") == 0  # already expired: replaced by nothing
