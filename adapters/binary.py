"""Spawn a server binary on a free loopback port, in a temp dir, with no persistence."""
from __future__ import annotations

import atexit
import os
import signal
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path

from forkdiff.client import wait_ready

from .base import Capabilities, TargetUnavailable, free_port, probe

_LIVE: "weakref.WeakSet[BinaryTarget]" = weakref.WeakSet()


def _stop_all() -> None:
    for t in list(_LIVE):
        t.stop()


atexit.register(_stop_all)


def _install_signal_cleanup() -> None:
    """Ctrl-C / SIGTERM stop every spawned server before the default handling runs."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "_forkdiff", False):
        return

    def on_term(signum, frame):
        _stop_all()
        if callable(previous):
            previous(signum, frame)
        else:
            raise SystemExit(128 + signum)

    on_term._forkdiff = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, on_term)


NO_PERSISTENCE = ["--save", "", "--appendonly", "no"]


class BinaryTarget:
    may_flush = True

    def __init__(self, spec: str, binary: str, extra_args: list[str] | None = None,
                 ready_timeout: float = 15.0) -> None:
        self.spec = spec
        self.binary = binary
        self.extra_args = extra_args or []
        self.ready_timeout = ready_timeout
        self.capabilities: Capabilities | None = None
        self._proc: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._port = 0

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self._port)

    def command_line(self, port: int, workdir: str) -> list[str]:
        return [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
                *NO_PERSISTENCE, "--daemonize", "no", "--protected-mode", "yes",
                "--logfile", os.path.join(workdir, "server.log"), *self.extra_args]

    def start(self) -> None:
        if not Path(self.binary).is_file():
            raise TargetUnavailable(f"{self.spec}: binary not found at {self.binary}")
        _install_signal_cleanup()
        self._dir = tempfile.TemporaryDirectory(prefix="forkdiff-")
        for _attempt in range(3):
            self._port = free_port()
            self._proc = subprocess.Popen(self.command_line(self._port, self._dir.name),
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            _LIVE.add(self)
            try:
                wait_ready(self.address, self.ready_timeout, self.is_alive)
                break
            except (TimeoutError, RuntimeError) as exc:
                tail = self.log_tail()
                self._kill()
                if "Address already in use" in tail:
                    continue  # lost the race for the free port: try another
                raise TargetUnavailable(f"{self.spec}: {exc}\n{tail}") from None
        self.capabilities = probe(self.address)

    def is_alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        if self._dir is None:
            return ""
        path = Path(self._dir.name, "server.log")
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop(self) -> None:
        self._kill()
        _LIVE.discard(self)
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "BinaryTarget":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
