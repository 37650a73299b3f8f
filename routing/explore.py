"""Interactive folium maps of routes and trips, in the spirit of ``GeoDataFrame.explore()``.

::

    from routing.explore import explore_route, explore_trip, explore_trips

    explore_trip(router.trip(home, hospital))               # both legs, snapped points
    explore_trips(trips_frame(router, homes, hospital))     # many trips, coloured by loaded km

Every function returns a :class:`folium.Map` (shown inline in Jupyter) and takes ``m=`` to draw on
an existing map, so layers can be combined. ``tiles`` is the background: the default
``"OpenStreetMap"`` makes the *browser* that shows the map fetch tiles from the OpenStreetMap tile
servers; pass ``tiles=None`` for a map without any background (nothing is fetched), or any name or
URL folium accepts. Building a map never goes online.

Home points are personal data: a map made from real patient addresses is as confidential as the
addresses. Tooltips here show distances and road names, never the input coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np

from routing.errors import InvalidQuery
from routing.results import Route, Trip, Waypoint, km_display

if TYPE_CHECKING:
    from shapely.geometry import LineString

#: Leg colours: outbound (home -> treatment) and inbound (back).
LEG_COLOURS = ("#1f77b4", "#d62728")
SNAP_COLOUR = "#555555"


def _new_map(tiles: str | None, bounds: Sequence[float], **kwargs: Any) -> folium.Map:
    """Return a new map fitted to ``(min_lon, min_lat, max_lon, max_lat)``."""
    m = folium.Map(tiles=tiles, control_scale=True, **kwargs)
    _fit(m, bounds)
    return m


def _fit(m: folium.Map, bounds: Sequence[float]) -> None:
    x0, y0, x1, y1 = (float(b) for b in bounds)
    if np.all(np.isfinite([x0, y0, x1, y1])):
        m.fit_bounds([[y0, x0], [y1, x1]])


def _line_latlon(line: LineString) -> list[tuple[float, float]]:
    """Folium wants (lat, lon); shapely stores (lon, lat)."""
    return [(float(y), float(x)) for x, y in line.coords]


def _add_waypoint(group: folium.FeatureGroup, wp: Waypoint, label: str, colour: str) -> None:
    road = wp.name or "unnamed road"
    tip = f"{label}: on {road}, {wp.snap_distance_m:.1f} m from the given point"
    folium.PolyLine(
        [(wp.input_lat, wp.input_lon), (wp.lat, wp.lon)],
        color=SNAP_COLOUR,
        weight=2,
        dash_array="4 4",
        tooltip=tip,
    ).add_to(group)
    folium.CircleMarker(
        (wp.input_lat, wp.input_lon),
        radius=4,
        color=SNAP_COLOUR,
        fill=True,
        fill_color="white",
        fill_opacity=1.0,
        tooltip=f"{label} (as given)",
    ).add_to(group)
    folium.CircleMarker(
        (wp.lat, wp.lon),
        radius=5,
        color=colour,
        fill=True,
        fill_color=colour,
        fill_opacity=1.0,
        tooltip=tip,
    ).add_to(group)


def _add_route(
    m: folium.Map,
    route: Route,
    *,
    name: str,
    colour: str,
    waypoints: bool,
    labels: tuple[str, str] = ("origin", "destination"),
    show_waypoint_pairs: tuple[bool, bool] = (True, True),
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name)
    tip = (
        f"{name}: {km_display(route.distance_m)} km, {route.duration_s / 60:.1f} min "
        f"({route.map.short})"
    )
    folium.PolyLine(
        _line_latlon(route.geometry), color=colour, weight=5, opacity=0.8, tooltip=tip
    ).add_to(group)
    if waypoints:
        for wp, label, show in zip(
            (route.origin, route.destination), labels, show_waypoint_pairs, strict=True
        ):
            if show:
                _add_waypoint(group, wp, label, colour)
    group.add_to(m)
    return group


def explore_route(
    route: Route,
    *,
    m: folium.Map | None = None,
    tiles: str | None = "OpenStreetMap",
    colour: str = LEG_COLOURS[0],
    name: str = "route",
    waypoints: bool = True,
    **map_kwargs: Any,
) -> folium.Map:
    """Draw a route on a folium map: its line, and where its ends were snapped onto the road.

    Parameters
    ----------
    route : Route
        A route from :meth:`Router.route`.
    m : folium.Map, optional
        Draw on this map instead of a new one.
    tiles : str or None
        Background tiles of a new map (``None``: no background, nothing fetched by the browser).
    colour : str
        Line colour.
    name : str
        Layer name (in the layer control) and tooltip label.
    waypoints : bool
        Draw the given points, the snapped points and the dashed snap lines between them.
    **map_kwargs
        Passed to :class:`folium.Map` for a new map (``width``, ``height``, ...).

    Returns
    -------
    folium.Map
    """
    if m is None:
        m = _new_map(tiles, route.geometry.bounds, **map_kwargs)
    _add_route(m, route, name=name, colour=colour, waypoints=waypoints)
    return m


def explore_trip(
    trip: Trip,
    *,
    m: folium.Map | None = None,
    tiles: str | None = "OpenStreetMap",
    colours: tuple[str, str] = LEG_COLOURS,
    waypoints: bool = True,
    layer_control: bool = True,
    **map_kwargs: Any,
) -> folium.Map:
    """Draw a trip on a folium map: both legs, and where home and treatment were snapped.

    Parameters
    ----------
    trip : Trip
        A trip from :meth:`Router.trip`.
    m : folium.Map, optional
        Draw on this map instead of a new one.
    tiles : str or None
        Background tiles of a new map (``None``: no background).
    colours : (str, str)
        Colours of the outbound and the inbound leg.
    waypoints : bool
        Draw the given points, the snapped points and the dashed snap lines (each leg's own snaps:
        the two legs may start on different roads).
    layer_control : bool
        Add a layer control to switch legs on and off.
    **map_kwargs
        Passed to :class:`folium.Map` for a new map.

    Returns
    -------
    folium.Map
    """
    if m is None:
        lo = np.minimum(trip.outbound.geometry.bounds[:2], trip.inbound.geometry.bounds[:2])
        hi = np.maximum(trip.outbound.geometry.bounds[2:], trip.inbound.geometry.bounds[2:])
        m = _new_map(tiles, (*lo, *hi), **map_kwargs)
    _add_route(
        m,
        trip.outbound,
        name=f"outbound (loaded total {km_display(trip.loaded_m)} km)",
        colour=colours[0],
        waypoints=waypoints,
        labels=("home", "treatment"),
    )
    _add_route(
        m,
        trip.inbound,
        name="inbound",
        colour=colours[1],
        waypoints=waypoints,
        labels=("treatment (return)", "home (return)"),
    )
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def explore_trips(
    gdf: gpd.GeoDataFrame,
    column: str = "loaded_km",
    *,
    m: folium.Map | None = None,
    tiles: str | None = "OpenStreetMap",
    cmap: str = "viridis",
    tooltip: Sequence[str] | None = None,
    treatment: tuple[float, float] | None = None,
    missing_label: str = "not routed",
    radius: float = 7.0,
    **kwargs: Any,
) -> folium.Map:
    """Draw a set of trips coloured by a number, such as the loaded km (a choropleth of points).

    Parameters
    ----------
    gdf : GeoDataFrame
        For example :func:`routing.frames.trips_frame` (home points, or the legs' lines with
        ``geometry="routes"``); any CRS, shown in WGS84.
    column : str
        Numeric column that sets the colour. Rows where it is missing (trips that could not be
        routed) are drawn grey, with their ``error`` in the tooltip when there is such a column.
    m : folium.Map, optional
        Draw on this map instead of a new one.
    tiles : str or None
        Background tiles of a new map (``None``: no background).
    cmap : str
        Matplotlib colour map name.
    tooltip : sequence of str, optional
        Columns in the tooltip (default: ``column``, plus ``error`` and any of ``postcode4``,
        ``single_trip_km``, ``snap_home_m`` present).
    treatment : (lat, lon), optional
        Mark the treatment address with a marker.
    missing_label : str
        Legend text of the grey rows.
    radius : float
        Point radius in pixels.
    **kwargs
        Passed to :meth:`GeoDataFrame.explore` (``vmin``, ``vmax``, ``scheme``, ...).

    Returns
    -------
    folium.Map

    Raises
    ------
    InvalidQuery
        When ``column`` is absent or not numeric.
    """
    if column not in gdf.columns:
        raise InvalidQuery(f"no column {column!r} to colour by", field="column")
    values = gdf[column]
    if not (values.dtype.kind in "fiu" or values.isna().all()):
        raise InvalidQuery(f"column {column!r} must be numeric", field="column")
    data = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
    if data.crs is not None:
        data = data.to_crs("EPSG:4326")
    if tooltip is None:
        extra = ["postcode4", "single_trip_km", "snap_home_m", "error"]
        tooltip = [column, *[c for c in extra if c in data.columns and c != column]]
    tooltip = list(tooltip)
    if m is None:
        m = _new_map(tiles, data.total_bounds if len(data) else (np.nan,) * 4)
    present = data[data[column].notna()]
    missing = data[data[column].isna()]
    style = {"radius": radius, "fillOpacity": 0.85, "weight": 1}
    if len(present):
        present.explore(
            m=m,
            column=column,
            cmap=cmap,
            tooltip=tooltip,
            marker_type="circle_marker",
            marker_kwds={"radius": radius},
            style_kwds=style | {"color": "#333333"},
            legend=True,
            legend_kwds={"caption": column},
            **kwargs,
        )
    if len(missing):
        missing.explore(
            m=m,
            color="#9e9e9e",
            tooltip=tooltip,
            marker_type="circle_marker",
            marker_kwds={"radius": radius},
            style_kwds=style | {"color": "#616161", "dashArray": "3 3"},
            name=missing_label,
        )
    if treatment is not None:
        folium.Marker(
            treatment, tooltip="treatment address", icon=folium.Icon(color="red", icon="plus")
        ).add_to(m)
    return m
