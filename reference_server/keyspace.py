"""Databases: values, millisecond expiries (lazy + active), and the WATCH bookkeeping.

Values are Python objects; strings are `bytes` (or `bytearray` once modified in place, which is how Redis's "raw"
encoding is kept apart from "embstr"). Other types are the classes in `datatypes/`, each with a `TYPE` name.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Iterator

from .access import LRU_CLOCK_MAX, LRU_CLOCK_RESOLUTION_MS, AccessClock
from .errors import WRONGTYPE, CommandError


def type_name(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "string"
    return value.TYPE


class Database:
    __slots__ = ("index", "data", "expires", "watchers", "clock", "blocked", "ready_keys", "lru", "access",
                 "rng", "on_expired", "on_new", "on_modified", "__weakref__")

    def __init__(self, index: int, clock: Callable[[], int], ready_keys: set | None = None,
                 rng: random.Random | None = None) -> None:
        self.index = index
        self.rng = rng or random.Random()  # the active expire cycle's samples (the engine injects its source)
        self.data: dict[bytes, Any] = {}
        self.expires: dict[bytes, int] = {}  # key -> absolute unix time in ms
        # key -> Redis's 24-bit access field: an LRU clock or an LFU counter (access.py; OBJECT IDLETIME and FREQ)
        self.lru: dict[bytes, int] = {}
        self.access = AccessClock(clock)  # how lookups stamp it (the engine installs the server's)
        self.watchers: dict[bytes, set] = {}  # key -> clients WATCHing it
        self.blocked: dict[bytes, list] = {}  # key -> clients blocked on it, oldest first
        # (db index, key) of blocked-on keys that received data; shared by all databases of a keyspace
        self.ready_keys: set[tuple[int, bytes]] = ready_keys if ready_keys is not None else set()
        self.clock = clock
        self.on_expired: Callable[[Database, bytes], None] | None = None  # keyspace notification (notify.py)
        self.on_new: Callable[[Database, bytes], None] | None = None  # a key added anew (Redis's dbAdd): "new"
        # every changed key, and whether it expired (client-side caching invalidations, tracking.py)
        self.on_modified: Callable[[Database, bytes, bool], None] | None = None

    # -- reading -----------------------------------------------------------------------------------------------
    def _expired(self, key: bytes) -> bool:
        when = self.expires.get(key)
        return when is not None and when <= self.clock()

    def get(self, key: bytes) -> Any:
        """The live value or None; an expired key is deleted on the way (lazy expiry)."""
        value = self.data.get(key)
        if value is None:
            return None
        if key in self.expires and self._expired(key):
            self._remove(key)
            self.signal(key, expired=True)
            if self.on_expired is not None:
                self.on_expired(self, key)
            return None
        access = self.access
        states = access.lru_states
        if states is not None:  # a server's LRU clock: ServerAccessClock.touched, inline (every lookup comes here)
            state = states.state
            now, client = state.now, state.client
            if now is not None and (client is None or not client.no_touch):
                self.lru[key] = (now // LRU_CLOCK_RESOLUTION_MS) & LRU_CLOCK_MAX  # lru_clock(now)
                return value
        lru = self.lru
        lru[key] = access.touched(lru.get(key, 0))
        return value

    def touch(self, key: bytes) -> bool:
        """TOUCH: look the key up and stamp it even for a client in NO-TOUCH mode (Redis exempts this command)."""
        if key not in self.data or self._expired(key):
            return self.get(key) is not None  # deletes an expired key
        self.lru[key] = self.access.touched(self.lru.get(key, 0), forced=True)
        return True

    def get_typed(self, key: bytes, kind: type | tuple) -> Any:
        """The value if it is of `kind`, None if missing; WRONGTYPE otherwise."""
        value = self.get(key)
        if value is not None and not isinstance(value, kind):
            raise CommandError(WRONGTYPE)
        return value

    def get_string(self, key: bytes) -> bytes | bytearray | None:
        return self.get_typed(key, (bytes, bytearray))

    def exists(self, key: bytes) -> bool:
        return self.get(key) is not None

    def ttl_ms(self, key: bytes) -> int | None:
        when = self.expires.get(key)
        return None if when is None else when - self.clock()

    def __len__(self) -> int:
        return len(self.data)

    def keys(self) -> Iterator[bytes]:
        """Live keys (expired ones are skipped, not deleted: iteration must not change the dict)."""
        now = self.clock()
        exp = self.expires
        for k in list(self.data):
            when = exp.get(k)
            if when is None or when > now:
                yield k

    def random_key(self, rng: random.Random) -> bytes | None:
        for _ in range(100):
            if not self.data:
                return None
            key = rng.choice(list(self.data))
            if not self._expired(key):
                return key  # not a lookup: the key's access field stays as it was
            self.get(key)  # deletes it
        live = list(self.keys())
        return rng.choice(live) if live else None

    # -- writing -----------------------------------------------------------------------------------------------
    def set(self, key: bytes, value: Any, keep_ttl: bool = False, lookup: bool = False) -> None:
        """Store `value` (overwriting any type); drops the expiry unless keep_ttl.

        A value written over an existing key keeps the key's access field (the lookup that found the key stamped
        it, as Redis's dbSetValue keeps it); a new key gets a fresh one. `lookup`: look the key up first, as
        Redis's setKey does for callers that did not (MSET, GETSET's write, a STORE destination)."""
        if lookup:
            self.get(key)
        added = key not in self.data
        if added:
            self.lru[key] = self.access.new_field()
        self.data[key] = value
        if added and self.on_new is not None:
            self.on_new(self, key)
        if not keep_ttl and key in self.expires:
            del self.expires[key]
        if key in self.watchers:  # self.signal(key), inline: every write comes here
            self.touch_watchers(key)
        if self.on_modified is not None:
            self.on_modified(self, key, False)
        if key in self.blocked:  # a new value or type: blocked clients look again (XREADGROUP fails, BLPOP waits)
            self.ready_keys.add((self.index, key))

    def add(self, key: bytes, value: Any) -> None:
        """Store a new aggregate created by a write (LPUSH on a missing key…): wakes clients blocked on it."""
        self.data[key] = value
        self.lru[key] = self.access.new_field()
        if self.on_new is not None:
            self.on_new(self, key)
        self.signal(key)
        if key in self.blocked:
            self.ready_keys.add((self.index, key))

    def set_expire(self, key: bytes, when_ms: int) -> None:
        self.expires[key] = when_ms
        self.signal(key)

    def persist(self, key: bytes) -> bool:
        if self.expires.pop(key, None) is None:
            return False
        self.signal(key)
        return True

    def delete(self, key: bytes) -> bool:
        if self.get(key) is None:
            return False
        self._remove(key)
        self.signal(key)
        return True

    def _remove(self, key: bytes) -> None:
        del self.data[key]
        self.expires.pop(key, None)
        self.lru.pop(key, None)
        if key in self.blocked:  # deleted under a blocked client: those that unblock on no key must hear it
            self.ready_keys.add((self.index, key))

    def signal(self, key: bytes, expired: bool = False) -> None:
        """The key changed (Redis's signalModifiedKey): WATCHers and client-side caching hear of it."""
        if key in self.watchers:
            self.touch_watchers(key)
        if self.on_modified is not None:
            self.on_modified(self, key, expired)

    def touch_watchers(self, key: bytes) -> None:
        """Every client WATCHing the key will fail its EXEC.

        Except a key that had already expired when it was WATCHed and is now gone: logically nothing changed.
        """
        watchers = self.watchers.get(key)
        if watchers:
            ident = (self.index, key)
            for client in watchers:
                if client.watched.get(ident) and key not in self.data:
                    client.watched[ident] = False  # deleted keys are not "expired" any more
                    continue
                client.dirty_cas = True

    def signal_ready(self, key: bytes) -> None:
        """An aggregate got new elements: clients blocked on it may be served after this command."""
        if key in self.blocked:
            self.ready_keys.add((self.index, key))

    def flush(self) -> None:
        touched = [key for key in self.watchers if key in self.data]
        for key in self.blocked:  # deleted under blocked clients: XREADGROUP answers NOGROUP (Redis's
            if key in self.data:  # scanDatabaseForDeletedKeys)
                self.ready_keys.add((self.index, key))
        self.data.clear()
        self.expires.clear()
        self.lru.clear()
        for key in touched:  # a flush tells client-side caching once, for all keys (tracking.flushed)
            self.touch_watchers(key)

    def active_expire(self, budget: int = 20) -> int:
        """Delete up to `budget` random expired keys; returns how many went (Redis's active expire cycle)."""
        if not self.expires:
            return 0
        now = self.clock()
        sample = self.rng.sample(list(self.expires), min(budget, len(self.expires)))
        gone = 0
        for key in sample:
            if self.expires.get(key, now + 1) <= now:
                self._remove(key)
                self.signal(key, expired=True)
                if self.on_expired is not None:
                    self.on_expired(self, key)
                gone += 1
        return gone


class ReadyKeys(dict):
    """Keys that received data for blocked clients, in the order they did (Redis serves them in that order)."""

    def add(self, ident: tuple[int, bytes]) -> None:
        self[ident] = None


class Keyspace:
    def __init__(self, clock: Callable[[], int], databases: int = 16, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.ready_keys = ReadyKeys()
        self.dbs = [Database(i, clock, self.ready_keys, rng) for i in range(databases)]

    def __getitem__(self, index: int) -> Database:
        return self.dbs[index]

    def swap(self, a: int, b: int) -> None:
        """SWAPDB: contents change places; WATCHers of either side see their keys touched."""
        da, db_ = self.dbs[a], self.dbs[b]
        _touch_swapped(da, db_)
        _touch_swapped(db_, da)
        da.data, db_.data = db_.data, da.data
        da.expires, db_.expires = db_.expires, da.expires
        da.lru, db_.lru = db_.lru, da.lru
        for d in (da, db_):
            for key in d.blocked:
                if key in d.data:
                    d.ready_keys.add((d.index, key))


def _touch_swapped(emptied: Database, incoming: Database) -> None:
    """WATCH after SWAPDB, as Redis judges it: a watched key changed if it existed on either side, unless it was
    expired when watched and is gone or still expired now; a missing key replaced by an expired one stays unseen."""
    for key, watchers in emptied.watchers.items():
        here, there = key in emptied.data, key in incoming.data
        if not (here or there):
            continue
        there_expired = there and incoming._expired(key)
        ident = (emptied.index, key)
        for client in watchers:
            if client.watched.get(ident):
                if not there:
                    client.watched[ident] = False
                    continue
                if there_expired:
                    continue
            elif not here and there_expired:
                client.watched[ident] = True
                continue
            client.dirty_cas = True
