"""The reference server in a process of its own (`forkdiff serve`), for campaigns.

In this process the reference shares the interpreter lock with Hypothesis, the reply parser and the comparison, so
every command costs its execution plus the fuzzer's own work on one core. Out of process it runs on the other
core. It is the same code and the same target name ("reference"), so records and catalogues do not change.
"""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from adapters import make_target
from adapters.binary import BinaryTarget

ROOT = Path(__file__).resolve().parent.parent
# Blocked clients' timeouts follow the server's hz, which the Runner sets to 500 on servers it starts, so a fuzz
# program's 2-5 ms blocking waits end on time here as they do on Redis.


class ReferenceProcess(BinaryTarget):
    """`reference` or `reference:RUNTIME`, spawned; its stdout and stderr (tracebacks) are the log."""

    def __init__(self, spec: str = "reference") -> None:
        super().__init__(spec, sys.executable)
        self.runtime = spec.split(":", 1)[1] if ":" in spec else "reactor"

    def command_line(self, port: int, workdir: str) -> list[str]:
        args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--runtime", self.runtime]
        serve = [self.binary, "-m", "forkdiff", *args]
        log = str(Path(workdir, "server.log"))
        script = f"cd {shlex.quote(str(ROOT))} && exec {shlex.join(serve)} >{shlex.quote(log)} 2>&1"
        return ["/bin/sh", "-c", script]


def campaign_target(name: str, in_process: bool = False) -> Any:
    """A target for a fuzz campaign: the reference out of process unless `in_process`."""
    if not in_process and (name == "reference" or name.startswith("reference:")):
        return ReferenceProcess(name)
    return make_target(name)
