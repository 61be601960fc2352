"""The stream commands driven on the engine with a manual clock: `*` IDs from the command's time, idle times and
delivery times exactly, XCLAIM/XAUTOCLAIM by idle time, blocking XREAD/XREADGROUP deadlines in milliseconds, and
the listpack-node model against plain expectations."""
from __future__ import annotations

import pytest

from reference_server.blocking import expire_blocked
from reference_server.datatypes.stream import StreamValue, _element_size
from reference_server.replies import NULL_ARRAY, NO_REPLY, Err, Map

from conftest import START_MS, as_args  # noqa: E402  (the shared manual-clock fixtures live in tests/conftest.py)


def pending_rows(run, *extra):
    return {row[0]: row[1:] for row in run("XPENDING", "s", "g", "-", "+", 100, *extra)}


# -- IDs from the clock ----------------------------------------------------------------------------------------------
def test_star_ids_follow_the_clock(run, now):
    assert run("XADD", "s", "*", "f", "v") == b"%d-0" % START_MS
    assert run("XADD", "s", "*", "f", "v") == b"%d-1" % START_MS
    now[0] += 5
    assert run("XADD", "s", "*", "f", "v") == b"%d-0" % (START_MS + 5)
    now[0] -= 1000  # the clock going back never makes IDs go back
    assert run("XADD", "s", "*", "f", "v") == b"%d-1" % (START_MS + 5)


def test_star_id_inside_multi_uses_one_time(run, now):
    run("MULTI")
    run("XADD", "s", "*", "f", "v")
    run("XADD", "s", "*", "f", "v")
    assert run("EXEC") == [b"%d-0" % START_MS, b"%d-1" % START_MS]


