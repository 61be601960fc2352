"""One client connection, the same in every runtime: bytes in, commands to the runtime's executor, replies out.

The runtime decides how a command is executed: `server.execute(client, argv)` returns the reply, or a
concurrent.futures.Future of it when another thread executes it; the connection then waits (without blocking its
event loop) and goes on in order. Commands pipelined behind a blocking command wait until it is served, and a
command held by CLIENT PAUSE (the engine answers POSTPONED) waits, with those behind it, until the pause ends.

A runtime that executes on other threads may also offer `server.execute_batch(batch)`: every command parsed so far
goes to its executor in one hand-off (a `Batch`), run there in order until one blocks, is held, or closes the
connection; the rest go back in line. Pushes delivered while a batch runs are kept in it, behind the replies
already produced, so the client sees them in the order they happened.
"""
from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any

from ..client_pause import POSTPONED, remaining_ms, wait_for_unpause
from ..protocol import CROSS_PROTOCOL, UNAUTH_MAX_QUERY_BUFFER, QueryBufferLimit, RequestParser, request_size
from ..engine import internal_error
from ..replies import NO_REPLY, OK, Err, encode


class _Push(bytes):
    """An out-of-band reply (already encoded) kept in a batch's entries between command replies."""


class Batch:
    """One client's commands executed in one hand-off to the runtime's executor thread(s)."""

    def __init__(self, conn: "ClientConnection", commands: list[list[bytes]]) -> None:
        self.conn, self.client, self.commands = conn, conn.client, commands
        self.entries: list[Any] = []  # (reply, protocol) in order, with pushes (_Push) delivered in between
        self.executed = 0
        self.last_reply: Any = None
        self.lock = threading.Lock()
        self.drained = False  # the connection took the entries: later pushes go out directly
        self.future: Future = Future()  # done when the batch stops
        self.over_query_limit = False  # stopped at a request past client-query-buffer-limit: the client closes

    def next_command(self) -> list[bytes] | None:
        """The next command to execute, or None when the batch must stop here (the connection's checks between
        two commands: closing, stopping, blocked, held, close-after-reply)."""
        if self.executed >= len(self.commands) or self.conn.closing or self.conn.server.stopping:
            return None
        if self.executed and (self.client.blocked is not None or self.client.close_after_reply
                              or self.last_reply is POSTPONED):
            return None
        argv = self.commands[self.executed]
        if not self.conn.within_query_limit and self.conn.query_limit_passed(request_size(argv)):
            self.over_query_limit = True
            return None
        return argv

    def record(self, reply: Any) -> None:
        with self.lock:  # with the protocol it is encoded in: a HELLO later in the batch must not change it
            self.entries.append((reply, self.client.resp))
        self.last_reply = reply
        self.executed += 1

    def run(self, execute: Any) -> None:
        """Execute every command that may run, on the calling thread, with `execute(client, argv)`."""
        try:
            while (argv := self.next_command()) is not None:
                self.record(call_safely(execute, self.client, argv))
        finally:
            self.future.set_result(None)

    def add_push(self, data: bytes) -> bool:
        with self.lock:
            if self.drained:
                return False
            self.entries.append(_Push(data))
            return True

    def drain(self) -> list[Any]:
        with self.lock:
            self.drained = True
            return self.entries


_SHORT_BULK = 1024
_BULK_HEADS = [b"$%d\r\n" % size for size in range(_SHORT_BULK)]  # a bulk reply's first line, by its length


def call_safely(execute: Any, client: Any, argv: list[bytes]) -> Any:
    """execute(client, argv), or the engine's internal-error answer when the runtime's own code raises (a Future
    comes back as it is: `reply_of` reads it)."""
    try:
        result = execute(client, argv)
    except Exception as exc:  # a runtime bug must not kill the connection: the engine's policy answers it
        return internal_error(argv, exc)
    if isinstance(result, Future):
        result.argv = argv  # type: ignore[attr-defined]
    return result


def reply_of(future: Future) -> Any:
    try:
        return future.result()
    except Exception as exc:  # a runtime bug must not kill the connection: the engine's policy answers it
        return internal_error(getattr(future, "argv", []), exc)


