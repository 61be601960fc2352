"""Client-side caching (CLIENT TRACKING): which clients may hold which keys, and the invalidation messages.

Default mode: the keys a tracking client reads with a read-only command (inside EXEC or a script too) are
remembered in one table for the whole server (key names, not per database) as key -> client ids. When such a key
changes, each remembered client receives one invalidation and the key is forgotten until it is read again. A
client's entries are dropped lazily: disabling tracking or disconnecting leaves them in the table.

BCAST mode: clients register prefixes instead; every changed key that starts with a prefix is collected with the
client that last changed it, and once per round of the event loop each prefix sends its keys (sorted, one message)
to its clients. A NOLOOP client is not told about keys it changed itself; a key that expired (no client) reaches it.

FLUSHDB and FLUSHALL empty the table and send every tracking client a null ("everything is invalid").

Messages go out as Redis's sendTrackingMessage writes them: a push `>2 invalidate <keys>` to a RESP3 client, or,
with REDIRECT to a RESP2 client in pub/sub mode, a message on `__redis__:invalidate`. A redirect to a client that is
gone marks the tracking client (broken_redirect) and tells it with a `tracking-redir-broken` push in RESP3.
Invalidations for the client whose command caused them wait until that command's reply (after a whole EXEC or
script); everything is delivered through pubsub.send_push, the path pub/sub messages take.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .commands.getkeys import command_keys
from .pubsub import send_push
from .replies import Push, Raw

CHANNEL = b"__redis__:invalidate"
FLUSHED = object()  # the payload of a flush invalidation: a null, in the tracking client's own protocol
# Read-only script runners are not tracked themselves: the commands their scripts run are.
_SCRIPT_RUNNERS = frozenset({"eval_ro", "evalsha_ro", "fcall_ro"})


@dataclass(eq=False)
class Prefix:
    """One BCAST prefix: its clients, and the keys changed this round with the client that last changed each."""

    clients: dict[int, Any] = field(default_factory=dict)
    keys: dict[bytes, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Tracking:
    table: dict[bytes, dict[int, None]] = field(default_factory=dict)  # key -> ids of clients that read it
    items: int = 0  # ids stored across the table (INFO tracking_total_items)
    prefixes: dict[bytes, Prefix] = field(default_factory=dict)
    pending: bool = False  # some prefix holds keys to broadcast
    aged: bool = False  # ...and they were already pending at the previous timer tick
    lock: threading.RLock = field(default_factory=threading.RLock)


# -- state and hooks -----------------------------------------------------------------------------------------------
def state(engine: Any) -> Tracking:
    """The engine's tracking table, created when a client first enables tracking, with the hooks that feed it."""
    current = engine.extensions.get("tracking")
    if current is None:
        current = engine.extensions.setdefault("tracking", Tracking())
        for hooks in ("reset_hooks", "drop_hooks"):
            engine.extensions.setdefault(hooks, []).append(disable)
        engine.extensions.setdefault("after_command_hooks", []).append(_after_command)
        engine.extensions.setdefault("before_sleep_hooks", []).append(_before_sleep)
        engine.arm_call_hook(remember_keys)  # after every command (inside EXEC and scripts too): what it read
        engine.extensions.setdefault("served_hooks", []).append(_served)
        for db in engine.keyspace.dbs:
            db.on_modified = _modified_hook(engine, db.on_modified)
    return current


def _modified_hook(engine: Any, previous: Any) -> Any:
    """Invalidate on every modified key, then tell whoever listened before (the replication stream's count)."""
    def on_modified(db: Any, key: bytes, expired: bool) -> None:
        key_modified(engine, key, expired)
        if previous is not None:
            previous(db, key, expired)
    return on_modified


def settings(client: Any) -> dict | None:
    """The client's tracking settings (see commands/client_tracking.py), None when tracking is off."""
    return client.extra.get("tracking")


def enable(engine: Any, client: Any, prefixes: list[bytes]) -> None:
    """Register a BCAST client for its prefixes (already checked and stored in its settings)."""
    tracking = state(engine)
    with tracking.lock:
        for prefix in prefixes:
            tracking.prefixes.setdefault(prefix, Prefix()).clients[client.id] = client


