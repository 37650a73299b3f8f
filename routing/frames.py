"""The DataFrame and GeoDataFrame face of routing, for analysts in notebooks.

This module converts; it does not route on its own. Batches go through
:meth:`routing.router.Router.routes` (rows in = rows out, a failing row keeps its columns and gets
its reason in ``error``), single results come from :meth:`~routing.router.Router.route` and
:meth:`~routing.router.Router.trip`. What this module adds:

* results as GeoDataFrames in WGS84 (:data:`WGS84`, ``EPSG:4326``): a route
  (:func:`route_gdf`), a trip's two legs (:func:`trip_gdf`), where the points were snapped
  (:func:`waypoints_gdf`), the road network (:func:`network_gdf`) and the map's extent
  (:func:`extent_gdf`);
* batches with geometry: :func:`routes_frame` (pairs) and :func:`trips_frame` (homes to a
  treatment address and back, loaded km);
* tables of points and matrices: :func:`points_gdf`, :func:`od_pairs`, :func:`to_matrix`;
* :func:`to_rd`: the same data in RD New (:data:`RD_NEW`, ``EPSG:28992``), the Dutch metric grid,
  for straight-line distances, buffers and areas in metres.

Distances stay the router's exact metres (along the road, between the snapped points); nothing is
rounded here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, Point, box

from routing import _geo
from routing.errors import InvalidQuery
from routing.results import Route, Trip, Waypoint

if TYPE_CHECKING:
    from routing.router import PointLike, Router

#: Geographic coordinates (lat/lon on WGS84), the CRS of every GeoDataFrame made here.
WGS84 = "EPSG:4326"
#: Amersfoort / RD New, the Dutch national grid in metres.
RD_NEW = "EPSG:28992"

#: Columns :func:`trips_frame` adds.
TRIP_COLUMNS = (
    "outbound_m",
    "inbound_m",
    "loaded_m",
    "loaded_km",
    "single_trip_km",
    "outbound_s",
    "inbound_s",
    "snap_home_m",
    "snap_treatment_m",
    "crow_m",
    "error",
)

_ROUTE_COLUMNS = ("distance_m", "duration_s", "snap_origin_m", "snap_dest_m", "error")


# --- conversions of single results -----------------------------------------------------------


def to_rd(data: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Return the data in RD New (EPSG:28992), for distances, buffers and areas in metres.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Geometry with a CRS (everything this module makes is in EPSG:4326).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in EPSG:28992.

    Raises
    ------
    InvalidQuery
        When the data has no CRS (it cannot be converted safely).

    Notes
    -----
    RD New is meant for the Netherlands: its scale error stays within about 0.01 % over the
    country (lengths of the same line measured in RD and on the ellipsoid agree to that order).
    Far outside the Netherlands use a local projection instead.
    """
    if data.crs is None:
        raise InvalidQuery(
            "the data has no CRS: set it first, e.g. .set_crs('EPSG:4326') for lat/lon",
            field="crs",
        )
    return data.to_crs(RD_NEW)


def _route_row(route: Route) -> dict[str, Any]:
    return {
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "snap_origin_m": route.origin.snap_distance_m,
        "snap_dest_m": route.destination.snap_distance_m,
        "origin_road": route.origin.name,
        "dest_road": route.destination.name,
        "map_id": route.map.short,
    }


def route_gdf(route: Route) -> gpd.GeoDataFrame:
    """Return a route as a one-row GeoDataFrame (its line, EPSG:4326).

    Parameters
    ----------
    route : Route
        A route from :meth:`Router.route`.

    Returns
    -------
    GeoDataFrame
        Columns ``distance_m, duration_s, snap_origin_m, snap_dest_m, origin_road, dest_road,
        map_id`` and the route's line as ``geometry``.
    """
    return gpd.GeoDataFrame([_route_row(route)], geometry=[route.geometry], crs=WGS84)


def trip_gdf(trip: Trip) -> gpd.GeoDataFrame:
    """Return a trip's two legs as a two-row GeoDataFrame (EPSG:4326).

    Parameters
    ----------
    trip : Trip
        A trip from :meth:`Router.trip`.

    Returns
    -------
    GeoDataFrame
        Rows ``outbound`` (home -> treatment) and ``inbound`` (back), in column ``leg``, with the
        columns of :func:`route_gdf` and the trip's ``loaded_m`` and ``loaded_km`` (the sum of
        both legs, the same on both rows).
    """
    rows = []
    for leg, route in (("outbound", trip.outbound), ("inbound", trip.inbound)):
        rows.append({"leg": leg, **_route_row(route)})
    out = gpd.GeoDataFrame(
        rows, geometry=[trip.outbound.geometry, trip.inbound.geometry], crs=WGS84
    )
    out["loaded_m"] = trip.loaded_m
    out["loaded_km"] = trip.loaded_km
    return out