class ClientConnection(asyncio.Protocol):
    def __init__(self, server: Any) -> None:
        self.server = server
        self.engine = server.engine
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id = 0
        self.transport: asyncio.Transport | None = None
        self.parser = RequestParser(self.engine.config.get_int("proto-max-bulk-len"))
        self.query_limit = QueryBufferLimit()
        self.client: Any = None
        self.closing = False
        self.waiting = False  # a command is executing on another thread, or held by CLIENT PAUSE
        self.held: list[bytes] | None = None  # the command CLIENT PAUSE holds back
        self.queued: deque[list[bytes]] = deque()
        self.violation: str | None = None
        self.within_query_limit = False  # what is queued cannot pass client-query-buffer-limit: no check each
        self.out: list[bytes] = []
        self.batch: Batch | None = None  # the batch executing on another thread, if any
        self.batching = hasattr(server, "execute_batch")
        # A command is executing on this connection's own thread: a script that timed out serves other clients
        # from inside it, and this connection's input must wait (Redis protects the script's caller the same way).
        self.in_command = False

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
        self.client.close = self.close_soon
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
        data = b"".join(out)
        batch = self.batch
        if batch is not None and batch.add_push(data):  # behind the batch's replies produced so far
            return
        self._in_loop(self._write_and_resume, data)

    def _write_and_resume(self, data: bytes) -> None:
        if self.transport is not None and not self.closing:
            self.client.net_out += len(data)
            self.transport.write(data)
            if not self.waiting:
                # Later, not now: we may be inside another client's command (serving blocked clients), and
                # running this client's next command there would re-enter the engine.
                self.loop.call_soon(self._pump_if_idle)

    def _pump_if_idle(self) -> None:
        if not self.waiting and not self.closing and not self.in_command:
            self.pump()

    # -- input ---------------------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.client.net_in += len(data)  # CLIENT LIST tot-net-in
        parser = self.parser
        parser.feed(data)
        if self.waiting or self.in_command:
            return
        if ((len(parser.buf) - parser.pos > UNAUTH_MAX_QUERY_BUFFER or self.client.queue)
                and self._close_past_query_limit(parser.pending)):  # (query_limit_passed's usual case first)
            return
        self.pump()

    def query_limit_passed(self, request_bytes: int) -> bool:
        client = self.client
        if request_bytes <= UNAUTH_MAX_QUERY_BUFFER and not client.queue:
            return False  # the usual case: client-query-buffer-limit is at least 1 MB (CONFIG SET's minimum)
        return self.query_limit.exceeded(request_bytes, client.queue, self._query_buffer_limit(), client.authenticated)

    def _query_buffer_limit(self) -> int:
        return self.query_limit.limit(self.engine.config.values["client-query-buffer-limit"])

    def _close_past_query_limit(self, request_bytes: int) -> bool:
        """Close (no reply for this request; the replies before it go out) when the request being received or
        about to run passes the limit."""
        if not self.query_limit_passed(request_bytes):
            return False
        self.flush()
        self.close_now()
        return True

    def _next_command(self) -> list[bytes] | None:
        if not self.queued and self.violation is None:
            limit = 1 << 30 if self.client.authenticated else 1  # AUTH changes how the next one is parsed
            commands, self.violation = self.parser.parse_until_error(self.client.authenticated, limit)
            self.queued.extend(commands)
            if not commands:
                # After a batch that could not pass the limit, an empty buffer cannot either: its queued bytes
                # are within the bound. Otherwise the request being received (and the queue) is checked.
                pending = self.parser.pending
                if pending or not self.within_query_limit:
                    self.within_query_limit = False
                    if self._close_past_query_limit(pending):
                        return None
            else:  # every command later taken from `queued` (also one put back) is among these
                self.within_query_limit = self.query_limit.cannot_exceed(self.parser.parsed_bytes, self.client.queue,
                                                                         self._query_buffer_limit())
        argv = self.queued.popleft() if self.queued else None
        if argv is not None and not self.within_query_limit and self._close_past_query_limit(request_size(argv)):
            return None
        return argv

    def pump(self) -> None:
        """Execute buffered commands in order until one must wait, the client blocks, or the buffer is empty."""
        # in_command is set for the whole round: between two commands nothing can reach data_received (no other
        # event runs), during one a busy script may serve events, and this connection's must wait
        self.in_command = True
        try:
            ran_all = self._pump()
        finally:
            self.in_command = False
        if ran_all:
            self.flush()
            self.engine.before_sleep()  # after this round's replies: BCAST invalidations, the client's own included

    def _pump(self) -> bool:
        """pump's round; True when it ran all it could (False: it stopped to wait, hold or close)."""
        client, server, parser = self.client, self.server, self.parser
        execute, queued, out, batching = server.execute_command, self.queued, self.out, self.batching
        while not self.closing and client.blocked is None:
            if queued and self.within_query_limit:  # parsed already, and cannot pass the query-buffer limit
                argv = queued.popleft()
            elif (not queued and parser.pos >= len(parser.buf) and self.violation is None
                  and (self.within_query_limit or not client.queue)):
                break  # all read has run: what _next_command would find, without its checks
            else:
                argv = self._next_command()
            if argv is None:
                if self.violation == CROSS_PROTOCOL:
                    self.close_now()  # unflushed replies are dropped, as Redis drops them
                    return False
                if self.violation is not None:
                    encode(Err(self.violation), self.client.resp, self.out)
                    self.flush()
                    self.close_now()
                    return False
                break
            if server.halting:
                self.close_now()
                return False
            if batching:
                if not self._run_batch([argv, *self.queued]):
                    return False
                continue
            try:
                result = execute(client, argv)
            except Exception as exc:  # a runtime bug must not kill the connection: the engine's policy answers it
                result = internal_error(argv, exc)
            if result is OK:  # the commonest replies written here, the rest by encode
                out.append(b"+OK\r\n")
            elif type(result) is bytes:
                size = len(result)
                if size < _SHORT_BULK:
                    out += (_BULK_HEADS[size], result, b"\r\n")  # (joined once, by flush)
                else:
                    out.append(b"$%d\r\n%s\r\n" % (size, result))
            elif type(result) is int:
                out.append(b":%d\r\n" % result)
            elif result is POSTPONED:
                self._hold(argv)
                return False
            elif isinstance(result, Future):
                result.argv = argv  # type: ignore[attr-defined]  # what CLIENT PAUSE may hold when it is done
                self.waiting = True
                self.flush()
                result.add_done_callback(lambda f: self._in_loop(self._resume, f))
                return False
            elif result is not NO_REPLY:
                encode(result, client.resp, out)
            if client.close_after_reply:
                self.flush()
                self.close_now()
                return False
        return True

    def _run_batch(self, commands: list[list[bytes]]) -> bool:
        """Hand the commands to the executor at once; True when they are done and pumping may go on now."""
        self.queued.clear()
        batch = self.batch = Batch(self, commands)
        self.server.execute_batch(batch)
        if batch.future.done():
            return self._take_batch(batch)
        self.waiting = True
        self.flush()
        batch.future.add_done_callback(lambda _: self._in_loop(self._batch_done, batch))
        return False

    def _batch_done(self, batch: Batch) -> None:
        self.waiting = False
        if self._take_batch(batch):
            self.pump()

    def _take_batch(self, batch: Batch) -> bool:
        """Queue a finished batch's replies and pushes in order; the commands it did not run go back in line.
        False when pumping must stop (the connection closes, or CLIENT PAUSE holds a command)."""
        self.batch = None
        entries = batch.drain()
        held, replies_left = None, batch.executed
        for entry in entries:
            if type(entry) is _Push:
                self.out.append(entry)
                continue
            reply, resp = entry
            replies_left -= 1
            if reply is POSTPONED:
                held = batch.commands[batch.executed - 1]
            elif replies_left:  # not the last: a close-after-reply (QUIT) set later must not cut it off
                if reply is not NO_REPLY:
                    encode(reply, resp, self.out)
            elif not self.handle(reply):
                return False
        self.queued.extendleft(reversed(batch.commands[batch.executed:]))
        if batch.over_query_limit:
            self.flush()
            self.close_now()
            return False
        if held is not None:
            self._hold(held)
            return False
        return True

    def _resume(self, future: Future) -> None:
        self.waiting = False
        reply = reply_of(future)
        if reply is POSTPONED:
            self._hold(future.argv)  # type: ignore[attr-defined]
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
        if self.out and self.transport is not None and not self.closing:
            data = b"".join(self.out)
            self.client.net_out += len(data)  # CLIENT LIST tot-net-out
            self.transport.write(data)
        self.out.clear()  # in place: pump holds the list
