"""routing.explore: folium maps of routes, trips and sets of trips."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import pytest

from routing.errors import InvalidQuery
from routing.explore import LEG_COLOURS, explore_route, explore_trip, explore_trips
from routing.frames import trips_frame

HOSPITAL = (52.2638, 6.7708)
HOME = (52.287907, 6.797534)


def walk(element):
    """Every element below ``element`` (folium keeps children in ``_children``)."""
    for child in element._children.values():
        yield child
        yield from walk(child)


def of_type(m, cls):
    return [e for e in walk(m) if type(e) is cls]


@pytest.fixture(scope="module")
def trip(hengelo_router):
    return hengelo_router.trip(HOME, HOSPITAL)


def test_route_line_is_drawn_in_lat_lon_order(trip):
    route = trip.outbound
    m = explore_route(route, tiles=None)
    assert isinstance(m, folium.Map)
    lines = of_type(m, folium.PolyLine)
    # the route and the two dashed snap lines
    assert len(lines) == 3
    expected = [[lat, lon] for lon, lat in route.geometry.coords]
    np.testing.assert_allclose(np.asarray(lines[0].locations), expected)
    snaps = [ln for ln in lines if ln.options.get("dashArray") == "4 4"]
    assert len(snaps) == 2
    np.testing.assert_allclose(
        snaps[1].locations,
        [[HOSPITAL[0], HOSPITAL[1]], [route.destination.lat, route.destination.lon]],
    )
    assert len(of_type(m, folium.CircleMarker)) == 4  # given and snapped point, both ends
    assert "59.3 m" in m.get_root().render()  # the hospital's snap distance in a tooltip


def test_tiles_are_optional(trip):
    no_tiles = explore_route(trip.outbound, tiles=None)
    assert of_type(no_tiles, folium.TileLayer) == []
    assert "tile.openstreetmap.org" not in no_tiles.get_root().render()
    osm = explore_route(trip.outbound)
    assert len(of_type(osm, folium.TileLayer)) == 1
    assert "tile.openstreetmap.org" in osm.get_root().render()
    bare = explore_route(trip.outbound, tiles=None, waypoints=False)
    assert len(of_type(bare, folium.PolyLine)) == 1
    assert of_type(bare, folium.CircleMarker) == []


def test_trip_draws_both_legs(trip):
    m = explore_trip(trip, tiles=None)
    groups = of_type(m, folium.FeatureGroup)
    assert len(groups) == 2
    assert "10.4 km" in groups[0].layer_name  # loaded total in the outbound layer's name
    legs = [ln for ln in of_type(m, folium.PolyLine) if ln.options.get("dashArray") is None]
    assert [ln.options["color"] for ln in legs] == list(LEG_COLOURS)
    np.testing.assert_allclose(
        legs[1].locations, [[lat, lon] for lon, lat in trip.inbound.geometry.coords]
    )
    assert len(of_type(m, folium.CircleMarker)) == 8  # 2 per end, 2 ends, 2 legs
    assert len(of_type(m, folium.LayerControl)) == 1
    # the map is fitted to both legs: [[south, west], [north, east]]
    west, south = np.min([trip.outbound.geometry.bounds[:2], trip.inbound.geometry.bounds[:2]], 0)
    east, north = np.max([trip.outbound.geometry.bounds[2:], trip.inbound.geometry.bounds[2:]], 0)
    (fit,) = of_type(m, folium.map.FitBounds)
    np.testing.assert_allclose(fit.bounds, [[south, west], [north, east]])


def test_draw_on_an_existing_map(trip):
    m = explore_route(trip.outbound, tiles=None)
    again = explore_route(trip.inbound, m=m, colour="#000000", name="back")
    assert again is m
    assert (
        len([ln for ln in of_type(m, folium.PolyLine) if ln.options.get("dashArray") is None]) == 2
    )


def test_trips_coloured_by_loaded_km_and_failures_grey(hengelo_router):
    homes = pd.DataFrame({"lat": [HOME[0], 52.27, 52.0, np.nan], "lon": [HOME[1], 6.75, 6.8, 6.8]})
    gdf = trips_frame(hengelo_router, homes, HOSPITAL)
    m = explore_trips(gdf, treatment=HOSPITAL, tiles=None)
    html = m.get_root().render()
    geo = of_type(m, folium.GeoJson)
    features = [f for g in geo for f in g.data["features"]]
    # three rows have a point (the NaN home has none): two coloured, one grey
    assert len(features) == 3
    fills = {}
    for g in geo:
        for f in g.data["features"]:
            fills[f["id"]] = g.style_function(f)["fillColor"].lower()
    lo, hi = gdf.loaded_km.idxmin(), gdf.loaded_km.idxmax()
    assert fills[str(lo)] == "#440154"  # viridis low end
    assert fills[str(hi)] == "#fde725"  # viridis high end
    assert fills["2"] == "#9e9e9e"  # outside the map: grey
    assert "OutsideMap" in html  # its reason is in the tooltip
    assert "loaded_km" in html  # the legend caption
    assert len(of_type(m, folium.Marker)) == 1  # the treatment address


def test_trips_as_lines_and_bad_columns(hengelo_router):
    homes = pd.DataFrame({"lat": [HOME[0], 52.27], "lon": [HOME[1], 6.75]})
    gdf = trips_frame(hengelo_router, homes, HOSPITAL, geometry="routes")
    m = explore_trips(gdf, column="single_trip_km", tiles=None)
    kinds = {f["geometry"]["type"] for g in of_type(m, folium.GeoJson) for f in g.data["features"]}
    assert kinds == {"MultiLineString"}
    with pytest.raises(InvalidQuery):
        explore_trips(gdf, column="nope")
    with pytest.raises(InvalidQuery):
        explore_trips(gdf.assign(label="x"), column="label")