def waypoints_gdf(
    result: Route | Trip, geometry: Literal["snapped", "input", "line"] = "snapped"
) -> gpd.GeoDataFrame:
    """Return where a route's or a trip's points were placed on the road network.

    Parameters
    ----------
    result : Route or Trip
        A route (two waypoints) or a trip (four: both ends of both legs).
    geometry : {"snapped", "input", "line"}
        The geometry column: the point on the road, the point as given, or the straight snap
        line from the given point to the road.

    Returns
    -------
    GeoDataFrame
        Columns ``leg`` (``route``, or ``outbound``/``inbound``), ``role`` (``origin`` or
        ``destination``), ``input_lat, input_lon, lat, lon, snap_distance_m, way_id, road``.
    """
    if geometry not in ("snapped", "input", "line"):
        raise InvalidQuery("geometry must be 'snapped', 'input' or 'line'", field="geometry")
    legs = (
        [("outbound", result.outbound), ("inbound", result.inbound)]
        if isinstance(result, Trip)
        else [("route", result)]
    )
    rows: list[dict[str, Any]] = []
    geoms = []
    for leg, route in legs:
        for role, wp in (("origin", route.origin), ("destination", route.destination)):
            rows.append(
                {
                    "leg": leg,
                    "role": role,
                    "input_lat": wp.input_lat,
                    "input_lon": wp.input_lon,
                    "lat": wp.lat,
                    "lon": wp.lon,
                    "snap_distance_m": wp.snap_distance_m,
                    "way_id": wp.way_id,
                    "road": wp.name,
                }
            )
            geoms.append(_waypoint_geometry(wp, geometry))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)


def _waypoint_geometry(wp: Waypoint, kind: str) -> Point | LineString:
    if kind == "input":
        return Point(wp.input_lon, wp.input_lat)
    if kind == "line":
        return LineString([(wp.input_lon, wp.input_lat), (wp.lon, wp.lat)])
    return Point(wp.lon, wp.lat)


# --- maps ------------------------------------------------------------------------------------


def network_gdf(router: Router) -> gpd.GeoDataFrame:
    """Return the drivable road network as a GeoDataFrame of road pieces (EPSG:4326).

    A background for maps, and a source of street points. Each row is one edge (a piece of a way
    between intersections), drawn once whatever its directions.

    Parameters
    ----------
    router : Router
        The router whose map to show.

    Returns
    -------
    GeoDataFrame
        Columns ``way_id, name, highway, length_m, forward, backward`` (whether a car may drive
        the piece along / against the way's direction) and the line as ``geometry``.
    """
    net = router.network
    first = net.edge_first.astype(np.int64)
    last = net.edge_last.astype(np.int64)
    count = last - first + 1
    offsets = np.repeat(np.cumsum(count) - count, count)
    pos = np.repeat(first, count) + (np.arange(int(count.sum())) - offsets)
    pts = net.chain[pos]
    coords = np.column_stack([net.lon[pts], net.lat[pts]])
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(first)), count))
    way = net.edge_way.astype(np.int64)
    highway = np.asarray(net.way_highway, dtype=object)
    names = np.asarray(net.way_names, dtype=object)
    return gpd.GeoDataFrame(
        {
            "way_id": net.way_ids[way],
            "name": names[way],
            "highway": highway[way],
            "length_m": net.edge_length_m,
            "forward": net.state_ok[0::2],
            "backward": net.state_ok[1::2],
        },
        geometry=lines,
        crs=WGS84,
    )


def extent_gdf(router: Router) -> gpd.GeoDataFrame:
    """Return the area the router's map covers (the bounding box of its roads), one row.

    Parameters
    ----------
    router : Router
        The router.

    Returns
    -------
    GeoDataFrame
        Columns ``map_id`` (the map's short identity) and the box as ``geometry``.
    """
    return gpd.GeoDataFrame(
        {"map_id": [router.map.short]}, geometry=[box(*router.network.bounds)], crs=WGS84
    )


# --- tables of points ------------------------------------------------------------------------


