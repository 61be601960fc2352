"""Client-side caching in the engine alone (no sockets): what is remembered, what is sent where and when."""
from __future__ import annotations

import pytest

from reference_server.replies import Push, Pushes, Raw, to_bytes

from conftest import as_args  # noqa: E402  (the shared manual-clock fixtures: tests/conftest.py)


@pytest.fixture
def clients(engine):
    """(reader, writer, received): a RESP3 tracking client whose pushes land in `received`, and another client."""
    reader, writer = engine.new_client(resp=3), engine.new_client(resp=3)
    received: list = []
    reader.deliver = received.append
    engine.execute(reader, as_args(["CLIENT", "TRACKING", "on"]))
    return reader, writer, received


def run(engine, client, *args):
    return engine.execute(client, as_args(args))


def test_read_then_write_sends_one_invalidation(engine, clients):
    reader, writer, received = clients
    run(engine, reader, "GET", "k")
    run(engine, writer, "SET", "k", "1")
    run(engine, writer, "SET", "k", "2")
    assert received == [Push([b"invalidate", [b"k"]])]


def test_own_write_follows_the_reply(engine, clients):
    reader, _, received = clients
    run(engine, reader, "GET", "k")
    assert run(engine, reader, "SET", "k", "1") == Pushes(["OK", Push([b"invalidate", [b"k"]])])
    assert received == []


def test_flush_null_in_the_tracking_clients_protocol(engine, clients):
    reader, writer, received = clients
    reader.resp = 2
    subscriber = engine.new_client()
    run(engine, subscriber, "SUBSCRIBE", "__redis__:invalidate")
    subscriber.deliver = received.append
    run(engine, reader, "CLIENT", "TRACKING", "on", "REDIRECT", subscriber.id)
    run(engine, writer, "FLUSHDB", "ASYNC")
    assert [to_bytes(m, 2) for m in received] == [b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"]
    assert received[0][2] == Raw(b"$-1\r\n")


def test_synchronous_flush_sends_its_own_null_first(engine, clients):
    reader, _, _ = clients
    assert run(engine, reader, "FLUSHALL") == Pushes([Push([b"invalidate", Raw(b"_\r\n")]), "OK"])
    assert run(engine, reader, "FLUSHALL", "ASYNC") == Pushes(["OK", Push([b"invalidate", Raw(b"_\r\n")])])


def test_bcast_waits_for_the_round(engine):
    listener, writer = engine.new_client(resp=3), engine.new_client()
    received: list = []
    listener.deliver = received.append
    run(engine, listener, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a")
    run(engine, writer, "SET", "ab", "1")
    run(engine, writer, "SET", "aa", "1")
    run(engine, writer, "SET", "b", "1")
    assert received == []
    engine.before_sleep(timer=True)  # the timer leaves keys one tick, for the round that changed them
    assert received == []
    engine.before_sleep()
    assert received == [Push([b"invalidate", [b"aa", b"ab"]])]


def test_lazy_expiry_invalidates(engine, clients, now):
    reader, writer, received = clients
    run(engine, writer, "SET", "k", "v", "PX", "10")
    run(engine, reader, "GET", "k")
    now[0] += 11
    assert run(engine, writer, "GET", "k") is None
    assert received == [Push([b"invalidate", [b"k"]])]


def test_info_counts(engine, clients):
    reader, writer, _ = clients
    run(engine, reader, "MGET", "a", "b")
    text = bytes(run(engine, writer, "INFO", "everything")).decode()
    for line in ("tracking_clients:1", "tracking_total_keys:2", "tracking_total_items:2",
                 "tracking_total_prefixes:0"):
        assert line + "\r\n" in text
