"""Read OpenStreetMap extracts (``.osm``, ``.osm.bz2``, ``.osm.pbf``) into plain arrays.

The file is streamed once with pyosmium, never converted or loaded whole. Node coordinates go into
a compact sorted location index (16 bytes a node, in C++); only tagged nodes that matter to a car
(barriers, signals, access) and ways with a ``highway`` or ``route`` tag reach Python, and a way's
node coordinates are taken from the index as it passes. Ways can be filtered further (e.g. by the
car profile), and turn-restriction relations are kept.

Raw Overpass exports repeat ways as tag-less copies ("recurse down" output) and list nodes after the
ways: the copies never pass the tag filter, and the coordinates of nodes that come after their ways
are filled by a second pass over the nodes. Such an export therefore loads to the same map as the
cleaned PBF of the same data (tested).
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
#: Node tags the car profile reads (barriers, signals, access); other node tags are not kept.
NODE_KEYS = (
    "highway", "barrier", "access", "motor_vehicle", "motorcar", "vehicle", "direction",
    "traffic_signals:direction", "stop", "bollard", "kerb", "maxheight", "sensory",
)  # fmt: skip
#: ``highway=*`` values of nodes that cost time.
NODE_HIGHWAY = {"traffic_signals", "stop", "give_way"}


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


def road_filters(proc: osmium.FileProcessor) -> osmium.FileProcessor:
    """Let only road ways, relations and car-relevant nodes of ``proc`` reach Python.

    Ways and relations need a ``highway``, ``route`` or ``type`` tag (tag-less ways, such as the
    copies in a raw Overpass export, never pass); nodes need one of :data:`NODE_KEYS`. The filters
    run in C++, after the location handler, so every node still gets its location stored.
    """
    return proc.with_filter(
        osmium.filter.KeyFilter("highway", "route", "type").enable_for(
            osmium.osm.WAY | osmium.osm.RELATION
        )
    ).with_filter(osmium.filter.KeyFilter(*NODE_KEYS).enable_for(osmium.osm.NODE))


def car_node_tags(node: osmium.osm.Node) -> Tags | None:
    """Return the tags of ``node`` that the car profile reads, or None when none matter.

    A bare ``highway=*`` tag (a crossing, a street lamp) does not count; ``highway`` values in
    :data:`NODE_HIGHWAY` (signals, stop, give way) and any other key of :data:`NODE_KEYS` do.
    """
    tags = {t.k: t.v for t in node.tags if t.k in NODE_KEYS}
    if tags.get("highway") in NODE_HIGHWAY or len(tags) > ("highway" in tags):
        return tags
    return None


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
    ref_lat = array("d")
    ref_lon = array("d")
    way_tags: list[Tags] = []
    seen_ways: set[int] = set()
    tag_cache: dict[tuple[tuple[str, str], ...], Tags | None] = {}
    restrictions: list[Restriction] = []
    node_tags: dict[int, Tags] = {}
    stats = {"duplicate_ways": 0, "skipped_restrictions": 0, "ways_filtered": 0}
    nan = float("nan")
    header_box = None

    try:
        # One pass: nodes first (a sorted file), their locations kept in a compact sorted index,
        # then the ways with their node coordinates. Only tagged nodes with keys that matter to
        # a car reach Python; tag-less ways (raw Overpass copies) never do.
        proc = osmium.FileProcessor(str(path)).with_locations("sparse_mem_array")
        box = proc.header.box()
        if box.valid():
            header_box = (
                box.bottom_left.lon,
                box.bottom_left.lat,
                box.top_right.lon,
                box.top_right.lat,
            )
        proc = road_filters(proc)
        for obj in proc:
            if obj.is_node():
                tags = car_node_tags(obj)
                if tags:
                    node_tags[obj.id] = tags
            elif obj.is_way():
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
                nodes = obj.nodes
                if len(nodes) < 2:
                    continue
                seen_ways.add(obj.id)
                way_ids.append(obj.id)
                for n in nodes:
                    way_nodes.append(n.ref)
                    loc = n.location
                    if loc.valid():
                        ref_lat.append(loc.lat)
                        ref_lon.append(loc.lon)
                    else:
                        ref_lat.append(nan)
                        ref_lon.append(nan)
                way_ptr.append(len(way_nodes))
                way_tags.append(tags)
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

    refs = np.frombuffer(way_nodes, dtype=np.int64)
    lat_all = np.frombuffer(ref_lat, dtype=np.float64).copy()
    lon_all = np.frombuffer(ref_lon, dtype=np.float64).copy()
    missing_mask = np.isnan(lat_all)
    if missing_mask.any():
        # nodes listed after the ways (raw Overpass exports) or not in the file: a second pass
        # over the nodes fills what it can
        wanted = set(np.unique(refs[missing_mask]).tolist())
        found: dict[int, tuple[float, float]] = {}
        try:
            for n in osmium.FileProcessor(str(path), osmium.osm.NODE):
                if n.id in wanted and n.location.valid():
                    found[n.id] = (n.location.lat, n.location.lon)
                    if n.id not in node_tags and len(n.tags):
                        tags = {t.k: t.v for t in n.tags if t.k in NODE_KEYS}
                        if tags.get("highway") in NODE_HIGHWAY or len(tags) > ("highway" in tags):
                            node_tags[n.id] = tags
        except RuntimeError as exc:
            raise MapError(f"cannot read the nodes of {path.name}: {exc}", field="map") from exc
        for i in np.flatnonzero(missing_mask).tolist():
            c = found.get(int(refs[i]))
            if c is not None:
                lat_all[i], lon_all[i] = c

    valid = ~np.isnan(lat_all)
    node_ids, first = np.unique(refs[valid], return_index=True)
    node_lat = lat_all[valid][first]
    node_lon = lon_all[valid][first]
    if len(node_ids) == 0:
        raise MapError(f"{path.name} holds no node coordinates for its roads", field="map")
    if node_tags:  # keep only the tags of nodes on the kept roads
        keys = np.fromiter(node_tags.keys(), dtype=np.int64, count=len(node_tags))
        node_tags = {int(k): node_tags[int(k)] for k in keys[np.isin(keys, node_ids)]}

    all_refs = refs
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
