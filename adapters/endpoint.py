"""A server that already runs somewhere: `tcp://[password@]HOST:PORT[?flush=1]`.

forkdiff neither starts nor stops it, and never flushes it unless the spec says `?flush=1`: it may hold someone's
data.
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from forkdiff.client import Connection
from forkdiff.types import Kind

from .base import Capabilities, TargetUnavailable, probe

SCHEME = "tcp://"
USAGE = "tcp://[password@]HOST:PORT[?flush=1]"


def parse_endpoint(spec: str) -> tuple[str, int, str | None, bool]:
    """(host, port, password, may_flush) from a spec, or TargetUnavailable naming what is wrong with it."""
    parts = urlsplit(spec)
    if parts.scheme != "tcp" or parts.path not in ("", "/") or parts.fragment:
        raise TargetUnavailable(f"bad endpoint {spec!r}: expected {USAGE}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise TargetUnavailable(f"bad endpoint {spec!r}: {exc}") from None
    if not host or port is None:
        raise TargetUnavailable(f"bad endpoint {spec!r}: HOST and PORT are both needed ({USAGE})")
    return host, port, _password(spec, parts), _may_flush(spec, parts.query)


def _password(spec: str, parts) -> str | None:
    if parts.password is not None:
        raise TargetUnavailable(f"bad endpoint {spec!r}: give only a password before '@' ({USAGE})")
    return unquote(parts.username) if parts.username else None


def _may_flush(spec: str, query: str) -> bool:
    params = parse_qs(query, keep_blank_values=True)
    unknown = set(params) - {"flush"}
    if unknown:
        raise TargetUnavailable(f"bad endpoint {spec!r}: unknown option(s) {', '.join(sorted(unknown))}")
    values = params.get("flush", ["0"])
    if values[-1] not in ("0", "1"):
        raise TargetUnavailable(f"bad endpoint {spec!r}: flush must be 0 or 1")
    return values[-1] == "1"


class EndpointTarget:
    restartable = False  # someone else's server: when it stops answering, the run stops using it

    def __init__(self, spec: str, connect_timeout: float = 3.0) -> None:
        self.spec = spec
        self.host, self.port, self.password, self.may_flush = parse_endpoint(spec)
        self.connect_timeout = connect_timeout
        self.source = f"endpoint {self.host}:{self.port}"  # how the server was obtained, shown in its row
        self.capabilities: Capabilities | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def start(self) -> None:
        """Connect and probe; the server itself is left as it is."""
        if not self.is_alive():
            raise TargetUnavailable(f"{self._shown()}: nothing answers PING at {self.host}:{self.port}")
        try:
            self.capabilities = probe(self.address, password=self.password)
        except (OSError, ConnectionError) as exc:
            raise TargetUnavailable(f"{self._shown()}: {exc}") from None

    def stop(self) -> None:
        """Nothing to do: forkdiff did not start this server and must not stop it."""

    def restart(self) -> None:
        self.start()

    def is_alive(self) -> bool:
        try:
            with Connection(self.host, self.port, timeout=self.connect_timeout,
                            connect_timeout=self.connect_timeout) as c:
                reply = c.call("PING")
        except OSError:
            return False
        return reply.kind is Kind.SIMPLE or reply.error_code in ("NOAUTH", "WRONGPASS")

    def log_tail(self, lines: int = 40) -> str:
        return ""

    def _shown(self) -> str:
        """The spec without its password, for messages."""
        if self.password is None:
            return self.spec
        return self.spec.replace(self.spec[len(SCHEME):self.spec.index("@") + 1], "***@", 1)

    def __enter__(self) -> "EndpointTarget":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
