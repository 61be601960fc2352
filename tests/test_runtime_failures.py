"""What every runtime does when the server itself fails or is kept busy: a handler that raises is answered by the
one internal-error policy (logged with its command, the connection kept), the fuzzer reports that reply as a crash,
and a script that never ends is ended when the server stops."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from adapters.inprocess import InProcessTarget
from forkdiff.client import connect
from forkdiff.spec import load_spec
from forkdiff.types import Command, Kind, Reply
from fuzz.compare import compare
from reference_server import errors
from reference_server.runtimes import RUNTIMES

pytestmark = pytest.mark.timeout(60)


def _broken_echo(engine, client, argv):
    raise ZeroDivisionError("injected")


@pytest.fixture(params=sorted(RUNTIMES))
def server(request):
    with InProcessTarget(f"reference:{request.param}") as t:
        engine = t.server.engine
        engine.handlers = dict(engine.handlers, echo=_broken_echo)  # this engine only
        yield t


def test_a_failing_handler_is_answered_logged_and_the_connection_kept(server, caplog):
    expected = errors.INTERNAL_ERROR % ("ECHO", "ZeroDivisionError")
    with caplog.at_level(logging.ERROR, logger="reference_server"), connect(server.address) as c:
        reply = c.call("ECHO", "x")
        assert (reply.kind, reply.value) == (Kind.ERROR, expected)
        assert c.call("PING").value == "PONG"
        c.send_raw(b"*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n*1\r\n$4\r\nPING\r\n")  # pipelined: the batch goes on
        assert [c.read_reply().value for _ in range(2)] == [expected, "PONG"]
    assert any("ECHO" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_failing_handler_inside_a_transaction_and_a_script(server):
    expected = errors.INTERNAL_ERROR % ("ECHO", "ZeroDivisionError")
    with connect(server.address) as c:
        c.call("MULTI")
        c.call("ECHO", "x")
        reply = c.call("EXEC")
        assert [r.value for r in reply.value] == [expected]
        reply = c.call("EVAL", "return redis.pcall('ECHO', 'x')", "0")
        assert (reply.kind, reply.value) == (Kind.ERROR, expected)


def test_the_fuzzer_reports_the_internal_error_as_a_crash():
    spec = load_spec().get("echo")
    crashed = Reply(Kind.ERROR, errors.INTERNAL_ERROR % ("ECHO", "ZeroDivisionError"))
    assert compare(spec, Reply(Kind.BULK, b"x"), crashed).cls == "crash"
    assert compare(spec, Reply(Kind.ERROR, "ERR syntax error"), crashed).cls == "crash"
    assert compare(spec, Reply(Kind.ERROR, "ERR syntax error"), Reply(Kind.ERROR, "ERR other")).cls == "error_text"
    assert Command((b"ECHO", b"x"))  # the step the crash is filed under keeps its command


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_stopping_the_server_ends_a_script_that_never_ends(runtime):
    target = InProcessTarget(f"reference:{runtime}")
    target.start()
    with connect(target.address) as c:
        c.send("EVAL", "while true do end", "0")
        time.sleep(0.3)
        stopped = threading.Event()
        started = time.monotonic()
        threading.Thread(target=lambda: (target.stop(), stopped.set()), daemon=True).start()
        assert stopped.wait(10), "stop() did not return"
        assert time.monotonic() - started < 6
