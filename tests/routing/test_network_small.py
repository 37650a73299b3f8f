"""The car network and router on small hand-made maps, one rule at a time."""

from __future__ import annotations

import pytest

from routing.errors import GeocodeError, InvalidQuery, NoRoute, NoSegment, OutsideMap
from routing.router import Router
from tests.routing.osm_fixture import RES, grid, grid_ways, node_id, write_osm


def mid(a, b, frac=0.5):
    (la1, lo1), (la2, lo2) = grid(*a), grid(*b)
    return (la1 + (la2 - la1) * frac, lo1 + (lo2 - lo1) * frac)


def way_of(ways, a, b):
    return next(w for w, nodes, _ in ways if {a, b} <= set(nodes))


def test_straight_route_length(tmp_path):
    ways = [(1, [(0, 0), (0, 1), (0, 2)], dict(RES))]
    r = Router.from_file(write_osm(tmp_path / "m.osm", ways))
    route = r.route(mid((0, 0), (0, 1), 0.25), mid((0, 1), (0, 2), 0.75))
    # 1.5 grid steps of ~100 m along the road, measured on the ellipsoid
    assert route.distance_m == pytest.approx(1.5 * 100.0, rel=0.01)
    assert route.origin.snap_distance_m < 0.01
    assert route.way_ids == (1,)


def test_oneway_makes_legs_differ(tmp_path):
    ways = grid_ways(2, 2)
    # bottom street one-way eastwards: going west must go around the block
    bottom = way_of(ways, (0, 0), (0, 1))
    ways = [(w, n, {**t, "oneway": "yes"} if w == bottom else t) for w, n, t in ways]
    r = Router.from_file(write_osm(tmp_path / "m.osm", ways))
    a, b = mid((0, 0), (0, 1), 0.2), mid((0, 0), (0, 1), 0.8)
    trip = r.trip(a, b)
    assert trip.outbound.distance_m == pytest.approx(60, rel=0.02)
    # back: 20 m on to the corner, round the block (3 sides), 20 m in
    assert trip.inbound.distance_m == pytest.approx(20 + 300 + 20, rel=0.02)
    assert trip.loaded_m == trip.outbound.distance_m + trip.inbound.distance_m


def test_no_left_turn_is_honoured(tmp_path):
    ways = grid_ways(3, 3)
    south = way_of(ways, (0, 1), (1, 1))
    west = way_of(ways, (1, 0), (1, 1))
    rel = [
        (
            9,
            [("way", "from", south), ("node", "via", node_id(1, 1)), ("way", "to", west)],
            {"type": "restriction", "restriction": "no_left_turn"},
        )
    ]
    origin, dest = mid((0, 1), (1, 1), 0.5), mid((1, 0), (1, 1), 0.5)
    free = Router.from_file(write_osm(tmp_path / "free.osm", ways)).route(origin, dest)
    restricted = Router.from_file(write_osm(tmp_path / "r.osm", ways, rel)).route(origin, dest)
    assert free.distance_m == pytest.approx(100, rel=0.02)  # 50 m north, left, 50 m west
    assert restricted.distance_m > free.distance_m + 150


def test_only_straight_on_is_honoured(tmp_path):
    ways = grid_ways(3, 3)
    south = way_of(ways, (0, 1), (1, 1))
    north = way_of(ways, (1, 1), (2, 1))
    rel = [
        (
            9,
            [("way", "from", south), ("node", "via", node_id(1, 1)), ("way", "to", north)],
            {"type": "restriction", "restriction": "only_straight_on"},
        )
    ]
    r = Router.from_file(write_osm(tmp_path / "r.osm", ways, rel))
    east_dest = mid((1, 1), (1, 2), 0.5)
    route = r.route(mid((0, 1), (1, 1), 0.5), east_dest)
    assert route.distance_m > 150  # the right turn at (1,1) is not allowed


