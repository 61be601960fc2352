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
