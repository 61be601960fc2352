"""A raw RESP connection that returns typed replies (not a converting client like redis-py).

Transport trouble never raises from ``call``: it becomes a reply of kind TIMEOUT, CLOSED or PROTOCOL_ERROR, so a
crashing or hanging server is recorded like any other answer.

``read_reply`` returns every frame in stream order, pushes included (pub/sub and tracking cases read them that way).
``pipeline`` pairs one reply with each command: a push that answers no command (a message, an invalidation) is set
aside in ``pushes``, where the next ``read_reply`` finds it first, so it never shifts the replies after it.
"""
from __future__ import annotations

import socket
import time
from collections import deque
from typing import Any, Sequence

from .resp import ProtocolError, ReplyParser, encode_command, is_out_of_band
from .types import Command, Kind, Reply, _as_bytes, render


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 5.0, connect_timeout: float = 5.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._parser = ReplyParser()
        self.broken: Reply | None = None
        self.pushes: deque[Reply] = deque()  # out-of-band pushes set aside while pairing replies with commands
        self.log: list[dict] | None = None  # when a list: every call's command line and reply bytes (for repros)

    # -- sending -----------------------------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        if self.broken is not None:
            return
        try:
            self._sock.sendall(data)
        except OSError as exc:
            self.broken = Reply(Kind.CLOSED, f"send failed: {exc}")

    def send(self, *args: Any) -> None:
        self.send_raw(encode_command(_as_bytes(a) for a in args))

    # -- receiving ---------------------------------------------------------------------------------------------
    def read_reply(self, timeout: float | None = None) -> Reply:
        """The next reply, or a TIMEOUT/CLOSED/PROTOCOL_ERROR reply describing why there is none."""
        if self.pushes:
            return self.pushes.popleft()
        return self._read_frame(timeout)

    def read_answer(self, timeout: float | None = None) -> Reply:
        """The next reply that answers a command; out-of-band pushes met on the way go to `pushes`."""
        while is_out_of_band(reply := self._read_frame(timeout)):
            self.pushes.append(reply)
        return reply

    def _read_frame(self, timeout: float | None) -> Reply:
        if self.broken is not None:
            return self.broken
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                reply = self._parser.get()
            except ProtocolError as exc:
                self.broken = Reply(Kind.PROTOCOL_ERROR, str(exc))
                return self.broken
            if reply is not None:
                return reply
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Reply(Kind.TIMEOUT, f"no reply within {self.timeout if timeout is None else timeout}s")
            self._sock.settimeout(remaining)
            try:
                data = self._sock.recv(1 << 16)
            except socket.timeout:
                continue
            except OSError as exc:
                self.broken = Reply(Kind.CLOSED, f"recv failed: {exc}")
                return self.broken
            if not data:
                self.broken = Reply(Kind.CLOSED, "connection closed by server")
                return self.broken
            self._parser.feed(data)

    def call(self, *args: Any, timeout: float | None = None) -> Reply:
        return self.execute(Command.of(*args), timeout)

    def execute(self, command: Command, timeout: float | None = None) -> Reply:
        self.send_raw(encode_command(command.args))
        reply = self.read_reply(timeout)
        if self.log is not None:
            self.log.append({"command": str(command), "reply": reply.raw.decode("utf-8", "backslashreplace")
                             or render(reply)})
        return reply

    def pipeline(self, commands: Sequence[Command], timeout: float | None = None) -> list[Reply]:
        self.send_raw(b"".join(encode_command(c.args) for c in commands))
        return [self.read_answer(timeout) for _ in commands]

    def is_closed(self, timeout: float = 1.0) -> bool:
        """True once the server has closed this connection (waits up to `timeout` for it)."""
        return self.read_reply(timeout).kind is Kind.CLOSED

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(address: tuple[str, int], *, resp: int = 2, password: str | None = None,
            timeout: float = 5.0, factory: type[Connection] = Connection) -> Connection:
    conn = factory(address[0], address[1], timeout=timeout)
    if password:
        r = conn.call("AUTH", password)
        if r.is_error:
            conn.close()
            raise ConnectionError(f"AUTH failed: {r.value}")
    if resp == 3:
        r = conn.call("HELLO", "3")
        if r.is_error or r.kind in (Kind.CLOSED, Kind.TIMEOUT):
            conn.close()
            raise ConnectionError(f"HELLO 3 failed: {r}")
    return conn


def wait_ready(address: tuple[str, int], deadline_s: float = 10.0, is_alive: Any = None) -> None:
    """Block until PING answers, the deadline passes (TimeoutError) or `is_alive()` turns false (RuntimeError)."""
    end = time.monotonic() + deadline_s
    last: Exception | str = "no attempt"
    while time.monotonic() < end:
        if is_alive is not None and not is_alive():
            raise RuntimeError("server exited before it was ready")
        try:
            with Connection(*address, timeout=1.0, connect_timeout=0.5) as c:
                r = c.call("PING")
                if r.kind is Kind.SIMPLE or r.error_code == "NOAUTH":
                    return
                last = str(r)
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"{address[0]}:{address[1]} not ready after {deadline_s}s ({last})")
