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
from functools import partial
from typing import Any, Callable

from ..blocking import expire_blocked
from ..engine import Engine
from .connection import ClientConnection

def _nothing() -> None:
    return None


def run_pending_events(loop: asyncio.AbstractEventLoop, outer: int, rounds: int = 8) -> None:
    """Process the loop's ready socket events from inside one of its callbacks (a script that timed out).

    asyncio has no re-entrant run: this polls the selector without waiting and runs what is ready. The `outer`
    first entries of the ready queue belong to the iteration the script interrupted, which will pop exactly that
    many: each one run here is swapped for a cancelled stand-in, which it skips. Callbacks queued behind them are
    taken off and run, a few rounds, so an accepted connection or a resumed task gets as far as it can; what is
    left waits for the next call."""
    selector, ready = getattr(loop, "_selector", None), getattr(loop, "_ready", None)
    if selector is None or ready is None:
        return
    stand_in = asyncio.Handle(_nothing, (), loop)
    stand_in.cancel()
    for index in range(min(outer, len(ready))):
        handle = ready[index]
        if not handle._cancelled:
            ready[index] = stand_in
            _run_nested(loop, handle)
    loop._process_events(selector.select(0))  # type: ignore[attr-defined]
    for _ in range(rounds):
        fresh = len(ready) - outer
        if fresh <= 0:
            return
        handles = [ready.pop() for _ in range(fresh)]
        for handle in reversed(handles):
            if not handle._cancelled:
                _run_nested(loop, handle)


def _run_nested(loop: asyncio.AbstractEventLoop, handle: asyncio.Handle) -> None:
    """A handle's callback outside its context: a transport's reader handle is one object reused for every event,
    and its context is already entered when the script started from that very connection."""
    try:
        handle._callback(*handle._args)  # type: ignore[attr-defined]
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:
        loop.call_exception_handler({"message": "exception in a callback run during a busy script",
                                     "exception": exc, "handle": handle})


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
        self.halting = False  # set with _stopping, as a plain attribute: connections test it before each command
        self._rr = itertools.count()
        self._error: OSError | None = None
        self.engine.runtime = self.name  # reported by INFO server as forkdiff_runtime
        self.engine.busy.process_events = self.process_events_while_blocked
        # what a connection calls per command: the engine itself where the runtime adds nothing around it
        self.execute_command = self.engine.execute if type(self).execute is LoopServer.execute else self.execute

    # -- what runtimes override ------------------------------------------------------------------------------------
    def execute(self, client: Any, argv: list[bytes]) -> Any:
        return self.engine.execute(client, argv)

    def exclusive(self, fn: Callable[[], Any], when_busy: Callable[[], Any] | None = None) -> Any:
        """Run `fn` with nothing else executing (the single-loop runtime: already the case). While a script runs
        (it holds the keyspace), `when_busy` runs instead, if given."""
        if when_busy is not None and self.engine.busy.running is not None:
            return when_busy()
        return fn()

    def new_client(self, **kwargs: Any) -> Any:
        make = partial(self.engine.new_client, **kwargs)
        return self.exclusive(make, when_busy=make)  # registering a connection touches nothing a script uses

    def drop_client(self, client: Any) -> None:
        drop = partial(self.engine.drop_client, client)
        self.exclusive(drop, when_busy=lambda: self.engine.busy.defer(drop) or drop())

    def process_events_while_blocked(self) -> None:
        """Called on a running script's thread once it has timed out: serve what is waiting there (Redis's
        processEventsWhileBlocked). An I/O loop running the script processes its pending socket events nested;
        a thread without a loop (a shard, a worker) has nothing to serve: other threads do it."""
        loop = asyncio._get_running_loop()
        run = self.engine.busy.running
        if loop is not None and loop in self.loops and run is not None:
            # what the loop had queued when the script first served others belongs to the iteration it interrupted
            outer = run.scratch.setdefault(("outer_ready", id(loop)), len(getattr(loop, "_ready", ())))
            run_pending_events(loop, outer)

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
                self.exclusive(self._unless_busy(self._housekeeping), when_busy=_nothing)
            if loop.time() >= next_expire:
                next_expire = loop.time() + period
                self.exclusive(self._unless_busy(self.engine.active_expire_cycle), when_busy=_nothing)
            self.engine.before_sleep(timer=True)

    def _unless_busy(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Timer work that waits for a running script's end (as Redis's cron does not run during one)."""
        return lambda: None if self.engine.busy.running is not None else fn()

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
            if index == 0:
                self._close_listener()
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
        loop.add_reader(sock.fileno(), self._accept_ready, loop, sock)

    def _accept_ready(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        """Accept every pending connection (a plain reader callback, so a busy script may run it nested)."""
        while not self._stopping.is_set():
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # the listener closed
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            target = self.loops[next(self._rr) % len(self.loops)]
            if target is loop:
                loop.create_task(self._attach(conn))
            else:
                target.call_soon_threadsafe(lambda c=conn, t=target: t.create_task(self._attach(c)))

    def _close_listener(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        loop = self.loops[0] if self.loops else None
        if loop is not None and not loop.is_closed():
            try:
                loop.remove_reader(sock.fileno())
            except (ValueError, OSError):
                pass
        sock.close()

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
        self.halting = True
        self._stopping.set()
        self.engine.busy.abort()  # a running script ends at its next interrupt
        first = self.loops[0] if self.loops else None
        if first is not None and first.is_running():
            first.call_soon_threadsafe(self._close_listener)
        elif self._sock is not None:
            self._sock.close()
        for loop in self.loops:
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(loop.stop)
        for t in self._threads:
            t.join(5)
        self._threads = []
        self.stop_workers()
