"""Read OpenStreetMap extracts (``.osm``, ``.osm.bz2``, ``.osm.pbf``) into plain arrays.

The file is streamed twice with pyosmium, never converted or loaded whole:

1. ways with a ``highway`` or ``route`` tag (optionally filtered further, e.g. by the car
   profile) and turn-restriction relations;
2. only the nodes those ways use (an :class:`osmium.IdTracker` filter in C++), with their
   coordinates and tags.

Raw Overpass exports repeat ways as tag-less copies ("recurse down" output) and list nodes after the
ways; both are handled, so such an export loads to the same map as the cleaned PBF of the same data.
Every map carries a :class:`~routing.results.MapIdentity` (file name and SHA-256) that is reported
with each result computed on it.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import osmium.filter

from routing.errors import MapError
from routing.results import MapIdentity

Tags = dict[str, str]

#: File name endings pyosmium reads.
SUPPORTED_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml", ".osc")

#: ``restriction:<vehicle>`` tags that apply to a car.
CAR_RESTRICTION_KEYS = ("restriction", "restriction:motorcar", "restriction:motor_vehicle")
#: Vehicles in a restriction's ``except`` tag that exempt a car.
CAR_EXCEPT = {"motorcar", "motor_vehicle", "vehicle"}


@dataclass(frozen=True)
class Restriction:
    """An OSM turn restriction relation that applies to cars.

    Attributes
    ----------
    relation_id : int
        OSM relation id.
    kind : str
        ``"no"`` (the turn is forbidden) or ``"only"`` (the turn is the only one allowed).
    value : str
        The full tag value (``"no_left_turn"``, ``"only_straight_on"``, ...).
    from_ways, to_ways : tuple of int
        OSM way ids of the ``from`` and ``to`` members (``no_entry``/``no_exit`` have several).
    via_nodes : tuple of int
        The ``via`` node, when the restriction is via a node.
    via_ways : tuple of int
        The ``via`` ways, in relation order, when the restriction is via ways.
    """

    relation_id: int
    kind: str
    value: str
    from_ways: tuple[int, ...]
    to_ways: tuple[int, ...]
    via_nodes: tuple[int, ...] = ()
    via_ways: tuple[int, ...] = ()


@dataclass
class RawMap:
    """The road-relevant content of an OSM file, as arrays.

    Attributes
    ----------
    identity : MapIdentity
        Where the data came from (file name, SHA-256).
    way_ids : numpy.ndarray
        OSM ids of the kept ways (int64), in file order, each once.
    way_tags : list of dict
        Tags of each way (identical tag sets share one dict).
    way_node_ptr : numpy.ndarray
        ``way_nodes[way_node_ptr[i]:way_node_ptr[i + 1]]`` are the node ids of way ``i``.
    way_nodes : numpy.ndarray
        OSM node ids of all ways, concatenated (int64).
    node_ids : numpy.ndarray
        Sorted ids of the nodes the ways use and the file holds (int64).
    node_lat, node_lon : numpy.ndarray
        Their WGS84 coordinates (float64).
    node_tags : dict
        Tags of those nodes that have any, by node id.
    restrictions : list of Restriction
        Turn restrictions that apply to cars.
    bounds : tuple of float
        ``(west, south, east, north)``: the file's bounding box if it declares one, else the
        extent of the nodes.
    missing_nodes : int
        Node references of kept ways that the file does not contain (clipped extracts).
    """

    identity: MapIdentity
    way_ids: np.ndarray
    way_tags: list[Tags]
    way_node_ptr: np.ndarray
    way_nodes: np.ndarray
    node_ids: np.ndarray
    node_lat: np.ndarray
    node_lon: np.ndarray
    node_tags: dict[int, Tags]
    restrictions: list[Restriction]
    bounds: tuple[float, float, float, float]
    missing_nodes: int = 0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def n_ways(self) -> int:
        """Number of ways kept."""
        return len(self.way_ids)

    def way_node_ids(self, i: int) -> np.ndarray:
        """Node ids of way ``i`` (by position, not OSM id)."""
        return self.way_nodes[self.way_node_ptr[i] : self.way_node_ptr[i + 1]]


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _identity(path: Path) -> MapIdentity:
    """Return the map's identity: file name and hash, plus the download record if any.

    A map written by :func:`routing.download.download_map` whose sidecar still matches the file is
    identified by the download's query and date as well.
    """
    sha = file_sha256(path)
    sidecar = path.with_name(path.name + ".json")
    if sidecar.is_file():
        from routing.download import DownloadedMap

        try:
            downloaded = DownloadedMap.from_file(path)
        except MapError:
            pass  # the file changed since the download: only its own hash identifies it
        else:
            if downloaded.sha256 == sha:
                return downloaded.identity()
    return MapIdentity(source=path.name, sha256=sha)


def _parse_restriction(rel: osmium.osm.Relation) -> Restriction | None:
    tags = rel.tags
    if tags.get("type") != "restriction":
        return None
    value = next((tags[k] for k in CAR_RESTRICTION_KEYS if k in tags), None)
    if not value:
        return None  # only restriction:hgv, :bicycle, or conditional ones: not for cars
    except_ = {v.strip() for v in tags.get("except", "").split(";") if v.strip()}
    if except_ & CAR_EXCEPT:
        return None
    kind = value.split("_", 1)[0]
    if kind not in {"no", "only"}:
        return None
    from_ways: list[int] = []
    to_ways: list[int] = []
    via_nodes: list[int] = []
    via_ways: list[int] = []
    for m in rel.members:
        if m.role == "from" and m.type == "w":
            from_ways.append(m.ref)
        elif m.role == "to" and m.type == "w":
            to_ways.append(m.ref)
        elif m.role == "via" and m.type == "n":
            via_nodes.append(m.ref)
        elif m.role == "via" and m.type == "w":
            via_ways.append(m.ref)
    if not from_ways or not to_ways or bool(via_nodes) == bool(via_ways) or len(via_nodes) > 1:
        return None  # malformed: skipped (counted in stats)
    return Restriction(
        relation_id=rel.id,
        kind=kind,
        value=value,
        from_ways=tuple(from_ways),
        to_ways=tuple(to_ways),
        via_nodes=tuple(via_nodes),
        via_ways=tuple(via_ways),
    )


def read_map(
    path: str | Path,
    way_filter: Callable[[Tags], bool] | None = None,
) -> RawMap:
    """Read the roads of an OSM file.

    Parameters
    ----------
    path : path-like
        An ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file.
    way_filter : callable, optional
        ``way_filter(tags) -> bool`` decides which ways with a ``highway``/``route`` tag to keep
        (e.g. only those a car may use). Called once per distinct tag set.

    Returns
    -------
    RawMap

    Raises
    ------
    MapError
        When the file does not exist, cannot be parsed, or holds no roads.
    """
    path = Path(path)
    if not path.is_file():
        raise MapError(f"map file not found: {path}", field="map")
    if not path.name.endswith(SUPPORTED_SUFFIXES):
        raise MapError(
            f"unsupported map file type: {path.name} (use .osm, .osm.bz2 or .osm.pbf)", field="map"
        )
    identity = _identity(path)

    way_ids = array("q")
    way_ptr = array("q", [0])
    way_nodes = array("q")
    way_tags: list[Tags] = []
    seen_ways: set[int] = set()
    tag_cache: dict[tuple[tuple[str, str], ...], Tags | None] = {}
    restrictions: list[Restriction] = []
    stats = {"duplicate_ways": 0, "skipped_restrictions": 0, "ways_filtered": 0}
    tracker = osmium.IdTracker()

    try:
        proc = osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.RELATION)
        proc = proc.with_filter(osmium.filter.KeyFilter("highway", "route", "type"))
        for obj in proc:
            if obj.is_way():
                key = tuple(sorted((t.k, t.v) for t in obj.tags))
                if key in tag_cache:
                    tags = tag_cache[key]
                else:
                    d = dict(key)
                    keep = ("highway" in d or "route" in d) and (
                        way_filter is None or way_filter(d)
                    )
                    tags = tag_cache[key] = d if keep else None
                if tags is None:
                    stats["ways_filtered"] += 1
                    continue
                if obj.id in seen_ways:
                    stats["duplicate_ways"] += 1
                    continue
                refs = [n.ref for n in obj.nodes]
                if len(refs) < 2:
                    continue
                seen_ways.add(obj.id)
                way_ids.append(obj.id)
                way_nodes.extend(refs)
                way_ptr.append(len(way_nodes))
                way_tags.append(tags)
                tracker.add_references(obj)
            elif obj.is_relation():
                if obj.tags.get("type") != "restriction":
                    continue
                r = _parse_restriction(obj)
                if r is None:
                    stats["skipped_restrictions"] += 1
                else:
                    restrictions.append(r)
    except RuntimeError as exc:
        raise MapError(f"cannot read {path.name}: {exc}", field="map") from exc
    if not way_ids:
        raise MapError(f"{path.name} holds no roads (no ways with a highway tag)", field="map")

    node_id_buf = array("q")
    lat_buf = array("d")
    lon_buf = array("d")
    node_tags: dict[int, Tags] = {}
    header_box = None
    try:
        proc = osmium.FileProcessor(str(path), osmium.osm.NODE)
        box = proc.header.box()
        if box.valid():
            header_box = (
                box.bottom_left.lon,
                box.bottom_left.lat,
                box.top_right.lon,
                box.top_right.lat,
            )
        for n in proc.with_filter(tracker.id_filter()):
            loc = n.location
            if not loc.valid():
                continue
            node_id_buf.append(n.id)
            lat_buf.append(loc.lat)
            lon_buf.append(loc.lon)
            if len(n.tags):
                node_tags[n.id] = {t.k: t.v for t in n.tags}
    except RuntimeError as exc:
        raise MapError(f"cannot read the nodes of {path.name}: {exc}", field="map") from exc

    node_ids = np.frombuffer(node_id_buf, dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    node_ids = node_ids[order]
    # the same node may be listed twice in a raw export: keep one
    keep = np.ones(len(node_ids), dtype=bool)
    keep[1:] = node_ids[1:] != node_ids[:-1]
    node_ids = node_ids[keep]
    node_lat = np.frombuffer(lat_buf, dtype=np.float64)[order][keep]
    node_lon = np.frombuffer(lon_buf, dtype=np.float64)[order][keep]
    if len(node_ids) == 0:
        raise MapError(f"{path.name} holds no node coordinates for its roads", field="map")

    all_refs = np.frombuffer(way_nodes, dtype=np.int64)
    pos = np.searchsorted(node_ids, all_refs)
    pos[pos >= len(node_ids)] = 0
    missing = int(np.count_nonzero(node_ids[pos] != all_refs))

    bounds = header_box or (
        float(node_lon.min()),
        float(node_lat.min()),
        float(node_lon.max()),
        float(node_lat.max()),
    )
    stats["ways"] = len(way_ids)
    stats["nodes"] = len(node_ids)
    stats["restrictions"] = len(restrictions)
    return RawMap(
        identity=identity,
        way_ids=np.frombuffer(way_ids, dtype=np.int64).copy(),
        way_tags=way_tags,
        way_node_ptr=np.frombuffer(way_ptr, dtype=np.int64).copy(),
        way_nodes=all_refs.copy(),
        node_ids=node_ids,
        node_lat=node_lat,
        node_lon=node_lon,
        node_tags=node_tags,
        restrictions=restrictions,
        bounds=bounds,
        missing_nodes=missing,
        stats=stats,
    )
