"""The hash type: fields in Redis's listpack order, optional per-field expiry, and the encoding Redis would report.

Encodings: "listpack" (small, insertion order), "listpackex" (a listpack that has held field TTLs: fields with a
TTL come first, by expiry time, then the others), "hashtable" (big; Redis's order is a hash order nobody can
reproduce, so dict order stands in). A hash moves to hashtable when it outgrows hash-max-listpack-entries or gets
a field or value longer than hash-max-listpack-value, checked where Redis checks (on the command's arguments), and
never moves back. A field whose expiry time is in the past is gone for every reader.
"""
from __future__ import annotations

from typing import Iterable

LISTPACK, LISTPACK_EX, HASHTABLE = "listpack", "listpackex", "hashtable"


class HashValue:
    TYPE = "hash"
    __slots__ = ("fields", "expires", "enc")

    def __init__(self) -> None:
        self.fields: dict[bytes, bytes] = {}
        self.expires: dict[bytes, int] = {}  # field -> absolute unix time in ms
        self.enc = LISTPACK

    def encoding(self, config=None) -> str:
        return self.enc

    def copy(self) -> "HashValue":
        other = HashValue()
        other.fields, other.expires, other.enc = dict(self.fields), dict(self.expires), self.enc
        return other

    def __len__(self) -> int:
        return len(self.fields)

    # -- encoding ----------------------------------------------------------------------------------------------
    def fit(self, config, args: Iterable[bytes] = (), pairs: int = 0) -> None:
        """Redis's hashTypeTryConversion before a write: hashtable if the command brings more field/value pairs
        than a listpack may hold (duplicates counted) or an argument longer than a listpack value may be."""
        if self.enc == HASHTABLE:
            return
        limit = config.get_int("hash-max-listpack-value")
        if pairs > config.get_int("hash-max-listpack-entries") or any(len(a) > limit for a in args):
            self.enc = HASHTABLE

    def check_size(self, config) -> None:
        """After adding fields: too many entries for a listpack."""
        if self.enc != HASHTABLE and len(self.fields) > config.get_int("hash-max-listpack-entries"):
            self.enc = HASHTABLE

    def allow_ttl(self) -> None:
        """A command about to set field TTLs turns a plain listpack into a listpackex (even if none gets one)."""
        if self.enc == LISTPACK:
            self.enc = LISTPACK_EX

    # -- expiry ------------------------------------------------------------------------------------------------
    def purge(self, now_ms: int) -> int:
        """Drop fields whose expiry time passed; returns how many went."""
        if not self.expires:
            return 0
        gone = [f for f, when in self.expires.items() if when < now_ms]
        for field in gone:
            self.delete(field)
        return len(gone)

    def expire_field(self, field: bytes, now_ms: int) -> bool:
        """Drop `field` if its expiry time passed (Redis's lazy expiry of a field a command looks up)."""
        when = self.expires.get(field)
        return when is not None and when < now_ms and self.delete(field)

    def is_expired(self, field: bytes, now_ms: int) -> bool:
        """Stored but past its expiry time: gone for readers, still counted until removed."""
        return self.expires.get(field, now_ms) < now_ms

    def live_items(self, now_ms: int) -> list[tuple[bytes, bytes]]:
        """(field, value) pairs whose expiry has not passed, without removing the others (iterating readers)."""
        if not self.expires:
            return list(self.fields.items())
        exp = self.expires
        return [(f, v) for f, v in self.fields.items() if exp.get(f, now_ms) >= now_ms]

    def ttl_of(self, field: bytes) -> int | None:
        return self.expires.get(field)

    def set_ttl(self, field: bytes, when_ms: int) -> None:
        """Give `field` an expiry; in a listpackex it moves before the first field expiring at or after it."""
        self.expires[field] = when_ms
        if self.enc != LISTPACK_EX:
            return
        value = self.fields.pop(field)
        order = list(self.fields.items())
        at = next((i for i, (f, _) in enumerate(order) if f not in self.expires or self.expires[f] >= when_ms),
                  len(order))
        order.insert(at, (field, value))
        self.fields = dict(order)

    def clear_ttl(self, field: bytes) -> bool:
        """Remove the field's expiry (a listpackex moves it to the end, among the fields without one)."""
        if self.expires.pop(field, None) is None:
            return False
        if self.enc == LISTPACK_EX:
            self.fields[field] = self.fields.pop(field)
        return True

    # -- fields ------------------------------------------------------------------------------------------------
    def get(self, field: bytes) -> bytes | None:
        return self.fields.get(field)

    def set(self, field: bytes, value: bytes, keep_ttl: bool = False) -> bool:
        """Set a value; returns True if the field is new. Without keep_ttl an existing TTL is dropped."""
        is_new = field not in self.fields
        if not keep_ttl:
            self.clear_ttl(field)
        self.fields[field] = value
        return is_new

    def delete(self, field: bytes) -> bool:
        if self.fields.pop(field, None) is None:
            return False
        self.expires.pop(field, None)
        return True
