"""Case isolation on a live Redis 8.2.3: what a case changes in the server is undone before the next case, a case
that breaks the target gets the finding and a restarted target, and the case after it passes."""
from __future__ import annotations

import json

import pytest

from adapters import make_target
from conformance.isolation import restore, take_baseline
from forkdiff.client import connect
from forkdiff.types import Kind

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def redis():
    target = make_target("redis@8.2")
    target.start()
    yield target
    target.stop()


def _writable(address) -> bool:
    with connect(address, timeout=2.0) as c:
        return c.call("SET", "probe", "1").kind is Kind.SIMPLE


def test_restore_undoes_a_replica_role_and_a_write_pause(redis):
    baseline = take_baseline(redis.address)
    with connect(redis.address) as c:
        c.call("REPLICAOF", "127.0.0.1", "1")  # nothing listens there: the server stays a read-only replica
        c.call("CLIENT", "PAUSE", "60000", "WRITE")
    restored = restore(redis.address, baseline)
    assert restored.broken is None
    assert "replication role (REPLICAOF NO ONE)" in restored.undone
    assert _writable(redis.address)


def test_restore_undoes_config_acl_and_functions(redis):
    baseline = take_baseline(redis.address)
    with connect(redis.address) as c:
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        c.call("ACL", "SETUSER", "someone", "on", ">pw", "+get")
        c.call("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
    restored = restore(redis.address, baseline)
    assert restored.undone == ["CONFIG maxmemory-policy", "ACL users", "function libraries"]
    assert take_baseline(redis.address) == baseline


def test_a_password_left_set_is_a_broken_target(redis):
    baseline = take_baseline(redis.address)
    with connect(redis.address) as c:
        c.call("CONFIG", "SET", "requirepass", "left-behind")
    try:
        assert restore(redis.address, baseline).broken == "asking for a password (requirepass left set)"
    finally:
        with connect(redis.address, password="left-behind") as c:
            c.call("CONFIG", "SET", "requirepass", "")


BREAKERS = {
    "leaves_read_only": ("replicaof", '"REPLICAOF", "127.0.0.1", "1"'),
    "leaves_paused": ("client|pause", '"CLIENT", "PAUSE", "60000", "WRITE"'),
    "leaves_a_password": ("config|set", '"CONFIG", "SET", "requirepass", "x"'),
    "stops_the_server": ("shutdown", '"SHUTDOWN", "NOSAVE"'),
}


def _cases() -> str:
    """Each breaking case, then a plain SET/GET case (pytest runs a file's cases in their written order)."""
    parts = ["import pytest\n"]
    for n, (name, (command, args)) in enumerate(BREAKERS.items()):
        parts.append(f'''
@pytest.mark.command("{command}")
def test_{name}(conn):
    conn.call({args})

@pytest.mark.command("set")
def test_after_{n}(conn):
    assert conn.call("SET", "k", "v").value == "OK"
    assert conn.call("GET", "k").value == b"v"
''')
    return "".join(parts)


def test_a_broken_target_is_restarted_and_the_next_case_passes(pytester):
    """A state a case left that can be undone (a replica role, a write pause) is undone; one that cannot (a
    password left set, a server shut down) is a finding against that case, the target is restarted, and the case
    after it passes."""
    pytester.makepyfile(test_breaking=_cases())
    rows = pytester.path / "rows.jsonl"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--target", "redis@8.2",
                                           "--report-only", "redis@8.2", "--resp", "2",
                                           "--results-json", str(rows))
    outcomes = [(r["case"], r["outcome"], r.get("class", "")) for r in map(json.loads, rows.read_text().splitlines())]
    assert outcomes == [
        ("test_leaves_read_only", "passed", ""), ("test_after_0", "passed", ""),
        ("test_leaves_paused", "passed", ""), ("test_after_1", "passed", ""),
        ("test_leaves_a_password", "divergent", "left-broken"), ("test_after_2", "passed", ""),
        ("test_stops_the_server", "divergent", "left-broken"), ("test_after_3", "passed", ""),
    ], result.stdout.str()


HANGING = '''
import pytest
from forkdiff.types import Kind

@pytest.mark.command("eval")
def test_a_command_that_never_answers(conn):
    assert conn.call("EVAL", "while true do end", "0", timeout=0.5).kind is Kind.TIMEOUT

@pytest.mark.command("set")
def test_after(conn):
    assert conn.call("SET", "k", "v").value == "OK"
'''


