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


def _forkdiff(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forkdiff", *args], capture_output=True, text=True, timeout=timeout)


def _unwritable_outs(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    return [(a_file, "is a file, not a directory"), (a_file / "below", "cannot be written")]


@pytest.mark.parametrize("command", [["run", "--targets", "reference", "--budget", "0"],
                                     ["fuzz", "--targets", "reference,redis@8.2", "--budget", "1"]])
def test_bad_out_is_one_line_before_any_server_starts(command, tmp_path):
    for out, message in _unwritable_outs(tmp_path):
        proc = _forkdiff(*command, "--out", str(out), timeout=30)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"forkdiff {command[0]}: --out {out} {message}")
        assert "probing" not in proc.stderr and "Traceback" not in proc.stderr


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_with_a_dead_tcp_target_fails_with_the_reason(tmp_path):
    dead = f"tcp://127.0.0.1:{_free_port()}"
    proc = _forkdiff("run", "--targets", f"reference,{dead}", "--budget", "0", "--out", str(tmp_path))
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"forkdiff run: {dead} cannot run: nothing answers PING")
    assert not (tmp_path / "COMPATIBILITY.md").exists() and "Traceback" not in proc.stderr


def test_summary_keeps_every_reason_whole(capsys):
    from results.cli import print_summary
    reason = ("image eqalpha/keydb:x86_64_v6.3.4 is not present locally and no registry is reachable; "
              "load it with `docker load` or build it")
    print_summary({"targets": [{"spec": "keydb", "status": "not run", "reason": reason}]})
    assert f"(1) keydb: {reason}" in capsys.readouterr().out


def test_pull_says_what_happened_to_each_pinned_image():
    from adapters.catalogue import IMAGES
    from adapters.pull import pull_pinned
    lines = pull_pinned(["keydb", "reference", "garnet"])  # the reference has no image: no line
    assert [line.split(":")[0] for line in lines] == [IMAGES["keydb"].image.split(":")[0],
                                                      IMAGES["garnet"].image.split(":")[0]]
    assert all(any(word in line for word in ("pulled", "already present", "pull failed")) for line in lines)