# -- idle and delivery times -------------------------------------------------------------------------------------------
@pytest.fixture
def delivered(run, now):
    for i in range(1, 4):
        run("XADD", "s", f"{i}-0", "f", i)
    run("XGROUP", "CREATE", "s", "g", "0")
    run("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    now[0] += 1000
    return run


def test_xpending_idle_times(delivered, now):
    assert pending_rows(delivered) == {b"1-0": [b"alice", 1000, 1], b"2-0": [b"alice", 1000, 1],
                                       b"3-0": [b"alice", 1000, 1]}
    assert delivered("XPENDING", "s", "g", "IDLE", 1001, "-", "+", 10) == []
    assert len(delivered("XPENDING", "s", "g", "IDLE", 1000, "-", "+", 10)) == 3


def test_xclaim_by_idle_time(delivered, now):
    assert delivered("XCLAIM", "s", "g", "bob", 1001, "1-0", "JUSTID") == []
    assert delivered("XCLAIM", "s", "g", "bob", 1000, "1-0", "JUSTID") == [b"1-0"]
    assert delivered("XCLAIM", "s", "g", "bob", 0, "2-0", "IDLE", 250, "JUSTID") == [b"2-0"]
    assert delivered("XCLAIM", "s", "g", "bob", 0, "3-0", "TIME", START_MS - 7, "JUSTID") == [b"3-0"]
    rows = pending_rows(delivered)
    assert rows[b"1-0"] == [b"bob", 0, 1] and rows[b"2-0"] == [b"bob", 250, 1]
    assert rows[b"3-0"] == [b"bob", 1007, 1]


def test_xautoclaim_by_idle_time(delivered, now):
    delivered("XCLAIM", "s", "g", "alice", 0, "2-0", "JUSTID")  # 2-0 delivered again just now
    reply = delivered("XAUTOCLAIM", "s", "g", "bob", 500, "0", "JUSTID")
    assert reply == [b"0-0", [b"1-0", b"3-0"], []]
    now[0] += 600
    assert delivered("XAUTOCLAIM", "s", "g", "carol", 500, "0", "COUNT", 1) == [b"2-0", [[b"1-0", [b"f", b"1"]]], []]


def test_xinfo_consumers_times(delivered, now):
    delivered("XGROUP", "CREATECONSUMER", "s", "g", "zed")
    now[0] += 20
    consumers = delivered("XINFO", "CONSUMERS", "s", "g")
    assert consumers == [Map([(b"name", b"alice"), (b"pending", 3), (b"idle", 1020), (b"inactive", 1020)]),
                         Map([(b"name", b"zed"), (b"pending", 0), (b"idle", 20), (b"inactive", -1)])]


def test_xinfo_stream_full_delivery_times(delivered):
    full = dict(delivered("XINFO", "STREAM", "s", "FULL"))
    group = dict(full[b"groups"][0])
    assert group[b"pending"][0] == [b"1-0", b"alice", START_MS, 1]
    consumer = dict(group[b"consumers"][0])
    assert (consumer[b"seen-time"], consumer[b"active-time"]) == (START_MS, START_MS)


# -- blocking --------------------------------------------------------------------------------------------------------
def test_xread_block_deadline_in_milliseconds(engine, run, now):
    assert run("XREAD", "BLOCK", 150, "STREAMS", "s", "$") is NO_REPLY
    assert run.client.blocked.deadline_ms == START_MS + 150
    answered = []
    run.client.deliver = answered.append
    assert expire_blocked(engine, START_MS + 149) == 0
    assert expire_blocked(engine, START_MS + 150) == 1
    assert answered == [NULL_ARRAY]


def test_xread_block_served_after_xadd(engine, run):
    waiter = engine.new_client()
    answered = []
    waiter.deliver = answered.append
    run("XADD", "s", "1-0", "f", "old")
    assert engine.execute(waiter, as_args(("XREAD", "BLOCK", 0, "STREAMS", "s", "$"))) is NO_REPLY
    run("XADD", "s", "2-0", "f", "new")
    assert answered == [[[b"s", [[b"2-0", [b"f", b"new"]]]]]]
    assert waiter.blocked is None


def test_xreadgroup_block_creates_pending_when_served(engine, run):
    waiter = engine.new_client()
    answered = []
    waiter.deliver = answered.append
    run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    xreadgroup = ("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    assert engine.execute(waiter, as_args(xreadgroup)) is NO_REPLY
    run("XADD", "s", "1-0", "f", "v")
    assert answered == [[[b"s", [[b"1-0", [b"f", b"v"]]]]]]
    assert run("XPENDING", "s", "g") == [1, b"1-0", b"1-0", [[b"c", b"1"]]]


def test_xread_block_timeout_overflow(run):
    assert run("XREAD", "BLOCK", (1 << 63) - 1, "STREAMS", "s", "0") == Err("ERR timeout is out of range")


# -- the node model ----------------------------------------------------------------------------------------------------
def test_nodes_close_at_max_entries():
    stream = StreamValue()
    for i in range(1, 26):
        stream.append((i, 0), (b"f", b"v"), 4096, 10)
    assert [len(n.ids) for n in stream.nodes] == [10, 10, 5]
    assert stream.radix_tree_nodes() == 8  # root, branch, three chains and three keys


def test_nodes_close_near_max_bytes():
    stream = StreamValue()
    for i in range(1, 11):
        stream.append((i, 0), (b"f", b"x" * 100), 300, 0)
    assert all(n.total_bytes() < 300 for n in stream.nodes[:-1])
    assert len(stream.nodes) == 5


def test_deleting_a_nodes_last_entry_removes_the_node():
    stream = StreamValue()
    for i in range(1, 4):
        stream.append((i, 0), (b"f", b"v"), 4096, 2)
    assert stream.delete((1, 0)) and len(stream.nodes) == 2
    assert stream.delete((2, 0)) and len(stream.nodes) == 1
    assert stream.max_deleted_id == (2, 0)


@pytest.mark.parametrize("element,size", [(b"7", 2), (b"-1", 3), (b"40000", 5), (b"abc", 5), (b"x" * 64, 67),
                                          (b"007", 5), (b"9223372036854775807", 10)])
def test_listpack_element_sizes(element, size):
    assert _element_size(element) == size