def test_a_command_still_running_after_its_case_gets_the_target_restarted(pytester):
    """A command that never answered may still occupy the server (on a multithreaded one, only the connections
    of its thread hang, so a health check on a new connection can pass): the target is restarted after that case,
    which keeps its own outcome, and the next case runs on a fresh server."""
    result, rows = _run_cases(pytester, HANGING, "redis@8.2")
    assert [(r["case"], r["outcome"]) for r in rows] == [
        ("test_a_command_that_never_answers", "passed"), ("test_after", "passed")], result.stdout.str()
    assert "still running `EVAL" in rows[0]["restarted"] and "restarted" not in rows[1]


def _run_cases(pytester, source: str, *targets: str):
    pytester.makepyfile(test_cases=source)
    rows = pytester.path / "rows.jsonl"
    args = [a for t in targets for a in ("--report-only", t)]
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--resp", "2", "--results-json", str(rows), *args)
    found = [json.loads(line) for line in rows.read_text().splitlines()] if rows.exists() else []
    return result, found


PLAIN = '''
def test_one(conn):
    conn.call("SET", "k", "v")

def test_two(conn):
    conn.call("SET", "k", "v")
'''


@pytest.fixture
def empty_redis(redis):
    """The module's own server (started by these tests), emptied: it stands for a user's empty endpoint."""
    with connect(redis.address) as c:
        c.call("FLUSHALL")
    return redis


def test_an_endpoint_with_data_that_may_not_be_flushed_is_refused_once(pytester, empty_redis):
    redis = empty_redis
    with connect(redis.address) as c:
        c.call("SET", "someone's", "data")
    try:
        result, rows = _run_cases(pytester, PLAIN, f"tcp://127.0.0.1:{redis.address[1]}")
        output = result.stdout.str()
        assert "holds 1 keys and may not be flushed" in output and "?flush=1" in output
        # the reason once (its short-summary line aside), not once per case
        details = [line for line in result.stdout.lines if not line.startswith("ERROR ")]
        assert sum("is not available: tcp://" in line for line in details) == 1
        assert [r["outcome"] for r in rows] == ["error", "skipped"]
        assert result.ret != 0
        with connect(redis.address) as c:
            assert c.call("GET", "someone's").value == b"data"
    finally:
        with connect(redis.address) as c:
            c.call("DEL", "someone's")


def test_an_empty_endpoint_is_cleaned_up_after_each_case_without_a_flush(pytester, empty_redis):
    result, rows = _run_cases(pytester, PLAIN + '''
def test_three(conn):
    assert conn.call("EXISTS", "k").value == 0
''', f"tcp://127.0.0.1:{empty_redis.address[1]}")
    assert [r["outcome"] for r in rows] == ["passed", "passed", "passed"], result.stdout.str()


def test_an_endpoint_that_stops_answering_ends_its_run_with_one_message(pytester):
    own = make_target("redis@8.2")
    own.start()
    try:
        result, rows = _run_cases(pytester, '''
def test_stops(conn):
    conn.call("SHUTDOWN", "NOSAVE")
''' + PLAIN, f"tcp://127.0.0.1:{own.address[1]}?flush=1")
    finally:
        own.stop()
    output = result.stdout.str()
    assert [(r["case"], r["outcome"]) for r in rows] == [
        ("test_stops", "divergent"), ("test_one", "error"), ("test_two", "skipped")], output
    assert "stopped answering after test_stops" in output
    assert result.ret != 0


SETUP_LACKS = '''
import pytest
from conformance.asserts import assert_ok
from conformance.conftest import config  # noqa: F401 - the suite's CONFIG SET fixture

@pytest.fixture
def prepared(conn, config):
    config("no-such-parameter-anywhere", "1")  # a set-up parameter this server lacks
    return conn

@pytest.fixture
def refused(conn):
    assert_ok(conn.call("SET", "k", "v", "NX", "XX"))  # a set-up command this server answers otherwise
    return conn

@pytest.mark.command("get")
def test_needs_a_parameter(prepared):
    assert prepared.call("GET", "k").value is None

@pytest.mark.command("get")
def test_needs_a_set_up_reply(refused):
    assert refused.call("GET", "k").value == b"v"
'''


def test_a_set_up_the_target_cannot_do_is_not_measurable_rather_than_a_harness_error(pytester):
    """A fixture that fails on a report-only target only because the target lacks a parameter, or answers a set-up
    command otherwise, never reaches what the case tests: the case is listed as not measurable with the reason."""
    result, rows = _run_cases(pytester, SETUP_LACKS, "redis@8.2")
    got = {r["case"]: (r["outcome"], r["class"], r.get("needs")) for r in rows}
    assert got == {"test_needs_a_parameter": ("skipped", "missing-dependency", "config no-such-parameter-anywhere"),
                   "test_needs_a_set_up_reply": ("skipped", "missing-dependency", "set")}, result.stdout.str()
    assert "its set-up failed on redis@8.2" in rows[1]["message"]
