"""Starting a campaign's targets, and deciding which commands to fuzz on them.

Which commands: those every reference implements (a target that cannot list its commands, like Redis 6.2 without
COMMAND LIST, counts as implementing the whole table), further limited to what an in-process reference server has
registered, since that server is built command group by command group. With ``common=True`` every target's list
counts, so missing commands stop showing as divergences.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from adapters import TargetUnavailable, make_target
from forkdiff.spec import Spec, load_spec


FLUSH_REFUSED = ("{shown} may hold someone's data, and a fuzz campaign empties its servers (FLUSHALL before every "
                 "program) and writes to them; nothing was sent. To allow it, add ?flush=1: {allowed}")


def unflushable_endpoints(names: Iterable[str]) -> list[str]:
    """The refusal for every `tcp://` endpoint among `names` that did not allow flushing (`?flush=1`)."""
    from adapters.endpoint import SCHEME, parse_endpoint
    refusals = []
    for name in names:
        if not isinstance(name, str) or not name.startswith(SCHEME):
            continue
        try:
            may_flush = parse_endpoint(name)[3]
        except TargetUnavailable as exc:
            refusals.append(str(exc))
            continue
        if not may_flush:
            shown = _without_password(name)
            allowed = shown + ("&" if "?" in shown else "?") + "flush=1"
            refusals.append(FLUSH_REFUSED.format(shown=shown, allowed=allowed))
    return refusals


def _without_password(name: str) -> str:
    head, at, tail = name.partition("@")
    return "tcp://***@" + tail if at else name


def may_flush(target: Any) -> bool:
    """Whether a started target may be emptied: every server forkdiff starts, an endpoint only with ?flush=1."""
    return not getattr(target, "spec", "").startswith("tcp://") or bool(getattr(target, "may_flush", False))


def start_targets(names: Sequence[str], factory=make_target) -> dict[str, Any]:
    """Start every target or none: a failure stops the ones already started and raises TargetUnavailable."""
    started: dict[str, Any] = {}
    try:
        for name in names:
            target = factory(name) if isinstance(name, str) else name
            target.start()
            started[target.spec] = target
    except BaseException:
        stop_targets(started)
        raise
    return started


def stop_targets(targets: Mapping[str, Any]) -> None:
    for t in targets.values():
        try:
            t.stop()
        except Exception:  # stopping is best effort: the others must still be stopped
            pass


def is_reference_server(target: Any) -> bool:
    return getattr(target, "spec", "").startswith("reference")


def implemented(target: Any, spec: Spec | None = None) -> set[str] | None:
    """Command names (subcommands as 'client|getname') a target implements, or None when it cannot say."""
    table = spec or load_spec()
    if is_reference_server(target):
        from reference_server.commands import HANDLERS, load_all
        load_all()
        return set(HANDLERS)
    caps = getattr(target, "capabilities", None)
    names = set(caps.commands) if caps is not None else set()
    if not names:
        return None
    out = set(names)
    for name in names:
        top = table.get(name)
        if top is not None and top.subcommands:
            out.update(c for c in table.commands if c.startswith(name + "|"))
    return out


def fuzz_commands(targets: Mapping[str, Any], references: Iterable[str], common: bool = False,
                  spec: Spec | None = None) -> set[str] | None:
    """The command names to fuzz (None: the whole table)."""
    chosen: set[str] | None = None
    refs = set(references)
    for name, target in targets.items():
        if not (name in refs or common or is_reference_server(target)):
            continue
        names = implemented(target, spec)
        if names is not None:
            chosen = names if chosen is None else chosen & names
    return chosen


def versions(targets: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for name, t in targets.items():
        caps = getattr(t, "capabilities", None)
        out[name] = f"{caps.product} {caps.version}" if caps is not None else "unknown"
    return out


__all__ = ["TargetUnavailable", "unflushable_endpoints", "may_flush", "start_targets", "stop_targets", "fuzz_commands", "implemented", "versions"]
