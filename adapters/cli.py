"""`forkdiff targets [--probe]`: every known target, how it is started here, and whether it can be now."""
from __future__ import annotations

import argparse

from tabulate import tabulate

from .base import TargetUnavailable
from .catalogue import TargetInfo, describe, make_target

OTHER_SPECS = ("Also: docker:IMAGE[:TAG] (any image present locally; never pulled), "
               "tcp://[password@]HOST:PORT[?flush=1] (a running server; flushed only with flush=1), "
               "reference:RUNTIME.")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("targets", help="list the known targets and whether each can be started here")
    p.add_argument("--probe", action="store_true",
                   help="start each available target, read its product and version from INFO server, stop it")
    p.set_defaults(func=cmd_targets)


def cmd_targets(args: argparse.Namespace) -> int:
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
