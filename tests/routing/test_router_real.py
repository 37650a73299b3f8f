"""The router on the shared real extracts (Hengelo, Spijkenisse)."""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pytest

from routing.errors import NoRoute, NoSegment, OutsideMap
from routing.network import build_network
from routing.router import Router
from tests.conftest import shared_path

HOSPITAL = (52.2638, 6.7708)  # ZGT Hengelo, inside the hospital grounds


def test_one_way_streets_make_legs_differ(hengelo_router):
    # reference trip hengelo-h003 (OSRM: 5288.6 m there, 5127.9 m back)
    trip = hengelo_router.trip((52.287907, 6.797534), HOSPITAL)
    assert trip.outbound.distance_m == pytest.approx(5288.6, abs=5)
    assert trip.inbound.distance_m == pytest.approx(5127.9, abs=5)
    assert trip.loaded_m == trip.outbound.distance_m + trip.inbound.distance_m
    assert trip.outbound.way_ids != tuple(reversed(trip.inbound.way_ids))


def test_hospital_snaps_onto_its_own_road(hengelo_router):
    # the point lies in the hospital grounds; the nearest road (59.3 m, a dead-end service road)
    # is reachable only over a vehicle=private road, which a route may use at its end only
    wp = hengelo_router.snap(HOSPITAL)
    assert wp.snap_distance_m == pytest.approx(59.3, abs=0.2)
    route = hengelo_router.route((52.287907, 6.797534), HOSPITAL)
    assert route.destination.way_id == wp.way_id


def test_snap_projects_onto_the_edge(hengelo_router):
    net = hengelo_router.network
    # a long straight segment; a point 12 m beside its middle
    seg_len = np.diff(net.chain_m)
    same_way = np.zeros(len(seg_len), dtype=bool)
    same_way[:] = net.chain_m[1:] > net.chain_m[:-1]
    candidates = np.flatnonzero(same_way & (seg_len > 150))
    pos = int(candidates[0])
    a, b = net.chain[pos], net.chain[pos + 1]
    from routing import _geo

    mid_lon, mid_lat = (net.lon[a] + net.lon[b]) / 2, (net.lat[a] + net.lat[b]) / 2
    bearing = float(_geo.bearing_deg(net.lon[a], net.lat[a], net.lon[b], net.lat[b]))
    lon, lat, _ = _geo.GEOD.fwd(mid_lon, mid_lat, bearing + 90, 12.0)
    wp = hengelo_router.snap((lat, lon))
    assert wp.snap_distance_m == pytest.approx(12.0, abs=0.5)
    # the snapped point lies mid-way, far from both segment ends (not a graph node)
    for p in (a, b):
        d = float(_geo.geodesic_m(net.lon[p], net.lat[p], wp.lon, wp.lat))
        assert d > 50


def test_off_map_and_far_points(hengelo_router):
    with pytest.raises(OutsideMap):
        hengelo_router.route((52.37, 4.89), HOSPITAL)  # Amsterdam
    strict = Router(hengelo_router.network, snap_limit_m=5)
    with pytest.raises(NoSegment):
        strict.route((52.287907, 6.797534), HOSPITAL)  # hospital point is 59 m from a road


def test_turn_restrictions_change_real_routes(hengelo_pbf):
    """Routes never take a turn a restriction forbids, and some real routes change because of it."""
    from routing.maps import read_map
    from routing.profile import default_profile

    profile = default_profile()
    raw = read_map(hengelo_pbf, lambda t: profile.way_rule(t) is not None)
    with_r = build_network(raw, profile)
    without = build_network(dataclasses.replace(raw, restrictions=[]), profile)
    assert with_r.stats["restrictions_applied"] == 44
    forbidden = set(zip(without.arc_from.tolist(), without.arc_to.tolist(), strict=True)) - set(
        zip(with_r.arc_from.tolist(), with_r.arc_to.tolist(), strict=True)
    )
    assert forbidden
    r_with, r_without = Router(with_r), Router(without)
    changed = 0
    for a, b in sorted(forbidden):
        # from 30 % along the from-state to 70 % along the to-state
        def point(state, frac):
            pts = with_r.state_points(state)
            k = max(1, round(frac * (len(pts) - 1)))
            p, q = pts[k - 1], pts[k]
            return (
                float((with_r.lat[p] + with_r.lat[q]) / 2),
                float((with_r.lon[p] + with_r.lon[q]) / 2),
            )

        try:
            ra = r_with.route(point(a, 0.3), point(b, 0.7))
            rb = r_without.route(point(a, 0.3), point(b, 0.7))
        except NoRoute:
            continue
        states = ra.extra["states"]
        assert not (set(itertools.pairwise(states)) & forbidden)
        if ra.distance_m > rb.distance_m + 1:
            changed += 1
    assert changed >= 10


def test_engine_matches_networkx_dijkstra(hengelo_router):
    net = hengelo_router.network
    g = net.turn_graph()
    rng = np.random.default_rng(7)
    main = np.flatnonzero(net.state_component == net.main_component)
    engine = hengelo_router.engine
    for s, t in rng.choice(main, size=(60, 2)):
        s, t = int(s), int(t)
        if s == t:
            continue
        res = engine.query([(s, 0)], [(t, 0)])
        expected = nx.dijkstra_path_length(g, s, t, weight="weight")
        assert res.weight_ms == expected
        path_weight = sum(
            g[a][b]["weight"] for a, b in zip(res.states[:-1], res.states[1:], strict=True)
        )
        assert path_weight == expected


def test_routes_batch_keeps_every_row(hengelo_router):
    import pandas as pd

    pairs = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "origin_lat": [52.287907, "x", 10.0, None, 52.2638],
            "origin_lon": [6.797534, 6.7, 10.0, None, 6.7708],
            "dest_lat": [52.2638, 52.2638, 52.2638, 52.2638, 52.287907],
            "dest_lon": [6.7708, 6.7708, 6.7708, 6.7708, 6.797534],
        }
    )
    out = hengelo_router.routes(pairs)
    assert len(out) == len(pairs)
    assert list(out["id"]) == ["a", "b", "c", "d", "e"]
    assert out["error"].tolist()[0] == ""
    assert out["error"].tolist()[1].startswith("InvalidQuery")
    assert out["error"].tolist()[2].startswith("OutsideMap")
    assert out["error"].tolist()[3].startswith("InvalidQuery")
    assert out["distance_m"].iloc[0] == pytest.approx(5288.6, abs=5)
    assert np.isnan(out["distance_m"].iloc[1])


def test_spijkenisse_hospital(spijkenisse_router):
    wp = spijkenisse_router.snap((51.8465, 4.3379))
    assert wp.snap_distance_m == pytest.approx(23.8, abs=0.2)


def test_reference_sample_agrees_with_osrm():
    """A fixed sample of reference trips lies within 1 % of OSRM (full run: bench/accuracy.py)."""
    import pandas as pd

    trips = pd.read_csv(shared_path("reference", "trips.csv"))
    sample = trips[trips.region == "spijkenisse"].head(40)
    router = Router.from_file(shared_path("osm", "spijkenisse.osm.pbf"))
    rel = []
    for row in sample.itertuples():
        r = router.route((row.origin_lat, row.origin_lon), (row.dest_lat, row.dest_lon))
        rel.append(abs(r.distance_m - row.osrm_m) / row.osrm_m)
    assert np.median(rel) < 0.005
    assert np.mean(np.array(rel) < 0.01) >= 0.95
