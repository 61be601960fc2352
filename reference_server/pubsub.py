"""Pub/sub state: who listens to which channel, pattern or shard channel, and delivery of published messages.

Three namespaces behave alike: plain channels (SUBSCRIBE/PUBLISH), patterns matched against published channel names
(PSUBSCRIBE), and shard channels (SSUBSCRIBE/SPUBLISH), which are counted apart. The server side maps each name to
its subscribers in subscription order; each client keeps its own names in ``client.extra["pubsub"]``.

Messages to other clients go out through ``client.deliver`` at once, so one publisher's messages arrive in the
order it published them. A message to the client whose command is running (PUBLISH to itself in RESP3, inside EXEC or
a script, or a keyspace notification of its own write) is held in ``client.extra["pending_pushes"]``: the engine
writes it after the command's reply, as Redis 7.2+ does (see `send_push`).

The state has its own lock: threaded runtimes lock shard channels by their key stripes only (SSUBSCRIBE and SPUBLISH
declare their channels as keys), so two of them may touch the tables at once.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .glob import stringmatch
from .replies import Push, Pushes


@dataclass(frozen=True)
class Namespace:
    """One kind of subscription: its confirmation words and the message type it delivers."""

    name: str  # key in the per-client table
    subscribe_word: bytes
    unsubscribe_word: bytes
    message_word: bytes


CHANNELS = Namespace("channels", b"subscribe", b"unsubscribe", b"message")
PATTERNS = Namespace("patterns", b"psubscribe", b"punsubscribe", b"pmessage")
SHARD_CHANNELS = Namespace("shard", b"ssubscribe", b"sunsubscribe", b"smessage")
NAMESPACES = (CHANNELS, PATTERNS, SHARD_CHANNELS)


@dataclass(eq=False)
class PubSub:
    """Server-wide tables: name -> {client id: client}, in subscription order."""

    tables: dict[str, dict[bytes, dict[int, Any]]] = field(
        default_factory=lambda: {ns.name: {} for ns in NAMESPACES})
    lock: threading.RLock = field(default_factory=threading.RLock)


# -- state and hooks -----------------------------------------------------------------------------------------------
def state(engine: Any) -> PubSub:
    """The engine's pub/sub tables, created on first use together with the hooks that keep them clean."""
    current = engine.extensions.get("pubsub")
    if current is None:
        current = engine.extensions.setdefault("pubsub", PubSub())
        engine.extensions.setdefault("reset_hooks", []).append(unsubscribe_everything)
        engine.extensions.setdefault("drop_hooks", []).append(unsubscribe_everything)
        engine.extensions["subscription_counts"] = subscription_counts
    return current


def _client_names(client: Any, ns: Namespace) -> dict[bytes, None]:
    return client.extra.setdefault("pubsub", {n.name: {} for n in NAMESPACES})[ns.name]


def subscription_counts(client: Any) -> tuple[int, int, int]:
    """(channels, patterns, shard channels): CLIENT LIST's sub/psub/ssub."""
    mine = client.extra.get("pubsub")
    if mine is None:
        return 0, 0, 0
    return len(mine["channels"]), len(mine["patterns"]), len(mine["shard"])


def confirmation_count(client: Any, ns: Namespace) -> int:
    """The count in a (un)subscribe confirmation: shard channels are counted on their own."""
    channels, patterns, shard = subscription_counts(client)
    return shard if ns is SHARD_CHANNELS else channels + patterns


def _refresh_flag(engine: Any, client: Any) -> None:
    """The "pubsub" client flag (CLIENT LIST's P, RESP2's restricted command set) and INFO's counters."""
    if any(subscription_counts(client)):
        client.flags.add("pubsub")
    else:
        client.flags.discard("pubsub")
        client.extra.pop("pubsub", None)
    tables = state(engine).tables
    engine.stats["pubsub_channels"] = len(tables["channels"])
    engine.stats["pubsub_patterns"] = len(tables["patterns"])
    engine.stats["pubsubshard_channels"] = len(tables["shard"])


# -- subscribing ---------------------------------------------------------------------------------------------------
def subscribe(engine: Any, client: Any, ns: Namespace, names: list[bytes]) -> Pushes:
    """Subscribe to each name (again is harmless); one confirmation per name, repeats included."""
    pubsub = state(engine)
    confirmations = Pushes()
    with pubsub.lock:
        table = pubsub.tables[ns.name]
        for name in names:
            mine = _client_names(client, ns)
            if name not in mine:
                mine[name] = None
                table.setdefault(name, {})[client.id] = client
            confirmations.append(Push([ns.subscribe_word, name, confirmation_count(client, ns)]))
        _refresh_flag(engine, client)
    return confirmations