def _numbers(values: Any) -> np.ndarray:
    """Read a column of coordinates leniently (decimal commas); unreadable values become NaN."""
    s = pd.Series(values, dtype=object)
    text = s.map(lambda v: v.strip().replace(",", ".") if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def points_gdf(df: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> gpd.GeoDataFrame:
    """Return a table with latitude/longitude columns as a point GeoDataFrame (EPSG:4326).

    Parameters
    ----------
    df : pandas.DataFrame
        Any table with coordinate columns; all columns and the index are kept.
    lat, lon : str
        The coordinate columns (degrees, WGS84).

    Returns
    -------
    GeoDataFrame
        The table with a point ``geometry``; a row whose coordinates are missing or not numbers
        keeps its place with an empty (``None``) geometry.

    Raises
    ------
    InvalidQuery
        When a coordinate column is absent.
    """
    _require(df, (lat, lon))
    y, x = _numbers(df[lat]), _numbers(df[lon])
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.full(len(df), None, dtype=object)
    geoms[ok] = shapely.points(x[ok], y[ok])
    return gpd.GeoDataFrame(df.copy(), geometry=list(geoms), crs=WGS84)


def _require(df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InvalidQuery(
            f"the table needs the columns {', '.join(columns)}; missing: {', '.join(missing)}",
            field="input",
        )


def _coordinates(df: pd.DataFrame, lat: str, lon: str) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of a table: from the named columns, else from point geometry."""
    if lat in df.columns and lon in df.columns:
        return _numbers(df[lat]), _numbers(df[lon])
    if _has_geometry(df):
        # without a CRS the coordinates are taken as lon/lat
        geo = df.geometry if df.crs is None else df.geometry.to_crs(WGS84)
        pts = geo.to_numpy()
        is_point = np.array([g is not None and g.geom_type == "Point" for g in pts], dtype=bool)
        x = np.full(len(df), np.nan)
        y = np.full(len(df), np.nan)
        if is_point.any():
            x[is_point] = shapely.get_x(pts[is_point])
            y[is_point] = shapely.get_y(pts[is_point])
        return y, x
    _require(df, (lat, lon))
    raise AssertionError("unreachable")  # pragma: no cover


def _has_geometry(df: pd.DataFrame) -> bool:
    if not isinstance(df, gpd.GeoDataFrame):
        return False
    try:
        return df.geometry.name in df.columns
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return False


def od_pairs(
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    lat: str = "lat",
    lon: str = "lon",
    origin_id: str | None = None,
    dest_id: str | None = None,
) -> pd.DataFrame:
    """Return every origin/destination combination, in the layout :func:`routes_frame` reads.

    Parameters
    ----------
    origins, destinations : pandas.DataFrame
        Points with ``lat``/``lon`` columns (or point GeoDataFrames).
    lat, lon : str
        Names of the coordinate columns in both tables.
    origin_id, dest_id : str, optional
        Columns naming the points; default the tables' index labels.

    Returns
    -------
    pandas.DataFrame
        ``len(origins) * len(destinations)`` rows, origins in the outer loop, with columns
        ``origin_id, dest_id, origin_lat, origin_lon, dest_lat, dest_lon``.
    """
    o_lat, o_lon = _coordinates(origins, lat, lon)
    d_lat, d_lon = _coordinates(destinations, lat, lon)
    o_ids = origins[origin_id].to_numpy() if origin_id else origins.index.to_numpy()
    d_ids = destinations[dest_id].to_numpy() if dest_id else destinations.index.to_numpy()
    n, m = len(origins), len(destinations)
    return pd.DataFrame(
        {
            "origin_id": np.repeat(o_ids, m),
            "dest_id": np.tile(d_ids, n),
            "origin_lat": np.repeat(o_lat, m),
            "origin_lon": np.repeat(o_lon, m),
            "dest_lat": np.tile(d_lat, n),
            "dest_lon": np.tile(d_lon, n),
        }
    )


def to_matrix(
    table: pd.DataFrame,
    value: str = "distance_m",
    origin: str | None = None,
    dest: str | None = None,
) -> pd.DataFrame:
    """Pivot a long table of routes (one row per pair) into a matrix (origins x destinations).

    Parameters
    ----------
    table : pandas.DataFrame
        For example :func:`routes_frame` of :func:`od_pairs` (columns ``origin_id``/``dest_id``)
        or :meth:`Router.matrix` (``origin``/``destination``).
    value : str
        Column to put in the cells (``distance_m``, ``duration_s``, ...). Failed pairs are NaN.
    origin, dest : str, optional
        Columns naming the rows and columns of the matrix; by default ``origin_id``/``dest_id``,
        or ``origin``/``destination`` when the table has those (as :meth:`Router.matrix` gives).

    Returns
    -------
    pandas.DataFrame
        Index: origins in order of first appearance; columns: destinations likewise.

    Raises
    ------
    InvalidQuery
        When a column is absent or an origin/destination pair occurs twice.
    """
    if origin is None:
        origin = "origin" if "origin_id" not in table and "origin" in table else "origin_id"
    if dest is None:
        dest = "destination" if "dest_id" not in table and "destination" in table else "dest_id"
    _require(table, (value, origin, dest))
    if table.duplicated([origin, dest]).any():
        raise InvalidQuery(
            "an origin/destination pair occurs more than once: a matrix needs one value per cell",
            field="input",
        )
    wide = table.pivot(index=origin, columns=dest, values=value)
    return wide.reindex(index=pd.unique(table[origin]), columns=pd.unique(table[dest])).rename_axis(
        index=origin, columns=dest
    )


# --- batches ---------------------------------------------------------------------------------


def routes_frame(
    router: Router,
    pairs: pd.DataFrame,
    geometry: bool = True,
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Route many pairs with :meth:`Router.routes` and add each route's line.

    Parameters
    ----------
    router : Router
        The router.
    pairs : pandas.DataFrame
        Columns ``origin_lat, origin_lon, dest_lat, dest_lon``; other columns and the index pass
        through.
    geometry : bool
        Add the route lines (a GeoDataFrame in EPSG:4326); ``False`` returns the plain table of
        :meth:`Router.routes`.
    progress : callable, optional
        Passed to :meth:`Router.routes`.

    Returns
    -------
    GeoDataFrame or pandas.DataFrame
        Rows in = rows out, in order and with the input's index: the input plus ``distance_m,
        duration_s, snap_origin_m, snap_dest_m, error``. A row that cannot be routed has
        ``NaN`` numbers, its reason in ``error`` and no (``None``) geometry.
    """
    table = router.routes(pairs, progress=progress)
    if not geometry:
        return table
    olat, olon = _numbers(table["origin_lat"]), _numbers(table["origin_lon"])
    dlat, dlon = _numbers(table["dest_lat"]), _numbers(table["dest_lon"])
    ok = (table["error"].to_numpy() == "") & np.isfinite(table["distance_m"].to_numpy(float))
    lines: list[LineString | None] = [None] * len(table)
    for i in np.flatnonzero(ok).tolist():
        # the line of the route Router.routes measured: the same query on the same router
        lines[i] = router.route((olat[i], olon[i]), (dlat[i], dlon[i])).geometry
    return gpd.GeoDataFrame(table, geometry=lines, crs=WGS84)


def trips_frame(
    router: Router,
    homes: pd.DataFrame,
    treatment: PointLike | None = None,
    *,
    lat: str = "lat",
    lon: str = "lon",
    treatment_lat: str = "treatment_lat",
    treatment_lon: str = "treatment_lon",
    geometry: Literal["home", "routes"] | None = "home",
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Route each home to its treatment address and back: the loaded km of a ride, per row.

    Both legs go through :meth:`Router.routes` (one batch of ``2 x len(homes)`` pairs), so the
    numbers are those of :meth:`Router.trip`: each leg routed on its own (one-way streets make them
    differ), loaded metres the exact sum.

    Parameters
    ----------
    router : Router
        The router.
    homes : pandas.DataFrame
        One row per ride or patient, with columns ``lat``/``lon`` (or a point GeoDataFrame). Every
        column and the index pass through.
    treatment : point-like, optional
        One treatment address for all rows: ``(lat, lon)``, a Location, ``"lat,lon"`` or text the
        router's geocoder knows. Without it each row's ``treatment_lat``/``treatment_lon`` are used.
    lat, lon : str
        Coordinate columns of the home.
    treatment_lat, treatment_lon : str
        Coordinate columns of a per-row treatment address (when ``treatment`` is not given).
    geometry : {"home", "routes", None}
        The geometry of the result: the home point (for maps of areas), both legs' lines (a
        MultiLineString, outbound first), or none (a plain DataFrame).
    progress : callable, optional
        Called with the number of legs routed so far (up to ``2 * len(homes)``).

    Returns
    -------
    GeoDataFrame or pandas.DataFrame
        Rows in = rows out, with the input's index. Added columns (see :data:`TRIP_COLUMNS`):
        ``outbound_m, inbound_m`` (each leg), ``loaded_m`` (their sum; NaN unless both legs were
        routed), ``loaded_km`` and ``single_trip_km`` (unrounded km of the sum and of the outbound
        leg), ``outbound_s, inbound_s`` (travel times), ``snap_home_m, snap_treatment_m`` (how far
        the points lie from the road), ``crow_m`` (straight-line distance between the given points
        on the ellipsoid) and ``error`` (empty, or ``"outbound: CODE: message"`` and/or
        ``"inbound: ..."`` joined by ``"; "``).

    Raises
    ------
    InvalidQuery, GeocodeError
        When ``treatment`` is not a usable point, a needed column is absent, or ``geometry`` is
        not one of the choices. Bad rows never raise.
    """
    if geometry not in ("home", "routes", None):
        raise InvalidQuery("geometry must be 'home', 'routes' or None", field="geometry")
    n = len(homes)
    h_lat, h_lon = _coordinates(homes, lat, lon)
    if treatment is not None:
        loc = router.locate(treatment, "treatment")
        t_lat, t_lon = np.full(n, loc.lat), np.full(n, loc.lon)
    else:
        _require(homes, (treatment_lat, treatment_lon))
        t_lat, t_lon = _numbers(homes[treatment_lat]), _numbers(homes[treatment_lon])
    pairs = pd.DataFrame(
        {
            "origin_lat": np.concatenate([h_lat, t_lat]),
            "origin_lon": np.concatenate([h_lon, t_lon]),
            "dest_lat": np.concatenate([t_lat, h_lat]),
            "dest_lon": np.concatenate([t_lon, h_lon]),
        }
    )
    legs = routes_frame(router, pairs, geometry=geometry == "routes", progress=progress)
    out_leg, in_leg = legs.iloc[:n], legs.iloc[n:]

    def col(frame: pd.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=float)

    out = pd.DataFrame(homes).copy()
    if geometry is not None and isinstance(homes, gpd.GeoDataFrame) and "geometry" in out:
        out = out.drop(columns="geometry")  # replaced by the geometry asked for
    for c in TRIP_COLUMNS:
        if c in out.columns:
            out = out.drop(columns=c)
    outbound_m, inbound_m = col(out_leg, "distance_m"), col(in_leg, "distance_m")
    loaded = outbound_m + inbound_m  # NaN unless both legs exist
    out["outbound_m"] = outbound_m
    out["inbound_m"] = inbound_m
    out["loaded_m"] = loaded
    out["loaded_km"] = loaded / 1000.0
    out["single_trip_km"] = outbound_m / 1000.0
    out["outbound_s"] = col(out_leg, "duration_s")
    out["inbound_s"] = col(in_leg, "duration_s")
    out["snap_home_m"] = np.where(
        np.isfinite(col(out_leg, "snap_origin_m")),
        col(out_leg, "snap_origin_m"),
        col(in_leg, "snap_dest_m"),
    )
    out["snap_treatment_m"] = np.where(
        np.isfinite(col(out_leg, "snap_dest_m")),
        col(out_leg, "snap_dest_m"),
        col(in_leg, "snap_origin_m"),
    )
    out["crow_m"] = _crow_m(h_lat, h_lon, t_lat, t_lon)
    out["error"] = [
        "; ".join(f"{leg}: {e}" for leg, e in (("outbound", a), ("inbound", b)) if e)
        for a, b in zip(out_leg["error"], in_leg["error"], strict=True)
    ]
    if geometry is None:
        return out
    if geometry == "home":
        geoms = [
            Point(x, y) if math.isfinite(x) and math.isfinite(y) else None
            for x, y in zip(h_lon, h_lat, strict=True)
        ]
    else:
        geoms = [
            MultiLineString([a, b]) if a is not None and b is not None else None
            for a, b in zip(out_leg.geometry, in_leg.geometry, strict=True)
        ]
    return gpd.GeoDataFrame(out, geometry=geoms, crs=WGS84)


def _crow_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Geodesic distances between two arrays of points; NaN where a coordinate is missing."""
    ok = np.isfinite(lat1) & np.isfinite(lon1) & np.isfinite(lat2) & np.isfinite(lon2)
    ok &= (np.abs(lat1) <= 90) & (np.abs(lat2) <= 90)
    out = np.full(len(lat1), np.nan)
    if ok.any():
        out[ok] = _geo.geodesic_m(lon1[ok], lat1[ok], lon2[ok], lat2[ok])
    return out
