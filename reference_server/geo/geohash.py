"""Geohashes as Redis computes them: 26 bits of latitude and 26 of longitude interleaved into a 52-bit sorted-set
score (latitude in the even bits), over Web Mercator's latitude range, plus Redis's Haversine distance.

All arithmetic is IEEE double, in the order Redis's C code does it, so decoded coordinates and distances are the
same bits as Redis's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

STEP_MAX = 26  # 26 * 2 = 52 bits, exact in a double score
LAT_MIN, LAT_MAX = -85.05112878, 85.05112878
LON_MIN, LON_MAX = -180.0, 180.0
EARTH_RADIUS_M = 6372797.560856
MERCATOR_MAX = 20037726.37
_D_R = math.pi / 180.0
_M64 = (1 << 64) - 1
_EVEN = 0x5555555555555555
_ODD = 0xAAAAAAAAAAAAAAAA
_ALPHABET = b"0123456789bcdefghjkmnpqrstuvwxyz"


@dataclass(frozen=True)
class Hash:
    bits: int
    step: int

    @property
    def is_zero(self) -> bool:
        return self.bits == 0 and self.step == 0


ZERO = Hash(0, 0)


@dataclass(frozen=True)
class Area:
    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float


# -- bit interleaving ------------------------------------------------------------------------------------------------
def _spread(v: int) -> int:
    """The low 32 bits of `v` moved to the even bit positions."""
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & _EVEN


def _gather(v: int) -> int:
    """The even bits of `v` packed into 32 bits (the inverse of _spread)."""
    v &= _EVEN
    v = (v | (v >> 1)) & 0x3333333333333333
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FF
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFF
    return (v | (v >> 16)) & 0xFFFFFFFF


def interleave(lat_bits: int, lon_bits: int) -> int:
    return _spread(lat_bits) | (_spread(lon_bits) << 1)


# -- encoding and decoding -------------------------------------------------------------------------------------------
def encode(lon: float, lat: float, step: int = STEP_MAX, lon_range=(LON_MIN, LON_MAX),
           lat_range=(LAT_MIN, LAT_MAX)) -> Hash | None:
    """The cell holding (lon, lat) at `step` bits per coordinate; None outside the ranges."""
    if not (LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX):
        return None
    if not (lat_range[0] <= lat <= lat_range[1] and lon_range[0] <= lon <= lon_range[1]):
        return None
    lat_offset = (lat - lat_range[0]) / (lat_range[1] - lat_range[0]) * float(1 << step)
    lon_offset = (lon - lon_range[0]) / (lon_range[1] - lon_range[0]) * float(1 << step)
    return Hash(interleave(int(lat_offset), int(lon_offset)), step)


def decode(h: Hash, lon_range=(LON_MIN, LON_MAX), lat_range=(LAT_MIN, LAT_MAX)) -> Area:
    lat_cell, lon_cell = _gather(h.bits), _gather(h.bits >> 1)
    cells = float(1 << h.step)
    lat_scale = lat_range[1] - lat_range[0]
    lon_scale = lon_range[1] - lon_range[0]
    return Area(lon_range[0] + (lon_cell * 1.0 / cells) * lon_scale,
                lon_range[0] + (((lon_cell + 1) & 0xFFFFFFFF) * 1.0 / cells) * lon_scale,
                lat_range[0] + (lat_cell * 1.0 / cells) * lat_scale,
                lat_range[0] + (((lat_cell + 1) & 0xFFFFFFFF) * 1.0 / cells) * lat_scale)


def area_center(area: Area) -> tuple[float, float]:
    """The cell's center, clamped to the valid ranges: the coordinates GEOPOS reports."""
    lon = min(max((area.lon_min + area.lon_max) / 2, LON_MIN), LON_MAX)
    lat = min(max((area.lat_min + area.lat_max) / 2, LAT_MIN), LAT_MAX)
    return lon, lat


def score_to_bits(score: float) -> int:
    """A score (any double a plain ZADD stored) as Redis's (uint64_t) cast turns it into hash bits on x86-64:
    truncated and wrapped below zero; past 2**64 (or +inf) 0; below -2**63 (or -inf) 2**63."""
    if score >= 18446744073709551616.0:
        return 0
    if score != score or score < -9223372036854775808.0:
        return 1 << 63
    return int(score) & _M64


def decode_score(score: float) -> tuple[float, float]:
    """(longitude, latitude) of a geo set member's score."""
    return area_center(decode(Hash(score_to_bits(score), STEP_MAX)))


def align52(h: Hash) -> int:
    return (h.bits << (52 - h.step * 2)) & _M64


def score_of(lon: float, lat: float) -> int:
    """The 52-bit sorted-set score GEOADD stores for valid coordinates."""
    return align52(encode(lon, lat))


def standard_geohash(score: float) -> bytes:
    """The 11-character geohash string (latitude range -90..90, as everyone else uses) of a member's score."""
    lon, lat = decode_score(score)
    h = encode(lon, lat, STEP_MAX, (-180.0, 180.0), (-90.0, 90.0))
    bits = h.bits if h is not None else 0
    chars = [_ALPHABET[(bits >> (52 - (i + 1) * 5)) & 0x1F] for i in range(10)]
    return bytes(chars) + b"0"  # 52 bits make ten characters; the eleventh is always 0


# -- neighbours ------------------------------------------------------------------------------------------------------
def _move(h: Hash, d: int, moving: int, keeping: int) -> Hash:
    if d == 0:
        return h
    width = 64 - h.step * 2
    moved, kept = h.bits & moving, h.bits & keeping
    step_mask = keeping >> width  # fills the other coordinate's bits so a carry passes through them
    if d > 0:
        moved = (moved + step_mask + 1) & _M64
    else:
        moved = ((moved | step_mask) - (step_mask + 1)) & _M64
    return Hash((moved & (moving >> width)) | kept, h.step)


def move(h: Hash, dx: int, dy: int) -> Hash:
    """The neighbouring cell `dx` east and `dy` north (longitude is in the odd bits, latitude in the even)."""
    h = _move(h, dx, _ODD, _EVEN)
    return _move(h, dy, _EVEN, _ODD)


# -- distances -------------------------------------------------------------------------------------------------------
def _c_math(fn):
    """A libm function as C calls it: NaN for arguments outside its domain (infinite radii get there) instead of
    Python's ValueError."""
    def call(x: float) -> float:
        try:
            return fn(x)
        except ValueError:
            return math.nan
    return call


cos, sin, asin, sqrt = _c_math(math.cos), _c_math(math.sin), _c_math(math.asin), _c_math(math.sqrt)


def _rad(deg: float) -> float:
    return deg * _D_R


def lat_distance(lat1: float, lat2: float) -> float:
    return EARTH_RADIUS_M * abs(_rad(lat2) - _rad(lat1))


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine great-circle distance in meters, with Redis's shortcut when the longitudes are equal."""
    v = sin((_rad(lon2) - _rad(lon1)) / 2)
    if v == 0.0:
        return lat_distance(lat1, lat2)
    lat1r, lat2r = _rad(lat1), _rad(lat2)
    u = sin((lat2r - lat1r) / 2)
    a = u * u + cos(lat1r) * cos(lat2r) * v * v
    return 2.0 * EARTH_RADIUS_M * asin(sqrt(a))
