"""bench/instructions.py: its arguments are checked before anything is counted, and the counted feeding runs."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.instructions", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_unknown_mode_is_refused():
    done = _run("--modes", "set16,del7")
    assert done.returncode == 2
    assert "unknown mode(s) del7" in done.stderr


def test_baseline_without_a_reference_is_refused(tmp_path):
    done = _run("--modes", "get1", "--baseline", str(tmp_path))
    assert done.returncode == 2
    assert "no reference_server/ there" in done.stderr


def test_the_counted_feeding_runs_and_answers(monkeypatch):
    from bench import instructions

    written: list[bytes] = []
    monkeypatch.setattr(instructions._Transport, "write", lambda self, data: written.append(data))
    import asyncio
    asyncio.run(instructions._feed("GET", 16, 2))
    replies = b"".join(written)
    assert replies.startswith(b"+OK\r\n")  # the SET that makes every GET a hit
    assert replies[5:].count(b"$3\r\nxxx\r\n") == 16 * (instructions.WARM_UP + 2)