def disable(engine: Any, client: Any) -> None:
    """CLIENT TRACKING OFF, RESET, a closed connection: the client leaves its prefixes; its table entries stay."""
    mine = client.extra.pop("tracking", None)
    tracking = engine.extensions.get("tracking")
    if mine is None or tracking is None or not mine["bcast"]:
        return
    with tracking.lock:
        for prefix in mine["prefixes"]:
            registered = tracking.prefixes.get(prefix)
            if registered is None:
                continue
            registered.clients.pop(client.id, None)
            if not registered.clients:
                del tracking.prefixes[prefix]


# -- remembering reads ---------------------------------------------------------------------------------------------
def remember_keys(engine: Any, client: Any, spec: Any, argv: list[bytes], _elapsed_us: int) -> None:
    """A call hook: after a read-only command, remember its keys for the client that sent it (a script's caller)."""
    if "readonly" not in spec.flags or spec.name in _SCRIPT_RUNNERS:
        return
    tracker = client.extra.get("script_caller") or client
    mine = settings(tracker)
    if mine is None or mine["bcast"] or "pubsub" in spec.flags:
        return
    if (mine["optin"] and not mine["caching"]) or (mine["optout"] and mine["caching"]):
        return
    keys = command_keys(spec, argv)
    if keys:
        remember(engine, tracker, keys)


def _served(engine: Any, client: Any, op: Any) -> None:
    """A blocked read-only command (XREAD) that was served ran again, as Redis re-runs it: its keys again."""
    spec = engine.spec.get(op.command) if op.command else None
    mine = settings(client)
    if spec is not None and "readonly" in spec.flags and mine is not None and not mine["bcast"]:
        remember(engine, client, op.keys)


def remember(engine: Any, tracker: Any, keys: list[bytes]) -> None:
    tracking = state(engine)
    with tracking.lock:
        for key in keys:
            ids = tracking.table.setdefault(key, {})
            if tracker.id not in ids:
                ids[tracker.id] = None
                tracking.items += 1


# -- invalidating --------------------------------------------------------------------------------------------------
def key_modified(engine: Any, key: bytes, expired: bool = False) -> None:
    """A key changed (Redis's trackingInvalidateKey from signalModifiedKey); `expired`: no client changed it."""
    tracking = engine.extensions["tracking"]
    modifier = None if expired else engine.executing_client()
    with tracking.lock:
        for prefix, registered in tracking.prefixes.items():
            if key.startswith(prefix):
                registered.keys[key] = modifier
                tracking.pending = True
        ids = tracking.table.pop(key, None)
        if ids:
            tracking.items -= len(ids)
    if ids:
        _invalidate(engine, key, ids, engine.current_client())


def _invalidate(engine: Any, key: bytes, ids: dict[int, None], current: Any) -> None:
    for client_id in ids:
        target = engine.clients.get(client_id)
        mine = settings(target) if target is not None else None
        if mine is None or mine["bcast"]:  # gone, tracking off, or switched to BCAST since it read the key
            continue
        if target is current:
            if not mine["noloop"]:
                target.extra.setdefault("tracking_pending", []).append(key)
            continue
        send(engine, target, [key])


def flushed(engine: Any) -> None:
    """FLUSHDB/FLUSHALL: every tracking client hears that all keys are invalid; the table is emptied."""
    tracking = engine.extensions.get("tracking")
    if tracking is None:
        return
    current = engine.current_client()
    for client in list(engine.clients.values()):
        if settings(client) is None:
            continue
        if client is current:
            client.extra.setdefault("tracking_pending", []).append(FLUSHED)
        else:
            send(engine, client, FLUSHED)
    with tracking.lock:
        tracking.table.clear()
        tracking.items = 0


