"""The fuzzer on servers it must treat with care: an endpoint holding someone's data, a target that keeps hanging."""
from __future__ import annotations

import subprocess
import sys

import pytest

from adapters import TargetUnavailable, make_target
from adapters.endpoint import EndpointTarget
from forkdiff.client import connect
from forkdiff.spec import load_spec
from forkdiff.types import Command
from fuzz.faults import FaultyReference, stall
from fuzz.programs import Program
from fuzz.run import Runner

SPEC = load_spec()


@pytest.fixture(scope="module")
def redis_server():
    target = make_target("redis@8.2")
    try:
        target.start()
    except TargetUnavailable as exc:
        pytest.skip(f"redis@8.2 not installed: {exc}")
    yield target
    target.stop()


def _fuzz(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forkdiff", "fuzz", "--quiet", *args],
                          capture_output=True, text=True, timeout=300)


def _someones_data(address) -> None:
    with connect(address) as c:
        c.call("FLUSHALL")  # this server was started by the test: its data is the test's own
        c.call("SET", "precious", "data")


def _still_there(address) -> tuple[int, bytes]:
    with connect(address) as c:
        return c.call("DBSIZE").value, c.call("GET", "precious").value


def test_an_endpoint_without_flush_is_refused_and_left_untouched(redis_server, tmp_path):
    host, port = redis_server.address
    _someones_data(redis_server.address)
    done = _fuzz("--targets", f"reference,tcp://{host}:{port}", "--budget", "3", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr and f"tcp://{host}:{port}?flush=1" in done.stderr
    assert "Traceback" not in done.stderr
    assert _still_there(redis_server.address) == (1, b"data")
    assert not (tmp_path / "out").exists()


def test_an_endpoint_with_a_password_is_refused_without_showing_it(redis_server, tmp_path):
    host, port = redis_server.address
    done = _fuzz("--targets", f"reference,tcp://s3cret@{host}:{port}", "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "s3cret" not in done.stderr and "?flush=1" in done.stderr


def test_a_runner_never_takes_an_endpoint_that_did_not_allow_flushing(redis_server):
    host, port = redis_server.address
    _someones_data(redis_server.address)
    endpoint = EndpointTarget(f"tcp://{host}:{port}")
    endpoint.start()
    with pytest.raises(ValueError, match="flush=1"):
        Runner({"e": endpoint}, spec=SPEC)
    assert _still_there(redis_server.address) == (1, b"data")


def test_an_endpoint_with_flush_is_fuzzed_and_the_end_says_where_results_went(redis_server, tmp_path):
    host, port = redis_server.address
    out = tmp_path / "out"
    done = _fuzz("--targets", f"reference,tcp://{host}:{port}?flush=1", "--reference", f"tcp://{host}:{port}?flush=1",
                 "--budget", "3", "--out", str(out), "--groups", "string")
    assert done.returncode == 0, done.stderr
    assert "compared commands" in done.stdout
    for name in ("summary.json", "divergences.jsonl", "DIVERGENCES.md"):
        assert str(out / name) in done.stdout and (out / name).exists()


def test_a_target_that_keeps_hanging_is_quarantined_and_the_others_go_on(redis_server):
    faulty = FaultyReference({"strlen": stall(0.6)}, spec="reference+stall")
    faulty.start()
    C = Command.of
    hangs = Program((C("SET", "k", "v"), C("STRLEN", "k")))
    runner = Runner({"redis@8.2": redis_server, "reference+stall": faulty}, spec=SPEC, timeout=0.2, max_restarts=2)
    try:
        out = runner.run_many([hangs] * 5)
    finally:
        faulty.stop()
    assert runner.restarts["reference+stall"] == 3 and "restarted 2 times and hung" in runner.quarantined["reference+stall"]
    assert [sorted(t) for t in out] == [["redis@8.2", "reference+stall"]] * 3 + [["redis@8.2"]] * 2
    assert [r.raw for r in out[-1]["redis@8.2"].replies] == [b"+OK\r\n", b":1\r\n"]
    assert list(runner.targets) == ["redis@8.2"]


def test_the_pipelined_repro_writes_the_program_in_one_go_and_shows_every_reply(redis_server):
    from fuzz.render import pipelined_repro
    C = Command.of
    program = Program((C("SET", "a%b", "it's"), C("APPEND", "a%b", b"\\\x00\xff"), C("STRLEN", "a%b")))
    shown = subprocess.run(["bash", "-c", pipelined_repro(program)], capture_output=True, timeout=30,
                           env={"PORT": str(redis_server.address[1]), "PATH": "/usr/bin:/bin"})
    assert shown.stdout == b"+RESET\r\n+OK\r\n+OK\r\n:7\r\n:7\r\n", shown.stderr
