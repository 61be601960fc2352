"""`forkdiff targets [--probe]`: every known target, how it is started here, and whether it can be now."""
from __future__ import annotations

import argparse
import sys

from tabulate import tabulate

from .base import TargetUnavailable
from .catalogue import TargetInfo, describe, make_target
from .products import set_binary

OTHER_SPECS = ("Also: docker:IMAGE[:TAG] (any image present locally; never pulled), "
               "tcp://[password@]HOST:PORT[?flush=1] (a running server; flushed only with flush=1), "
               "exec:PATH (any RESP server binary, started with its product's flags), reference:RUNTIME.")


def add_bin_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bin", action="append", default=[], metavar="PRODUCT=PATH",
                   help="run PRODUCT (keydb, dragonfly, garnet, ...) from this server binary "
                        "(same as FORKDIFF_<PRODUCT>_BIN=PATH)")


def apply_bin_options(args: argparse.Namespace, prog: str) -> bool:
    """Put every --bin into the environment (child processes inherit it); False after printing a bad one."""
    for assignment in getattr(args, "bin", []):
        try:
            set_binary(assignment)
        except ValueError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return False
    return True


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("targets", help="list the known targets and whether each can be started here")
    p.add_argument("--probe", action="store_true",
                   help="start each available target, read its product and version from INFO server, stop it")
    add_bin_option(p)
    p.set_defaults(func=cmd_targets)


def cmd_targets(args: argparse.Namespace) -> int:
    if not apply_bin_options(args, "forkdiff targets"):
        return 2
    infos = describe()
    headers = ["spec", "kind", "product", "version", "started as", "status"]
    rows = [[i.spec, i.kind, i.product, i.version, i.started_as, _status(i)] for i in infos]
    if args.probe:
        headers.append("probed")
        for row, info in zip(rows, infos):
            row.append(probe_target(info.spec) if info.available else "-")
    print(tabulate(rows, headers=headers))
    print()
    print(OTHER_SPECS)
    return 0


def _status(info: TargetInfo) -> str:
    return "available" if info.available else f"unavailable: {info.problem}"


def probe_target(spec: str) -> str:
    """'product version' as the running server reports it, or why it could not be started."""
    try:
        target = make_target(spec)
        target.start()
    except TargetUnavailable as exc:
        return f"failed: {str(exc).splitlines()[0]}"
    try:
        caps = target.capabilities
        return f"{caps.product} {caps.version}" if caps else "failed: no capabilities probed"
    finally:
        target.stop()