def _forget(pubsub: PubSub, client: Any, ns: Namespace, name: bytes) -> bool:
    mine = client.extra.get("pubsub", {}).get(ns.name, {})
    if name not in mine:
        return False
    del mine[name]
    table = pubsub.tables[ns.name]
    subscribers = table.get(name, {})
    subscribers.pop(client.id, None)
    if not subscribers:
        table.pop(name, None)
    return True


def unsubscribe(engine: Any, client: Any, ns: Namespace, names: list[bytes]) -> Pushes:
    """Unsubscribe from the names, or from all of them when none is given.

    Every name gets a confirmation, subscribed or not; with no names and nothing subscribed the single
    confirmation carries a null channel.
    """
    pubsub = state(engine)
    confirmations = Pushes()
    with pubsub.lock:
        if not names:
            names = list(client.extra.get("pubsub", {}).get(ns.name, ()))
            if not names:
                confirmations.append(Push([ns.unsubscribe_word, None, confirmation_count(client, ns)]))
        for name in names:
            _forget(pubsub, client, ns, name)
            confirmations.append(Push([ns.unsubscribe_word, name, confirmation_count(client, ns)]))
        _refresh_flag(engine, client)
    return confirmations


def unsubscribe_everything(engine: Any, client: Any) -> None:
    """RESET and a closed connection: leave every namespace without confirmations."""
    mine = client.extra.get("pubsub")
    if mine is None:
        return
    pubsub = state(engine)
    with pubsub.lock:
        for ns in NAMESPACES:
            for name in list(mine[ns.name]):
                _forget(pubsub, client, ns, name)
        _refresh_flag(engine, client)


# -- publishing ----------------------------------------------------------------------------------------------------
def send_push(engine: Any, client: Any, message: Push) -> None:
    """Deliver a push to `client`: at once, or after the reply when it goes to the client whose command is running.

    One rule for every push a command causes (Redis 7.2+ holds them in its pending push list until the command's
    reply is written): pub/sub messages, keyspace notifications (notify.py) and client-side caching invalidations
    (tracking.py). The running client is the connection, not a script's own client, so inside EXEC or a script they
    wait for the whole EXEC or script; a blocked client being served holds its pushes until its own reply."""
    if client is engine.current_client() or "serving" in client.extra:
        client.extra.setdefault("pending_pushes", []).append(message)
    elif client.deliver is not None:
        client.deliver(message)


def with_own_pushes(client: Any, reply: Any) -> Any:
    """The reply followed by the pushes its command sent to its own client (after a whole EXEC or script), or
    preceded by them where Redis answers later (a FLUSHALL SYNC waits for its background job)."""
    pending = client.extra.pop("pending_pushes", None)
    first = client.extra.pop("pushes_before_reply", False)
    if not pending:
        return reply
    return Pushes([*pending, reply] if first else [reply, *pending])


def publish(engine: Any, channel: bytes, payload: bytes) -> int:
    """PUBLISH: channel subscribers first, then each matching pattern's; the number of messages sent."""
    pubsub = state(engine)
    with pubsub.lock:
        receivers = list(pubsub.tables["channels"].get(channel, {}).values())
        by_pattern = [(pattern, list(clients.values())) for pattern, clients in pubsub.tables["patterns"].items()
                      if stringmatch(pattern, channel)]
    for client in receivers:
        send_push(engine, client, Push([CHANNELS.message_word, channel, payload]))
    for pattern, clients in by_pattern:
        for client in clients:
            send_push(engine, client, Push([PATTERNS.message_word, pattern, channel, payload]))
    return len(receivers) + sum(len(clients) for _, clients in by_pattern)


def shard_publish(engine: Any, channel: bytes, payload: bytes) -> int:
    pubsub = state(engine)
    with pubsub.lock:
        receivers = list(pubsub.tables["shard"].get(channel, {}).values())
    for client in receivers:
        send_push(engine, client, Push([SHARD_CHANNELS.message_word, channel, payload]))
    return len(receivers)


# -- introspection (PUBSUB) ----------------------------------------------------------------------------------------
def active_names(engine: Any, ns: Namespace, pattern: bytes | None) -> list[bytes]:
    with state(engine).lock:
        names = list(state(engine).tables[ns.name])
    return [name for name in names if pattern is None or stringmatch(pattern, name)]


def subscriber_count(engine: Any, ns: Namespace, name: bytes) -> int:
    with state(engine).lock:
        return len(state(engine).tables[ns.name].get(name, ()))


def pattern_count(engine: Any) -> int:
    with state(engine).lock:
        return len(state(engine).tables["patterns"])
