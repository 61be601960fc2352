"""Redis's model: one event loop reads, parses, executes every command to completion and writes, in turn."""
from __future__ import annotations

import asyncio
import threading
from typing import Any

from ..blocking import expire_blocked
from ..engine import Engine
from ..protocol import RequestParser
from ..replies import NO_REPLY, Err, encode

TICK_S = 0.01  # blocked-client timeouts are checked this often
EXPIRE_EVERY = 10  # ticks between active expire cycles (hz 10)


class ClientProtocol(asyncio.Protocol):
    def __init__(self, server: "ReactorServer") -> None:
        self.server = server
        self.engine = server.engine
        self.transport: asyncio.Transport | None = None
        self.parser = RequestParser(self.engine.config.get_int("proto-max-bulk-len"))
        self.client: Any = None
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername") or ("?", 0)
        sock = transport.get_extra_info("sockname") or ("?", 0)
        sockobj = transport.get_extra_info("socket")
        self.client = self.engine.new_client(addr=f"{peer[0]}:{peer[1]}", laddr=f"{sock[0]}:{sock[1]}",
                                             fd=sockobj.fileno() if sockobj else -1)
        self.client.deliver = self.deliver
        self.client.extra["close"] = self.close_now

    def deliver(self, reply: Any) -> None:
        if self.transport is None or self.closing or reply is NO_REPLY:
            return
        out: list[bytes] = []
        encode(reply, self.client.resp, out)
        data = b"".join(out)
        self.client.net_out += len(data)
        self.transport.write(data)
        if self.client.blocked is None and self.parser.pending:
            asyncio.get_running_loop().call_soon(self.resume)

    def close_now(self) -> None:
        if self.transport is not None and not self.closing:
            self.closing = True
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        parser = self.parser
        parser.feed(data)
        client = self.client
        client.net_in += len(data)
        if client.blocked is not None:
            return  # commands wait in the buffer until the client is unblocked
        self.process()

    def process(self) -> None:
        parser, client, engine = self.parser, self.client, self.engine
        commands, violation = parser.parse_until_error(client.authenticated)
        out: list[bytes] = []
        for i, argv in enumerate(commands):
            reply = engine.execute(client, argv)
            if reply is not NO_REPLY:
                encode(reply, client.resp, out)
            if client.blocked is not None:
                self._requeue(commands[i + 1:])
                violation = None if not commands[i + 1:] else violation
                break
            if client.close_after_reply:
                self._flush(out)
                self.close_now()
                return
        else:
            if violation is not None:
                encode(Err(violation), client.resp, out)
                self._flush(out)
                self.close_now()
                return
        self._flush(out)
        if parser.pending > engine.config.get_int("client-query-buffer-limit"):
            self.close_now()

    def _requeue(self, rest: list[list[bytes]]) -> None:
        """Commands pipelined behind a blocking one run after it is served: put them back in front."""
        if not rest:
            return
        from forkdiff.resp import encode_command
        self.parser.buf[0:0] = b"".join(encode_command(a) for a in rest)

    def resume(self) -> None:
        if not self.closing and self.client.blocked is None and self.parser.pending:
            self.process()

    def _flush(self, out: list[bytes]) -> None:
        if out and self.transport is not None:
            data = b"".join(out)
            self.client.net_out += len(data)
            self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.engine.drop_client(self.client)
        self.server.connections.discard(self)


class ReactorServer:
    """Serve `engine` on host:port from one asyncio loop (run in a background thread by `start`)."""

    name = "reactor"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, engine: Engine | None = None, **_: Any) -> None:
        self.host, self.port = host, port
        self.engine = engine or Engine()
        self.connections: set[ClientProtocol] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def _protocol(self) -> ClientProtocol:
        proto = ClientProtocol(self)
        self.connections.add(proto)
        return proto

    async def _tick(self) -> None:
        n = 0
        while True:
            await asyncio.sleep(TICK_S)
            n += 1
            engine = self.engine
            before = [p for p in self.connections if p.client is not None and p.client.blocked is not None]
            if before:
                expire_blocked(engine, engine.real_clock())
            for proto in before:
                if proto.client.blocked is None:
                    proto.resume()
            if n % EXPIRE_EVERY == 0:
                engine.active_expire_cycle()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._server = await self.loop.create_server(self._protocol, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        ticker = asyncio.create_task(self._tick())
        self._ready.set()
        try:
            await self._stopped.wait()
        finally:
            ticker.cancel()
            self._server.close()
            for proto in list(self.connections):
                proto.close_now()
            await self._server.wait_closed()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    def start(self) -> "ReactorServer":
        self._thread = threading.Thread(target=self._run, name=f"forkdiff-{self.name}", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def serve_forever(self) -> None:
        self._run()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        if self.loop is not None and self._stopped is not None:
            self.loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