def send(engine: Any, tracker: Any, keys: Any) -> None:
    """One invalidation for `tracker`: to itself or to its redirect client, in the form that client can take."""
    mine = settings(tracker)
    redirect = mine["redirect"] if mine is not None else 0
    receiver = tracker
    if redirect:
        receiver = engine.clients.get(redirect)
        if receiver is None:
            if mine is not None:
                mine["broken_redirect"] = True
            if tracker.resp == 3:
                send_push(engine, tracker, Push([b"tracking-redir-broken", redirect]))
            return
    body = Raw(b"_\r\n" if tracker.resp == 3 else b"$-1\r\n") if keys is FLUSHED else keys
    if receiver.resp == 3:
        message = Push([b"invalidate", body])
    elif redirect and "pubsub" in receiver.flags:
        message = Push([b"message", CHANNEL, body])
    else:
        return  # RESP2 without a redirect to a subscriber: nothing can carry the message
    send_push(engine, receiver, message)


# -- after each command, before each sleep ---------------------------------------------------------------------------
def _after_command(engine: Any, client: Any, argv: list[bytes]) -> None:
    mine = settings(client)
    if mine is not None and mine["caching"] and not client.in_multi and not _is_client_command(engine, argv):
        mine["caching"] = False  # CLIENT CACHING applies to the next command (or transaction) only
    _limit_table(engine, client)
    pending = client.extra.pop("tracking_pending", None)
    for keys in pending or ():
        send(engine, client, keys if keys is FLUSHED else [keys])


def _is_client_command(engine: Any, argv: list[bytes]) -> bool:
    """Was it a CLIENT subcommand (which leaves CLIENT CACHING's flag for the command after it)?"""
    if len(argv) < 2 or argv[0].lower() != b"client":
        return False
    name = b"client|" + argv[1].lower()
    return name.decode("utf-8", "surrogateescape") in engine.handlers


def _limit_table(engine: Any, current: Any) -> None:
    """tracking-table-max-keys: past it, random keys are invalidated (as if changed) until the table fits."""
    tracking = engine.extensions["tracking"]
    if not tracking.table:
        return
    limit = engine.config.get_int("tracking-table-max-keys")
    if not limit or len(tracking.table) <= limit:
        return
    with tracking.lock:
        excess = len(tracking.table) - limit
        evicted = [(key, tracking.table.pop(key)) for key in engine.rng.sample(list(tracking.table), excess)]
        tracking.items -= sum(len(ids) for _, ids in evicted)
    for key, ids in evicted:
        _invalidate(engine, key, ids, current)


def _before_sleep(engine: Any, timer: bool) -> None:
    """Broadcast the keys collected for BCAST prefixes. A connection's round ends with it; the timer sends only keys
    no round has sent for a whole tick (expiries), so it never splits one client's pipeline into two messages."""
    tracking = engine.extensions["tracking"]
    if not tracking.pending:
        return
    if timer and not tracking.aged:
        tracking.aged = True
        return
    broadcast(engine)


def broadcast(engine: Any) -> None:
    tracking = engine.extensions["tracking"]
    with tracking.lock:
        rounds = []
        for prefix in sorted(tracking.prefixes):
            registered = tracking.prefixes[prefix]
            if registered.keys:
                rounds.append((registered.keys, list(registered.clients.values())))
                registered.keys = {}
        tracking.pending = tracking.aged = False
    for changed, clients in rounds:
        keys = sorted(changed)
        for client in clients:
            mine = settings(client)
            if mine is not None and mine["noloop"]:
                others = [key for key in keys if changed[key] is not client]
                if others:
                    send(engine, client, others)
            else:
                send(engine, client, keys)


# -- INFO ----------------------------------------------------------------------------------------------------------
def totals(engine: Any) -> dict[str, int]:
    """INFO stats: tracking_total_keys, tracking_total_items, tracking_total_prefixes."""
    tracking = engine.extensions.get("tracking")
    if tracking is None:
        return {}
    with tracking.lock:
        return {"tracking_total_keys": len(tracking.table), "tracking_total_items": tracking.items,
                "tracking_total_prefixes": len(tracking.prefixes)}


def client_count(engine: Any) -> int:
    """INFO clients: tracking_clients."""
    return sum(1 for client in list(engine.clients.values()) if settings(client) is not None)
