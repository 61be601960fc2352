"""MIGRATE moves keys between two reference servers and between the reference and Redis 8.2.3, both ways."""
from __future__ import annotations

import pytest

from adapters.binary import BinaryTarget
from adapters.catalogue import BINARIES
from adapters.inprocess import InProcessTarget
from forkdiff.client import connect


@pytest.fixture
def servers():
    started = []

    def start(spec: str):
        if spec == "redis@8.2":
            path = BINARIES[spec].find()
            if path is None:
                pytest.skip("redis@8.2 is not installed here")
            target = BinaryTarget(spec, str(path))
        else:
            target = InProcessTarget(spec)
        target.start()
        started.append(target)
        return target.address

    yield start
    for target in started:
        target.stop()


@pytest.mark.parametrize("source, destination", [("reference", "reference:sharded"), ("reference", "redis@8.2"),
                                                 ("redis@8.2", "reference:tasks")])
def test_migrate_moves_copies_and_replaces(servers, source, destination):
    src, dst = servers(source), servers(destination)
    port = str(dst[1])
    with connect(src) as a, connect(dst) as b:
        a.call("SET", "k", "v", "EX", "100")
        a.call("RPUSH", "l", "1", "2", "3")
        a.call("HSET", "h", "f", "v")
        assert a.call("MIGRATE", "127.0.0.1", port, "k", "0", "1000").value == "OK"
        assert a.call("EXISTS", "k").value == 0 and b.call("GET", "k").value == b"v"
        assert 0 < b.call("TTL", "k").value <= 100
        assert a.call("MIGRATE", "127.0.0.1", port, "", "2", "1000", "COPY", "KEYS", "l", "h", "nope").value == "OK"
        assert a.call("EXISTS", "l", "h").value == 2
        b.call("SELECT", "2")
        assert [r.value for r in b.call("LRANGE", "l", "0", "-1").value] == [b"1", b"2", b"3"]
        assert b.call("HGET", "h", "f").value == b"v"
        busy = a.call("MIGRATE", "127.0.0.1", port, "l", "2", "1000")
        assert busy.value == "ERR Target instance replied with error: BUSYKEY Target key name already exists."
        assert a.call("EXISTS", "l").value == 1
        assert a.call("MIGRATE", "127.0.0.1", port, "", "2", "1000", "REPLACE", "KEYS", "l", "h").value == "OK"
        assert a.call("EXISTS", "l", "h").value == 0


def test_migrate_auth_to_a_password_protected_reference(servers):
    src = servers("reference")
    dst = InProcessTarget("reference")
    dst.start()
    try:
        with connect(dst.address) as admin:
            admin.call("CONFIG", "SET", "requirepass", "pw")
        with connect(src) as a:
            a.call("SET", "k", "v")
            port = str(dst.address[1])
            assert a.call("MIGRATE", "127.0.0.1", port, "k", "0", "1000").value == \
                "ERR Target instance replied with error: NOAUTH Authentication required."
            assert a.call("MIGRATE", "127.0.0.1", port, "k", "0", "1000", "AUTH", "bad").value.startswith(
                "ERR Target instance replied with error: WRONGPASS")
            assert a.call("MIGRATE", "127.0.0.1", port, "k", "0", "1000", "AUTH2", "default", "pw").value == "OK"
        with connect(dst.address, password="pw") as b:
            assert b.call("GET", "k").value == b"v"
    finally:
        dst.stop()
