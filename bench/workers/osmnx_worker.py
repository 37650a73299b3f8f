"""osmnx/networkx baseline worker: build an osmnx graph from a PBF and route with networkx.

osmnx reads OSM XML only, so the PBF is first converted with pyosmium into a temporary XML file
that holds the ways passing osmnx's own ``drive`` network filter plus the nodes they use (the
conversion is timed apart from the graph build). The graph is then built as an osmnx user would:
``graph_from_xml`` (simplified, largest weakly connected component), ``add_edge_speeds`` and
``add_edge_travel_times``.

A single route is ``nearest_nodes`` for both points, ``shortest_path`` by ``travel_time``, then
``routing.route_to_gdf`` for the length, the travel time and the geometry.

Request keys (besides those of ``_common``): ``pbf`` (the extract), ``workdir`` (folder for the
temporary XML file).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import _common  # type: ignore[import-not-found]

NETWORK_TYPE = "drive"
FALLBACK_KPH = 50.0
"""Speed for every edge when no edge of the map has a ``maxspeed`` (osmnx needs one then)."""
_CONDITION = re.compile(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]')


def parse_overpass_filter(way_filter: str) -> list[tuple[str, str | None, re.Pattern[str] | None]]:
    """Parse an osmnx/Overpass way filter such as ``["highway"]["service"!~"parking|private"]``.

    Parameters
    ----------
    way_filter : str
        Concatenated conditions ``["key"]``, ``["key"~"regex"]`` or ``["key"!~"regex"]``.

    Returns
    -------
    list of (key, operator, compiled regex)
        ``operator`` is None (key must exist), ``"~"`` or ``"!~"``.

    Raises
    ------
    ValueError
        If the filter holds anything else.
    """
    conditions: list[tuple[str, str | None, re.Pattern[str] | None]] = []
    position = 0
    for match in _CONDITION.finditer(way_filter):
        if match.start() != position:
            raise ValueError(f"unsupported filter syntax at {way_filter[position:]!r}")
        key, operator, pattern = match.groups()
        conditions.append((key, operator, re.compile(pattern) if pattern is not None else None))
        position = match.end()
    if position != len(way_filter):
        raise ValueError(f"unsupported filter syntax at {way_filter[position:]!r}")
    return conditions


def matches_filter(
    tags: Any, conditions: list[tuple[str, str | None, re.Pattern[str] | None]]
) -> bool:
    """Apply parsed Overpass conditions to a tag mapping (Overpass semantics: unanchored regex).

    ``["k"!~"re"]`` passes when the key is absent or its value does not match; ``["k"~"re"]``
    needs the key with a matching value; ``["k"]`` needs the key.
    """
    for key, operator, pattern in conditions:
        value = tags.get(key)
        if operator is None:
            if value is None:
                return False
        elif operator == "~":
            if value is None or pattern is None or not pattern.search(value):
                return False
        elif value is not None and pattern is not None and pattern.search(value):
            return False
    return True


def drive_filter() -> str:
    """Return osmnx's own Overpass filter for ``network_type="drive"``."""
    from osmnx import _overpass  # private, but it is *the* definition; osmnx is pinned to 2.1.*

    return _overpass._get_network_filter(NETWORK_TYPE)


