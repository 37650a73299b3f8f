"""A country-sized road network of real extracts: tiles side by side, stitched at their borders.

The synthetic grids of ``bench/scale.py`` have no road hierarchy (the worst case for a contraction
hierarchy) and the real extracts are small. A *mosaic* sits between the two: copies of the real
extracts in ``../shared/data/osm`` (Hengelo, Spijkenisse, Liechtenstein), each picked at random,
randomly mirrored and laid out in a near-square grid of cells over a plane centred on lat 52, lon 5
(roughly over the Netherlands), then joined by *connector* roads across the gaps between
neighbouring tiles. Streets, road classes, turn restrictions, barriers and signals (where the
extract has them) are real; only the country-scale structure (which towns neighbour which, and the
long roads between them) is made up.

Layout
    ``cols = ceil(sqrt(tiles))``, ``rows = ceil(tiles / cols)``, filled row by row from the
    south-west corner. A cell is as wide as the widest source and as tall as the tallest, plus a
    gap of 300 m; each tile sits centred in its cell. Coordinates go through a local metric
    (sinusoidal) projection, so a tile keeps its real lengths wherever it lands.
Ids
    Node, way and relation ids of tile ``t`` are the source's ids plus ``t * STRIDE``, with one
    power-of-two stride per kind above every source id of that kind. Connector ways come after all
    tile ways (``tiles * way_stride + k``).
Stubs
    Roads cut off by an extract's border end in dead ends near that border. A *stub* on a side of a
    tile is the end node of a kept way that no other way uses (a dead end of the car network),
    lies within 15 % of the tile's extent from that side, and is *exposed* to it: no node of a
    two-way road of the tile lies within 200 m along the side and more than 30 m closer to it.
    (The exposure test leaves out the cul-de-sacs inside a town near its border: without it,
    Hengelo's northern band holds 137 dead ends, with it 37. One-way roads do not hide a stub,
    so that both carriageways of a cut-off dual carriageway count.)
Connectors
    For each pair of neighbouring tiles, the stubs on the facing sides are matched nearest first
    (each stub once; a pair whose one-way roads would only lead into or only out of the connector
    is not matched) and joined by a straight two-way way tagged with the more important class of
    the two stub ways (``*_link`` counts as its road; motorway only when both are motorways, else
    the lower class; ``oneway=no``, because the car profile makes a motorway one-way unless told
    otherwise) and a name. A pair gets at least two connectors: when the stubs run short, nodes of
    the two most important road classes nearest to the side are used as well.

Padding
    A national extract is mostly not roads: buildings, land use, addresses, paths, relations.
    ``--pad-mb`` adds copies of everything a full extract (Liechtenstein) holds besides the car
    roads and restrictions a tile keeps of it, until the file is about that size (the last copy
    is cut part-way; see :class:`Padding`). The copies are centred on the tiles in turn (the first
    round on the tiles themselves, later rounds mirrored and offset at random within the cell),
    with their own ids above all others: copy ``k`` adds ``(tiles + 1) * STRIDE + k * PAD_STRIDE``
    per kind. The file stays in OSM order (all nodes by id, then ways, then relations), and the
    car network read from it is the one without padding. ``--describe FILE`` prints the make-up
    of an OSM file (nodes, ways, relations, how much of them car roads) to compare with.

    python bench/mosaic.py --tiles 16 --out bench/.scale/mosaic-16.osm.pbf
    python bench/mosaic.py --tiles 100 --pad-mb 300 --out bench/.scale/mosaic-100-300mb.osm.pbf
    python bench/mosaic.py --describe ../shared/data/osm/liechtenstein.osm.pbf

Prints the counts, the write time and the peak memory (RSS).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are importable
    sys.path.insert(0, str(ROOT))

from routing.errors import MapError  # noqa: E402

SOURCE_DIR = ROOT.parent / "shared" / "data" / "osm"
SOURCE_NAMES = ("hengelo", "spijkenisse", "liechtenstein")

#: Centre of the mosaic (degrees).
LAT0, LON0 = 52.0, 5.0
#: Mean earth radius (m) of the local projection.
EARTH_R = 6_371_008.8
#: Gap between the largest tile and its cell's border (m).
GAP_M = 300.0
#: Stubs lie within this share of the tile's extent from its side.
BAND = 0.15
#: A stub is exposed when no node within this distance along the side ...
EXPOSE_WINDOW_M = 200.0
#: ... lies more than this much closer to the side (m).
EXPOSE_TOLERANCE_M = 30.0
#: Fewest connectors between two neighbouring tiles.
MIN_CONNECTORS = 2
#: Fallback nodes on one side lie at least this far apart along it (m).
FALLBACK_SPREAD_M = 1000.0
#: Road classes, most important first; anything else ranks after them.
CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential")
OTHER_RANK = len(CLASSES)
#: Highway of a connector between two roads of other classes (service, living_street, track...).
OTHER_CLASS = "service"
SIDES = ("W", "E", "S", "N")
_MIRROR_SIDE = {"W": "E", "E": "W", "S": "N", "N": "S"}


class MosaicError(MapError):
    """A mosaic cannot be made: the source extracts are missing, or the tile count is bad."""

    code = "InvalidMosaic"


def highway_rank(highway: str) -> int:
    """Rank of a ``highway`` value: 0 for motorway (``*_link`` as its road), ``OTHER_RANK`` last."""
    base = highway.removesuffix("_link")
    return CLASSES.index(base) if base in CLASSES else OTHER_RANK


def connector_class(a: str, b: str) -> str:
    """Highway of a connector between roads of highway ``a`` and ``b``.

    The more important class of the two, except that a motorway joined to anything but a motorway
    gives the other (lower) class. Classes outside :data:`CLASSES` give :data:`OTHER_CLASS`.
    """
    ra, rb = highway_rank(a), highway_rank(b)
    rank = max(ra, rb) if 0 in (ra, rb) and ra != rb else min(ra, rb)
    return CLASSES[rank] if rank < OTHER_RANK else OTHER_CLASS


# --- sources ------------------------------------------------------------------------------------


class End(NamedTuple):
    """A node a connector may start from: a stub, or a fallback node of an important road."""

    node: int  # position in the source's node arrays
    x: float  # local metres, source frame
    y: float
    highway: str
    arrive: bool  # traffic can reach the node along its road
    leave: bool  # traffic can leave the node along its road
    stub: bool


@dataclass(frozen=True)
class Frame:
    """A local sinusoidal metric frame: metres east and north of the centre of a bounding box.

    Attributes
    ----------
    lon_c, lat_c : float
        Centre of the degree extent (radians).
    x0, y0 : float
        Centre of the metric extent, subtracted from the projected metres.
    """

    lon_c: float
    lat_c: float
    x0: float
    y0: float

    @classmethod
    def around(cls, lon: np.ndarray, lat: np.ndarray) -> Frame:
        """The frame centred on the bounding box of these points."""
        lat_c = math.radians((lat.min() + lat.max()) / 2)
        lon_c = math.radians((lon.min() + lon.max()) / 2)
        x, y = cls(lon_c, lat_c, 0.0, 0.0).project(lon, lat)
        return cls(lon_c, lat_c, float(x.min() + x.max()) / 2, float(y.min() + y.max()) / 2)

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Degrees to frame metres."""
        y = EARTH_R * (np.radians(lat) - self.lat_c)
        x = EARTH_R * (np.radians(lon) - self.lon_c) * np.cos(np.radians(lat))
        return x - self.x0, y - self.y0


