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
        """Indexes of the key arguments in `args` (args[0] is the command name), from the key specs.

        Like Redis's partial key search (what ACL and cluster checks use): a spec that does not fit the arguments
        contributes nothing, the others still count; specs marked NOT_KEY (shard channels) are not keys."""
        return [i for i, _flags in self.key_refs(args, partial=True) or ()]

    def keys(self, args: Sequence[bytes]) -> list[bytes]:
        return [args[i] for i in self.key_positions(args)]

    def key_refs(self, args: Sequence[bytes], *, partial: bool = False,
                 include_not_keys: bool = False) -> list[tuple[int, tuple[str, ...]]] | None:
        """(index, key-spec flags) of every key, as Redis's getKeysUsingKeySpecs finds them.

        None when a spec cannot be applied (a bad or out-of-range numkeys, an 'unknown' or INCOMPLETE spec) and
        `partial` is false: Redis then falls back to the command's own key-finding function."""
        out: list[tuple[int, tuple[str, ...]]] = []
        for ks in self.key_specs:
            flags = tuple(ks.get("flags", ()))
            if "not_key" in flags and not include_not_keys:
                continue
            found = _apply_key_spec(ks, args)
            if found is _NOT_FOUND:
                continue
            if found is not None:
                out.extend((i, flags) for i in found)
            if found is None or "incomplete" in flags:
                if partial:
                    continue
                return None
        return out


_NOT_FOUND = object()  # a keyword spec whose keyword is absent: the spec simply finds no key


def _apply_key_spec(ks: dict, args: Sequence[bytes]) -> range | object | None:
    """The key indexes one spec selects; None when it does not fit the arguments."""
    first = _begin_search(ks.get("begin_search", {}), args)
    if first is None or first is _NOT_FOUND:
        return first
    fk, argc = ks.get("find_keys", {}), len(args)
    ftype, spec = fk.get("type"), fk.get("spec", {})
    if ftype == "range":
        step, lastkey, limit = spec.get("keystep", 1) or 1, spec.get("lastkey", 0), spec.get("limit", 0)
        if lastkey >= 0:
            last = first + lastkey
        elif not limit:
            last = argc + lastkey
        else:
            last = first + (argc - first) // limit + lastkey
    elif ftype == "keynum":
        step = spec.get("keystep", 1) or 1
        numkeys_at = first + spec.get("keynumidx", 0)
        numkeys = _int_or_none(args[numkeys_at]) if numkeys_at < argc else None
        if numkeys is None or numkeys < 0:
            return None
        first += spec.get("firstkey", 1)
        last = first + numkeys - 1
    else:
        return None
    if last >= argc or last < first or first >= argc:
        return None
    return range(first, last + 1, step)


def _int_or_none(arg: bytes) -> int | None:
    text = arg.decode("ascii", "replace")
    if not text or text != text.strip() or text.startswith("+") or (len(text.lstrip("-")) > 1 and
                                                                   text.lstrip("-").startswith("0")):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _begin_search(bs: dict, args: Sequence[bytes]) -> int | object | None:
    """Where a spec's keys start; _NOT_FOUND for an absent keyword, None for a search type Redis cannot apply."""
    t, spec = bs.get("type"), bs.get("spec", {})
    if t == "index":
        return spec.get("index", 0)
    if t == "keyword":
        keyword = spec.get("keyword", "").lower().encode()
        start = spec.get("startfrom", 1)
        argc = len(args)
        # Redis never looks at the last argument forwards, nor at argument 1 backwards
        idxs = range(start, argc - 1) if start > 0 else range(argc + start, 1, -1)
        for i in idxs:
            if 1 <= i < argc and args[i].lower() == keyword:
                return i + 1
        return _NOT_FOUND
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
