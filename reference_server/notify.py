"""Keyspace notifications: what `notify-keyspace-events` enables, and the messages published for it.

An event belongs to one class (g generic, $ string, l list, s set, h hash, z sorted set, x expired, e evicted,
t stream, d module, n new key, m key miss); 'A' in the setting stands for all of them but n and m. With K, the event
name is published on __keyspace@<db>__:<key>; with E, the key on __keyevent@<db>__:<event>, in that order, as
ordinary pub/sub messages (channel and pattern subscribers alike). Commands call `notify` once per event, with
Redis's event names; the setting is read on every call, so CONFIG SET takes effect at once. A notification of the
client's own command reaches it after the reply (after a whole EXEC or script), as every push does (pubsub.send_push).
"keymiss" (m) comes from every reading lookup that finds nothing (commands/generic_keys.lookup_read), never from a
writing one. "new" (n) comes from the database whenever a key is added where none was (Redis's dbAdd), so it
precedes the event of the command that added it.
"""
from __future__ import annotations

from typing import Any

from .pubsub import publish

_ALL_CLASSES = "g$lshzxetd"  # what 'A' stands for


def enabled(setting: str, event_class: str) -> bool:
    if "K" not in setting and "E" not in setting:
        return False
    return event_class in setting or ("A" in setting and event_class in _ALL_CLASSES)


def notify(engine: Any, db: Any, event_class: str, event: str, key: bytes) -> None:
    """Publish `event` on `key` of database `db` (a Database or its index) if its class is enabled."""
    setting = engine.config.values["notify-keyspace-events"]  # its canonical name: no alias lookup per write
    if not setting or not enabled(setting, event_class):
        return
    index = db if isinstance(db, int) else db.index
    name = event.encode()
    if "K" in setting:
        publish(engine, b"__keyspace@%d__:%s" % (index, key), name)
    if "E" in setting:
        publish(engine, b"__keyevent@%d__:%s" % (index, name), key)


def notify_expired(engine: Any):
    """The callback a database calls when a key's TTL removed it (lazily or in the active expire cycle)."""
    return lambda db, key: notify(engine, db, "x", "expired", key)


def notify_new(engine: Any):
    """The callback a database calls when a key is added where none was (Redis's dbAdd): "new", class n."""
    return lambda db, key: notify(engine, db, "n", "new", key)
