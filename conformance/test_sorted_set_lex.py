"""Lex ranges on a sorted set whose members have different scores (ZRANGEBYLEX, ZREVRANGEBYLEX, ZRANGE BYLEX,
ZLEXCOUNT, ZREMRANGEBYLEX).

The set is ordered by score, so a lex interval is not a run of it; Redis's documentation calls the result
unspecified, and Redis answers with what its encoding's walk meets. A listpack's walk is fixed: every case runs on
it. A skiplist's search depends on the random levels of its nodes, so only the cases whose answer every level
structure gives (checked on Redis over hundreds of rebuilt sets) run on it; the others (for example
ZREVRANGEBYLEX m [c -, ZLEXCOUNT m - [c, ZREMRANGEBYLEX m (d +) have several answers there.
"""
from __future__ import annotations

import pytest

from forkdiff.types import bulks, integer

from .asserts import assert_reply
from .test_sorted_set import encoding
from .test_sorted_set_range import PAD

# score order: a d b e c f
MIXED = [("a", 1), ("d", 2), ("b", 3), ("e", 4), ("c", 5), ("f", 6)]


def _mixed(conn, enc: str):
    conn.call("ZADD", "m", *[x for m, s in MIXED for x in (s, m)])
    if enc == "skiplist":
        conn.call("ZADD", "m", -5, PAD)
        conn.call("ZREM", "m", PAD)
    assert encoding(conn, "m") == enc.encode()
    return conn


# (command, expected members), on both encodings
BOTH = [
    (("ZRANGEBYLEX", "m", "[b", "+"), "dbecf"),
    (("ZRANGEBYLEX", "m", "-", "[c"), "a"),
    (("ZRANGEBYLEX", "m", "[a", "[c"), "a"),
    (("ZRANGEBYLEX", "m", "-", "+", "LIMIT", 1, 2), "db"),
    (("ZRANGEBYLEX", "m", "[b", "+", "LIMIT", 2, 10), "ecf"),
    (("ZREVRANGEBYLEX", "m", "+", "[b"), "fcebd"),
    (("ZREVRANGEBYLEX", "m", "+", "-", "LIMIT", 1, 2), "ce"),
    (("ZRANGE", "m", "[b", "[d", "BYLEX"), "db"),
    (("ZRANGE", "m", "[a", "+", "BYLEX", "LIMIT", 1, 3), "dbe"),
]
LISTPACK_ONLY = [
    (("ZRANGEBYLEX", "m", "(c", "+"), "dbecf"),
    (("ZREVRANGEBYLEX", "m", "[c", "-"), "cebda"),
    (("ZREVRANGEBYLEX", "m", "(d", "[a"), "cebda"),
    (("ZRANGE", "m", "[d", "[b", "BYLEX", "REV"), "cebd"),
]


@pytest.mark.parametrize("command,want", BOTH + LISTPACK_ONLY, ids=lambda v: " ".join(map(str, v))
                         if isinstance(v, tuple) else None)
@pytest.mark.command("zrangebylex")
def test_lex_range_mixed_scores_listpack(conn, command, want):
    assert_reply(_mixed(conn, "listpack").call(*command), bulks(*want))


@pytest.mark.parametrize("command,want", BOTH, ids=lambda v: " ".join(map(str, v)) if isinstance(v, tuple) else None)
@pytest.mark.command("zrangebylex")
def test_lex_range_mixed_scores_skiplist(conn, command, want):
    assert_reply(_mixed(conn, "skiplist").call(*command), bulks(*want))


@pytest.mark.parametrize("low,high,listpack,skiplist", [
    ("[b", "+", 5, 5), ("-", "+", 6, 6), ("-", "[c", 1, None), ("[a", "[c", 1, None), ("[e", "+", 3, None),
    ("-", "(d", 1, None)])
def test_zlexcount_mixed_scores(conn, low, high, listpack, skiplist):
    assert_reply(_mixed(conn, "listpack").call("ZLEXCOUNT", "m", low, high), integer(listpack))
    if skiplist is not None:
        conn.call("DEL", "m")
        assert_reply(_mixed(conn, "skiplist").call("ZLEXCOUNT", "m", low, high), integer(skiplist))


REMOVALS = [("[b", "+", 5, "a"), ("-", "[c", 1, "dbecf"), ("[a", "[c", 1, "dbecf"), ("-", "(d", 1, "dbecf")]
REMOVALS_LISTPACK_ONLY = [("(d", "+", 3, "adb"), ("[e", "+", 3, "adb")]


@pytest.mark.parametrize("enc,low,high,removed,left", [("listpack", *c) for c in REMOVALS + REMOVALS_LISTPACK_ONLY]
                         + [("skiplist", *c) for c in REMOVALS])
def test_zremrangebylex_mixed_scores(conn, enc, low, high, removed, left):
    assert_reply(_mixed(conn, enc).call("ZREMRANGEBYLEX", "m", low, high), integer(removed))
    assert_reply(conn.call("ZRANGE", "m", 0, -1), bulks(*left))