def test_restriction_for_other_vehicles_is_ignored(tmp_path):
    ways = grid_ways(3, 3)
    south = way_of(ways, (0, 1), (1, 1))
    west = way_of(ways, (1, 0), (1, 1))
    rels = [
        (
            9,
            [("way", "from", south), ("node", "via", node_id(1, 1)), ("way", "to", west)],
            {"type": "restriction", "restriction:hgv": "no_left_turn"},
        ),
        (
            10,
            [("way", "from", south), ("node", "via", node_id(1, 1)), ("way", "to", west)],
            {"type": "restriction", "restriction": "no_left_turn", "except": "psv;motorcar"},
        ),
    ]
    r = Router.from_file(write_osm(tmp_path / "r.osm", ways, rels))
    route = r.route(mid((0, 1), (1, 1), 0.5), mid((1, 0), (1, 1), 0.5))
    assert route.distance_m == pytest.approx(100, rel=0.02)


def test_u_turn_only_at_dead_end(tmp_path):
    # a T: the stem (0,1)-(1,1) ends at a dead end at (0,1); the bar runs (1,0)-(1,1)-(1,2)
    ways = [(1, [(1, 0), (1, 1), (1, 2)], dict(RES)), (2, [(1, 1), (0, 1)], dict(RES))]
    r = Router.from_file(write_osm(tmp_path / "t.osm", ways))
    net = r.network
    u_turn_points = {
        int(net.state_head(a)) for a, b in zip(net.arc_from, net.arc_to, strict=True) if b == a ^ 1
    }
    dead_ends = {
        int(p)
        for p in range(len(net.lat))
        if (net.edge_u == p).sum() + (net.edge_v == p).sum() == 1
    }
    assert u_turn_points == dead_ends
    assert len(dead_ends) == 3


def test_closed_barrier_blocks(tmp_path):
    ways = [(1, [(0, 0), (0, 1), (0, 2)], dict(RES))]
    path = write_osm(tmp_path / "b.osm", ways, node_tags={(0, 1): {"barrier": "bollard"}})
    r = Router.from_file(path)
    assert r.network.stats["closed_barriers"] == 1
    # beyond the bollard lies a separate part of the network: as OSRM does, the destination is
    # placed on the nearest road of the main part, which ends at the bollard (reported: 50 m snap)
    route = r.route(mid((0, 0), (0, 1)), mid((0, 1), (0, 2)))
    assert route.destination.snap_distance_m == pytest.approx(50, rel=0.02)
    assert route.distance_m == pytest.approx(50, rel=0.02)
    # a gate is passable with a delay
    path = write_osm(tmp_path / "g.osm", ways, node_tags={(0, 1): {"barrier": "gate"}})
    route = Router.from_file(path).route(mid((0, 0), (0, 1)), mid((0, 1), (0, 2)))
    assert route.distance_m == pytest.approx(100, rel=0.02)
    assert route.duration_s > 60


def test_restricted_road_only_at_start_or_end(tmp_path):
    # a private shortcut across the block: not used to pass through, used to reach a point on it
    ways = grid_ways(2, 3)
    ways.append((50, [(0, 1), (1, 1)], {"highway": "residential", "motor_vehicle": "destination"}))
    ways = [w for w in ways if set(w[1]) != {(0, 1), (1, 1)} or w[0] == 50]
    r = Router.from_file(write_osm(tmp_path / "p.osm", ways))
    route = r.route(mid((0, 0), (0, 1), 0.5), mid((1, 1), (1, 2), 0.5))
    assert 50 not in route.way_ids
    onto = r.route(mid((0, 0), (0, 1), 0.5), mid((0, 1), (1, 1), 0.5))
    assert onto.way_ids[-1] == 50


def test_typed_errors(tmp_path):
    ways = [(1, [(0, 0), (0, 1)], dict(RES)), (2, [(5, 5), (5, 6)], dict(RES))]
    r = Router.from_file(write_osm(tmp_path / "e.osm", ways))
    inside = mid((0, 0), (0, 1))
    with pytest.raises(OutsideMap) as exc:
        r.route((10.0, 10.0), inside)
    assert exc.value.field == "origin"
    with pytest.raises(NoSegment):  # inside the map's box, but 250+ m from any road
        r.route(grid(3, 3), inside)
    with pytest.raises(NoRoute):
        r.route(inside, mid((5, 5), (5, 6)))
    with pytest.raises(InvalidQuery):
        r.route((95.0, 5.0), inside)
    with pytest.raises(GeocodeError):  # text that is not coordinates, and no geocoder set up
        r.route("52.0;x", inside)
