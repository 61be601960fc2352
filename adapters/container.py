"""Run a server image in the local Docker engine through testcontainers.

Never pulls: the image must already be present locally (a conformance run must not depend on a registry, and an
unpinned pull would change the server under test silently). The server's port is published on 127.0.0.1 only, the
server starts without persistence, readiness is a PING with a deadline, and the container's log tail is shown when
it fails to come up. Containers are removed on stop, at exit and on SIGTERM.
"""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from forkdiff.client import wait_ready

from . import lifecycle
from .base import Capabilities, TargetUnavailable, probe

# The reaper container would itself need a pull; our own atexit/SIGTERM cleanup removes what we start.
os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"

SERVER_PORT = 6379  # inside the container; published on a free loopback port
_WITHOUT_PERSISTENCE = ("--save", "", "--appendonly", "no")
_LISTEN_FOR_DOCKER = ("--port", str(SERVER_PORT), "--bind", "0.0.0.0", "--protected-mode", "no")


@dataclass(frozen=True)
class Flavour:
    """How one product's image is started: arguments given after the image's own entrypoint."""
    product: str
    args: tuple[str, ...]
    unlimited_memlock: bool = False  # io_uring based servers ask for it in their docs


FLAVOURS: dict[str, Flavour] = {
    "redis": Flavour("redis", _LISTEN_FOR_DOCKER + _WITHOUT_PERSISTENCE),
    "valkey": Flavour("valkey", _LISTEN_FOR_DOCKER + _WITHOUT_PERSISTENCE),
    # The KeyDB image's entrypoint prepends keydb-server to a *.conf first argument.
    "keydb": Flavour("keydb", ("/etc/keydb/keydb.conf", *_LISTEN_FOR_DOCKER, *_WITHOUT_PERSISTENCE)),
    # An empty dbfilename turns off Dragonfly's snapshot on shutdown; it binds every interface by default.
    "dragonfly": Flavour("dragonfly", ("--port", str(SERVER_PORT), "--dbfilename="), unlimited_memlock=True),
    # Garnet persists nothing unless asked (no --aof, no --recover); Lua is off by default and scripting is
    # part of what we compare.
    "garnet": Flavour("garnet", ("--port", str(SERVER_PORT), "--lua"), unlimited_memlock=True),
}


