from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.pairs import (
    CarNetworkNodes,
    PairSamplingError,
    car_network_nodes,
    haversine_m,
    is_car_way,
    random_pairs,
    sample_pairs,
    way_directions,
)
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "motorway_link"}, True),
        ({"highway": "service"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "access": "no"}, False),
        ({"highway": "residential", "motor_vehicle": "no"}, False),
        ({"highway": "residential", "motorcar": "private"}, False),
        ({"highway": "residential", "access": "destination"}, True),
        ({"highway": "living_street", "area": "yes"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_is_car_way(tags: dict[str, str], expected: bool) -> None:
    assert is_car_way(tags) is expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, (True, True)),
        ({"highway": "residential", "oneway": "yes"}, (True, False)),
        ({"highway": "residential", "oneway": "-1"}, (False, True)),
        ({"highway": "motorway"}, (True, False)),
        ({"highway": "motorway", "oneway": "no"}, (True, True)),
        ({"highway": "primary", "junction": "roundabout"}, (True, False)),
        ({"highway": "primary", "junction": "roundabout", "oneway": "no"}, (True, True)),
    ],
)
def test_way_directions(tags: dict[str, str], expected: tuple[bool, bool]) -> None:
    assert way_directions(tags) == expected


def test_car_network_keeps_largest_strong_component(tiny_osm) -> None:
    nodes = car_network_nodes(tiny_osm)
    # the one-way spur's end (5) cannot be left, footway-only (9) and private (6, 7) are no car
    # roads: what remains is the two-way square
    assert nodes.osm_ids.tolist() == [1, 2, 3, 4]
    assert nodes.total_nodes == 5
    assert nodes.lat.tolist() == [52.0, 52.0, 52.01, 52.01]
    assert nodes.lon.tolist() == [5.0, 5.01, 5.01, 5.0]


def _grid_nodes(n: int = 30, step_deg: float = 0.01) -> CarNetworkNodes:
    lat, lon = np.meshgrid(52 + step_deg * np.arange(n), 5 + step_deg * np.arange(n))
    ids = np.arange(n * n, dtype=np.int64) + 100
    return CarNetworkNodes(ids, lat.ravel(), lon.ravel(), total_nodes=n * n)


def test_sample_pairs_is_reproducible_and_respects_min_distance() -> None:
    nodes = _grid_nodes()
    first = sample_pairs(nodes, 300, seed=7, salt="x")
    again = sample_pairs(nodes, 300, seed=7, salt="x")
    assert first.equals(again)
    assert len(first) == 300
    assert (first["crow_m"] >= 500).all()
    recomputed = haversine_m(
        first["origin_lat"], first["origin_lon"], first["dest_lat"], first["dest_lon"]
    )
    np.testing.assert_allclose(first["crow_m"], recomputed)
    assert set(first["origin_node"]) <= set(nodes.osm_ids.tolist())


def test_smaller_draw_is_a_prefix_and_salt_changes_the_draw() -> None:
    nodes = _grid_nodes()
    big = sample_pairs(nodes, 2500, seed=1, salt="hengelo")
    small = sample_pairs(nodes, 100, seed=1, salt="hengelo")
    assert small.equals(big.head(100))
    other = sample_pairs(nodes, 100, seed=1, salt="spijkenisse")
    assert not other.equals(small)


def test_sample_pairs_rejects_impossible_requests() -> None:
    close = _grid_nodes(n=3, step_deg=0.0001)  # all within ~30 m
    with pytest.raises(PairSamplingError, match="500 m apart"):
        sample_pairs(close, 5)
    with pytest.raises(PairSamplingError, match="at least 1"):
        sample_pairs(_grid_nodes(), 0)
    single = CarNetworkNodes(np.array([1]), np.array([52.0]), np.array([5.0]), total_nodes=1)
    with pytest.raises(PairSamplingError, match="fewer than two"):
        sample_pairs(single, 1)


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-80, 80),
    st.floats(-179, 179),
    st.floats(-80, 80),
    st.floats(-179, 179),
)
def test_haversine_is_symmetric_and_non_negative(lat1, lon1, lat2, lon2) -> None:
    d = haversine_m(lat1, lon1, lat2, lon2)
    assert d >= 0
    assert d == pytest.approx(haversine_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert d <= np.pi * 6_371_008.8 + 1e-6


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(52.0, 5.0, 53.0, 5.0) == pytest.approx(111_195, rel=1e-4)


def test_random_pairs_on_a_real_extract() -> None:
    pbf = shared_path("osm", "spijkenisse.osm.pbf")
    pairs = random_pairs(pbf, 200)
    nodes = car_network_nodes(pbf)
    assert len(pairs) == 200
    assert (pairs["crow_m"] >= 500).all()
    assert set(pairs["origin_node"]) | set(pairs["dest_node"]) <= set(nodes.osm_ids.tolist())
    assert random_pairs(pbf, 20).equals(pairs.head(20))
