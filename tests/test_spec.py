"""The generated command table: key specs applied as Redis 8.2's getKeysUsingKeySpecs does (checked against live
COMMAND GETKEYS), and the captured COMMAND INFO / DOCS replies turned back into reply values."""
from __future__ import annotations

import pytest

from forkdiff.resp import ReplyParser
from forkdiff.spec import load_spec
from forkdiff.types import Reply
from reference_server.commands.command_cmd import reply_value
from reference_server.replies import Map, RSet, to_bytes


def args(line: str) -> list[bytes]:
    return [a.encode() for a in line.split()]


def refs(line: str, **kw):
    a = args(line)
    found = load_spec().resolve(a).key_refs(a, **kw)
    return None if found is None else [a[i].decode() for i, _ in found]


@pytest.mark.parametrize("line,keys", [
    ("get a", ["a"]),
    ("mset a 1 b 2", ["a", "b"]),
    ("mset a 1 b", ["a", "b"]),  # a range with a step stops at the last argument
    ("zunionstore d 2 a b WEIGHTS 1 2", ["d", "a", "b"]),
    ("eval s 2 a b c", ["a", "b"]),
    ("xread COUNT 2 STREAMS a b c 0 0 0", ["a", "b", "c"]),
    ("xread STREAMS a b 0", ["a"]),  # limit 2: half of what follows STREAMS, rounded down
    ("georadius a 0 0 1 m STOREDIST c", ["a", "c"]),
    ("georadius a 0 0 1 m", ["a"]),  # an absent keyword only drops its own spec
    ("migrate h p k 0 5", ["k"]),
    ("object encoding a", ["a"]),
])
def test_key_refs_agree_with_redis(line, keys):
    assert refs(line) == keys


@pytest.mark.parametrize("line", [
    "zunionstore d 0 a",  # numkeys 0 leaves last < first
    "zunionstore d 5 a b",  # numkeys beyond the arguments
    "zunionstore d x a",  # numkeys not a number
    "zunionstore d -1 a",
    "sintercard 0 a",
    "eval s 0",
    "sort a STORE b",  # 'unknown' begin_search: Redis falls back to SORT's own key function
    "migrate h p '' 0 5 KEYS a b",  # INCOMPLETE spec
])
def test_key_refs_is_none_where_redis_falls_back(line):
    assert refs(line) is None


def test_key_positions_are_partial():
    """Partial search keeps what the valid specs find, as Redis's ACL and cluster checks do."""
    spec = load_spec()
    assert spec["zunionstore"].keys(args("zunionstore d 5 a b")) == [b"d"]
    assert spec["sort"].keys(args("sort a STORE b")) == [b"a"]
    assert spec["migrate"].keys(args("migrate h p x 0 5 KEYS a b")) == [b"x", b"a", b"b"]


def test_not_key_specs_are_skipped_unless_asked():
    assert refs("spublish ch m") == []
    assert refs("spublish ch m", include_not_keys=True) == ["ch"]


def test_keyword_search_ignores_the_last_argument_forwards():
    """Redis never takes the last argument as a keyword when searching forwards: no key could follow it."""
    assert refs("georadius a 0 0 1 m STORE") == ["a"]


def test_keyword_search_backwards_stops_before_argument_one():
    spec = load_spec()["migrate"]
    assert spec.key_refs(args("migrate KEYS p k 0 5"), partial=True) == [(3, ("RW", "access", "delete"))]


def test_key_refs_carry_the_spec_flags():
    a = args("lmove a b LEFT RIGHT")
    assert load_spec()["lmove"].key_refs(a) == [(1, ("RW", "access", "delete")), (2, ("RW", "insert"))]


# -- captured replies ----------------------------------------------------------------------------------------------
def test_reply_value_keeps_wire_types():
    tree = Reply.from_json({"kind": "map", "value": [[{"kind": "bulk", "value": "a"},
                                                      {"kind": "set", "value": [{"kind": "simple", "value": "x"}]}]]})
    value = reply_value(tree.to_json())
    assert type(value) is Map and type(value[0][1]) is RSet
    assert to_bytes(value, 3) == b"%1\r\n$1\r\na\r\n~1\r\n+x\r\n"
    assert to_bytes(value, 2) == b"*2\r\n$1\r\na\r\n*1\r\n+x\r\n"


@pytest.mark.parametrize("name", ["get", "config|get", "zadd", "xread"])
def test_captured_replies_encode_back_to_the_captured_shape(name):
    raw = load_spec()[name].raw
    for which in ("info_reply", "docs_reply"):
        parser = ReplyParser()
        parser.feed(to_bytes(reply_value(raw[which]), 3))
        assert parser.get() == Reply.from_json(raw[which])
