"""The command line: serve until a signal, clean errors for bad arguments (never a traceback)."""
from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest

from forkdiff.client import connect


def _serve(*args: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "forkdiff", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(5):
        line = proc.stdout.readline()
        m = re.match(r"port (\d+)", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise AssertionError(f"serve printed no port: {proc.stderr.read()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_port_and_stops_on_signal(sig):
    proc, port = _serve()
    try:
        with connect(("127.0.0.1", port)) as c:
            assert c.call("PING").value == "PONG"
        proc.send_signal(sig)
        assert proc.wait(60) == 0  # generous: a loaded 2-core CI machine
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_python_m_reference_server_serves_with_a_runtime():
    proc = subprocess.Popen([sys.executable, "-m", "reference_server", "--port", "0", "--runtime", "sharded"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "(sharded)" in proc.stdout.readline()
        port = int(proc.stdout.readline().split()[1])
        with connect(("127.0.0.1", port)) as c:
            assert c.call("SET", "a", "1").value == "OK"
        proc.terminate()
        assert proc.wait(60) == 0  # generous: a loaded 2-core CI machine
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("args,message", [
    (["serve", "--port", "abc"], "not a port number"),
    (["serve", "--port", "70000"], "port out of range"),
    (["serve", "--runtime", "nope"], "unknown runtime"),
    (["run", "--targets", "nosuch@1"], "unknown target spec"),
    (["run", "--budget", "-3"], "cannot be negative"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_get_a_clear_error(args, message):
    proc = subprocess.run([sys.executable, "-m", "forkdiff", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_on_a_busy_port_says_so():
    proc, port = _serve()
    try:
        second = subprocess.run([sys.executable, "-m", "forkdiff", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert "cannot listen" in second.stderr and "Traceback" not in second.stderr
    finally:
        proc.terminate()
        proc.wait(10)
