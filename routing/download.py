"""Download the road data of a place or a bounding box from Overpass, through osmnx.

The result is an ordinary OSM file (``.osm.pbf``), so a downloaded map loads exactly like an
extract the user supplies. Beside it lies a sidecar ``<file>.json`` with what an auditor needs to
reproduce it: the query, the Overpass QL, the service URL, the download time, the data's own
timestamp (``osm_base``), the file's SHA-256 and the osmnx version.

How it works
------------
1. A place name is geocoded by osmnx (:func:`osmnx.geocoder.geocode_to_gdf`, Nominatim at
   ``routing.settings.nominatim_url``). The download covers the **bounding box of the place's
   boundary polygon**, not the polygon itself: a car route between two points of a town may leave
   the municipal boundary (a ring road, a bend across the border), and a box is a superset of the
   polygon that keeps those roads. A place that Nominatim knows only as a point is refused.
2. One Overpass QL query (:data:`OVERPASS_QL`) fetches every way with a ``highway`` tag that
   touches the box, all nodes of those ways with their tags (``highway=traffic_signals``,
   ``barrier=*``, ``highway=stop``/``give_way``, ...), and every turn-restriction relation
   (``type=restriction`` or ``type=restriction:<vehicle>``) with at least one member among those
   ways, with its complete member list. Members of a restriction that lie outside the box are not
   fetched (as in any extract); the loader ignores restrictions it cannot place.
   The query goes through osmnx's own Overpass client (``osmnx._overpass._overpass_request``, a
   private helper, hence the pinned osmnx minor version): osmnx waits for a free slot on the
   server (its ``/status`` endpoint, ``osmnx.settings.overpass_rate_limit``), sends the HTTP POST
   with ``osmnx.settings.requests_timeout``, and on HTTP 429 or 504 pauses 55 s (fixed in osmnx)
   and tries again. Here the number of such retries is bounded (``retries``) so that a busy server
   gives a :class:`~routing.errors.DownloadError` instead of waiting forever. The header of the
   query comes from ``osmnx.settings.overpass_settings`` (``[out:json][timeout:...]``), so a
   ``[date:"..."]`` set there downloads historical data.
3. The JSON answer is checked (HTTP status, Overpass "remark" = runtime error or timeout, at least
   one road, every way's nodes present) and written with pyosmium: nodes sorted by id, then ways,
   then relations, tags and coordinates (1e-7 degree, as in OSM) kept, ways in their node order.
   The file and its sidecar are written atomically (temporary file + :func:`os.replace`).

Caching
-------
The written file is the cache. It lives in ``cache_dir`` (default
``routing.settings.cache_dir / "maps"``) under ``<slug>-<key>.osm.pbf``, where ``key`` is the first
16 hex digits of the SHA-256 of: the normalised query (``place:`` + the place name with runs of
white space collapsed and case folded, or ``bbox:`` + the four numbers rounded to 7 decimals), the
Overpass URL (without trailing ``/``), the SHA-256 of the QL template, and the query header from
osmnx's settings without its ``timeout``/``maxsize`` (so a ``[date:...]`` gives another key). The
same query is answered from the file, without any network access, as long as the sidecar
matches the file's SHA-256; ``refresh=True`` always downloads again.

osmnx's own HTTP cache (``osmnx.settings.use_cache``/``cache_folder``) is pointed at
``<cache_dir>/osmnx`` and used only for Nominatim answers (and not read with ``refresh=True``).
It is switched off for the Overpass request: the map file already caches it, and a raw answer
replayed from osmnx's cache would be recorded with the wrong download time.

osmnx keeps its configuration in module globals; :func:`download_map` sets the values it needs
for the duration of the call and restores them afterwards (downloads are serialised by a lock).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import socket
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import osmium
import osmium.io
import osmium.osm
import osmnx
import requests
from osmium.osm.mutable import Node, Relation, Way
from osmnx import _overpass
from osmnx import settings as ox_settings
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from pyproj import Geod

from routing import settings
from routing.errors import DownloadError, InvalidQuery, MapError
from routing.results import MapIdentity

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]
"""A bounding box ``(west, south, east, north)`` in WGS84 degrees."""

#: The Overpass QL query, after the header from ``osmnx.settings.overpass_settings``.
#: ``{south},{west},{north},{east}`` is Overpass's bounding-box order.
#:
#: - ``way["highway"](bbox)->.roads``: every way with a highway tag that touches the box;
#: - ``node(w.roads)``: all nodes of those ways (with their tags), also those outside the box;
#: - ``rel(bw.roads)[type~...]``: turn restrictions with at least one member way among the roads;
#: - ``out body``: ids, tags, coordinates, way node lists and relation members; no metadata
#:   (versions, user names). Overpass sorts the output: nodes, ways, relations, each by id.
OVERPASS_QL = (
    '{header};way["highway"]({south},{west},{north},{east})->.roads;'
    "node(w.roads)->.road_nodes;"
    'rel(bw.roads)["type"~"^restriction(:.+)?$"]->.restrictions;'
    "(.roads;.road_nodes;.restrictions;);out body;"
)

#: HTTP status codes on which osmnx pauses 55 s and retries.
RETRY_STATUS = frozenset({429, 504})

_SIDECAR_FORMAT = "ziekenvervoer-map-download/1"
_OSMNX_LOCK = threading.Lock()
_GEOD = Geod(ellps="WGS84")


# --- result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadedMap:
    """A map downloaded from Overpass and written to a local OSM file.

    Attributes
    ----------
    path : pathlib.Path
        The OSM file (``.osm.pbf`` unless saved elsewhere with :meth:`save_as`).
    query : str
        What was asked for: ``"place:<name>"`` or ``"bbox:<west>,<south>,<east>,<north>"``.
    overpass_query : str
        The Overpass QL sent to the server.
    url : str
        Base URL of the Overpass API that answered.
    downloaded : str
        ISO 8601 time (UTC) at which the answer arrived.
    sha256 : str
        SHA-256 of the file at ``path``.
    bbox : tuple of float
        The box that was downloaded, ``(west, south, east, north)``; for a place, the bounding
        box of its boundary.
    place : str, optional
        The place name, for a place query.
    osm_base : str, optional
        Overpass's ``timestamp_osm_base``: the OSM database state the answer reflects.
    osmnx_version : str
        Version of osmnx that made the request.
    n_nodes, n_ways, n_relations : int
        How many objects the file holds.
    """

    path: Path
    query: str
    overpass_query: str
    url: str
    downloaded: str
    sha256: str
    bbox: BBox
    place: str | None = None
    osm_base: str | None = None
    osmnx_version: str = ""
    n_nodes: int = 0
    n_ways: int = 0
    n_relations: int = 0

    def identity(self) -> MapIdentity:
        """Return the map identity reported with every result computed on this map.

        Returns
        -------
        routing.results.MapIdentity
            ``source="overpass"``, the query, the download time and the file's SHA-256.
        """
        return MapIdentity(
            source="overpass", sha256=self.sha256, query=self.query, downloaded=self.downloaded
        )

    @property
    def sidecar(self) -> Path:
        """Path of the sidecar JSON beside the file (``<file>.json``)."""
        return sidecar_path(self.path)

    def to_dict(self) -> dict[str, Any]:
        """Return the sidecar content as a JSON-ready dict."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["bbox"] = list(self.bbox)
        return out

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> DownloadedMap:
        """Read a downloaded map's record from its sidecar and check it against the file.

        Parameters
        ----------
        path : str or path-like
            The OSM file written by :func:`download_map` (or :meth:`save_as`).

        Returns
        -------
        DownloadedMap

        Raises
        ------
        routing.errors.MapError
            The sidecar is missing or unreadable, or the file's SHA-256 differs from the one
            recorded (the file was changed after the download).
        """
        path = Path(path)
        record = _read_sidecar(path)
        if record is None:
            raise MapError(
                f"{sidecar_path(path).name} is missing or unreadable: no download record for "
                f"{path.name}",
                field="map",
            )
        actual = file_sha256(path)
        if actual != record.sha256:
            raise MapError(
                f"{path.name} no longer matches its download record (SHA-256 {actual[:12]} "
                f"instead of {record.sha256[:12]}); download it again",
                field="map",
            )
        return record

    def save_as(self, output: str | os.PathLike[str]) -> DownloadedMap:
        """Write the map to another file (with its own sidecar), converting the format if needed.

        The format follows the name: ``.osm.pbf``/``.pbf`` (copied byte for byte), ``.osm``,
        ``.osm.bz2`` or ``.osm.gz`` (OSM XML, converted with pyosmium in file order).

        Parameters
        ----------
        output : str or path-like
            Where to write. An existing file is replaced (atomically).

        Returns
        -------
        DownloadedMap
            The same download with ``path`` and ``sha256`` of the new file.

        Raises
        ------
        routing.errors.InvalidQuery
            ``output`` has a file name ending pyosmium cannot write as OSM data.
        """
        output = Path(output)
        name = output.name.lower()
        if name.endswith((".osm.pbf", ".pbf")):
            fmt = "pbf,add_metadata=false"
        elif name.endswith((".osm", ".osm.bz2", ".osm.gz")):
            fmt = "osm" + name[name.rindex(".osm") + 4 :] + ",add_metadata=false"
        else:
            raise InvalidQuery(
                "the output file name must end in .osm.pbf, .osm, .osm.bz2 or .osm.gz",
                field="output",
            )
        output.parent.mkdir(parents=True, exist_ok=True)
        with _atomic_path(output) as tmp:
            if fmt.startswith("pbf"):
                shutil.copyfile(self.path, tmp)
            else:
                header = osmium.io.Reader(str(self.path), osmium.osm.NOTHING).header()
                with osmium.SimpleWriter(
                    osmium.io.File(str(tmp), fmt), header=header, overwrite=True
                ) as writer:
                    for obj in osmium.FileProcessor(self.path):
                        writer.add(obj)
        saved = replace(self, path=output, sha256=file_sha256(output))
        _write_sidecar(saved, cache_key=None)
        return saved


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Return the sidecar JSON path of a downloaded map file: ``<file>.json``.

    Parameters
    ----------
    path : str or path-like
        The map file.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    return path.with_name(path.name + ".json")