def flavour_for(image: str) -> Flavour:
    """The start arguments for an image, from the product its repository name mentions (Redis-style otherwise)."""
    repository = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0].lower()
    path = image.split("@", 1)[0].lower()
    for name in ("dragonfly", "keydb", "garnet", "valkey"):
        if name in repository or f"/{name}" in path:
            return FLAVOURS[name]
    return FLAVOURS["redis"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def docker_engine() -> Any:
    """A connected docker SDK client, or TargetUnavailable saying why there is none."""
    try:
        import docker
    except ImportError:
        raise TargetUnavailable("the docker SDK is not installed (pip install 'forkdiff[containers]')") from None
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - every failure here means the same thing to the user
        raise TargetUnavailable(f"no Docker engine is reachable ({_first_line(exc)})") from None
    return client


def image_present(client: Any, image: str) -> bool:
    import docker
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def registry_host(image: str) -> str:
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return first.split(":", 1)[0]
    return "registry-1.docker.io"


def registry_reachable(image: str, timeout: float = 1.5) -> bool:
    """Whether the image's registry answers on HTTPS at all; used only to word the advice, never to pull."""
    try:
        with socket.create_connection((registry_host(image), 443), timeout=timeout):
            return True
    except OSError:
        return False


def missing_image_reason(image: str) -> str:
    if registry_reachable(image):
        return f"image {image} is not present locally; forkdiff never pulls: run `docker pull {image}` first"
    return (f"image {image} is not present locally and no registry is reachable; "
            "load it with `docker load` or build it")


def require_image(image: str) -> None:
    """TargetUnavailable unless the engine is reachable and already holds the image."""
    client = docker_engine()
    try:
        present = image_present(client, image)
    finally:
        client.close()
    if not present:
        raise TargetUnavailable(missing_image_reason(image))


class ContainerTarget:
    may_flush = True

    def __init__(self, spec: str, image: str, flavour: Flavour | None = None, ready_timeout: float = 30.0) -> None:
        self.spec = spec
        self.image = image
        self.flavour = flavour or flavour_for(image)
        self.ready_timeout = ready_timeout
        self.source = f"image {image}"  # how the server was obtained, shown in its row
        self.capabilities: Capabilities | None = None
        self._container: Any = None
        self._port = 0
        self.unlimited_memlock = False  # whether the running container got it (the engine may refuse)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self._port)

    @property
    def container_id(self) -> str | None:
        wrapped = self._wrapped()
        return wrapped.id if wrapped is not None else None

    def start(self) -> None:
        require_image(self.image)
        self._launch(self.flavour.unlimited_memlock)
        self._port = self._published_port()
        if not self._port:
            self._fail("server exited before it was ready" if not self.is_alive() else "docker published no port")
        self._wait_ready()
        self.capabilities = probe(self.address)

    def _fail(self, reason: str) -> None:
        """Remove the container and raise, with its log tail: the server's own words are usually the answer."""
        tail = self.log_tail()
        self.stop()
        raise TargetUnavailable(f"{self.spec}: {reason}" + (f"\n{tail}" if tail else ""))

    def _launch(self, unlimited_memlock: bool) -> None:
        self.unlimited_memlock = unlimited_memlock
        lifecycle.track(self)
        try:
            self._container = self._describe_container(unlimited_memlock)
            self._container.start()
        except TargetUnavailable:
            self.stop()
            raise
        except Exception as exc:  # noqa: BLE001 - docker's errors are many; the user needs one line
            if unlimited_memlock and "rlimit" in str(exc):
                # Confined or rootless engines refuse it; on kernels since 5.12 the servers run without it.
                self.stop()
                return self._launch(False)
            self._fail(f"docker could not run {self.image}: {_first_line(exc)}")

    def _describe_container(self, unlimited_memlock: bool) -> Any:
        try:
            from testcontainers.core.config import testcontainers_config
            from testcontainers.core.container import DockerContainer
        except ImportError:
            raise TargetUnavailable("testcontainers is not installed (pip install 'forkdiff[containers]')") from None
        testcontainers_config.ryuk_disabled = True
        container = DockerContainer(self.image, command=list(self.flavour.args),
                                    name=f"forkdiff-{self.flavour.product}-{uuid.uuid4().hex[:8]}")
        # with_bind_ports cannot name a host address; docker reads a 1-tuple as "this address, any free port".
        container.ports[f"{SERVER_PORT}/tcp"] = ("127.0.0.1",)
        extra: dict[str, Any] = {}
        if unlimited_memlock:
            from docker.types import Ulimit
            extra["ulimits"] = [Ulimit(name="memlock", soft=-1, hard=-1)]
        return container.with_kwargs(network="bridge", labels={"org.forkdiff.spec": self.spec}, **extra)

    def _published_port(self) -> int:
        """The loopback port docker chose, or 0 when there is none (a container that already exited has none)."""
        wrapped = self._wrapped()
        try:
            wrapped.reload()
            bindings = wrapped.attrs["NetworkSettings"]["Ports"].get(f"{SERVER_PORT}/tcp") or []
        except Exception:  # noqa: BLE001 - gone already: the caller reports it with the log tail
            return 0
        return next((int(b["HostPort"]) for b in bindings if b.get("HostPort")), 0)

    def _wait_ready(self) -> None:
        try:
            wait_ready(self.address, self.ready_timeout, self.is_alive)
        except (TimeoutError, RuntimeError) as exc:
            self._fail(str(exc))

    def _wrapped(self) -> Any:
        if self._container is None or self._container._container is None:
            return None
        return self._container.get_wrapped_container()

    def is_alive(self) -> bool:
        wrapped = self._wrapped()
        if wrapped is None:
            return False
        try:
            wrapped.reload()
        except Exception:  # noqa: BLE001 - removed, or the engine went away: either way not alive
            return False
        return wrapped.status == "running"

    def log_tail(self, lines: int = 40) -> str:
        wrapped = self._wrapped()
        if wrapped is None:
            return ""
        try:
            return wrapped.logs(tail=lines).decode(errors="replace").rstrip()
        except Exception:  # noqa: BLE001 - logs are a courtesy on the failure path
            return ""

    def stop(self) -> None:
        container, self._container = self._container, None
        lifecycle.untrack(self)
        if container is None:
            return
        try:
            container.stop()  # removes the container (forced) with its anonymous volumes
        except Exception:  # noqa: BLE001 - already gone, or the engine is gone with it
            pass

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "ContainerTarget":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
