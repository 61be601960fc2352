"""Geo group: GEOADD, GEOPOS, GEODIST, GEOHASH, GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH,
GEOSEARCHSTORE.

A geo set is a sorted set whose scores are 52-bit geohashes (geo/geohash.py); GEOADD is ZADD with computed scores.
Coordinates come back as the center of the member's cell (doubles), distances as bulk strings with four decimals.
"""
from __future__ import annotations

from .. import errors
from ..datatypes.zset import ZSetLimits, ZSetValue
from ..errors import CommandError
from ..geo import geohash
from ..geo.partial_sort import partial_sort
from ..geo.search import Found, Shape, search
from ..notify import notify
from ..replies import NULL_ARRAY, Double
from . import command
from .collection_common import store_result
from .generic_keys import lookup_read
from .strings import c_string
from .geo_options import SearchOptions, parse_lon_lat, parse_search, parse_unit
from .zset import zadd


# -- helpers ---------------------------------------------------------------------------------------------------------
def format_distance(meters_in_unit: float) -> bytes:
    """Four decimals, rounded half to even as llrint does (Redis's fixedpoint_d2string)."""
    scaled = round(meters_in_unit * 10000.0)
    sign = b"-" if scaled < 0 else b""
    whole, frac = divmod(abs(scaled), 10000)
    return b"%s%d.%04d" % (sign, whole, frac)


def _geo_set(engine, client, key: bytes) -> ZSetValue | None:
    value = lookup_read(engine, engine.db(client), key)
    if value is not None and not isinstance(value, ZSetValue):
        raise CommandError(errors.WRONGTYPE)
    return value


# -- GEOADD ----------------------------------------------------------------------------------------------------------
@command("geoadd")
def geoadd(engine, client, argv):
    first = 2
    flags = set()
    while first < len(argv) and c_string(argv[first]) in (b"nx", b"xx", b"ch"):
        flags.add(c_string(argv[first]))
        first += 1
    triples = argv[first:]
    if len(triples) % 3 or {b"nx", b"xx"} <= flags:
        raise CommandError(errors.SYNTAX)
    zadd_argv = [b"zadd", *argv[1:first]]
    for i in range(0, len(triples), 3):
        lon, lat = parse_lon_lat(triples[i], triples[i + 1])
        zadd_argv += [b"%d" % geohash.score_of(lon, lat), triples[i + 2]]
    return zadd(engine, client, zadd_argv)


# -- GEOPOS / GEOHASH / GEODIST --------------------------------------------------------------------------------------
@command("geopos")
def geopos(engine, client, argv):
    z = _geo_set(engine, client, argv[1])
    replies = []
    for member in argv[2:]:
        score = z.score(member) if z is not None else None
        if score is None:
            replies.append(NULL_ARRAY)
        else:
            lon, lat = geohash.decode_score(score)
            replies.append([Double(lon), Double(lat)])
    return replies


@command("geohash")
def geohash_(engine, client, argv):
    z = _geo_set(engine, client, argv[1])
    scores = [z.score(member) if z is not None else None for member in argv[2:]]
    return [None if s is None else geohash.standard_geohash(s) for s in scores]


@command("geodist")
def geodist(engine, client, argv):
    if len(argv) > 5:
        raise CommandError(errors.SYNTAX)
    to_meters = parse_unit(argv[4]) if len(argv) == 5 else 1.0
    z = _geo_set(engine, client, argv[1])
    first = z.score(argv[2]) if z is not None else None
    second = z.score(argv[3]) if z is not None else None
    if first is None or second is None:
        return None
    lon1, lat1 = geohash.decode_score(first)
    lon2, lat2 = geohash.decode_score(second)
    return format_distance(geohash.distance(lon1, lat1, lon2, lat2) / to_meters)


# -- the searches ----------------------------------------------------------------------------------------------------
def search_command(engine, client, argv, key_index: int, variant: str, store: bytes | None = None):
    """Redis's georadiusGeneric. `variant`: "coords" (GEORADIUS), "member" (GEORADIUSBYMEMBER), "search"
    (GEOSEARCH, GEOSEARCHSTORE when `store` is its destination); "_ro" suffixed forms refuse STORE."""
    z = _geo_set(engine, client, argv[key_index])
    shape, opts = parse_search(argv, key_index, variant, z, store)
    if z is None:
        if opts.store is not None:
            if engine.db(client).delete(opts.store):
                notify(engine, client.db, "g", "del", opts.store)
            return 0
        return []
    if opts.count and not opts.sort and not opts.any:
        opts.sort = "asc"  # the nearest COUNT members, not any COUNT of them
    found = search(z, shape, opts.count if opts.any else 0)
    if opts.sort:
        _sort(found, opts.sort == "desc", opts.count)
    if opts.count:
        found = found[:opts.count]
    if opts.store is not None:
        return _store(engine, client, opts, shape, found)
    return [_entry(f, opts, shape) for f in found]


def _by_distance(a: Found, b: Found) -> int:
    return (a.dist > b.dist) - (a.dist < b.dist)


def _sort(found: list[Found], descending: bool, count: int) -> None:
    """A stable full sort, or Redis's partial quicksort when COUNT keeps fewer (ties then fall as they fall there)."""
    if count and count < len(found):
        cmp = (lambda a, b: -_by_distance(a, b)) if descending else _by_distance
        partial_sort(found, cmp, 0, count - 1)
    else:
        found.sort(key=lambda f: f.dist, reverse=descending)


def _entry(found: Found, opts: SearchOptions, shape: Shape):
    if not (opts.withdist or opts.withhash or opts.withcoord):
        return found.member
    entry: list = [found.member]
    if opts.withdist:
        entry.append(format_distance(found.dist / shape.to_meters))
    if opts.withhash:
        entry.append(int(found.score))
    if opts.withcoord:
        entry.append([Double(found.lon), Double(found.lat)])
    return entry


def _store(engine, client, opts: SearchOptions, shape: Shape, found: list[Found]) -> int:
    scores = {f.member: (f.dist / shape.to_meters if opts.storedist else f.score) for f in found}
    result = ZSetValue.from_scores(scores, ZSetLimits(engine.config))
    event = "geosearchstore" if opts.from_member or opts.from_lon_lat else "georadiusstore"
    store_result(engine, engine.db(client), opts.store, result, "z", event)
    return len(found)


# the search form each GEORADIUS command is (parse_search reads an "_ro" form as one that refuses STORE)
_RADIUS_VARIANTS = {"georadius": "coords", "georadius_ro": "coords_ro",
                    "georadiusbymember": "member", "georadiusbymember_ro": "member_ro"}


@command(*_RADIUS_VARIANTS)
def georadius(engine, client, argv):
    return search_command(engine, client, argv, 1, _RADIUS_VARIANTS[argv[0].decode().lower()])


@command("geosearch")
def geosearch(engine, client, argv):
    return search_command(engine, client, argv, 1, "search")


@command("geosearchstore")
def geosearchstore(engine, client, argv):
    return search_command(engine, client, argv, 2, "search", store=argv[1])
