"""The list and hash value classes: encoding transitions and listpackex order, without a server."""
from __future__ import annotations

from reference_server.datatypes.hash import HashValue
from reference_server.datatypes.list import ListValue, entry_bytes


def test_entry_bytes_follow_listpack_encodings():
    assert entry_bytes(b"7") == 2  # 7-bit integer + back-length
    assert entry_bytes(b"1000") == 3  # 13-bit integer
    assert entry_bytes(b"abc") == 5  # 6-bit string length
    assert entry_bytes(b"x" * 100) == 103  # 12-bit string length (2 bytes) + data + 1-byte back-length


def test_list_converts_and_shrinks_back_only_from_one_node():
    lst = ListValue()
    lst.push([b"a", b"b", b"c", b"d", b"e"], head=False, fill=4)
    assert lst.encoding() == "quicklist" and [n.count for n in lst.nodes] == [4, 1]
    lst.pop(3, head=True, fill=4)
    assert lst.encoding() == "quicklist"  # two nodes of one element each
    lst.pop(1, head=False, fill=4)
    assert lst.encoding() == "listpack"


def test_hash_listpackex_orders_fields_by_expiry():
    h = HashValue()
    for field in (b"a", b"b", b"c"):
        h.set(field, b"1")
    h.allow_ttl()
    h.set_ttl(b"c", 200)
    h.set_ttl(b"b", 100)
    assert list(h.fields) == [b"b", b"c", b"a"]
    h.clear_ttl(b"b")
    assert list(h.fields) == [b"c", b"a", b"b"]
    assert h.purge(now_ms=201) == 1 and list(h.fields) == [b"a", b"b"]
