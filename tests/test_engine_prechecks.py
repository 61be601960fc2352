"""The engine's `prechecks` flag: while it is off, execute runs a known command of a plain client without the checks
before a call, so every way something engine-wide can come to refuse or hold a command must turn it on, and the
command must then meet that check. And the statistics after a call are the same on that direct path as on the
general one (EXEC runs its queue through `call`)."""
from __future__ import annotations

import pytest

from reference_server import errors, replication
from reference_server.client_pause import POSTPONED
from reference_server.commands.latency import _bucket, _bucket_top_ns
from reference_server.engine import Engine
from reference_server.replies import Err


@pytest.fixture
def engine():
    return Engine(clock=lambda: 1_000_000)


def _run(engine, client, *args):
    return engine.execute(client, [a if isinstance(a, bytes) else str(a).encode() for a in args])


def _info(engine, client, section: str) -> dict[str, str]:
    text = _run(engine, client, "INFO", section)
    text = text.decode() if isinstance(text, bytes) else str(text)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def test_a_fresh_engine_has_nothing_to_check(engine):
    assert engine.prechecks is False
    client = engine.new_client()
    assert _run(engine, client, "SET", "k", "v") == "OK"
    assert _run(engine, client, "GET", "k") == b"v"


@pytest.mark.parametrize("name, value", [("maxmemory", "1"), ("min-replicas-to-write", "1")])
def test_a_setting_that_can_refuse_writes_turns_the_checks_on_and_its_refusal_is_met(engine, name, value):
    client = engine.new_client()
    assert _run(engine, client, "CONFIG", "SET", name, value) == "OK"
    assert engine.prechecks is True
    assert _run(engine, client, "SET", "k", "v") == Err(errors.OOM if name == "maxmemory" else errors.NOREPLICAS)
    assert _run(engine, client, "CONFIG", "SET", name, "0") == "OK"
    assert engine.prechecks is False
    assert _run(engine, client, "SET", "k", "v") == "OK"


def test_client_pause_turns_the_checks_on_until_unpause(engine):
    admin, other = engine.new_client(), engine.new_client()
    _run(engine, admin, "CLIENT", "PAUSE", 100, "WRITE")
    assert engine.prechecks is True
    assert _run(engine, other, "SET", "k", "v") is POSTPONED
    _run(engine, admin, "CLIENT", "UNPAUSE")
    assert engine.prechecks is False
    assert _run(engine, other, "SET", "k", "v") == "OK"


def test_a_busy_script_turns_the_checks_on_while_it_runs(engine):
    caller, other = engine.new_client(), engine.new_client()
    run = engine.busy.begin(caller, "f" * 40, [b"EVAL", b"while true do end", b"0"], eval_mode=True)
    assert engine.prechecks is True
    run.timed_out = True  # past busy-reply-threshold: others are answered BUSY
    assert _run(engine, other, "GET", "k") == Err(errors.BUSY_EVAL)
    engine.busy.end(run)
    assert engine.prechecks is False
    assert _run(engine, other, "GET", "k") is None


def test_an_acl_user_lacking_a_permission_turns_the_checks_on_until_it_is_gone(engine):
    admin, limited = engine.new_client(), engine.new_client()
    assert _run(engine, admin, "ACL", "SETUSER", "reader", "on", "nopass", "~*", "+get") == "OK"
    assert engine.prechecks is True
    assert _run(engine, limited, "AUTH", "reader", "x") == "OK"
    assert _run(engine, limited, "SET", "k", "v").startswith("NOPERM")
    assert _run(engine, admin, "ACL", "DELUSER", "reader") == 1
    assert engine.prechecks is False


def test_a_replication_role_turns_the_checks_on(engine):
    replication.state(engine)
    assert engine.prechecks is True
    engine.extensions.pop("replication")
    assert engine.prechecks is False


def _broken_echo(engine, client, argv):
    raise ZeroDivisionError("injected")


def test_statistics_after_a_call_are_the_same_on_the_direct_path_and_through_exec(engine):
    engine.handlers = dict(engine.handlers, echo=_broken_echo)
    client = engine.new_client()
    first = _run(engine, client, "ECHO", "x")  # the spelling's first use: through _dispatch and call
    assert b"ECHO" in engine._resolved
    direct = _run(engine, client, "ECHO", "x")  # remembered, and a plain client: the direct path
    _run(engine, client, "MULTI")
    assert _run(engine, client, "ECHO", "x") == "QUEUED"
    [queued] = _run(engine, client, "EXEC")  # through call
    assert first == direct == queued == Err(errors.INTERNAL_ERROR % ("ECHO", "ZeroDivisionError"))
    stats = _info(engine, client, "commandstats")
    assert stats["cmdstat_echo"].startswith("calls=3,")
    assert stats["cmdstat_echo"].endswith(",rejected_calls=0,failed_calls=3")
    assert _info(engine, client, "errorstats")["errorstat_ERR"] == "count=3"
    # every call but the INFO running: ECHO twice, MULTI, ECHO, EXEC, the two INFOs above
    assert _info(engine, client, "stats")["total_commands_processed"] == "7"
    assert client.commands_processed == 8


def test_latency_histograms_bucket_long_calls_as_short_ones(engine):
    """A call under 1024 µs is recorded by its duration and bucketed when LATENCY HISTOGRAM asks; a longer one is
    recorded by its bucket: both must land where bucketing each duration puts it."""
    client = engine.new_client()
    spec = engine.spec["ping"]
    durations = [0, 1, 2, 700, 1023, 1024, 1500, 70_000, 3_000_000]
    for us in durations:
        engine._called(client, spec, [b"PING"], "PONG", us, 0)
    [(name, report)] = _run(engine, client, "LATENCY", "HISTOGRAM", "ping")
    assert name == b"ping"
    fields = dict(report)
    assert fields[b"calls"] == len(durations)
    expected: dict[int, int] = {}
    for us in durations:
        top = _bucket_top_ns(_bucket(us)) // 1000
        expected[top] = expected.get(top, 0) + 1
    cumulative, points = 0, []
    for top in sorted(expected):
        cumulative += expected[top]
        points.append((top, cumulative))
    assert list(fields[b"histogram_usec"]) == points