def file_sha256(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks.

    Parameters
    ----------
    path : str or path-like
        The file.
    chunk : int
        Bytes read at a time.

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# --- the area ---------------------------------------------------------------------------------


def bbox_around(
    points: Iterable[tuple[float, float]],
    margin_m: float = 5000,
    *,
    grid_deg: float | None = 0.05,
) -> BBox:
    """Return a bounding box that holds every point of a trip with a margin around each.

    The margin is measured on the WGS84 ellipsoid (:class:`pyproj.Geod`): every place within
    ``margin_m`` metres (geodesic distance) of one of the points lies inside the box. The circle
    around each point is traced at every 0.5° of azimuth and the box widened by the small
    bound on what lies between those bearings (about 1e-5 of the margin).

    The box is then widened outward to a grid of ``grid_deg`` degrees. That keeps the exact
    points out of the query sent to the Overpass server (a box edge at exactly ``margin_m`` from
    a patient's home would give its coordinate away) and lets nearby trips share one cached map.

    Parameters
    ----------
    points : sequence of (lat, lon)
        The trip's points in WGS84 degrees (home, treatment address, ...), at least one.
    margin_m : float
        Margin around each point in metres (default 5 km), zero or more.
    grid_deg : float or None
        Grid the box edges are widened to, in degrees (default 0.05°, about 5.6 km north-south
        and 3.4 km east-west in the Netherlands). ``None`` gives the tight box.

    Returns
    -------
    tuple of float
        ``(west, south, east, north)`` in degrees, for :func:`download_map`.

    Raises
    ------
    routing.errors.InvalidQuery
        No points, a coordinate that is not a number or out of range (``field="points"``), a
        negative margin (``field="margin_m"``), a bad grid (``field="grid_deg"``), or an area
        that reaches a pole or the 180° meridian (``field="points"``).
    """
    try:
        points = [] if isinstance(points, str | bytes) else list(points)
    except TypeError:
        points = []
    if not points:
        raise InvalidQuery("give at least one (lat, lon) point", field="points")
    lats = np.empty(len(points))
    lons = np.empty(len(points))
    for i, point in enumerate(points):
        try:
            lat, lon = (_real(v) for v in point)
        except (TypeError, ValueError):
            raise InvalidQuery(
                f"point {i} is not a (lat, lon) pair of numbers", field="points"
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            # no coordinates in the message: the point may be a patient's home
            raise InvalidQuery(
                f"point {i} is outside -90..90 latitude / -180..180 longitude; points are "
                "(lat, lon)",
                field="points",
            )
        lats[i], lons[i] = lat, lon
    try:
        margin = _real(margin_m)
    except (TypeError, ValueError):
        raise InvalidQuery("margin_m must be a number of metres", field="margin_m") from None
    if margin < 0:
        raise InvalidQuery("margin_m must be zero or more metres", field="margin_m")
    if grid_deg is not None:
        try:
            grid = _real(grid_deg)
        except (TypeError, ValueError):
            raise InvalidQuery("grid_deg must be a number of degrees", field="grid_deg") from None
        if not 0 < grid <= 10:
            raise InvalidQuery("grid_deg must be more than 0 and at most 10", field="grid_deg")

    pts = np.unique(np.column_stack([lats, lons]), axis=0)
    azimuths = np.arange(0.0, 360.0, 0.5)
    lat0 = np.repeat(pts[:, 0], azimuths.size)
    lon0 = np.repeat(pts[:, 1], azimuths.size)
    az = np.tile(azimuths, len(pts))
    lon1, lat1, _ = _GEOD.fwd(lon0, lat0, az, np.full(az.size, margin))
    dlon = lon1 - lon0
    if np.any(np.abs(dlon) > 90) or np.any(np.abs(lat1) >= 90):
        raise InvalidQuery(
            "the area around the points reaches a pole or the 180° meridian; not supported",
            field="points",
        )
    # between two traced bearings 0.5° apart the circle bulges by at most r(1 - cos 0.25°)
    pad = float(np.max(np.abs(dlon))) * (1 - math.cos(math.radians(0.25))) * 1.01
    west, east = float(lon1.min()) - pad, float(lon1.max()) + pad
    south, north = float(lat1.min()), float(lat1.max())
    if grid_deg is not None:
        west = math.floor(west / grid) * grid
        south = math.floor(south / grid) * grid
        east = math.ceil(east / grid) * grid
        north = math.ceil(north / grid) * grid
        west, south, east, north = (round(v, 7) for v in (west, south, east, north))
    return (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def _real(value: Any) -> float:
    """Return ``value`` as a finite float; raise ``ValueError``/``TypeError`` otherwise."""
    if isinstance(value, bool | str | bytes):
        raise TypeError("not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def check_bbox(bbox: Any) -> BBox:
    """Validate a bounding box ``(west, south, east, north)`` and return it as floats.

    Parameters
    ----------
    bbox : sequence of four numbers
        West and east longitude in -180..180, south and north latitude in -90..90.

    Returns
    -------
    tuple of float

    Raises
    ------
    routing.errors.InvalidQuery
        With ``field="bbox"``, saying what is wrong.
    """
    order = "give the box as (west, south, east, north) in degrees, e.g. 6.72,52.24,6.89,52.30"
    if isinstance(bbox, str | bytes) or not isinstance(bbox, Sequence) or len(bbox) != 4:
        raise InvalidQuery(f"a bounding box has four numbers: {order}", field="bbox")
    try:
        west, south, east, north = (_real(v) for v in bbox)
    except (TypeError, ValueError):
        raise InvalidQuery(
            f"the bounding box holds something that is not a finite number: {order}", field="bbox"
        ) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidQuery(f"west and east must lie in -180..180: {order}", field="bbox")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise InvalidQuery(f"south and north must lie in -90..90: {order}", field="bbox")
    if not west < east:
        raise InvalidQuery(f"west must be less than east: {order}", field="bbox")
    if not south < north:
        raise InvalidQuery(f"south must be less than north: {order}", field="bbox")
    return (west, south, east, north)


def _fmt(value: float) -> str:
    """Format a coordinate with at most 7 decimals (OSM's precision), without trailing zeros."""
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def overpass_query(bbox: BBox, header: str | None = None) -> str:
    """Return the Overpass QL (:data:`OVERPASS_QL`) for a bounding box.

    Parameters
    ----------
    bbox : tuple of float
        ``(west, south, east, north)`` in degrees (validated).
    header : str, optional
        The settings statement; default from ``osmnx.settings`` (``[out:json][timeout:...]``).

    Returns
    -------
    str
    """
    west, south, east, north = check_bbox(bbox)
    if header is None:
        header = _overpass_header()
    return OVERPASS_QL.format(
        header=header, south=_fmt(south), west=_fmt(west), north=_fmt(north), east=_fmt(east)
    )


def _overpass_header() -> str:
    """Return osmnx's Overpass settings statement, which must ask for JSON."""
    header = _overpass._make_overpass_settings()
    if "[out:json]" not in header:
        raise DownloadError(
            "osmnx.settings.overpass_settings must contain [out:json]; it is "
            f"{ox_settings.overpass_settings!r}",
            field="overpass_settings",
        )
    return header


# --- the download -----------------------------------------------------------------------------


def download_map(
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    cache_dir: Path | None = None,
    overpass_url: str | None = None,
    refresh: bool = False,
    nominatim_url: str | None = None,
    retries: int = 2,
) -> DownloadedMap:
    """Download the road data of a place or a bounding box and write it to a local OSM file.

    See the module documentation for the query, the caching rule and osmnx's part in it.

    Parameters
    ----------
    place : str, optional
        A place name Nominatim knows as an area (``"Hengelo, Overijssel"``). The download covers
        the bounding box of its boundary. Give ``place`` or ``bbox``, not both.
    bbox : tuple of float, optional
        ``(west, south, east, north)`` in WGS84 degrees, e.g. from :func:`bbox_around`.
    cache_dir : pathlib.Path, optional
        Folder of downloaded maps; default ``routing.settings.cache_dir / "maps"``.
    overpass_url : str, optional
        Base URL of the Overpass API (``.../api``); default ``routing.settings.overpass_url``.
    refresh : bool
        Download again even when the same query is cached.
    nominatim_url : str, optional
        Base URL of Nominatim for place names; default ``routing.settings.nominatim_url``.
    retries : int
        How many times to retry after HTTP 429/504 (osmnx pauses 55 s before each retry).

    Returns
    -------
    DownloadedMap
        The file, its sidecar record and :meth:`DownloadedMap.identity`.

    Raises
    ------
    routing.errors.InvalidQuery
        Neither or both of ``place`` and ``bbox``, an empty place name, or a bad box
        (``field="bbox"``).
    routing.errors.DownloadError
        The service failed: unreachable, timed out, HTTP error, busy after all retries, an
        Overpass runtime error, an incomplete answer, no roads in the area, or a place name that
        Nominatim cannot find as an area (``field="place"``).
    """
    if place is None and bbox is None:
        raise InvalidQuery("give a place name (--place) or a bounding box (--bbox)", field="place")
    if place is not None and bbox is not None:
        raise InvalidQuery("give either a place name or a bounding box, not both", field="place")
    if place is not None:
        if not isinstance(place, str) or not " ".join(place.split()):
            raise InvalidQuery("the place name is empty", field="place")
        place = " ".join(place.split())
        query = f"place:{place}"
        canonical = f"place:{place.casefold()}"
        slug = _slug(place)
        area: BBox | None = None
    else:
        area = check_bbox(bbox)
        query = "bbox:" + ",".join(_fmt(v) for v in area)
        canonical = query
        slug = "bbox"
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidQuery("retries must be a whole number, zero or more", field="retries")

    url = (overpass_url or settings.overpass_url).rstrip("/")
    folder = Path(cache_dir) if cache_dir is not None else Path(settings.cache_dir) / "maps"
    header = _overpass_header()
    key = cache_key(canonical, url, header)
    path = folder / f"{slug}-{key}.osm.pbf"

    if not refresh:
        cached = _read_sidecar(path)
        if cached is not None and cached.sha256 == file_sha256(path):
            log.info("map for %s found in the cache: %s", query, path.name)
            return cached
        if cached is not None:
            log.warning("%s does not match its record; downloading it again", path.name)

    folder.mkdir(parents=True, exist_ok=True)
    responses = _ResponseLog(retries)
    with (
        _OSMNX_LOCK,
        _osmnx_configured(
            overpass_url=url,
            nominatim_url=nominatim_url or settings.nominatim_url,
            cache_folder=folder / "osmnx",
            hook=responses,
        ),
    ):
        if place is not None:
            ox_settings.use_cache = not refresh
            area = _geocode_area(place, responses)
        ql = overpass_query(area, header)  # type: ignore[arg-type]  # set above
        ox_settings.use_cache = False
        with _service_errors("Overpass", url, responses, "interpreter", field=None):
            answer = _overpass._overpass_request(OrderedDict(data=ql))
        downloaded = datetime.now(UTC).isoformat(timespec="seconds")
    responses.check_ok("Overpass", url, "interpreter")

    osm_base, counts = _write_osm(answer, path, area, field="place" if place else "bbox")
    record = DownloadedMap(
        path=path,
        query=query,
        overpass_query=ql,
        url=url,
        downloaded=downloaded,
        sha256=file_sha256(path),
        bbox=area,
        place=place,
        osm_base=osm_base,
        osmnx_version=osmnx.__version__,
        n_nodes=counts[0],
        n_ways=counts[1],
        n_relations=counts[2],
    )
    _write_sidecar(record, cache_key=key)
    log.info(
        "downloaded %s: %d nodes, %d ways, %d relations -> %s",
        query,
        *counts,
        path.name,
    )
    return record


def cache_key(canonical_query: str, url: str, header: str) -> str:
    """Return the cache key (16 hex digits) of a download; see the module documentation.

    Parameters
    ----------
    canonical_query : str
        ``"place:<name, white space collapsed, case folded>"`` or ``"bbox:<w>,<s>,<e>,<n>"``.
    url : str
        Overpass base URL without trailing ``/``.
    header : str
        The QL settings statement; its ``timeout`` and ``maxsize`` are left out of the key.

    Returns
    -------
    str
    """
    material = {
        "query": canonical_query,
        "url": url,
        "template": hashlib.sha256(OVERPASS_QL.encode()).hexdigest(),
        "header": re.sub(r"\[(timeout|maxsize):\d+\]", "", header),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


def _slug(place: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", place).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "place"


class _ServerBusy(Exception):
    """Raised from the response hook when a service stays busy after all retries."""

    def __init__(self, status: int, reason: str, attempts: int) -> None:
        super().__init__(f"HTTP {status} {reason} after {attempts} attempts")
        self.status = status
        self.reason = reason
        self.attempts = attempts


class _ResponseLog:
    """A requests response hook: remembers the last status per endpoint, bounds osmnx's retries.

    osmnx retries HTTP 429/504 forever (55 s apart); after ``retries`` retries on one endpoint the
    hook raises :class:`_ServerBusy`, which leaves osmnx's request function.
    """

    def __init__(self, retries: int) -> None:
        self.retries = retries
        self.busy: dict[str, int] = {}
        self.last: dict[str, tuple[int, str]] = {}
        self.requests: list[str] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        endpoint = urlparse(response.url).path.rstrip("/").rsplit("/", 1)[-1]
        self.requests.append(endpoint)
        self.last[endpoint] = (response.status_code, response.reason or "")
        if response.status_code in RETRY_STATUS:
            self.busy[endpoint] = self.busy.get(endpoint, 0) + 1
            if self.busy[endpoint] > self.retries:
                raise _ServerBusy(response.status_code, response.reason or "", self.busy[endpoint])

    def check_ok(self, service: str, url: str, endpoint: str, field: str | None = None) -> None:
        """Raise DownloadError when the last answer of ``endpoint`` was not HTTP 2xx."""
        status, reason = self.last.get(endpoint, (0, ""))
        if not 200 <= status < 300:
            raise DownloadError(
                f"{service} at {_host(url)} answered HTTP {status} {reason}".rstrip(), field=field
            )


def _host(url: str) -> str:
    return urlparse(url).netloc or url


@contextmanager
def _osmnx_configured(
    *, overpass_url: str, nominatim_url: str, cache_folder: Path, hook: _ResponseLog
) -> Iterator[None]:
    """Set osmnx's settings for one download and restore them (and DNS pinning) afterwards."""
    names = (
        "overpass_url",
        "nominatim_url",
        "cache_folder",
        "use_cache",
        "http_user_agent",
        "requests_kwargs",
    )
    saved = {name: getattr(ox_settings, name) for name in names}
    saved_getaddrinfo = socket.getaddrinfo  # osmnx pins the Overpass host to one IP address
    kwargs = dict(ox_settings.requests_kwargs)
    hooks = dict(kwargs.get("hooks") or {})
    existing = hooks.get("response")
    before = (
        list(existing) if isinstance(existing, list | tuple) else [existing] if existing else []
    )
    hooks["response"] = [*before, hook]
    kwargs["hooks"] = hooks
    try:
        ox_settings.overpass_url = overpass_url
        ox_settings.nominatim_url = nominatim_url
        ox_settings.cache_folder = cache_folder
        ox_settings.http_user_agent = settings.user_agent
        ox_settings.requests_kwargs = kwargs
        yield
    finally:
        for name, value in saved.items():
            setattr(ox_settings, name, value)
        socket.getaddrinfo = saved_getaddrinfo


@contextmanager
def _service_errors(
    service: str, url: str, responses: _ResponseLog, endpoint: str, field: str | None
) -> Iterator[None]:
    """Turn what osmnx and requests raise into DownloadError with a message that says what to do."""
    host = _host(url)
    try:
        yield
    except _ServerBusy as exc:
        raise DownloadError(
            f"{service} at {host} is busy: HTTP {exc.status} {exc.reason} on {exc.attempts} "
            "attempts (osmnx pauses 55 s between them); try again later or use another server",
            field=field,
        ) from None
    except requests.exceptions.Timeout:
        raise DownloadError(
            f"{service} at {host} did not answer within {ox_settings.requests_timeout:g} s "
            "(osmnx.settings.requests_timeout); try a smaller area or later",
            field=field,
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DownloadError(
            f"cannot reach {service} at {host} ({type(exc).__name__}); check the URL and the "
            "network connection",
            field=field,
        ) from None
    except (ResponseStatusCodeError, InsufficientResponseError) as exc:
        status, reason = responses.last.get(endpoint, (0, ""))
        said = _snippet(str(exc))
        if 200 <= status < 300:
            raise DownloadError(
                f"{service} at {host} answered something that is not usable JSON: {said}",
                field=field,
            ) from None
        raise DownloadError(
            f"{service} at {host} answered HTTP {status} {reason}: {said}", field=field
        ) from None


def _snippet(text: str, size: int = 200) -> str:
    text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _geocode_area(place: str, responses: _ResponseLog) -> BBox:
    """Geocode a place name with osmnx (Nominatim) and return its boundary's bounding box."""
    url = ox_settings.nominatim_url
    with _service_errors("Nominatim", url, responses, "search", field="place"):
        try:
            gdf = osmnx.geocoder.geocode_to_gdf(place)
        except InsufficientResponseError as exc:
            status, _ = responses.last.get("search", (200, ""))
            if not (200 <= status < 300 and "0 results" in str(exc)):
                raise
            raise DownloadError(
                "Nominatim found no place by that name; check the spelling, add the province "
                "(e.g. 'Hengelo, Overijssel') or give a bounding box instead",
                field="place",
            ) from None
        except TypeError:  # osmnx: no (Multi)Polygon among the results
            raise DownloadError(
                "Nominatim knows that place only as a point, not as an area with a boundary; "
                "give a bounding box instead (e.g. from bbox_around)",
                field="place",
            ) from None
    if "search" in responses.last:  # not answered from osmnx's cache
        responses.check_ok("Nominatim", url, "search", field="place")
    west, south, east, north = (float(v) for v in gdf.geometry.iloc[0].bounds)
    try:
        return check_bbox((west, south, east, north))
    except InvalidQuery:
        raise DownloadError(
            "Nominatim returned a boundary without a usable extent for that place", field="place"
        ) from None


# --- writing ----------------------------------------------------------------------------------


def _write_osm(
    answer: dict[str, Any], path: Path, bbox: BBox, field: str
) -> tuple[str | None, tuple[int, int, int]]:
    """Check an Overpass JSON answer and write it as a sorted OSM file (atomically).

    Returns the answer's ``timestamp_osm_base`` and the node, way and relation counts.
    """
    remark = answer.get("remark")
    if remark:
        raise DownloadError(
            f"the Overpass server reported an error, the answer may be incomplete: "
            f"{_snippet(str(remark))}; try a smaller area or later",
            field=field,
        )
    elements = answer.get("elements")
    if not isinstance(elements, list):
        raise DownloadError("the Overpass answer holds no 'elements' list", field=field)

    nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]] = {}
    try:
        for element in elements:
            kind = element["type"]
            oid = int(element["id"])
            tags = {str(k): str(v) for k, v in (element.get("tags") or {}).items()}
            if kind == "node":
                lat, lon = _real(element["lat"]), _real(element["lon"])
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError(f"node {oid} has coordinates out of range")
                _keep(nodes, oid, (lat, lon, tags))
            elif kind == "way":
                refs = [int(n) for n in element["nodes"]]
                if not refs:
                    raise ValueError(f"way {oid} has no nodes")
                _keep(ways, oid, (refs, tags))
            elif kind == "relation":
                members = [
                    (_MEMBER_TYPES[m["type"]], int(m["ref"]), str(m.get("role", "")))
                    for m in element["members"]
                ]
                _keep(relations, oid, (members, tags))
            else:
                raise ValueError(f"unexpected element type {kind!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise DownloadError(f"the Overpass answer is malformed: {exc}", field=field) from None

    if not any("highway" in tags for _, tags in ways.values()):
        raise DownloadError(
            "the area holds no roads (no way with a highway tag); check the bounding box order "
            "(west, south, east, north) or choose a larger area",
            field=field,
        )
    missing = {n for refs, _ in ways.values() for n in refs} - nodes.keys()
    if missing:
        raise DownloadError(
            f"the Overpass answer is incomplete: {len(missing)} nodes of its ways are missing",
            field=field,
        )

    osm3s = answer.get("osm3s") or {}
    osm_base = osm3s.get("timestamp_osm_base") if isinstance(osm3s, dict) else None
    header = osmium.io.Header()
    west, south, east, north = bbox
    header.add_box(
        osmium.osm.Box(osmium.osm.Location(west, south), osmium.osm.Location(east, north))
    )
    header.set("generator", f"ziekenvervoer via osmnx {osmnx.__version__} and Overpass")
    header.set("sorting", "Type_then_ID")
    if osm_base:
        header.set("osmosis_replication_timestamp", str(osm_base))

    with _atomic_path(path) as tmp:
        target = osmium.io.File(str(tmp), "pbf,add_metadata=false")
        with osmium.SimpleWriter(target, header=header, overwrite=True) as writer:
            for oid in sorted(nodes):
                lat, lon, tags = nodes[oid]
                writer.add_node(Node(id=oid, location=(lon, lat), tags=tags))
            for oid in sorted(ways):
                refs, tags = ways[oid]
                writer.add_way(Way(id=oid, nodes=refs, tags=tags))
            for oid in sorted(relations):
                members, tags = relations[oid]
                writer.add_relation(Relation(id=oid, members=members, tags=tags))
    return (str(osm_base) if osm_base else None), (len(nodes), len(ways), len(relations))


_MEMBER_TYPES = {"node": "n", "way": "w", "relation": "r"}


def _keep(store: dict[int, Any], oid: int, value: tuple[Any, ...]) -> None:
    """Store an element; a repeated copy replaces the first only if that one had no tags."""
    if oid not in store or (not store[oid][-1] and value[-1]):
        store[oid] = value


@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the same folder, then move it over ``path`` (or remove it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_sidecar(record: DownloadedMap, cache_key: str | None) -> None:
    data = {"format": _SIDECAR_FORMAT, **record.to_dict()}
    data["path"] = record.path.name
    data["cache_key"] = cache_key
    data["licence"] = "© OpenStreetMap contributors, Open Database License 1.0"
    target = sidecar_path(record.path)
    with _atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_sidecar(path: Path) -> DownloadedMap | None:
    """Return the record of a downloaded map, or None when the file or its sidecar is unusable."""
    target = sidecar_path(path)
    if not (path.is_file() and target.is_file()):
        return None
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        if data.get("format") != _SIDECAR_FORMAT:
            return None
        return DownloadedMap(
            path=path,
            query=str(data["query"]),
            overpass_query=str(data["overpass_query"]),
            url=str(data["url"]),
            downloaded=str(data["downloaded"]),
            sha256=str(data["sha256"]),
            bbox=tuple(float(v) for v in data["bbox"]),  # type: ignore[arg-type]
            place=data.get("place"),
            osm_base=data.get("osm_base"),
            osmnx_version=str(data.get("osmnx_version", "")),
            n_nodes=int(data.get("n_nodes", 0)),
            n_ways=int(data.get("n_ways", 0)),
            n_relations=int(data.get("n_relations", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
