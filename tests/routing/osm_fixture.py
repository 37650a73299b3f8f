"""Write small hand-made OSM XML maps for unit tests (the project's own fixtures)."""

from __future__ import annotations

from pathlib import Path

# a grid of points ~100 m apart near Utrecht: G(r, c) -> (lat, lon)
LAT0, LON0 = 52.0, 5.0
DLAT, DLON = 0.0009, 0.00146


def grid(r: int, c: int) -> tuple[float, float]:
    """(lat, lon) of grid point row r, column c (row grows north, column east)."""
    return LAT0 + r * DLAT, LON0 + c * DLON


def node_id(r: int, c: int) -> int:
    return 1000 + r * 10 + c


def write_osm(
    path: Path,
    ways: list[tuple[int, list[tuple[int, int]], dict[str, str]]],
    relations: list[tuple[int, list[tuple[str, str, int]], dict[str, str]]] = (),
    node_tags: dict[tuple[int, int], dict[str, str]] | None = None,
) -> Path:
    """Write an OSM XML file.

    ways: (way_id, [grid points], tags); relations: (rel_id, [(type, role, ref)], tags).
    """
    node_tags = node_tags or {}
    pts = sorted({p for _, nodes, _ in ways for p in nodes})
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for r, c in pts:
        lat, lon = grid(r, c)
        tags = node_tags.get((r, c), {})
        if tags:
            lines.append(f'  <node id="{node_id(r, c)}" lat="{lat:.7f}" lon="{lon:.7f}">')
            lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
            lines.append("  </node>")
        else:
            lines.append(f'  <node id="{node_id(r, c)}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, nodes, tags in ways:
        lines.append(f'  <way id="{wid}">')
        lines += [f'    <nd ref="{node_id(r, c)}"/>' for r, c in nodes]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    for rid, members, tags in relations:
        lines.append(f'  <relation id="{rid}">')
        lines += [f'    <member type="{t}" ref="{ref}" role="{role}"/>' for t, role, ref in members]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </relation>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


RES = {"highway": "residential"}


def grid_ways(
    rows: int, cols: int, first_id: int = 1
) -> list[tuple[int, list[tuple[int, int]], dict[str, str]]]:
    """Residential streets along every row and column of a grid, one way per block side."""
    ways = []
    wid = first_id
    for r in range(rows):
        for c in range(cols - 1):
            ways.append((wid, [(r, c), (r, c + 1)], dict(RES)))
            wid += 1
    for c in range(cols):
        for r in range(rows - 1):
            ways.append((wid, [(r, c), (r + 1, c)], dict(RES)))
            wid += 1
    return ways
