"""Every runtime serves the same engine: same replies for one client, no lost updates under concurrency."""
from __future__ import annotations

import threading

import pytest

from adapters.inprocess import InProcessTarget
from forkdiff.client import connect
from forkdiff.types import Kind
from reference_server.runtimes import RUNTIMES

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=sorted(RUNTIMES))
def server(request):
    with InProcessTarget(f"reference:{request.param}") as t:
        yield t


def test_runtime_answers_and_reports_itself(server):
    with connect(server.address) as c:
        assert c.call("SET", "k", "v").value == "OK"
        assert c.call("GET", "k").value == b"v"
        assert c.call("PING").value == "PONG"


def test_runtime_pipelined_replies_stay_in_order(server):
    with connect(server.address) as c:
        c.send_raw(b"".join(b"*2\r\n$4\r\nECHO\r\n$%d\r\n%d\r\n" % (len(str(i)), i) for i in range(500)))
        assert [c.read_reply().value for _ in range(500)] == [str(i).encode() for i in range(500)]


def test_runtime_pipeline_waits_behind_a_blocked_command(server):
    """Commands pipelined after one that blocks run only once it is served, and their replies follow its reply."""
    with connect(server.address) as c, connect(server.address) as pusher:
        c.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"
                   b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n")
        assert c.read_reply().value == "OK"
        assert pusher.call("GET", "a").value == b"1"  # the SET after BLPOP has not run yet
        assert pusher.call("LPUSH", "q", "x").value == 1
        assert [r.value for r in c.read_reply().value] == [b"q", b"x"]
        assert c.read_reply().value == "OK"
        assert pusher.call("GET", "a").value == b"2"


def test_runtime_pipeline_stops_at_quit(server):
    with connect(server.address) as c, connect(server.address) as other:
        c.send_raw(b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        assert c.read_reply().value == "PONG"
        assert c.read_reply().value == "OK"
        assert other.call("EXISTS", "k").value == 0


def test_runtime_pipelined_replies_keep_the_protocol_they_ran_in(server):
    with connect(server.address) as c:
        c.send_raw(b"*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"
                   b"*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n")
        replies = [c.read_reply() for _ in range(3)]
        assert [r.raw[:1] for r in replies] == [b"$", b"%", b"_"]  # RESP2 null, HELLO's RESP3 map, RESP3 null


def test_runtime_concurrent_incr_loses_no_update(server):
    clients, per_client = 8, 200

    def work():
        with connect(server.address) as c:
            for _ in range(per_client):
                assert c.call("INCR", "counter").kind is Kind.INTEGER

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with connect(server.address) as c:
        assert c.call("GET", "counter").value == str(clients * per_client).encode()


def test_runtime_mset_is_never_torn(server):
    """MSET of keys on different shards/stripes is atomic: a reader never sees a mix of two writes."""
    stop = threading.Event()
    torn = []

    def writer():
        with connect(server.address) as c:
            for i in range(300):
                c.call("MSET", "a", i, "b", i, "c", i)
        stop.set()

    def reader():
        with connect(server.address) as c:
            while not stop.is_set():
                values = [r.value for r in c.call("MGET", "a", "b", "c").value]
                if len(set(values)) > 1:
                    torn.append(values)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not torn, f"torn reads: {torn[:3]}"
