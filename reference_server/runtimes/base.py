"""What every runtime shares: event loops in background threads, listening, the timer, client bookkeeping.

A runtime subclasses `LoopServer` and decides three things: how many I/O loops accept connections
(`io_loops`), how a command executes (`execute`: the reply, or a Future of it), and how work that needs the whole
keyspace runs (`exclusive`: the blocked-client timeouts and the active expire cycle).
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from typing import Any, Callable

from ..blocking import expire_blocked
from ..engine import Engine
from .connection import ClientConnection

MAX_TICK_S = 0.01  # blocked-client timeouts are checked at least this often (faster when hz asks for it)


class LoopServer:
    name = "base"
    io_loops = 1

    def __init__(self, host: str = "127.0.0.1", port: int = 0, engine: Engine | None = None,
                 threads: int = 4, **_: Any) -> None:
        self.host, self.port = host, port
        self.engine = engine or Engine()
        self.threads = max(1, threads)
        self.connections: set[ClientConnection] = set()
        self.loops: list[asyncio.AbstractEventLoop] = []
        self._threads: list[threading.Thread] = []
        self._sock: socket.socket | None = None
        self._stopping = threading.Event()
        self._rr = itertools.count()
        self._error: OSError | None = None
        self.engine.runtime = self.name  # reported by INFO server as forkdiff_runtime

    # -- what runtimes override ------------------------------------------------------------------------------------
    def execute(self, client: Any, argv: list[bytes]) -> Any:
        return self.engine.execute(client, argv)

    def exclusive(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` with nothing else executing (the single-loop runtime: already the case)."""
        return fn()

    def new_client(self, **kwargs: Any) -> Any:
        return self.exclusive(lambda: self.engine.new_client(**kwargs))

    def drop_client(self, client: Any) -> None:
        self.exclusive(lambda: self.engine.drop_client(client))

    def start_workers(self) -> None:
        """Threads beyond the I/O loops (executors, shards)."""

    def stop_workers(self) -> None:
        pass

    # -- lifecycle -------------------------------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def _housekeeping(self) -> None:
        engine = self.engine
        expire_blocked(engine, engine.real_clock())

    async def _tick(self) -> None:
        """The server cron: `hz` times a second the active expire cycle, and blocked clients' timeouts at least
        every MAX_TICK_S (CONFIG SET hz applies at once, as in Redis)."""
        loop = asyncio.get_running_loop()
        next_expire = loop.time()
        while not self._stopping.is_set():
            period = 1 / max(1, self.engine.config.get_int("hz"))
            await asyncio.sleep(min(MAX_TICK_S, period))
            if any(c.client is not None and c.client.blocked is not None for c in list(self.connections)):
                self.exclusive(self._housekeeping)
            if loop.time() >= next_expire:
                next_expire = loop.time() + period
                self.exclusive(self.engine.active_expire_cycle)
            self.engine.before_sleep(timer=True)

    def _loop_thread(self, index: int, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loops[index] = loop
        if index == 0:
            try:
                loop.run_until_complete(self._listen(loop))
            except OSError as exc:  # the port is taken or the address is not ours: start() raises it
                self._error = exc
                loop.close()
                ready.set()
                return
            loop.create_task(self._tick())
        ready.set()
        try:
            loop.run_forever()
        finally:
            for conn in [c for c in self.connections if c.loop is loop]:
                conn.close_now()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.listen(511)
        sock.setblocking(False)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.engine.config.values.update(port=str(self.port), bind=self.host)  # what CONFIG GET and INFO show
        loop.create_task(self._accept(loop, sock))

    async def _accept(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = await loop.sock_accept(sock)
            except (OSError, asyncio.CancelledError):
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            target = self.loops[next(self._rr) % len(self.loops)]
            if target is loop:
                loop.create_task(self._attach(conn))
            else:
                target.call_soon_threadsafe(lambda c=conn, t=target: t.create_task(self._attach(c)))

    async def _attach(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        await loop.connect_accepted_socket(lambda: ClientConnection(self), conn)

    def start(self) -> "LoopServer":
        self.start_workers()
        self.loops = [None] * self.io_loops  # type: ignore[list-item]
        for i in range(self.io_loops):
            ready = threading.Event()
            t = threading.Thread(target=self._loop_thread, args=(i, ready), name=f"forkdiff-{self.name}-io{i}",
                                 daemon=True)
            t.start()
            self._threads.append(t)
            if not ready.wait(10):
                raise RuntimeError(f"{self.name}: I/O loop {i} did not start")
            if self._error is not None:
                self.stop()
                raise self._error
        return self

    @property
    def _thread(self) -> threading.Thread | None:  # the main loop's thread (liveness checks)
        return self._threads[0] if self._threads else None

    def serve_forever(self) -> None:
        self.start()
        try:
            while all(t.is_alive() for t in self._threads):
                self._threads[0].join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            self._sock.close()
        for loop in self.loops:
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(loop.stop)
        for t in self._threads:
            t.join(5)
        self._threads = []
        self.stop_workers()