@dataclass
class Source:
    """One extract's car roads, in a local metric frame centred on their bounding box.

    Attributes
    ----------
    name : str
        Extract name.
    node_ids : numpy.ndarray
        Sorted OSM ids of the nodes the kept ways use (int64).
    x, y : numpy.ndarray
        Their positions in metres east and north of the bounding box's centre.
    node_tags : dict
        Car-relevant tags (``routing.maps.NODE_KEYS``) by node position.
    way_ids, way_ptr, way_refs : numpy.ndarray
        Sorted way ids; ``way_refs[way_ptr[i]:way_ptr[i + 1]]`` are the node ids of way ``i``.
    way_tags : list of dict
        All tags of each way.
    relations : list
        ``(id, members, tags)`` of the restriction relations whose members are all kept, by id.
    width, height : float
        Extent of the bounding box (m).
    frame : Frame
        The metric frame of ``x`` and ``y``.
    ends : dict
        Per side (``W E S N``): the stubs, then the fallback nodes.
    """

    name: str
    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    node_tags: dict[int, dict[str, str]]
    way_ids: np.ndarray
    way_ptr: np.ndarray
    way_refs: np.ndarray
    way_tags: list[dict[str, str]]
    relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]]
    width: float
    height: float
    frame: Frame
    ends: dict[str, list[End]] = field(default_factory=dict)

    @property
    def n_stubs(self) -> dict[str, int]:
        """Number of stubs per side."""
        return {s: sum(e.stub for e in self.ends[s]) for s in SIDES}


def _read_source(path: Path) -> Source:
    """Read one extract's car roads, their nodes and their restrictions."""
    import osmium

    from routing.maps import car_node_tags, road_filters
    from routing.profile import default_profile

    profile = default_profile()
    rule_cache: dict[tuple[tuple[str, str], ...], Any] = {}
    tag_cache: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    lonlat: dict[int, tuple[float, float]] = {}
    node_tags: dict[int, dict[str, str]] = {}
    relations = []
    proc = road_filters(osmium.FileProcessor(str(path)).with_locations())
    for obj in proc:
        if obj.is_node():
            tags = car_node_tags(obj)  # as routing.maps keeps them
            if tags:
                node_tags[obj.id] = tags
        elif obj.is_way():
            key = tuple(sorted((t.k, t.v) for t in obj.tags))
            if key not in rule_cache:
                rule_cache[key] = profile.way_rule(dict(key))
                tag_cache[key] = dict(key)
            if rule_cache[key] is None or obj.id in ways or len(obj.nodes) < 2:
                continue
            refs = []
            for n in obj.nodes:
                if not n.location.valid():
                    continue  # a node the extract does not hold: the way skips it
                refs.append(n.ref)
                lonlat[n.ref] = (n.location.lon, n.location.lat)
            if len(refs) >= 2:
                ways[obj.id] = (refs, tag_cache[key])
        elif obj.is_relation() and obj.tags.get("type") == "restriction":
            members = [(m.type, m.ref, m.role) for m in obj.members]
            relations.append((obj.id, members, dict(obj.tags)))
    if not ways:
        raise MosaicError(f"{path.name} holds no roads open to cars", field="sources")

    node_ids = np.array(sorted(lonlat), dtype=np.int64)
    lon = np.array([lonlat[n][0] for n in node_ids.tolist()])
    lat = np.array([lonlat[n][1] for n in node_ids.tolist()])
    frame = Frame.around(lon, lat)
    x, y = frame.project(lon, lat)

    way_ids = np.array(sorted(ways), dtype=np.int64)
    way_tags = [ways[w][1] for w in way_ids.tolist()]
    lengths = [len(ways[w][0]) for w in way_ids.tolist()]
    way_ptr = np.zeros(len(way_ids) + 1, dtype=np.int64)
    way_ptr[1:] = np.cumsum(lengths)
    way_refs = np.fromiter(
        (r for w in way_ids.tolist() for r in ways[w][0]), dtype=np.int64, count=int(way_ptr[-1])
    )
    kept_nodes = set(lonlat)
    kept_ways = set(ways)
    relations = sorted(
        (rid, members, tags)
        for rid, members, tags in relations
        if all(
            (t == "n" and ref in kept_nodes) or (t == "w" and ref in kept_ways)
            for t, ref, _ in members
        )
    )
    pos_tags = {}
    for nid, tags in node_tags.items():
        p = int(np.searchsorted(node_ids, nid))
        if p < len(node_ids) and node_ids[p] == nid:
            pos_tags[p] = tags
    src = Source(
        name=path.name.split(".")[0],
        node_ids=node_ids,
        x=x,
        y=y,
        node_tags=pos_tags,
        way_ids=way_ids,
        way_ptr=way_ptr,
        way_refs=way_refs,
        way_tags=way_tags,
        relations=relations,
        width=float(x.max() - x.min()),
        height=float(y.max() - y.min()),
        frame=frame,
    )
    src.ends = _find_ends(src, [rule_cache[tuple(sorted(t.items()))] for t in way_tags])
    return src


