"""Geohash scores, decoded cell centers, standard geohash strings and distances against live Redis 8.2.3, the
neighbour moves, and the partial sort against a full one."""
from __future__ import annotations

import random

import pytest

from reference_server.geo import geohash
from reference_server.geo.geohash import Hash
from reference_server.geo.partial_sort import partial_sort
from reference_server.geo.search import Shape, cells_to_search, estimate_step
from reference_server.replies import format_double

# (lon, lat) given to GEOADD -> (ZSCORE, GEOPOS, GEOHASH) on Redis 8.2.3
GEO = [("13.361389", "38.115556", 3479099956230698, (b"13.361389338970184", b"38.1155563954963"), b"sqc8b49rny0"),
       ("-122.4194", "37.7749", 1367859919124626, (b"-122.41940170526505", b"37.77490001056578"), b"9q8yyk8ytp0"),
       ("0", "0", 3377699720527872, (b"2.682209014892578e-6", b"1.2673605809254695e-6"), b"s0000000000"),
       ("-180", "-85.05112878", 0, (b"-179.99999731779099", b"-85.05112751263943"), b"00bh0hbj200"),
       ("179.9999", "-0.0001", 3377699720526306, (b"179.99990075826645", b"-1.0012148579363611e-4"), b"rzzzzzzzmt0"),
       ("151.2093", "-33.8688", 3252046221964352, (b"151.2092998623848", b"-33.86880091934156"), b"r3gx2f77bj0")]
# GEODIST in meters between the points above, by index
DISTANCES = [(0, 1, b"10441392.8274"), (1, 5, b"11951031.4578"), (2, 3, b"10560811.9169"), (2, 4, b"20020718.2066"),
             (0, 0, b"0.0000"), (4, 5, b"4816979.9242")]


@pytest.mark.parametrize("lon,lat,score,center,text", GEO, ids=[g[0] for g in GEO])
def test_scores_centers_and_strings_match_redis(lon, lat, score, center, text):
    assert geohash.score_of(float(lon), float(lat)) == score
    got = geohash.decode_score(float(score))
    assert (format_double(got[0]), format_double(got[1])) == center
    assert geohash.standard_geohash(float(score)) == text


@pytest.mark.parametrize("a,b,expected", DISTANCES)
def test_distances_match_redis(a, b, expected):
    from reference_server.commands.geo import format_distance
    lon1, lat1 = geohash.decode_score(float(GEO[a][2]))
    lon2, lat2 = geohash.decode_score(float(GEO[b][2]))
    assert format_distance(geohash.distance(lon1, lat1, lon2, lat2)) == expected


def test_out_of_range_coordinates_do_not_encode():
    assert geohash.encode(180.0001, 0) is None
    assert geohash.encode(0, 85.06) is None


def test_interleave_round_trips():
    rng = random.Random(2)
    for _ in range(200):
        lat, lon = rng.getrandbits(26), rng.getrandbits(26)
        bits = geohash.interleave(lat, lon)
        assert (geohash._gather(bits), geohash._gather(bits >> 1)) == (lat, lon)


def test_moves_walk_to_adjacent_cells():
    center = geohash.encode(13.36, 38.11, 10)
    area = geohash.decode(center)
    east = geohash.decode(geohash.move(center, 1, 0))
    north = geohash.decode(geohash.move(center, 0, 1))
    assert east.lon_min == area.lon_max and east.lat_min == area.lat_min
    assert north.lat_min == area.lat_max and north.lon_min == area.lon_min
    assert geohash.move(geohash.move(center, -1, -1), 1, 1) == center


def test_foreign_scores_decode_like_redis():
    assert geohash.score_to_bits(-1.0) == (1 << 64) - 1
    assert geohash.score_to_bits(float("inf")) == 0
    assert geohash.score_to_bits(float("-inf")) == 1 << 63
    assert geohash.score_to_bits(1e30) == 0


def test_search_cells_start_with_the_center():
    shape = Shape(lon=15.0, lat=37.0, radius=200.0, to_meters=1000.0)
    cells = cells_to_search(shape)
    assert len(cells) == 9
    assert cells[0] == geohash.encode(15.0, 37.0, cells[0].step)
    assert estimate_step(0, 0) == 26 and estimate_step(1e9, 0) == 1
    assert all(isinstance(c, Hash) for c in cells)


def test_partial_sort_orders_the_wanted_ranks():
    rng = random.Random(4)
    cmp = lambda a, b: (a > b) - (a < b)  # noqa: E731
    for _ in range(300):
        items = [rng.randrange(20) for _ in range(rng.randrange(1, 120))]
        wanted = rng.randrange(1, len(items) + 1)
        got = list(items)
        partial_sort(got, cmp, 0, wanted - 1)
        assert got[:wanted] == sorted(items)[:wanted]
        assert sorted(got) == sorted(items)
