"""The generated command table (forkdiff/data/commands.json): arity, flags, key positions, tips, argument trees."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

SPEC_PATH = Path(__file__).with_name("data") / "commands.json"


@dataclass(frozen=True)
class CommandSpec:
    name: str  # lower case; subcommands as "config|get"
    arity: int
    flags: frozenset[str]
    first_key: int
    last_key: int
    step: int
    acl_categories: tuple[str, ...]
    tips: tuple[str, ...]
    key_specs: tuple[dict, ...]
    subcommands: tuple[str, ...]
    group: str
    since: str
    arguments: tuple[dict, ...]
    raw: dict = field(compare=False, hash=False, repr=False)

    @property
    def container(self) -> str | None:
        return self.name.split("|", 1)[0] if "|" in self.name else None

    def arity_ok(self, argc: int) -> bool:
        """argc counts the command name (and for subcommands, the subcommand name too)."""
        return argc == self.arity if self.arity > 0 else argc >= -self.arity

    def has_tip(self, tip: str) -> bool:
        return any(t == tip or t.startswith(tip + ":") for t in self.tips)

    def tip_value(self, tip: str) -> str | None:
        for t in self.tips:
            if t.startswith(tip + ":"):
                return t.split(":", 1)[1]
        return None

    @property
    def is_write(self) -> bool:
        return "write" in self.flags

    def key_positions(self, args: Sequence[bytes]) -> list[int]:
        """Indexes of the key arguments in `args` (args[0] is the command name), from the key specs."""
        out: list[int] = []
        argc = len(args)
        for ks in self.key_specs:
            bs, fk = ks.get("begin_search", {}), ks.get("find_keys", {})
            start = _begin_search(bs, args)
            if start is None or start >= argc:
                continue
            ftype, fspec = fk.get("type"), fk.get("spec", {})
            if ftype == "range":
                last, step, limit = fspec.get("lastkey", 0), fspec.get("keystep", 1) or 1, fspec.get("limit", 0)
                if last >= 0:
                    end = start + last
                else:
                    end = argc + last
                    if limit > 1:
                        end = start + (argc - start) // limit - 1
                out.extend(range(start, min(end, argc - 1) + 1, step))
            elif ftype == "keynum":
                kn_idx = start + fspec.get("keynumidx", 0)
                first = start + fspec.get("firstkey", 1)
                step = fspec.get("keystep", 1) or 1
                try:
                    count = int(args[kn_idx])
                except (IndexError, ValueError):
                    continue
                if count <= 0:
                    continue
                out.extend(i for i in range(first, first + count * step, step) if i < argc)
        return out

    def keys(self, args: Sequence[bytes]) -> list[bytes]:
        return [args[i] for i in self.key_positions(args)]


def _begin_search(bs: dict, args: Sequence[bytes]) -> int | None:
    t, spec = bs.get("type"), bs.get("spec", {})
    if t == "index":
        return spec.get("index", 0)
    if t == "keyword":
        keyword = spec.get("keyword", "").lower().encode()
        start = spec.get("startfrom", 1)
        argc = len(args)
        idxs = range(start, argc) if start > 0 else range(argc + start, 0, -1)
        for i in idxs:
            if args[i].lower() == keyword:
                return i + 1
        return None
    return None


class Spec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.server = data.get("server", {})
        self.commands: dict[str, CommandSpec] = {}
        for name, e in data["commands"].items():
            name = name.lower()  # module commands (vector sets) are registered in upper case
            self.commands[name] = CommandSpec(
                name=name, arity=e["arity"], flags=frozenset(e["flags"]), first_key=e["first_key"],
                last_key=e["last_key"], step=e["step"], acl_categories=tuple(e["acl_categories"]),
                tips=tuple(e["tips"]), key_specs=tuple(e["key_specs"]), subcommands=tuple(e["subcommands"]),
                group=e.get("group", ""), since=e.get("since", ""), arguments=tuple(e.get("arguments", [])), raw=e)

    def get(self, name: str) -> CommandSpec | None:
        return self.commands.get(name.lower())

    def __getitem__(self, name: str) -> CommandSpec:
        return self.commands[name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.commands

    def resolve(self, args: Sequence[bytes]) -> CommandSpec | None:
        """The spec for a command line, descending into the subcommand where the command has them."""
        if not args:
            return None
        top = self.commands.get(args[0].decode("utf-8", "replace").lower())
        if top is not None and top.subcommands and len(args) > 1:
            sub = self.commands.get(f"{top.name}|{args[1].decode('utf-8', 'replace').lower()}")
            if sub is not None:
                return sub
        return top

    def top_level(self) -> list[CommandSpec]:
        return [c for c in self.commands.values() if "|" not in c.name]

    def by_group(self, group: str) -> list[CommandSpec]:
        return [c for c in self.top_level() if c.group == group]


@functools.cache
def load_spec(path: str | None = None) -> Spec:
    return Spec(json.loads(Path(path or SPEC_PATH).read_text()))