def _side_frame(src: Source, side: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Return (depth from the side, position along it, extent across) for every node."""
    if side == "W":
        return src.x - src.x.min(), src.y, src.width
    if side == "E":
        return src.x.max() - src.x, src.y, src.width
    if side == "S":
        return src.y - src.y.min(), src.x, src.height
    return src.y.max() - src.y, src.x, src.height


def _find_ends(src: Source, rules: list[Any]) -> dict[str, list[End]]:
    """Find the stubs and fallback nodes of each side of a source."""
    refs_pos = np.searchsorted(src.node_ids, src.way_refs)
    uses = np.bincount(refs_pos, minlength=len(src.node_ids))
    first, last = src.way_ptr[:-1], src.way_ptr[1:] - 1
    usable = np.array(
        [
            "highway" in t and not (r.forward_restricted or r.backward_restricted)
            for t, r in zip(src.way_tags, rules, strict=True)
        ],
        dtype=bool,
    )
    r_fwd = [bool(r.forward) for r in rules]
    r_bwd = [bool(r.backward) for r in rules]
    rank = np.array([highway_rank(t.get("highway", "")) for t in src.way_tags])
    # dead ends: a way's first or last node that no other way (nor the same way) uses again
    dead: list[tuple[int, int, bool]] = []  # (node position, way, is the way's last node)
    for is_last, pos in ((False, first), (True, last)):
        p = refs_pos[pos]
        ok = (uses[p] == 1) & usable
        dead += [(int(a), int(w), is_last) for a, w in zip(p[ok], np.flatnonzero(ok), strict=True)]
    # fallback: nodes of the ways of the two most important classes present
    good = np.flatnonzero(usable)
    top = np.unique(rank[good])[:2]
    main_ways = good[np.isin(rank[good], top)]
    main_way_of_node = {}
    for w in main_ways[np.argsort(rank[main_ways], kind="stable")].tolist():
        for p in refs_pos[src.way_ptr[w] : src.way_ptr[w + 1]].tolist():
            main_way_of_node.setdefault(p, w)
    main_nodes = np.array(sorted(main_way_of_node), dtype=np.int64)
    # what hides a dead end from a side: nodes of two-way roads (not the other carriageway of a
    # dual carriageway, nor a ramp, which end near the border too)
    two_way = np.array(r_fwd) & np.array(r_bwd)
    blocker = np.zeros(len(src.node_ids), dtype=bool)
    blocker[refs_pos[np.repeat(two_way, np.diff(src.way_ptr))]] = True
    blockers = np.flatnonzero(blocker)

    out: dict[str, list[End]] = {}
    for side in SIDES:
        depth, along, extent = _side_frame(src, side)
        order = blockers[np.argsort(along[blockers], kind="stable")]
        a_sorted, d_sorted = along[order], depth[order]
        ends: list[End] = []
        for p, w, is_last in dead:
            d, a = depth[p], along[p]
            if d > BAND * extent:
                continue
            lo, hi = np.searchsorted(a_sorted, [a - EXPOSE_WINDOW_M, a + EXPOSE_WINDOW_M])
            if hi > lo and d_sorted[lo:hi].min() < d - EXPOSE_TOLERANCE_M:
                continue  # another road lies between this dead end and the side
            arrive, leave = (r_fwd[w], r_bwd[w]) if is_last else (r_bwd[w], r_fwd[w])
            hw = src.way_tags[w]["highway"]
            ends.append(End(p, float(src.x[p]), float(src.y[p]), hw, arrive, leave, stub=True))
        ends.sort(key=lambda e: (e.x, e.y) if side in "SN" else (e.y, e.x))
        # fallback nodes: nearest to the side, spread along it
        picked: list[int] = []
        for p in main_nodes[np.argsort(depth[main_nodes], kind="stable")].tolist():
            if all(abs(along[p] - along[q]) >= FALLBACK_SPREAD_M for q in picked):
                picked.append(p)
                if len(picked) == MIN_CONNECTORS:
                    break
        for p in picked:
            w = main_way_of_node[p]
            hw = src.way_tags[w]["highway"]
            ends.append(End(p, float(src.x[p]), float(src.y[p]), hw, True, True, stub=False))
        out[side] = ends
    return out


def load_sources(sources: Sequence[Path] | None = None) -> tuple[Source, ...]:
    """Read the source extracts (once per process and set of files).

    Parameters
    ----------
    sources : sequence of Path, optional
        The extracts; default Hengelo, Spijkenisse and Liechtenstein from ``../shared/data/osm``.

    Raises
    ------
    routing.errors.MapError
        When a source file is missing (code ``InvalidMosaic``, field ``sources``).
    """
    paths = (
        tuple(Path(p).resolve() for p in sources)
        if sources is not None
        else tuple(SOURCE_DIR / f"{n}.osm.pbf" for n in SOURCE_NAMES)
    )
    if not paths:
        raise MosaicError("no source extracts given", field="sources")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise MosaicError(
            f"source extract(s) not found: {', '.join(missing)} (check out ../shared beside the "
            "project, or pass the extracts to use)",
            field="sources",
        )
    key = tuple((p, p.stat().st_mtime_ns) for p in paths)
    return _load_sources_keyed(key)


@lru_cache(maxsize=4)
def _load_sources_keyed(key: tuple[tuple[Path, int], ...]) -> tuple[Source, ...]:
    return tuple(_read_source(p) for p, _ in key)


# --- plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One tile of the mosaic.

    Attributes
    ----------
    index, row, col : int
        Position (row 0 is the south, column 0 the west).
    source : int
        Index of its source extract.
    mirror_x, mirror_y : bool
        Whether the source is mirrored east-west / north-south.
    cx, cy : float
        Centre of the tile (and its cell) in mosaic metres east and north of (LAT0, LON0).
    """

    index: int
    row: int
    col: int
    source: int
    mirror_x: bool
    mirror_y: bool
    cx: float
    cy: float

    def source_side(self, side: str) -> str:
        """The side of the source that faces ``side`` of the tile."""
        if (side in "WE" and self.mirror_x) or (side in "SN" and self.mirror_y):
            return _MIRROR_SIDE[side]
        return side

    def to_mosaic(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[Any, Any]:
        """Source-frame metres to mosaic metres."""
        return (
            self.cx + (-x if self.mirror_x else x),
            self.cy + (-y if self.mirror_y else y),
        )


@dataclass(frozen=True)
class Plan:
    """Where each tile goes and how ids are shifted.

    Attributes
    ----------
    tiles : list of Tile
        The tiles, by index.
    rows, cols : int
        Layout.
    cell_w, cell_h : float
        Cell size (m).
    node_stride, way_stride, relation_stride : int
        Id shift per tile, for each kind (powers of two above every source id of that kind).
    sources : tuple of Source
        The extracts.
    """

    tiles: list[Tile]
    rows: int
    cols: int
    cell_w: float
    cell_h: float
    node_stride: int
    way_stride: int
    relation_stride: int
    sources: tuple[Source, ...]

    @property
    def connector_base(self) -> int:
        """Connector way ids are above this."""
        return len(self.tiles) * self.way_stride

    def tile_at(self, row: int, col: int) -> Tile | None:
        """The tile in a cell, or None for an empty cell of the last row."""
        i = row * self.cols + col
        return self.tiles[i] if 0 <= col < self.cols and 0 <= i < len(self.tiles) else None

    def lonlat(self, tile: Tile) -> tuple[np.ndarray, np.ndarray]:
        """Longitudes and latitudes of a tile's nodes (in its source's node order)."""
        src = self.sources[tile.source]
        return to_lonlat(*tile.to_mosaic(src.x, src.y))

    def bbox(self, tile: Tile) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of a tile's nodes."""
        lon, lat = self.lonlat(tile)
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def to_lonlat(x: Any, y: Any) -> tuple[Any, Any]:
    """Mosaic metres (east, north of LAT0/LON0) to degrees, sinusoidal (lengths kept locally)."""
    lat = LAT0 + np.degrees(np.asarray(y) / EARTH_R)
    lon = LON0 + np.degrees(np.asarray(x) / (EARTH_R * np.cos(np.radians(lat))))
    return lon, lat


def _stride(max_id: int) -> int:
    """Smallest power of two above ``max_id``."""
    return 1 << max(int(max_id), 1).bit_length()


def plan_mosaic(tiles: int, seed: int = 42, sources: Sequence[Path] | None = None) -> Plan:
    """Lay out a mosaic: each tile's source, mirroring and cell.

    Parameters
    ----------
    tiles : int
        Number of tiles (at least 1).
    seed : int
        Seed of the random choices.
    sources : sequence of Path, optional
        The extracts (default: :data:`SOURCE_NAMES` in ``../shared/data/osm``).
    """
    if not isinstance(tiles, int) or tiles < 1:
        raise MosaicError(f"tiles must be a whole number >= 1, not {tiles!r}", field="tiles")
    srcs = load_sources(sources)
    cols = math.ceil(math.sqrt(tiles))
    rows = math.ceil(tiles / cols)
    cell_w = max(s.width for s in srcs) + GAP_M
    cell_h = max(s.height for s in srcs) + GAP_M
    node_stride = _stride(max(int(s.node_ids.max()) for s in srcs))
    way_stride = _stride(max(int(s.way_ids.max()) for s in srcs))
    relation_stride = _stride(max((r[0] for s in srcs for r in s.relations), default=1))
    for s in srcs:  # ids must be positive and below the stride, or tiles would collide
        rel_ids = [r[0] for r in s.relations]
        if not (
            s.node_ids.min() > 0
            and s.node_ids.max() < node_stride
            and s.way_ids.min() > 0
            and s.way_ids.max() < way_stride
            and all(0 < r < relation_stride for r in rel_ids)
        ):
            raise MosaicError(f"{s.name} has ids outside the id strides", field="sources")
    if (tiles + 1) * max(node_stride, way_stride, relation_stride) >= 2**63:
        raise MosaicError(f"{tiles} tiles overflow 64-bit OSM ids", field="tiles")
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(srcs), size=tiles)
    mirror = rng.random((tiles, 2)) < 0.5
    out = []
    for i in range(tiles):
        r, c = divmod(i, cols)
        out.append(
            Tile(
                index=i,
                row=r,
                col=c,
                source=int(pick[i]),
                mirror_x=bool(mirror[i, 0]),
                mirror_y=bool(mirror[i, 1]),
                cx=(c + 0.5 - cols / 2) * cell_w,
                cy=(r + 0.5 - rows / 2) * cell_h,
            )
        )
    return Plan(out, rows, cols, cell_w, cell_h, node_stride, way_stride, relation_stride, srcs)


# --- stitching --------------------------------------------------------------------------------


class Connector(NamedTuple):
    """A connector way between two tiles."""

    way_id: int
    node_a: int  # mosaic node ids
    node_b: int
    highway: str
    fallback: bool  # one of its ends is a fallback node, not a stub


def _match(
    a: list[tuple[End, float, float]], b: list[tuple[End, float, float]], limit: int
) -> list[tuple[int, int]]:
    """Pair ends of ``a`` and ``b`` nearest first, each once, at most ``limit`` pairs."""
    if not a or not b or limit <= 0:
        return []
    ax = np.array([[x, y] for _, x, y in a])
    bx = np.array([[x, y] for _, x, y in b])
    dist = np.hypot(ax[:, None, 0] - bx[None, :, 0], ax[:, None, 1] - bx[None, :, 1])
    arrive_a = np.array([e.arrive for e, _, _ in a])
    leave_a = np.array([e.leave for e, _, _ in a])
    arrive_b = np.array([e.arrive for e, _, _ in b])
    leave_b = np.array([e.leave for e, _, _ in b])
    flows = (arrive_a[:, None] & leave_b[None, :]) | (arrive_b[None, :] & leave_a[:, None])
    dist[~flows] = np.inf
    pairs: list[tuple[int, int]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for k in np.argsort(dist, axis=None, kind="stable").tolist():
        i, j = divmod(k, len(b))
        if not np.isfinite(dist[i, j]):
            break
        if i in used_a or j in used_b:
            continue
        pairs.append((i, j))
        used_a.add(i)
        used_b.add(j)
        if len(pairs) == limit:
            break
    return pairs


def stitch(plan: Plan) -> list[Connector]:
    """Connectors between all horizontally and vertically neighbouring tiles."""
    out: list[Connector] = []
    next_id = plan.connector_base + 1
    for tile in plan.tiles:
        for other, side, facing in (
            (plan.tile_at(tile.row, tile.col + 1), "E", "W"),
            (plan.tile_at(tile.row + 1, tile.col), "N", "S"),
        ):
            if other is None:
                continue
            sides = []
            for t, s in ((tile, side), (other, facing)):
                ends = plan.sources[t.source].ends[t.source_side(s)]
                sides.append([(e, *t.to_mosaic(e.x, e.y)) for e in ends])
            stubs = [[i for i, (e, _, _) in enumerate(s) if e.stub] for s in sides]
            pairs = [
                (stubs[0][i], stubs[1][j])
                for i, j in _match(
                    [sides[0][i] for i in stubs[0]],
                    [sides[1][j] for j in stubs[1]],
                    min(len(stubs[0]), len(stubs[1])),
                )
            ]
            if len(pairs) < MIN_CONNECTORS:
                # too few stubs: add fallback nodes, and the stubs left over
                free = []
                for k, s in enumerate(sides):
                    used = {s[p[k]][0].node for p in pairs}
                    seen: set[int] = set()
                    keep = []
                    for i, (e, _, _) in enumerate(s):
                        if e.node not in used and e.node not in seen:
                            seen.add(e.node)
                            keep.append(i)
                    free.append(keep)
                more = _match(
                    [sides[0][i] for i in free[0]],
                    [sides[1][j] for j in free[1]],
                    MIN_CONNECTORS - len(pairs),
                )
                pairs += [(free[0][i], free[1][j]) for i, j in more]
            for i, j in pairs:
                ea, eb = sides[0][i][0], sides[1][j][0]
                src_a, src_b = plan.sources[tile.source], plan.sources[other.source]
                out.append(
                    Connector(
                        way_id=next_id,
                        node_a=int(src_a.node_ids[ea.node]) + tile.index * plan.node_stride,
                        node_b=int(src_b.node_ids[eb.node]) + other.index * plan.node_stride,
                        highway=connector_class(ea.highway, eb.highway),
                        fallback=not (ea.stub and eb.stub),
                    )
                )
                next_id += 1
    return out


# --- padding ----------------------------------------------------------------------------------

#: The extract whose non-road content pads a mosaic (a full country extract: all OSM data).
PAD_SOURCE_NAME = "liechtenstein"
#: A copy of the padding is cut into this many pieces, so that the padding can stop within a copy.
PAD_PIECES = 64
#: A padded file is within this share of the size asked for.
PAD_TOLERANCE = 0.05

Tags = dict[str, str]
Members = list[tuple[str, int, str]]


@dataclass
class Padding:
    """The non-road content of a full extract, in the metric frame of its car roads, in pieces.

    Padding is everything of the extract that a tile does not keep: every way that is not a car
    road (buildings, land use, paths, waterways, ...), every relation that is not a kept turn
    restriction (routes, multipolygons, boundaries, ...), every node that is not on a car road,
    plus copies of the car-road nodes that those ways use, all with their tags.

    Pieces: the ways, in id order, are cut into :data:`PAD_PIECES` runs of about equal weight
    (node references + 1); a node belongs to the piece of the first way that uses it, the nodes of
    no way and the relations are spread over the pieces in id order. The first ``p`` pieces of a
    copy therefore hold every node their ways use (relations may name members of later pieces, as
    relations in extracts name members outside the extract).

    Attributes
    ----------
    name : str
        Extract name.
    node_ids, x, y : numpy.ndarray
        Sorted node ids and their positions in the frame of the extract's car roads (m).
    node_tags : dict
        Tags by node position.
    node_piece : numpy.ndarray
        Piece of each node.
    way_ids, way_ptr, way_refs : numpy.ndarray
        Sorted way ids; ``way_refs[way_ptr[i]:way_ptr[i + 1]]`` are the node ids of way ``i``.
    way_tags : list of dict
        Tags of each way.
    way_piece : numpy.ndarray
        Piece of each way (non-decreasing).
    relations : list
        ``(id, members, tags)`` by id; members are ``(kind, ref, role)``.
    relation_piece : numpy.ndarray
        Piece of each relation.
    box : tuple of float
        ``(xmin, ymin, xmax, ymax)`` of the nodes (m).
    copy_bytes : int
        PBF bytes of one whole copy (measured).
    share : numpy.ndarray
        ``share[p]``: the part of a copy's bytes in its first ``p`` pieces (measured; 0 to 1).
    """

    name: str
    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    node_tags: dict[int, Tags]
    node_piece: np.ndarray
    way_ids: np.ndarray
    way_ptr: np.ndarray
    way_refs: np.ndarray
    way_tags: list[Tags]
    way_piece: np.ndarray
    relations: list[tuple[int, Members, Tags]]
    relation_piece: np.ndarray
    box: tuple[float, float, float, float]
    copy_bytes: int = 0
    share: np.ndarray = field(default_factory=lambda: np.linspace(0.0, 1.0, PAD_PIECES + 1))


class PadCopy(NamedTuple):
    """One copy of the padding: where it lies, how its ids are shifted, how much of it is written.

    ``tile`` is the tile it is centred on (copies cycle over the tiles); the first copy on a tile
    takes the tile's own mirroring and centre (so that a tile of the padding's own extract gets
    its own buildings back), later ones a random mirroring and a random offset within the cell.
    """

    index: int
    tile: int
    pieces: int  # the first ``pieces`` pieces are written (PAD_PIECES: the whole copy)
    mirror_x: bool
    mirror_y: bool
    cx: float
    cy: float
    node_shift: int
    way_shift: int
    relation_shift: int

    def to_mosaic(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Padding-frame metres to mosaic metres."""
        return (
            self.cx + (-x if self.mirror_x else x),
            self.cy + (-y if self.mirror_y else y),
        )


@dataclass(frozen=True)
class PadPlan:
    """The padding of a mosaic: its copies and the sizes it aims at.

    Attributes
    ----------
    padding : Padding
        The content that is copied.
    copies : list of PadCopy
        The copies, by index (only the last one may be partial).
    target_bytes : int
        Size asked for.
    base_bytes : int
        Estimated size of the mosaic without padding.
    """

    padding: Padding
    copies: list[PadCopy]
    target_bytes: int
    base_bytes: int

    @property
    def pieces(self) -> int:
        """Pieces written over all copies."""
        return sum(c.pieces for c in self.copies)

    @property
    def estimated_bytes(self) -> int:
        """Estimated size of the padded file."""
        pad = self.padding
        return self.base_bytes + round(
            sum(pad.copy_bytes * pad.share[c.pieces] for c in self.copies)
        )


def load_padding(path: Path | None = None) -> Padding:
    """Read (once per process and file) and measure the non-road content of a full extract.

    Parameters
    ----------
    path : Path, optional
        A full extract (default: Liechtenstein from ``../shared/data/osm``). It is held in memory:
        use a small one.

    Raises
    ------
    routing.errors.MapError
        When the file is missing (code ``InvalidMosaic``, field ``pad_source``), holds no roads
        open to cars, or holds nothing else.
    """
    p = Path(path).resolve() if path is not None else SOURCE_DIR / f"{PAD_SOURCE_NAME}.osm.pbf"
    if not p.is_file():
        raise MosaicError(
            f"padding extract not found: {p} (check out ../shared beside the project, or pass a "
            "full extract to pad with)",
            field="pad_source",
        )
    return _load_padding_keyed(p, p.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load_padding_keyed(path: Path, mtime_ns: int) -> Padding:
    pad = _read_padding(path)
    _measure_padding(pad)
    return pad


def _read_padding(path: Path) -> Padding:
    """Read everything of an extract that its tile does not keep (see :class:`Padding`)."""
    import osmium

    try:
        roads = _load_sources_keyed(((path, path.stat().st_mtime_ns),))[0]
    except MosaicError as exc:
        raise MosaicError(exc.message, field="pad_source") from exc
    car_ways = set(roads.way_ids.tolist())
    kept_relations = {r[0] for r in roads.relations}
    ids, lon, lat = array("q"), array("d"), array("d")
    tags_by_id: dict[int, Tags] = {}
    ways: list[tuple[int, list[int], Tags]] = []
    relations: list[tuple[int, Members, Tags]] = []
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            if obj.location.valid():
                ids.append(obj.id)
                lon.append(obj.location.lon)
                lat.append(obj.location.lat)
                if len(obj.tags):
                    tags_by_id[obj.id] = {t.k: t.v for t in obj.tags}
        elif obj.is_way():
            if obj.id not in car_ways:
                ways.append((obj.id, [n.ref for n in obj.nodes], {t.k: t.v for t in obj.tags}))
        elif obj.id not in kept_relations:
            members = [(m.type, m.ref, m.role) for m in obj.members]
            relations.append((obj.id, members, {t.k: t.v for t in obj.tags}))
    all_ids = np.frombuffer(ids, dtype=np.int64)
    order = np.argsort(all_ids, kind="stable")
    all_ids = all_ids[order]
    # a way keeps the nodes the file holds; a way left with fewer than two is dropped
    held = set(all_ids.tolist())
    ways = sorted(
        (wid, kept, tags)
        for wid, refs, tags in ways
        if len(kept := [r for r in refs if r in held]) >= 2
    )
    relations.sort(key=lambda r: r[0])
    lengths = np.array([len(w[1]) for w in ways], dtype=np.int64)
    way_ptr = np.zeros(len(ways) + 1, dtype=np.int64)
    way_ptr[1:] = np.cumsum(lengths)
    way_refs = np.fromiter((r for w in ways for r in w[1]), dtype=np.int64, count=int(way_ptr[-1]))
    # nodes: those off the car roads, and the car-road nodes the padding's ways use
    used = np.zeros(len(all_ids), dtype=bool)
    ref_pos = np.searchsorted(all_ids, way_refs)
    used[ref_pos] = True
    keep = ~np.isin(all_ids, roads.node_ids) | used
    if not ways and not relations and not keep.any():
        raise MosaicError(f"{path.name} holds nothing but car roads", field="pad_source")
    node_ids = all_ids[keep]
    new_pos = np.cumsum(keep) - 1  # position in node_ids of each kept node of all_ids
    lon_a = np.frombuffer(lon, dtype=np.float64)[order][keep]
    lat_a = np.frombuffer(lat, dtype=np.float64)[order][keep]
    x, y = roads.frame.project(lon_a, lat_a)
    node_tags = {
        int(new_pos[np.searchsorted(all_ids, nid)]): tags
        for nid, tags in tags_by_id.items()
        if keep[np.searchsorted(all_ids, nid)]
    }
    # pieces: ways by cumulative weight, nodes by their first way, the rest by id
    weight = lengths + 1
    way_piece = (PAD_PIECES * (np.cumsum(weight) - weight)) // max(int(weight.sum()), 1)
    node_piece = np.full(len(node_ids), PAD_PIECES, dtype=np.int64)
    np.minimum.at(node_piece, new_pos[ref_pos], np.repeat(way_piece, lengths))
    free = np.flatnonzero(node_piece == PAD_PIECES)
    node_piece[free] = (PAD_PIECES * np.arange(len(free))) // max(len(free), 1)
    relation_piece = (PAD_PIECES * np.arange(len(relations))) // max(len(relations), 1)
    return Padding(
        name=path.name.split(".")[0],
        node_ids=node_ids,
        x=x,
        y=y,
        node_tags=node_tags,
        node_piece=node_piece,
        way_ids=np.array([w[0] for w in ways], dtype=np.int64),
        way_ptr=way_ptr,
        way_refs=way_refs,
        way_tags=[w[2] for w in ways],
        way_piece=way_piece.astype(np.int64),
        relations=relations,
        relation_piece=relation_piece.astype(np.int64),
        box=(float(x.min()), float(y.min()), float(x.max()), float(y.max())),
    )


def _measure_padding(pad: Padding) -> None:
    """Measure the PBF bytes of a copy and the share of each piece (sets the attributes).

    A copy's bytes are what a second copy adds to a file of one (no header, whole blocks); the
    pieces are written alone, and only their shares of the sum are used.
    """
    import osmium

    one = PadCopy(0, 0, PAD_PIECES, False, False, 0.0, 0.0, 0, 0, 0)
    two = PadCopy(1, 0, PAD_PIECES, True, False, 1e4, 0.0, 1 << 40, 1 << 40, 1 << 40)
    runs = [[(one, 0, PAD_PIECES)], [(one, 0, PAD_PIECES), (two, 0, PAD_PIECES)]]
    runs += [[(one, p, p + 1)] for p in range(PAD_PIECES)]
    sizes = []
    with tempfile.TemporaryDirectory(prefix="mosaic-pad-") as tmp:
        for i, run in enumerate(runs):
            name = os.path.join(tmp, f"{i}.osm.pbf")
            with osmium.SimpleWriter(name, overwrite=True) as w:
                for write in (_write_pad_nodes, _write_pad_ways, _write_pad_relations):
                    for copy, lo, hi in run:
                        write(w, pad, copy, lo, hi)
            sizes.append(os.path.getsize(name))
    pad.copy_bytes = sizes[1] - sizes[0]
    pieces = np.array(sizes[2:], dtype=np.float64)
    pad.share = np.concatenate([[0.0], np.cumsum(pieces) / pieces.sum()])


def _tile_bytes(plan: Plan) -> list[int]:
    """PBF bytes of one tile of each source, written alone."""
    import osmium

    out = []
    with tempfile.TemporaryDirectory(prefix="mosaic-tile-") as tmp:
        for s in range(len(plan.sources)):
            tile = Tile(0, 0, 0, s, False, False, 0.0, 0.0)
            name = os.path.join(tmp, f"{s}.osm.pbf")
            with osmium.SimpleWriter(name, overwrite=True) as w:
                _write_tile_nodes(w, plan, tile)
                _write_tile_ways(w, plan, tile)
                _write_tile_relations(w, plan, tile)
            out.append(os.path.getsize(name))
    return out


def plan_padding(
    plan: Plan,
    pad_mb: float,
    seed: int = 42,
    pad_source: Path | None = None,
    connectors: int = 0,
) -> PadPlan:
    """Plan the copies of non-road content that bring a mosaic to about ``pad_mb`` megabytes.

    Copies are centred on the tiles in turn (tile 0, 1, ..., then round again); their ids are
    the padding's own plus a shift per copy, above every id of the tiles and the connectors.
    The size of the mosaic without padding is estimated from one tile of each source written
    alone, that of a copy (and of its first pieces) is measured once per padding extract.

    Parameters
    ----------
    plan : Plan
        The mosaic.
    pad_mb : float
        Size of the whole file to aim at, in megabytes (10^6 bytes).
    seed : int
        Seed of the copies' mirroring and offsets.
    pad_source : Path, optional
        Full extract to copy (default: Liechtenstein from ``../shared/data/osm``).
    connectors : int
        Number of connector ways (their ids stay below the padding's).

    Raises
    ------
    routing.errors.MapError
        ``pad_mb`` is not a positive number, is below the size of the mosaic without padding,
        or needs ids beyond 64 bits (field ``pad_mb``); the padding extract is missing or holds
        no roads (field ``pad_source``).
    """
    if (
        not isinstance(pad_mb, int | float)
        or isinstance(pad_mb, bool)
        or not math.isfinite(pad_mb)
        or pad_mb <= 0
    ):
        raise MosaicError(f"pad_mb must be a positive number, not {pad_mb!r}", field="pad_mb")
    pad = load_padding(pad_source)
    per_source = _tile_bytes(plan)
    base = sum(per_source[t.source] for t in plan.tiles) + 24 * connectors
    target = round(pad_mb * 1e6)
    if target < base * (1 - PAD_TOLERANCE):
        raise MosaicError(
            f"pad_mb {pad_mb:g} is below the size of the mosaic without padding "
            f"(about {base / 1e6:.1f} MB): ask for more, or leave padding out",
            field="pad_mb",
        )
    rest = max(target - base, 0)
    whole = int(rest // pad.copy_bytes)
    part = int(np.argmin(np.abs(pad.share * pad.copy_bytes - (rest - whole * pad.copy_bytes))))
    if part == PAD_PIECES:
        whole, part = whole + 1, 0
    n_copies = whole + (part > 0)

    tiles = len(plan.tiles)
    if connectors >= plan.way_stride:
        raise MosaicError("too many connectors for the way id stride", field="tiles")
    strides = (
        _stride(int(pad.node_ids.max(initial=1))),
        _stride(int(pad.way_ids.max(initial=1))),
        _stride(max((r[0] for r in pad.relations), default=1)),
    )
    bases = [(tiles + 1) * s for s in (plan.node_stride, plan.way_stride, plan.relation_stride)]
    if any(b + (n_copies + 1) * s >= 2**63 for b, s in zip(bases, strides, strict=True)):
        raise MosaicError(f"{n_copies} padding copies overflow 64-bit OSM ids", field="pad_mb")
    rng = np.random.default_rng([seed, 0x9AD])
    flips = rng.random((n_copies, 2)) < 0.5
    offsets = rng.random((n_copies, 2)) - 0.5
    copies = []
    for k in range(n_copies):
        rnd, t = divmod(k, tiles)
        tile = plan.tiles[t]
        mx, my, cx, cy = tile.mirror_x, tile.mirror_y, tile.cx, tile.cy
        if rnd:
            mx, my = bool(flips[k, 0]), bool(flips[k, 1])
            cx += offsets[k, 0] * plan.cell_w
            cy += offsets[k, 1] * plan.cell_h
        shifts = [b + k * s for b, s in zip(bases, strides, strict=True)]
        pieces = part if (k == n_copies - 1 and part) else PAD_PIECES
        copies.append(PadCopy(k, t, pieces, mx, my, cx, cy, *shifts))
    return PadPlan(pad, copies, target, base)


# --- writing ----------------------------------------------------------------------------------


def _add_nodes(
    w: Any, pos: Sequence[int], ids: list[int], lon: list[float], lat: list[float], tags: dict
) -> None:
    """Write nodes; ``tags`` are looked up by ``pos`` (one reused object: the writer copies)."""
    from osmium.osm.mutable import Node

    node = Node()
    add = w.add_node
    for i, nid, x, y in zip(pos, ids, lon, lat, strict=True):
        node.id = nid
        node.location = (x, y)
        node.tags = tags.get(i)
        add(node)


def _add_ways(
    w: Any, sel: Sequence[int], ids: list[int], ptr: list[int], refs: list[int], tags: list[Tags]
) -> None:
    """Write the ways at positions ``sel`` (one reused object: the writer copies)."""
    from osmium.osm.mutable import Way

    way = Way()
    add = w.add_way
    for i in sel:
        way.id = ids[i]
        way.nodes = refs[ptr[i] : ptr[i + 1]]
        way.tags = tags[i]
        add(way)


def _add_relations(
    w: Any,
    relations: Sequence[tuple[int, Members, Tags]],
    shift: dict[str, int],
    id_shift: int,
) -> None:
    """Write relations with their ids and member refs shifted."""
    from osmium.osm.mutable import Relation

    for rid, members, tags in relations:
        w.add_relation(
            Relation(
                id=rid + id_shift,
                members=[(k, ref + shift[k], role) for k, ref, role in members],
                tags=tags,
            )
        )


def _write_tile_nodes(w: Any, plan: Plan, t: Tile) -> int:
    src = plan.sources[t.source]
    lon, lat = plan.lonlat(t)
    ids = (src.node_ids + t.index * plan.node_stride).tolist()
    _add_nodes(w, range(len(ids)), ids, lon.tolist(), lat.tolist(), src.node_tags)
    return len(ids)


def _write_tile_ways(w: Any, plan: Plan, t: Tile) -> int:
    src = plan.sources[t.source]
    refs = (src.way_refs + t.index * plan.node_stride).tolist()
    ids = (src.way_ids + t.index * plan.way_stride).tolist()
    _add_ways(w, range(len(ids)), ids, src.way_ptr.tolist(), refs, src.way_tags)
    return len(ids)


def _write_tile_relations(w: Any, plan: Plan, t: Tile) -> int:
    src = plan.sources[t.source]
    shift = {"n": t.index * plan.node_stride, "w": t.index * plan.way_stride}
    _add_relations(w, src.relations, shift, t.index * plan.relation_stride)
    return len(src.relations)


def _write_pad_nodes(w: Any, pad: Padding, c: PadCopy, lo: int = 0, hi: int | None = None) -> int:
    """Write the nodes of pieces ``lo`` to ``hi`` (default: the copy's own) of a copy."""
    hi = c.pieces if hi is None else hi
    sel = np.flatnonzero((pad.node_piece >= lo) & (pad.node_piece < hi))
    x, y = c.to_mosaic(pad.x[sel], pad.y[sel])
    lon, lat = to_lonlat(x, y)
    ids = (pad.node_ids[sel] + c.node_shift).tolist()
    _add_nodes(w, sel.tolist(), ids, lon.tolist(), lat.tolist(), pad.node_tags)
    return len(ids)


def _write_pad_ways(w: Any, pad: Padding, c: PadCopy, lo: int = 0, hi: int | None = None) -> int:
    """Write the ways of pieces ``lo`` to ``hi`` (default: the copy's own) of a copy."""
    hi = c.pieces if hi is None else hi
    first, last = np.searchsorted(pad.way_piece, [lo, hi])  # way pieces never decrease
    refs = (pad.way_refs + c.node_shift).tolist()
    ids = (pad.way_ids + c.way_shift).tolist()
    _add_ways(w, range(first, last), ids, pad.way_ptr.tolist(), refs, pad.way_tags)
    return int(last - first)


def _write_pad_relations(
    w: Any, pad: Padding, c: PadCopy, lo: int = 0, hi: int | None = None
) -> int:
    """Write the relations of pieces ``lo`` to ``hi`` (default: the copy's own) of a copy."""
    hi = c.pieces if hi is None else hi
    sel = np.flatnonzero((pad.relation_piece >= lo) & (pad.relation_piece < hi)).tolist()
    shift = {"n": c.node_shift, "w": c.way_shift, "r": c.relation_shift}
    _add_relations(w, [pad.relations[i] for i in sel], shift, c.relation_shift)
    return len(sel)


def write_mosaic(
    path: Path,
    tiles: int,
    seed: int = 42,
    sources: Sequence[Path] | None = None,
    pad_mb: float | None = None,
    pad_source: Path | None = None,
) -> dict[str, int]:
    """Write a mosaic of real extracts as an OSM PBF file (atomically).

    Parameters
    ----------
    path : Path
        Output ``.osm.pbf`` file; its folder is created.
    tiles : int
        Number of tiles (at least 1), laid out in ``rows x cols`` with ``cols = ceil(sqrt(tiles))``.
    seed : int
        Seed of the random choices (same seed, same bytes).
    sources : sequence of Path, optional
        The extracts (default: :data:`SOURCE_NAMES` in ``../shared/data/osm``).
    pad_mb : float, optional
        Pad the file with non-road data (copies of everything of ``pad_source`` that is not a car
        road) until it is about this many megabytes (10^6 bytes; within :data:`PAD_TOLERANCE`
        when the padding is at least a megabyte). The car network is the same as without.
    pad_source : Path, optional
        Full extract to pad with (default: Liechtenstein from ``../shared/data/osm``).

    Returns
    -------
    dict
        ``tiles``, ``rows``, ``cols``, ``osm_nodes`` (all nodes), ``ways`` (connectors and
        padding included), ``relations`` (all), ``restrictions`` (the tiles'), ``connectors``,
        ``fallback_connectors``, ``tile_pairs`` (neighbouring pairs of tiles), ``pad_copies``,
        ``pad_pieces`` (of :data:`PAD_PIECES` a copy), ``pad_nodes``, ``pad_ways``,
        ``pad_relations``, ``file_bytes`` and, when padded, ``estimated_bytes``.

    Raises
    ------
    routing.errors.MapError
        When the sources are missing, ``tiles`` is not a whole number >= 1, or ``pad_mb`` is not
        a positive number or is below the size without padding.
    """
    import osmium

    plan = plan_mosaic(tiles, seed, sources)
    connectors = stitch(plan)
    pad_plan = (
        plan_padding(plan, pad_mb, seed, pad_source, connectors=len(connectors))
        if pad_mb is not None
        else None
    )
    tile_pairs = sum(
        (plan.tile_at(t.row, t.col + 1) is not None) + (plan.tile_at(t.row + 1, t.col) is not None)
        for t in plan.tiles
    )
    # header box from the tiles' metric boxes (corners are the extremes of the projection) and
    # the padding's
    xs, ys = [], []
    for t in plan.tiles:
        src = plan.sources[t.source]
        for sx in (-0.5, 0.5):
            for sy in (-0.5, 0.5):
                x, y = t.to_mosaic(sx * src.width, sy * src.height)
                xs.append(x)
                ys.append(y)
    if pad_plan is not None:
        x0, y0, x1, y1 = pad_plan.padding.box
        for c in pad_plan.copies:
            x, y = c.to_mosaic(np.array([x0, x0, x1, x1]), np.array([y0, y1, y0, y1]))
            xs += x.tolist()
            ys += y.tolist()
    lon, lat = to_lonlat(np.array(xs), np.array(ys))
    header = osmium.io.Header()
    header.set("generator", "ziekenvervoer bench/mosaic.py")
    header.add_box(
        osmium.osm.Box(
            osmium.osm.Location(float(lon.min()) - 1e-4, float(lat.min()) - 1e-4),
            osmium.osm.Location(float(lon.max()) + 1e-4, float(lat.max()) + 1e-4),
        )
    )

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".osm.pbf")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_name, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
    counts = dict.fromkeys(
        ("osm_nodes", "ways", "relations", "restrictions", "pad_nodes", "pad_ways"), 0
    )
    counts["pad_relations"] = 0
    copies = pad_plan.copies if pad_plan is not None else []
    pad = pad_plan.padding if pad_plan is not None else None
    try:
        # OSM order: all nodes by id, then all ways, then all relations; padding ids come last
        with osmium.SimpleWriter(tmp_name, header=header, overwrite=True) as w:
            for t in plan.tiles:
                counts["osm_nodes"] += _write_tile_nodes(w, plan, t)
            for c in copies:
                counts["pad_nodes"] += _write_pad_nodes(w, pad, c)
            for t in plan.tiles:
                counts["ways"] += _write_tile_ways(w, plan, t)
            _add_ways(
                w,
                range(len(connectors)),
                [c.way_id for c in connectors],
                list(range(0, 2 * len(connectors) + 1, 2)),
                [r for c in connectors for r in (c.node_a, c.node_b)],
                [
                    {
                        "highway": c.highway,
                        "oneway": "no",
                        "name": f"Mosaic connector {c.way_id - plan.connector_base}",
                    }
                    for c in connectors
                ],
            )
            counts["ways"] += len(connectors)
            for c in copies:
                counts["pad_ways"] += _write_pad_ways(w, pad, c)
            for t in plan.tiles:
                counts["restrictions"] += _write_tile_relations(w, plan, t)
            for c in copies:
                counts["pad_relations"] += _write_pad_relations(w, pad, c)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    counts["osm_nodes"] += counts["pad_nodes"]
    counts["ways"] += counts["pad_ways"]
    counts["relations"] = counts["restrictions"] + counts["pad_relations"]
    out = {
        "tiles": tiles,
        "rows": plan.rows,
        "cols": plan.cols,
        **counts,
        "connectors": len(connectors),
        "fallback_connectors": sum(c.fallback for c in connectors),
        "tile_pairs": tile_pairs,
        "pad_copies": len(copies),
        "pad_pieces": pad_plan.pieces if pad_plan is not None else 0,
        "file_bytes": path.stat().st_size,
    }
    if pad_plan is not None:
        out["estimated_bytes"] = pad_plan.estimated_bytes
    return out


# --- make-up of an extract ---------------------------------------------------------------------


def describe_extract(path: Path) -> dict[str, int | float]:
    """Count what an OSM file holds, and how much of it the car router keeps.

    One streaming pass in Python (about a microsecond an object: minutes for a national file).

    Parameters
    ----------
    path : Path
        An ``.osm`` or ``.osm.pbf`` file.

    Returns
    -------
    dict
        ``nodes``, ``tagged_nodes``, ``ways``, ``way_node_refs``, ``relations``, ``car_ways``
        (ways the car profile keeps, as ``routing.maps.read_map`` with the car way filter),
        ``car_way_nodes`` (distinct nodes of those), ``restriction_relations``, ``building_ways``,
        ``highway_ways``, ``file_bytes``, ``bytes_per_node``, ``car_way_share`` and
        ``car_node_share``.

    Raises
    ------
    routing.errors.MapError
        When the file is missing (field ``describe``).
    """
    import osmium

    from routing.profile import default_profile

    path = Path(path)
    if not path.is_file():
        raise MosaicError(f"file not found: {path}", field="describe")
    profile = default_profile()
    rules: dict[tuple[tuple[str, str], ...], bool] = {}
    c = dict.fromkeys(
        (
            "nodes", "tagged_nodes", "ways", "way_node_refs", "relations", "car_ways",
            "restriction_relations", "building_ways", "highway_ways",
        ),
        0,
    )  # fmt: skip
    car_refs = array("q")
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            c["nodes"] += 1
            c["tagged_nodes"] += len(obj.tags) > 0
        elif obj.is_way():
            c["ways"] += 1
            refs = [n.ref for n in obj.nodes]
            c["way_node_refs"] += len(refs)
            tags = obj.tags
            c["building_ways"] += "building" in tags
            if "highway" in tags or "route" in tags:
                c["highway_ways"] += "highway" in tags
                key = tuple(sorted((t.k, t.v) for t in tags))
                if key not in rules:
                    rules[key] = profile.way_rule(dict(key)) is not None
                if rules[key] and len(refs) >= 2:
                    c["car_ways"] += 1
                    car_refs.extend(refs)
        else:
            c["relations"] += 1
            c["restriction_relations"] += obj.tags.get("type") == "restriction"
    out: dict[str, int | float] = dict(c)
    out["car_way_nodes"] = len(np.unique(np.frombuffer(car_refs, dtype=np.int64)))
    out["file_bytes"] = path.stat().st_size
    out["bytes_per_node"] = out["file_bytes"] / max(c["nodes"], 1)
    out["car_way_share"] = c["car_ways"] / max(c["ways"], 1)
    out["car_node_share"] = out["car_way_nodes"] / max(c["nodes"], 1)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Write a mosaic and print its counts, the time taken and the peak memory."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tiles", type=int, help="number of tiles")
    ap.add_argument("--out", type=Path, help="output .osm.pbf")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--sources",
        help="comma-separated extracts to tile (default: "
        + ", ".join(f"{n}.osm.pbf" for n in SOURCE_NAMES)
        + " from ../shared/data/osm)",
    )
    ap.add_argument(
        "--pad-mb",
        type=float,
        help="pad with non-road data (buildings, land use, paths...) to about this many MB",
    )
    ap.add_argument(
        "--pad-source",
        type=Path,
        help=f"full extract to pad with (default: {PAD_SOURCE_NAME}.osm.pbf from the shared data)",
    )
    ap.add_argument(
        "--describe",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="instead of writing a mosaic, print the make-up of these OSM files",
    )
    args = ap.parse_args(argv)
    if args.describe:
        for f in args.describe:
            try:
                info = describe_extract(f)
            except MosaicError as exc:
                print(f"error ({exc.field}): {exc.message}", file=sys.stderr)
                return 2
            print(f.name)
            for k, v in info.items():
                print(f"{k:>22}: {v:,.3f}" if isinstance(v, float) else f"{k:>22}: {v:,}")
        return 0
    if args.tiles is None or args.out is None:
        ap.error("--tiles and --out are required (or --describe FILE)")
    sources = [Path(p) for p in args.sources.split(",") if p] if args.sources else None
    t0 = time.perf_counter()
    try:
        counts = write_mosaic(
            args.out,
            args.tiles,
            args.seed,
            sources=sources,
            pad_mb=args.pad_mb,
            pad_source=args.pad_source,
        )
    except MosaicError as exc:
        print(f"error ({exc.field}): {exc.message}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for k, v in counts.items():
        print(f"{k:>20}: {v:,}")
    print(f"{'file_mb':>20}: {args.out.stat().st_size / 1e6:,.1f}")
    print(f"{'seconds':>20}: {elapsed:,.1f}")
    print(f"{'peak_rss_mb':>20}: {peak_mb:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
