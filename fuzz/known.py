"""Known divergences: curated in results/known_divergences.toml, each with a reason and a link.

A known divergence is labelled in the catalogue, never hidden: it is still counted, re-run and rendered. Each entry
matches on any of `verdict`, `target`, `command`, `class` (shell-style patterns, e.g. ``target = "redis@6.*"``);
an entry with no matcher matches nothing.

    [[divergence]]
    target = "redis@6.2"
    command = "hgetex"
    reason = "HGETEX arrived in Redis 8.0"
    link = "https://redis.io/docs/latest/commands/hgetex/"
"""
from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "results" / "known_divergences.toml"
MATCHERS = ("verdict", "target", "command", "class")


class KnownFileError(ValueError):
    """The curated file is malformed; the message says where."""


@dataclass(frozen=True)
class Known:
    match: Mapping[str, str]
    reason: str
    link: str

    def matches(self, record: Mapping) -> bool:
        return bool(self.match) and all(fnmatch.fnmatchcase(str(record.get(k, "")), pattern)
                                        for k, pattern in self.match.items())

    def label(self) -> dict:
        return {"reason": self.reason, "link": self.link}


def load_known(path: str | Path | None = None) -> list[Known]:
    p = Path(path) if path else DEFAULT_PATH
    if not p.exists():
        return []
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise KnownFileError(f"{p}: {exc}") from None
    out = []
    for i, entry in enumerate(data.get("divergence", [])):
        if not entry.get("reason") or not entry.get("link"):
            raise KnownFileError(f"{p}: entry {i + 1} needs both a reason and a link")
        out.append(Known({k: str(entry[k]) for k in MATCHERS if k in entry}, entry["reason"], entry["link"]))
    return out


def label(record: Mapping, known: list[Known]) -> dict | None:
    """The first curated entry that matches a divergence record, as its label."""
    for k in known:
        if k.matches(record):
            return k.label()
    return None
