"""Spawn a server binary on a free loopback port, in a temp dir, with no persistence."""
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

from forkdiff.client import wait_ready

from . import lifecycle


def _in_main_thread() -> bool:
    """The death signal follows the thread that forked: only the main thread lives as long as the process."""
    return threading.current_thread() is threading.main_thread()


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the process that started us dies, even by SIGKILL,
    so a killed test run or campaign leaves no server behind (Linux only; elsewhere atexit cleanup remains)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass
from .base import Capabilities, TargetUnavailable, free_port, probe
from .products import FLAVOURS, BinaryFlavour


class BinaryTarget:
    may_flush = True

    def __init__(self, spec: str, binary: str, extra_args: list[str] | None = None,
                 ready_timeout: float = 15.0, flavour: BinaryFlavour | None = None) -> None:
        self.spec = spec
        self.binary = binary
        self.extra_args = extra_args or []
        self.ready_timeout = ready_timeout
        self.flavour = flavour or FLAVOURS["redis"]
        self.source = f"binary {Path(binary).name}"
        self.capabilities: Capabilities | None = None
        self._proc: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._port = 0

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self._port)

    def command_line(self, port: int, workdir: str) -> list[str]:
        return [*self.flavour.command_line(self.binary, port, workdir), *self.extra_args]

    def _log_sink(self, workdir: str):
        """Where the server's own output goes: nowhere when it keeps a log file, else that file."""
        if self.flavour.logs_to_file:
            return subprocess.DEVNULL
        return open(os.path.join(workdir, "server.log"), "ab")

    def start(self) -> None:
        if not Path(self.binary).is_file():
            raise TargetUnavailable(f"{self.spec}: binary not found at {self.binary}")
        self._dir = tempfile.TemporaryDirectory(prefix="forkdiff-")
        for _attempt in range(3):
            self._port = free_port()
            sink = self._log_sink(self._dir.name)
            try:
                self._proc = subprocess.Popen(self.command_line(self._port, self._dir.name),
                                              stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                              start_new_session=True,
                                              preexec_fn=_die_with_parent if _in_main_thread() else None)
            except OSError as exc:
                self.stop()
                raise TargetUnavailable(f"{self.spec}: cannot run {self.binary} ({exc.strerror or exc})") from None
            finally:
                if sink is not subprocess.DEVNULL:
                    sink.close()
            lifecycle.track(self)
            try:
                wait_ready(self.address, self.ready_timeout, self.is_alive)
                break
            except (TimeoutError, RuntimeError) as exc:
                tail = self.log_tail()
                self._kill()
                if "Address already in use" in tail:
                    continue  # lost the race for the free port: try another
                self.stop()
                raise TargetUnavailable(f"{self.spec}: {exc}\n{tail}") from None
        else:
            self.stop()
            raise TargetUnavailable(f"{self.spec}: lost the race for a free port three times; try again")
        self.capabilities = probe(self.address)

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (tests use it to check that stop leaves nothing behind)."""
        return self._proc.pid if self._proc is not None else None

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
        lifecycle.untrack(self)
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
