"""Reproducible random origin-destination pairs on the car network of an extract.

The points are OSM nodes of public car roads, restricted to the largest strongly connected part of
the directed road network (one-way streets respected), so that every engine can in principle
route between any two of them. Pairs are drawn with a fixed seed and kept only when the two points
are at least ``min_distance_m`` apart as the crow flies.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

DEFAULT_SEED = 20261125
"""Seed of the benchmark's pairs (combined with the extract's name, so each extract differs)."""

MIN_DISTANCE_M = 500.0

# Public roads a car may drive on. Service roads are left out: car parks and driveways hang off
# the network by private access more often than not, and a benchmark pair should be routable.
CAR_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
    }
)
_NO_ACCESS = frozenset({"no", "private"})
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
_IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})

PAIR_COLUMNS = ("origin_lat", "origin_lon", "dest_lat", "dest_lon")


class PairSamplingError(ValueError):
    """The extract has too few car-network nodes to draw the requested pairs."""


@dataclass(frozen=True)
class CarNetworkNodes:
    """Nodes of the largest strongly connected part of an extract's car network.

    Attributes
    ----------
    osm_ids : numpy.ndarray
        OSM node ids, sorted ascending (int64).
    lat, lon : numpy.ndarray
        WGS84 coordinates, aligned with ``osm_ids``.
    total_nodes : int
        Car-network nodes before keeping the largest strongly connected part.
    """

    osm_ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    total_nodes: int


def is_car_way(tags: osmium.osm.TagList | dict[str, str]) -> bool:
    """Whether a way with these tags is a public road that cars may use (see ``CAR_HIGHWAYS``).

    Parameters
    ----------
    tags : mapping of str to str
        The way's OSM tags.

    Returns
    -------
    bool
        True for a car road without ``access``/``motor_vehicle``/``motorcar`` = no or private and
        not mapped as an area.
    """
    if tags.get("highway") not in CAR_HIGHWAYS or tags.get("area") == "yes":
        return False
    return not any(tags.get(key) in _NO_ACCESS for key in ("access", "motor_vehicle", "motorcar"))


def way_directions(tags: osmium.osm.TagList | dict[str, str]) -> tuple[bool, bool]:
    """Return (forward allowed, backward allowed) for a car way, from ``oneway`` and implications.

    Parameters
    ----------
    tags : mapping of str to str
        The way's OSM tags.

    Returns
    -------
    tuple of (bool, bool)
        Whether a car may drive along the node order, and against it.
    """
    oneway = tags.get("oneway")
    if oneway in _ONEWAY_FORWARD:
        return True, False
    if oneway in _ONEWAY_BACKWARD:
        return False, True
    if oneway == "no":
        return True, True
    implied = tags.get("highway") == "motorway" or (
        tags.get("junction") in _IMPLIED_ONEWAY_JUNCTIONS
    )
    return True, not implied


def car_network_nodes(pbf: str | os.PathLike[str]) -> CarNetworkNodes:
    """Read the car network of an extract and keep its largest strongly connected part.

    Parameters
    ----------
    pbf : path
        An OSM extract (PBF or XML) with node locations.

    Returns
    -------
    CarNetworkNodes
        Node ids and coordinates, sorted by OSM id.

    Raises
    ------
    PairSamplingError
        If the extract holds no car road.
    """
    index: dict[int, int] = {}
    lats: list[float] = []
    lons: list[float] = []
    tails: list[int] = []
    heads: list[int] = []

    def node_index(ref: osmium.osm.NodeRef) -> int | None:
        found = index.get(ref.ref)
        if found is not None:
            return found
        if not ref.location.valid():
            return None  # the way runs outside the extract: this node has no coordinates
        index[ref.ref] = len(lats)
        lats.append(ref.location.lat)
        lons.append(ref.location.lon)
        return index[ref.ref]

    processor = (
        osmium.FileProcessor(os.fspath(pbf), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()  # the location cache sees every node; the filters only what we get
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        if not is_car_way(way.tags):
            continue
        forward, backward = way_directions(way.tags)
        previous: int | None = None
        for ref in way.nodes:
            current = node_index(ref)
            if previous is not None and current is not None and previous != current:
                if forward:
                    tails.append(previous)
                    heads.append(current)
                if backward:
                    tails.append(current)
                    heads.append(previous)
            previous = current
    n = len(lats)
    if n == 0:
        raise PairSamplingError(f"{Path(pbf).name} holds no car road to draw points from")
    graph = coo_matrix((np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(n, n)).tocsr()
    _count, labels = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(labels).argmax()
    keep = np.flatnonzero(labels == largest)
    ids = np.fromiter(index.keys(), dtype=np.int64, count=n)[keep]
    lat = np.asarray(lats)[keep]
    lon = np.asarray(lons)[keep]
    order = np.argsort(ids, kind="stable")
    return CarNetworkNodes(ids[order], lat[order], lon[order], total_nodes=n)


def haversine_m(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in metres on a sphere of radius 6,371,008.8 m (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


def sample_pairs(
    nodes: CarNetworkNodes,
    n: int,
    *,
    seed: int = DEFAULT_SEED,
    min_distance_m: float = MIN_DISTANCE_M,
    salt: str = "",
) -> pd.DataFrame:
    """Draw ``n`` origin-destination pairs among ``nodes``, at least ``min_distance_m`` apart.

    The result depends only on the nodes, ``n``, ``seed``, ``min_distance_m`` and ``salt``, and
    the first ``k`` pairs of a draw of ``n >= k`` are the pairs of a draw of ``k``.

    Parameters
    ----------
    nodes : CarNetworkNodes
        Candidate points.
    n : int
        Number of pairs (>= 1).
    seed : int
        Random seed.
    min_distance_m : float
        Minimum straight-line distance between origin and destination.
    salt : str
        Mixed into the seed (the extract's name), so that extracts get independent draws.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin_lat, origin_lon, dest_lat, dest_lon, origin_node, dest_node,
        crow_m``, one row per pair.

    Raises
    ------
    PairSamplingError
        If ``n < 1`` or no pair of nodes is far enough apart after many tries.
    """
    if n < 1:
        raise PairSamplingError(f"number of pairs must be at least 1, got {n}")
    if len(nodes.osm_ids) < 2:
        raise PairSamplingError("fewer than two car-network nodes to draw pairs from")
    rng = np.random.default_rng([seed, zlib.crc32(salt.encode("utf-8"))])
    chosen_o: list[int] = []
    chosen_d: list[int] = []
    batch = 1024  # fixed, so that a smaller draw is a prefix of a larger one
    for _attempt in range(1000):
        o = rng.integers(0, len(nodes.osm_ids), size=batch)
        d = rng.integers(0, len(nodes.osm_ids), size=batch)
        far = haversine_m(nodes.lat[o], nodes.lon[o], nodes.lat[d], nodes.lon[d]) >= min_distance_m
        chosen_o.extend(o[far].tolist())
        chosen_d.extend(d[far].tolist())
        if len(chosen_o) >= n:
            break
    else:
        raise PairSamplingError(
            f"could not find {n} pairs at least {min_distance_m:g} m apart: the network is too "
            "small"
        )
    o_idx = np.asarray(chosen_o[:n])
    d_idx = np.asarray(chosen_d[:n])
    return pd.DataFrame(
        {
            "origin_lat": nodes.lat[o_idx],
            "origin_lon": nodes.lon[o_idx],
            "dest_lat": nodes.lat[d_idx],
            "dest_lon": nodes.lon[d_idx],
            "origin_node": nodes.osm_ids[o_idx],
            "dest_node": nodes.osm_ids[d_idx],
            "crow_m": haversine_m(
                nodes.lat[o_idx], nodes.lon[o_idx], nodes.lat[d_idx], nodes.lon[d_idx]
            ),
        }
    )


def random_pairs(
    pbf: str | os.PathLike[str],
    n: int = 1000,
    *,
    seed: int = DEFAULT_SEED,
    min_distance_m: float = MIN_DISTANCE_M,
) -> pd.DataFrame:
    """Draw ``n`` reproducible random car-network pairs from an extract.

    Parameters
    ----------
    pbf : path
        The extract. Its file stem (``hengelo`` for ``hengelo.osm.pbf``) salts the seed.
    n : int
        Number of pairs.
    seed : int
        Random seed (default :data:`DEFAULT_SEED`).
    min_distance_m : float
        Minimum straight-line distance of a pair (default 500 m).

    Returns
    -------
    pandas.DataFrame
        See :func:`sample_pairs`.
    """
    salt = Path(pbf).name.split(".")[0]
    return sample_pairs(
        car_network_nodes(pbf), n, seed=seed, min_distance_m=min_distance_m, salt=salt
    )
