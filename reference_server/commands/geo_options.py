"""Arguments of the geo commands: coordinates, units, radius and box sizes, and the options of the searches,
parsed in Redis's order so that the first error reported is Redis's."""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..datatypes.zset import ZSetValue
from ..errors import CommandError
from ..geo import geohash
from ..geo.search import BOX, CIRCLE, Shape
from .strings import c_string, parse_integer
from .zset_common import parse_score

UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}


def parse_lon_lat(lon_arg: bytes, lat_arg: bytes) -> tuple[float, float]:
    lon, lat = parse_score(lon_arg), parse_score(lat_arg)
    if not (geohash.LON_MIN <= lon <= geohash.LON_MAX and geohash.LAT_MIN <= lat <= geohash.LAT_MAX):
        raise CommandError(errors.GEO_INVALID_LON_LAT % (lon, lat))
    return lon, lat


def parse_unit(arg: bytes) -> float:
    """The unit's size in meters."""
    size = UNITS.get(c_string(arg))
    if size is None:
        raise CommandError(errors.GEO_UNIT)
    return size


def parse_radius(shape: Shape, radius_arg: bytes, unit_arg: bytes) -> None:
    radius = parse_score(radius_arg, errors.GEO_RADIUS_NOT_NUMBER)
    if radius < 0:
        raise CommandError(errors.GEO_RADIUS_NEGATIVE)
    shape.kind, shape.radius, shape.to_meters = CIRCLE, radius, parse_unit(unit_arg)


def parse_box(shape: Shape, width_arg: bytes, height_arg: bytes, unit_arg: bytes) -> None:
    width = parse_score(width_arg, errors.GEO_WIDTH_NOT_NUMBER)
    height = parse_score(height_arg, errors.GEO_HEIGHT_NOT_NUMBER)
    if width < 0 or height < 0:
        raise CommandError(errors.GEO_BOX_NEGATIVE)
    shape.kind, shape.width, shape.height, shape.to_meters = BOX, width, height, parse_unit(unit_arg)


def member_position(z: ZSetValue, member: bytes) -> tuple[float, float]:
    score = z.score(member)
    if score is None:
        raise CommandError(errors.GEO_MEMBER_UNKNOWN)
    return geohash.decode_score(score)


@dataclass
class SearchOptions:
    withdist: bool = False
    withhash: bool = False
    withcoord: bool = False
    any: bool = False
    sort: str = ""  # "", "asc" or "desc"
    count: int = 0  # 0: no limit
    store: bytes | None = None
    storedist: bool = False
    # GEOSEARCH's center and shape, as given
    from_member: bool = False
    from_lon_lat: bool = False
    by_radius: bool = False
    by_box: bool = False


_FLAGS = {b"withdist": "withdist", b"withhash": "withhash", b"withcoord": "withcoord", b"any": "any"}


def parse_search(argv: list[bytes], key_index: int, variant: str, z: ZSetValue | None,
                 store: bytes | None) -> tuple[Shape, SearchOptions]:
    """The shape and options of a search command (Redis's georadiusGeneric up to the search itself)."""
    kind, no_store = variant.removesuffix("_ro"), variant.endswith("_ro")
    shape, opts = Shape(), SearchOptions(store=store)
    if kind == "coords":
        shape.lon, shape.lat = parse_lon_lat(argv[2], argv[3])
        parse_radius(shape, argv[4], argv[5])
        first = 6
    elif kind == "member":
        if z is not None:  # a missing key skips these: the reply is empty whatever they say
            shape.lon, shape.lat = member_position(z, argv[2])
            parse_radius(shape, argv[3], argv[4])
        first = 5
    else:
        first = key_index + 1
    i = first
    while i < len(argv):
        i = _parse_option(argv, i, kind, no_store, z, shape, opts)
    _check_combination(argv, kind, store is not None, opts)
    return shape, opts


def _parse_option(argv, i: int, kind: str, no_store: bool, z, shape: Shape, opts: SearchOptions) -> int:
    """Apply the option at argv[i]; returns the index of the next one."""
    name, after = c_string(argv[i]), len(argv) - i - 1
    searching = kind == "search"
    if name in _FLAGS:
        setattr(opts, _FLAGS[name], True)
    elif name in (b"asc", b"desc"):
        opts.sort = name.decode()
    elif name == b"count" and after >= 1:
        opts.count = parse_integer(argv[i + 1])
        if opts.count <= 0:
            raise CommandError(errors.GEO_COUNT_POSITIVE)
        return i + 2
    elif name in (b"store", b"storedist") and after >= 1 and not no_store and not searching:
        opts.store, opts.storedist = argv[i + 1], name == b"storedist"
        return i + 2
    elif name == b"storedist" and searching and opts.store is not None:
        opts.storedist = True
    elif name == b"frommember" and after >= 1 and searching and not opts.from_lon_lat:
        if z is not None:
            shape.lon, shape.lat = member_position(z, argv[i + 1])
        opts.from_member = True
        return i + 2
    elif name == b"fromlonlat" and after >= 2 and searching and not opts.from_member:
        shape.lon, shape.lat = parse_lon_lat(argv[i + 1], argv[i + 2])
        opts.from_lon_lat = True
        return i + 3
    elif name == b"byradius" and after >= 2 and searching and not opts.by_box:
        parse_radius(shape, argv[i + 1], argv[i + 2])
        opts.by_radius = True
        return i + 3
    elif name == b"bybox" and after >= 3 and searching and not opts.by_radius:
        parse_box(shape, argv[i + 1], argv[i + 2], argv[i + 3])
        opts.by_box = True
        return i + 4
    else:
        raise CommandError(errors.SYNTAX)
    return i + 1


def _check_combination(argv: list[bytes], kind: str, search_store: bool, opts: SearchOptions) -> None:
    if opts.store is not None and (opts.withdist or opts.withhash or opts.withcoord):
        raise CommandError(errors.GEO_STORE_WITH % ("GEOSEARCHSTORE" if search_store else "STORE option in GEORADIUS"))
    name = argv[0].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")  # as the client spelled it
    if kind == "search" and not (opts.from_member or opts.from_lon_lat):
        raise CommandError(errors.GEO_NEEDS_FROM % name)
    if kind == "search" and not (opts.by_radius or opts.by_box):
        raise CommandError(errors.GEO_NEEDS_BY % name)
    if opts.any and not opts.count:
        raise CommandError(errors.GEO_ANY_NEEDS_COUNT)