def pbf_to_drive_xml(
    pbf: str | os.PathLike[str], xml_path: str | os.PathLike[str], way_filter: str
) -> dict[str, int]:
    """Write the ways of ``pbf`` that pass ``way_filter``, with their nodes, as OSM XML.

    Two passes over the file: the first selects the ways and collects the node ids they use, the
    second copies those nodes and ways in file order (nodes first in a sorted extract). Plain
    Python sets hold the ids: ``osmium.IdTracker`` peaked at over 600 MB on the 326 KB Hengelo
    extract, and ``BackReferenceWriter`` (which uses it) likewise.

    Parameters
    ----------
    pbf : path
        Source extract.
    xml_path : path
        Destination (``.osm``; overwritten).
    way_filter : str
        An Overpass way filter (see :func:`drive_filter`).

    Returns
    -------
    dict
        ``{"ways": written ways}``.
    """
    import osmium

    conditions = parse_overpass_filter(way_filter)
    way_ids: set[int] = set()
    node_ids: set[int] = set()
    for way in osmium.FileProcessor(os.fspath(pbf), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    ):
        if matches_filter(way.tags, conditions):
            way_ids.add(way.id)
            node_ids.update(ref.ref for ref in way.nodes)
    with osmium.SimpleWriter(os.fspath(xml_path), overwrite=True) as writer:
        for obj in osmium.FileProcessor(os.fspath(pbf), osmium.osm.NODE | osmium.osm.WAY):
            if obj.id in (node_ids if obj.is_node() else way_ids):
                writer.add(obj)
    ways = len(way_ids)
    return {"ways": ways}


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Convert, build the osmnx graph, then time single routes."""
    workdir = Path(request.get("workdir") or tempfile.gettempdir())
    workdir.mkdir(parents=True, exist_ok=True)
    import_start = time.perf_counter()
    import osmnx as ox

    import_s = time.perf_counter() - import_start
    way_filter = drive_filter()
    fd, xml_name = tempfile.mkstemp(prefix="osmnx-", suffix=".osm", dir=workdir)
    os.close(fd)
    xml_path = Path(xml_name)
    try:
        start = time.perf_counter()
        written = pbf_to_drive_xml(request["pbf"], xml_path, way_filter)
        conversion_s = time.perf_counter() - start
        xml_bytes = xml_path.stat().st_size
        start = time.perf_counter()
        graph = ox.graph_from_xml(xml_path, simplify=True, retain_all=False)
        has_maxspeed = any("maxspeed" in data for _, _, data in graph.edges(data=True))
        # osmnx imputes missing speeds per highway type from the graph's own maxspeed values;
        # a map without any (such as the tiny Amsterdam test map) needs a fallback
        graph = ox.add_edge_speeds(graph, fallback=None if has_maxspeed else FALLBACK_KPH)
        graph = ox.add_edge_travel_times(graph)
        graph_s = time.perf_counter() - start
    finally:
        xml_path.unlink(missing_ok=True)
    rss_after_load = _common.rss_mb()

    def route(olat: float, olon: float, dlat: float, dlon: float) -> tuple[float, float, Any]:
        orig, dest = ox.distance.nearest_nodes(graph, [olon, dlon], [olat, dlat])
        path = ox.routing.shortest_path(graph, orig, dest, weight="travel_time")
        if path is None:
            raise LookupError("no path between the nearest nodes")
        if len(path) < 2:
            node = graph.nodes[orig]
            return 0.0, 0.0, [(float(node["x"]), float(node["y"]))]
        edges = ox.routing.route_to_gdf(graph, path, weight="travel_time")
        coords: list[tuple[float, float]] = []
        for line in edges.geometry:
            points = list(line.coords)
            coords.extend(points[1:] if coords else points)
        return float(edges["length"].sum()), float(edges["travel_time"].sum()), coords

    response: dict[str, Any] = {
        "engine": "osmnx",
        "mode": "in-process (osmnx graph_from_xml + networkx shortest_path)",
        "version": f"osmnx {ox.__version__}, networkx {metadata.version('networkx')}",
        "build": {
            "conversion_s": conversion_s,
            "graph_build_s": graph_s,
            "osmnx_import_s": import_s,
            "xml_mb": xml_bytes / 2**20,
            "ways_written": written["ways"],
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "network_type": NETWORK_TYPE,
        },
        "load_s": conversion_s + graph_s,
        "rss_after_load_mb": rss_after_load,
    }
    response["routes"] = _common.time_routes(
        route, request.get("pairs", []), int(request.get("warmup", 10))
    )
    return response


if __name__ == "__main__":
    _common.run_worker(handle)
