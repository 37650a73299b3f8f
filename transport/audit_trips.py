"""Loaded kilometres for the audit: each distinct trip routed once, with its evidence.

Declaration files repeat the same patient trips many times (a dialysis patient rides three times a
week for months). :class:`TripCache` routes each distinct (home, treatment) pair once with
``router.trip(home, treatment)`` (both legs, each routed on its own) and keeps a small
:class:`TripEvidence`: both legs' metres and seconds, the four snap distances, each end's geocode
precision and provider, or the reason the trip could not be routed.

A trip is keyed by its two place keys (:func:`transport.audit_columns.place_key` for coordinates,
the trimmed text for an address) and routed *from the keys themselves*, so the answer depends
only on the key, never on which row came first: a chunked, a parallel and a single run agree.

Route geometry is kept only on request (:func:`trip_geometry_frame` for disputes) and written with
:func:`write_geometry_atomic` (GeoPackage or GeoJSON). It shows where an insured lives: the file
is written readable by its owner only (``0600``); handle it as the personal data it is.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.errors import (
    GeocodeError,
    GeocodeNotFound,
    InvalidQuery,
    NoRoute,
    NoSegment,
    OutsideMap,
    ZiekenvervoerError,
)
from transport.errors import InvalidInput

NAN = math.nan


@dataclass(frozen=True)
class TripEvidence:
    """The routed trip of one (home, treatment) pair, or why it could not be routed.

    Attributes
    ----------
    status : str
        ``"ok"``, or a reason code (``ROUTE_OUTSIDE_MAP``, ``GEOCODE_NOT_FOUND``, ...).
    error_at : str
        For a failure: ``"home"``, ``"treatment"`` or ``""`` (both/unknown).
    outbound_m, inbound_m : float
        Metres of home -> treatment and treatment -> home (NaN on failure).
    outbound_s, inbound_s : float
        Seconds of each leg under the speed profile.
    home_snap_out_m, treatment_snap_out_m, treatment_snap_in_m, home_snap_in_m : float
        Snap distances of each leg's start and end.
    home_precision, treatment_precision : str
        Geocode precision of each end (``point`` for coordinates, ``address``, ``postcode4``...).
    home_geocoder, treatment_geocoder : str
        Which provider located each end (``coordinates``, ``address-table``, ``pc4``...).
    geometry : tuple, optional
        ``(outbound LineString, inbound LineString)``, kept only on request.
    """

    status: str
    error_at: str = ""
    outbound_m: float = NAN
    inbound_m: float = NAN
    outbound_s: float = NAN
    inbound_s: float = NAN
    home_snap_out_m: float = NAN
    treatment_snap_out_m: float = NAN
    treatment_snap_in_m: float = NAN
    home_snap_in_m: float = NAN
    home_precision: str | None = None
    treatment_precision: str | None = None
    home_geocoder: str | None = None
    treatment_geocoder: str | None = None
    geometry: tuple[Any, Any] | None = None

    @property
    def ok(self) -> bool:
        """Whether the trip was routed."""
        return self.status == "ok"

    @property
    def loaded_m(self) -> float:
        """Loaded metres: both legs."""
        return self.outbound_m + self.inbound_m


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def error_code(exc: BaseException) -> str:
    """Return the audit reason code for a routing or geocoding error."""
    if isinstance(exc, GeocodeNotFound):
        return "GEOCODE_NOT_FOUND"
    if isinstance(exc, GeocodeError):
        return "GEOCODE_FAILED"
    if isinstance(exc, OutsideMap):
        return "ROUTE_OUTSIDE_MAP"
    if isinstance(exc, NoSegment):
        return "ROUTE_NO_SEGMENT"
    if isinstance(exc, NoRoute):
        return "ROUTE_NO_ROUTE"
    if isinstance(exc, InvalidQuery):
        return "ROUTE_INVALID_QUERY"
    return "INTERNAL_ERROR"


_END = {"home": "home", "origin": "home", "treatment": "treatment", "destination": "treatment"}


class TripCache:
    """Route each distinct (home, treatment) pair once.

    Parameters
    ----------
    router : routing.router.Router
        The router (its map identity goes into every row's evidence).
    keep_geometry : bool
        Keep both legs' lines (for a geometry file); costs memory per distinct trip.

    Attributes
    ----------
    routed, failed, hits : int
        Trips routed, trips that failed, and lookups answered from the cache.
    """

    def __init__(self, router: Any, *, keep_geometry: bool = False) -> None:
        self.router = router
        self.keep_geometry = keep_geometry
        self._trips: dict[tuple[str, str], TripEvidence] = {}
        self.routed = 0
        self.failed = 0
        self.hits = 0

    def __len__(self) -> int:
        return len(self._trips)

    def get(self, home: str, treatment: str) -> TripEvidence:
        """Return the evidence of the trip ``home`` -> ``treatment`` -> ``home`` (cached)."""
        key = (home, treatment)
        found = self._trips.get(key)
        if found is not None:
            self.hits += 1
            return found
        evidence = self._route(home, treatment)
        if evidence.ok:
            self.routed += 1
        else:
            self.failed += 1
        self._trips[key] = evidence
        return evidence

    def items(self) -> Iterable[tuple[tuple[str, str], TripEvidence]]:
        """Return the cached trips, in the order they were first asked for."""
        return self._trips.items()

    def _route(self, home: str, treatment: str) -> TripEvidence:
        try:
            trip = self.router.trip(home, treatment)
        except ZiekenvervoerError as exc:
            return TripEvidence(error_code(exc), _END.get(exc.field or "", ""))
        except Exception:  # a batch never dies on one trip; the rows say INTERNAL_ERROR
            return TripEvidence("INTERNAL_ERROR")
        out, back = trip.outbound, trip.inbound
        if out.distance_m + back.distance_m <= 0:
            return TripEvidence("ROUTE_ZERO_LENGTH")
        h_loc, t_loc = out.origin.location, out.destination.location
        return TripEvidence(
            status="ok",
            outbound_m=float(out.distance_m),
            inbound_m=float(back.distance_m),
            outbound_s=float(out.duration_s),
            inbound_s=float(back.duration_s),
            home_snap_out_m=float(out.origin.snap_distance_m),
            treatment_snap_out_m=float(out.destination.snap_distance_m),
            treatment_snap_in_m=float(back.origin.snap_distance_m),
            home_snap_in_m=float(back.destination.snap_distance_m),
            home_precision=str(h_loc.precision) if h_loc else None,
            treatment_precision=str(t_loc.precision) if t_loc else None,
            home_geocoder=h_loc.source if h_loc else None,
            treatment_geocoder=t_loc.source if t_loc else None,
            geometry=(out.geometry, back.geometry) if self.keep_geometry else None,
        )


def trip_geometry_frame(
    trips: Mapping[int, TripEvidence], map_identity: Any
) -> Any:  # geopandas.GeoDataFrame
    """Return the legs of routed trips as a GeoDataFrame (EPSG:4326), sorted by trip id.

    Parameters
    ----------
    trips : mapping of int to TripEvidence
        Trip id -> evidence with geometry (trips without are left out).
    map_identity : routing.results.MapIdentity
        The map the trips were routed on.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``trip_id, leg, distance_m, duration_s, map_source, map_sha256, map_profile,
        geometry``; two rows (``outbound``, ``inbound``) per trip.
    """
    import geopandas as gpd

    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for trip_id in sorted(trips):
        ev = trips[trip_id]
        if not ev.ok or ev.geometry is None:
            continue
        for leg, line, metres, seconds in (
            ("outbound", ev.geometry[0], ev.outbound_m, ev.outbound_s),
            ("inbound", ev.geometry[1], ev.inbound_m, ev.inbound_s),
        ):
            rows.append(
                {
                    "trip_id": int(trip_id),
                    "leg": leg,
                    "distance_m": metres,
                    "duration_s": seconds,
                    "map_source": map_identity.source,
                    "map_sha256": map_identity.sha256,
                    "map_profile": map_identity.profile,
                }
            )
            geoms.append(line)
    columns = ["trip_id", "leg", "distance_m", "duration_s", "map_source", "map_sha256"]
    columns.append("map_profile")
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns).astype(
        {"trip_id": "int64", "distance_m": "float64", "duration_s": "float64"}
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


#: Fixed GeoPackage timestamp (GDAL ``OGR_CURRENT_DATE``), so that equal input gives equal bytes.
GPKG_FIXED_DATE = "2000-01-01T00:00:00.000Z"


#: Geometry file types and their GDAL drivers.
GEOMETRY_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


def geometry_driver(path: str | Path) -> str:
    """Return the GDAL driver for a geometry file name (check it before a run).

    Raises
    ------
    InvalidInput
        For a suffix other than ``.gpkg``, ``.geojson`` or ``.json``.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in GEOMETRY_DRIVERS:
        raise InvalidInput(
            f"unknown geometry file type {suffix or '(none)'}: use .gpkg or .geojson",
            field="geometry",
        )
    return GEOMETRY_DRIVERS[suffix]


def write_geometry_atomic(gdf: Any, path: str | Path) -> Path:
    """Write route geometry to ``.gpkg`` or ``.geojson`` via a temporary file and a rename.

    The routes start at the insured's home, so the file is personal data: it is written with mode
    ``0600`` (owner only), inside a private temporary folder (``0700``) in the target's folder,
    so that no other user can read it at any moment. The GeoPackage gets a fixed timestamp
    (``OGR_CURRENT_DATE``) so reruns give the same bytes.

    Raises
    ------
    InvalidInput
        For another suffix.
    """
    path = Path(path)
    driver = geometry_driver(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))  # mode 0700
    tmp = folder / f"routes{path.suffix.lower()}"  # the GDAL drivers create the file themselves
    try:
        import pyogrio

        old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_FIXED_DATE})
        try:
            gdf.to_file(tmp, driver=driver, engine="pyogrio", layer="routes")
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return path


__all__ = [
    "GEOMETRY_DRIVERS",
    "GPKG_FIXED_DATE",
    "TripCache",
    "TripEvidence",
    "error_code",
    "geometry_driver",
    "trip_geometry_frame",
    "write_geometry_atomic",
]
