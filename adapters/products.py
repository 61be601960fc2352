"""What each product's server binary is called, how it says what it is, and how it starts for a measurement.

Every flavour starts the server on a loopback port in a scratch directory with no persistence; a product's own
flags (KeyDB's worker threads, Dragonfly's proactor threads and snapshot file) sit next to the common ones, so the
same binary starts the same way whether forkdiff found it on PATH, in an environment setting or as `exec:PATH`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .base import TargetUnavailable

NO_PERSISTENCE = ("--save", "", "--appendonly", "no")
THREADS = "2"  # the machines the table is measured on have two cores


@dataclass(frozen=True)
class BinaryFlavour:
    product: str
    binary_names: tuple[str, ...]  # the usual names on PATH
    version_pattern: str  # matched against `BINARY --version`; group 1 is the version
    logs_to_file: bool = True  # False: the server writes its log on stderr, which is captured to the log file

    def command_line(self, binary: str, port: int, workdir: str) -> list[str]:
        return [binary, *_FLAGS[self.product](port, workdir)]


def _redis_style(port: int, workdir: str) -> list[str]:
    return ["--port", str(port), "--bind", "127.0.0.1", "--dir", workdir, *NO_PERSISTENCE,
            "--daemonize", "no", "--protected-mode", "yes", "--logfile", os.path.join(workdir, "server.log")]


def _keydb(port: int, workdir: str) -> list[str]:
    return [*_redis_style(port, workdir), "--server-threads", THREADS]


def _dragonfly(port: int, workdir: str) -> list[str]:
    # An empty dbfilename turns off the snapshot at shutdown; logs go to stderr, captured beside the scratch dir;
    # no version check (it would call out to the vendor's server at start-up).
    return ["--port", str(port), "--bind", "127.0.0.1", "--dir", workdir, "--dbfilename=",
            f"--proactor_threads={THREADS}", "--logtostderr", "--version_check=false"]


def _garnet(port: int, workdir: str) -> list[str]:
    # Garnet persists nothing unless asked (no --aof, no --recover); Lua is off by default and is compared.
    return ["--port", str(port), "--bind", "127.0.0.1", "--lua"]


_FLAGS = {"redis": _redis_style, "valkey": _redis_style, "keydb": _keydb, "dragonfly": _dragonfly,
          "garnet": _garnet}

FLAVOURS: dict[str, BinaryFlavour] = {f.product: f for f in [
    BinaryFlavour("redis", ("redis-server",), r"Redis server v=(\S+)"),
    BinaryFlavour("valkey", ("valkey-server",), r"Valkey server v=(\S+)"),
    BinaryFlavour("keydb", ("keydb-server",), r"KeyDB server v=(\S+)"),
    BinaryFlavour("dragonfly", ("dragonfly",), r"dragonfly v?(\d+\.\d+\.\d+)", logs_to_file=False),
    BinaryFlavour("garnet", ("GarnetServer",), r"(\d+\.\d+\.\d+)", logs_to_file=False),
]}

# Where a user names a binary for a product: FORKDIFF_KEYDB_BIN=/path/to/keydb-server, or `--bin keydb=PATH`.
ENV_PREFIX = "FORKDIFF_"


def env_name(product: str) -> str:
    return f"{ENV_PREFIX}{product.upper()}_BIN"


def set_binary(assignment: str) -> str:
    """`PRODUCT=PATH` from a `--bin` option into the environment (so child processes see it too)."""
    product, sep, path = assignment.partition("=")
    product = product.strip().lower()
    if not sep or not path or product not in FLAVOURS:
        raise ValueError(f"bad --bin {assignment!r}: expected PRODUCT=PATH with PRODUCT one of "
                         f"{', '.join(sorted(FLAVOURS))}")
    os.environ[env_name(product)] = path
    return product


def configured_binary(product: str) -> Path | None:
    """The binary the user named for a product (environment or --bin), else its usual name on PATH."""
    named = os.environ.get(env_name(product))
    if named:
        return Path(named)
    for name in FLAVOURS[product].binary_names:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


@dataclass(frozen=True)
class Identified:
    product: str
    version: str  # as the binary's --version says; "" when it did not say
    banner: str  # the first line it printed


def identify_binary(path: Path, timeout: float = 10.0) -> Identified:
    """Which product a server binary is, from its `--version` line (then its file name); TargetUnavailable for a
    path that is not an executable file or that prints nothing a known server prints."""
    if not path.is_file():
        raise TargetUnavailable(f"{path}: no such file")
    if not os.access(path, os.X_OK):
        raise TargetUnavailable(f"{path}: not executable")
    banner = _version_banner(path, timeout)
    for flavour in FLAVOURS.values():
        m = re.search(flavour.version_pattern, banner, re.IGNORECASE)
        if m and (flavour.product != "garnet" or "garnet" in (banner + path.name).lower()):
            return Identified(flavour.product, m.group(1).lstrip("v"), banner.splitlines()[0] if banner else "")
    for flavour in FLAVOURS.values():
        if path.name in flavour.binary_names:
            return Identified(flavour.product, "", banner.splitlines()[0] if banner else "")
    shown = banner.splitlines()[0][:120] if banner.strip() else "nothing"
    raise TargetUnavailable(f"{path}: not a RESP server forkdiff knows how to start (`--version` printed {shown!r}; "
                            f"known: {', '.join(n for f in FLAVOURS.values() for n in f.binary_names)})")


def _version_banner(path: Path, timeout: float) -> str:
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise TargetUnavailable(f"{path}: `--version` did not finish within {timeout:.0f}s; "
                                "not a server binary forkdiff knows how to start") from None
    except OSError as exc:
        raise TargetUnavailable(f"{path}: cannot run it ({exc.strerror or exc})") from None
    text = (done.stdout + done.stderr).decode(errors="replace")
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()  # Dragonfly colours its version line
