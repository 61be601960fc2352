"""Checks on an output directory, made before any server starts, so a bad `--out` costs nothing."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def out_dir_problem(path: Path) -> str | None:
    """Why `path` cannot take a command's output (one line), or None once it exists and takes a file."""
    if path.exists() and not path.is_dir():
        return f"--out {path} is a file, not a directory"
    try:
        path.mkdir(parents=True, exist_ok=True)
        # as root, permission bits say nothing (a read-only mount still refuses): write a file to know
        fd, probe = tempfile.mkstemp(prefix=".forkdiff-write-check-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"--out {path} cannot be written: {exc.strerror or exc}"
    return None
