"""One client connection, the same in every runtime: bytes in, commands to the runtime's executor, replies out.

The runtime decides how a command is executed: `server.execute(client, argv)` returns the reply, or a
concurrent.futures.Future of it when another thread executes it; the connection then waits (without blocking its
event loop) and goes on in order. Commands pipelined behind a blocking command wait until it is served, and a
command held by CLIENT PAUSE (the engine answers POSTPONED) waits, with those behind it, until the pause ends.
"""
from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any

from ..client_pause import POSTPONED, remaining_ms, wait_for_unpause
from ..protocol import RequestParser
from ..replies import NO_REPLY, Err, encode


class ClientConnection(asyncio.Protocol):
    def __init__(self, server: Any) -> None:
        self.server = server
        self.engine = server.engine
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id = 0
        self.transport: asyncio.Transport | None = None
        self.parser = RequestParser(self.engine.config.get_int("proto-max-bulk-len"))
        self.client: Any = None
        self.closing = False
        self.waiting = False  # a command is executing on another thread, or held by CLIENT PAUSE
        self.held: list[bytes] | None = None  # the command CLIENT PAUSE holds back
        self.executing: list[bytes] | None = None
        self.queued: deque[list[bytes]] = deque()
        self.violation: str | None = None
        self.out: list[bytes] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.loop = asyncio.get_running_loop()
        self.thread_id = threading.get_ident()
        peer = transport.get_extra_info("peername") or ("?", 0)
        sock = transport.get_extra_info("sockname") or ("?", 0)
        sockobj = transport.get_extra_info("socket")
        self.client = self.server.new_client(addr=f"{peer[0]}:{peer[1]}", laddr=f"{sock[0]}:{sock[1]}",
                                             fd=sockobj.fileno() if sockobj else -1)
        self.client.deliver = self.deliver
        self.client.extra["close"] = self.close_soon
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.server.connections.discard(self)
        self.server.drop_client(self.client)

    def close_soon(self) -> None:
        self._in_loop(self.close_now)

    def close_now(self) -> None:
        if self.transport is not None and not self.closing:
            self.closing = True
            self.transport.close()

    def _in_loop(self, fn: Any, *args: Any) -> None:
        if self.loop is None or self.loop.is_closed():
            return  # the server is stopping: nothing left to write to
        if threading.get_ident() == self.thread_id:
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    # -- out-of-band replies (a blocked client served, a push) ---------------------------------------------------
    def deliver(self, reply: Any) -> None:
        if reply is NO_REPLY or self.closing:
            return
        out: list[bytes] = []
        encode(reply, self.client.resp, out)
        self._in_loop(self._write_and_resume, b"".join(out))

    def _write_and_resume(self, data: bytes) -> None:
        if self.transport is not None and not self.closing:
            self.client.net_out += len(data)
            self.transport.write(data)
            if not self.waiting:
                # Later, not now: we may be inside another client's command (serving blocked clients), and
                # running this client's next command there would re-enter the engine.
                self.loop.call_soon(self._pump_if_idle)

    def _pump_if_idle(self) -> None:
        if not self.waiting and not self.closing:
            self.pump()

    # -- input ---------------------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.client.net_in += len(data)  # CLIENT LIST tot-net-in
        self.parser.feed(data)
        if not self.waiting:
            self.pump()

    def _next_command(self) -> list[bytes] | None:
        if not self.queued and self.violation is None:
            limit = 1 << 30 if self.client.authenticated else 1  # AUTH changes how the next one is parsed
            commands, self.violation = self.parser.parse_until_error(self.client.authenticated, limit)
            self.queued.extend(commands)
        return self.queued.popleft() if self.queued else None

    def pump(self) -> None:
        """Execute buffered commands in order until one must wait, the client blocks, or the buffer is empty."""
        while not self.closing and self.client.blocked is None:
            argv = self._next_command()
            if argv is None:
                if self.violation is not None:
                    encode(Err(self.violation), self.client.resp, self.out)
                    self.flush()
                    self.close_now()
                    return
                break
            if self.server.stopping:
                self.close_now()
                return
            self.executing = argv
            result = self.server.execute(self.client, argv)
            if result is POSTPONED:
                self._hold(argv)
                return
            if isinstance(result, Future):
                self.waiting = True
                self.flush()
                result.add_done_callback(lambda f: self._in_loop(self._resume, f))
                return
            if not self.handle(result):
                return
        self.flush()
        if self.parser.pending > self.engine.config.get_int("client-query-buffer-limit"):
            self.close_now()

    def _resume(self, future: Future) -> None:
        self.waiting = False
        try:
            reply = future.result()
        except Exception as exc:  # an executor bug must not kill the connection silently
            reply = Err(f"ERR internal error: {type(exc).__name__}")
        if reply is POSTPONED:
            self._hold(self.executing)
        elif self.handle(reply):
            self.pump()

    # -- CLIENT PAUSE ----------------------------------------------------------------------------------------------
    def _hold(self, argv: list[bytes]) -> None:
        """Keep the command (first in line) until CLIENT UNPAUSE or the pause's end; replies before it go out."""
        self.queued.appendleft(argv)
        self.held = argv
        self.waiting = True
        self.flush()
        wait_for_unpause(self.engine, lambda: self._in_loop(self._release))
        self.loop.call_later(max(remaining_ms(self.engine), 1) / 1000, self._release)

    def _release(self) -> None:
        if self.held is None:  # already released (by UNPAUSE, then by the timer)
            return
        self.held = None
        self.waiting = False
        if not self.closing:
            self.pump()

    def handle(self, reply: Any) -> bool:
        """Queue the reply; False when the connection is closing."""
        if reply is not NO_REPLY:
            encode(reply, self.client.resp, self.out)
        if self.client.close_after_reply:
            self.flush()
            self.close_now()
            return False
        return True

    def flush(self) -> None:
        if self.out and self.transport is not None:
            data = b"".join(self.out)
            self.client.net_out += len(data)  # CLIENT LIST tot-net-out
            self.transport.write(data)
        self.out = []
