"""Searching a geo set by radius or box, the way Redis does: the center cell at a step fitting the search size and
its eight neighbours become score ranges of the sorted set, and each member found is checked against the shape.

The cells visited, their order (center, N, S, E, W, NE, NW, SE, SW), the members' order inside a cell (score, then
member) and where a COUNT ANY search stops are all Redis's, so unsorted and ANY results match it exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..datatypes.zset import ZSetValue
from . import geohash
from .geohash import EARTH_RADIUS_M, MERCATOR_MAX, STEP_MAX, Area, Hash

CIRCLE, BOX = "circle", "box"
_D_R = math.pi / 180.0


@dataclass
class Shape:
    lon: float = 0.0
    lat: float = 0.0
    kind: str = CIRCLE
    radius: float = 0.0  # in the unit given
    width: float = 0.0
    height: float = 0.0
    to_meters: float = 1.0  # the unit's size in meters

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) around the shape; the longitude span is taken at the latitude
        edge nearer the pole, where meridians are closest."""
        half_h = self.to_meters * (self.radius if self.kind == CIRCLE else self.height / 2)
        half_w = self.to_meters * (self.radius if self.kind == CIRCLE else self.width / 2)
        lat_delta = half_h / EARTH_RADIUS_M / _D_R
        lon_delta_top = half_w / EARTH_RADIUS_M / geohash.cos((self.lat + lat_delta) * _D_R) / _D_R
        lon_delta_bottom = half_w / EARTH_RADIUS_M / geohash.cos((self.lat - lat_delta) * _D_R) / _D_R
        lon_delta = lon_delta_bottom if self.lat < 0 else lon_delta_top
        return self.lon - lon_delta, self.lat - lat_delta, self.lon + lon_delta, self.lat + lat_delta

    def reach_meters(self) -> float:
        """The search radius, or the distance from a box's center to its corner."""
        if self.kind == CIRCLE:
            reach = self.radius
        else:
            reach = geohash.sqrt((self.width / 2) * (self.width / 2) + (self.height / 2) * (self.height / 2))
        return reach * self.to_meters

    def distance_if_inside(self, lon: float, lat: float) -> float | None:
        """The distance in meters from the center to a point inside the shape, None outside."""
        if self.kind == CIRCLE:
            d = geohash.distance(self.lon, self.lat, lon, lat)
            return d if d <= self.radius * self.to_meters else None
        if geohash.lat_distance(lat, self.lat) > self.height * self.to_meters / 2:
            return None
        if geohash.distance(lon, lat, self.lon, lat) > self.width * self.to_meters / 2:
            return None
        return geohash.distance(self.lon, self.lat, lon, lat)


@dataclass
class Found:
    member: bytes
    score: float
    lon: float
    lat: float
    dist: float  # meters


# -- which cells to search -------------------------------------------------------------------------------------------
def estimate_step(range_m: float, lat: float) -> int:
    """Bits per coordinate whose cells are about as large as the search range (wider near the poles)."""
    if range_m == 0:
        return STEP_MAX
    step = 1
    while range_m < MERCATOR_MAX:
        range_m *= 2
        step += 1
    step -= 2
    if lat > 66 or lat < -66:
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    return min(max(step, 1), STEP_MAX)


_DIRECTIONS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0), "north_east": (1, 1),
               "north_west": (-1, 1), "south_east": (1, -1), "south_west": (-1, -1)}
_SEARCH_ORDER = ("north", "south", "east", "west", "north_east", "north_west", "south_east", "south_west")


def _cell_and_neighbours(shape: Shape, step: int) -> tuple[Hash, dict[str, Hash], Area]:
    center = geohash.encode(shape.lon, shape.lat, step)
    neighbours = {name: geohash.move(center, dx, dy) for name, (dx, dy) in _DIRECTIONS.items()}
    return center, neighbours, geohash.decode(center)


def cells_to_search(shape: Shape) -> list[Hash]:
    """The center cell and the useful neighbours, in Redis's search order (geohashCalculateAreasByShapeWGS84)."""
    min_lon, min_lat, max_lon, max_lat = shape.bounds()
    step = estimate_step(shape.reach_meters(), shape.lat)
    center, near, area = _cell_and_neighbours(shape, step)
    north, south = geohash.decode(near["north"]), geohash.decode(near["south"])
    east, west = geohash.decode(near["east"]), geohash.decode(near["west"])
    too_small = (north.lat_max < max_lat or south.lat_min > min_lat or east.lon_max < max_lon
                 or west.lon_min > min_lon)
    if step > 1 and too_small:
        step -= 1
        center, near, area = _cell_and_neighbours(shape, step)
    if step >= 2:
        _drop_useless(near, area, (min_lon, min_lat, max_lon, max_lat))
    return [center] + [near[name] for name in _SEARCH_ORDER]


def _drop_useless(near: dict[str, Hash], area: Area, bounds: tuple[float, float, float, float]) -> None:
    """Neighbours on a side the center cell already reaches past cannot hold anything in the search area."""
    min_lon, min_lat, max_lon, max_lat = bounds
    sides = {"south": area.lat_min < min_lat, "north": area.lat_max > max_lat,
             "west": area.lon_min < min_lon, "east": area.lon_max > max_lon}
    for side, useless in sides.items():
        if useless:
            for name in near:
                if side in name.split("_"):
                    near[name] = geohash.ZERO


# -- collecting members ----------------------------------------------------------------------------------------------
def _members_in_cell(z: ZSetValue, cell: Hash, shape: Shape, found: list[Found], limit: int) -> None:
    low = geohash.align52(cell)
    high = geohash.align52(Hash(cell.bits + 1, cell.step))
    start = z.first_rank_at_least(float(low), False)
    stop = z.first_rank_at_least(float(high), False)
    for score, member in z.by_rank(start, stop):
        lon, lat = geohash.decode_score(score)
        dist = shape.distance_if_inside(lon, lat)
        if dist is not None:
            found.append(Found(member, score, lon, lat, dist))
        if limit and len(found) >= limit:
            return


def search(z: ZSetValue, shape: Shape, limit: int = 0) -> list[Found]:
    """Members inside the shape, in Redis's discovery order; with `limit` (COUNT ANY), stop after that many."""
    found: list[Found] = []
    previous: Hash | None = None
    for i, cell in enumerate(cells_to_search(shape)):
        if cell.is_zero:
            continue
        # Huge radii make neighbours coincide: a neighbour equal to the one searched just before it is skipped
        # (never compared with the center cell, as in Redis).
        if previous is not None and cell == previous:
            continue
        if limit and len(found) >= limit:
            break
        _members_in_cell(z, cell, shape, found, limit)
        previous = cell if i else None
    return found
