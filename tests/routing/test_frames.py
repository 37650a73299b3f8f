"""routing.frames: DataFrame/GeoDataFrame conversions of routes, trips and batches."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import frames
from routing.errors import InvalidQuery

HOSPITAL = (52.2638, 6.7708)  # ZGT Hengelo
HOME = (52.287907, 6.797534)  # reference trip hengelo-h003


@pytest.fixture(scope="module")
def trip(hengelo_router):
    return hengelo_router.trip(HOME, HOSPITAL)


def rd_length(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return frames.to_rd(gdf).length.to_numpy()


# --- single results ---------------------------------------------------------------------------


def test_route_gdf_is_the_route_in_wgs84(trip):
    g = frames.route_gdf(trip.outbound)
    assert g.crs == "EPSG:4326"
    assert len(g) == 1
    assert g.distance_m.iloc[0] == trip.outbound.distance_m
    assert g.geometry.iloc[0].equals(trip.outbound.geometry)
    assert g.snap_origin_m.iloc[0] == trip.outbound.origin.snap_distance_m
    assert g.map_id.iloc[0] == trip.outbound.map.short


def test_rd_new_lengths_match_the_geodesic_distance(trip):
    # the route line runs from snapped point to snapped point, as distance_m does; RD New's scale
    # error in Twente is a few 1e-5, so the metric lengths agree within 0.05 %
    g = frames.trip_gdf(trip)
    assert frames.to_rd(g).crs.to_epsg() == 28992
    np.testing.assert_allclose(rd_length(g), g.distance_m.to_numpy(), rtol=5e-4)
    # lon/lat swapped would put the line in the Gulf of Aden: far off in RD and in length
    swapped = shapely.transform(g.geometry.iloc[0], lambda c: c[:, ::-1])
    swapped_len = frames.to_rd(gpd.GeoSeries([swapped], crs="EPSG:4326")).length.iloc[0]
    assert abs(swapped_len - g.distance_m.iloc[0]) > 0.01 * g.distance_m.iloc[0]


def test_trip_gdf_has_both_legs_and_loaded_km(trip):
    g = frames.trip_gdf(trip)
    assert list(g.leg) == ["outbound", "inbound"]
    assert g.distance_m.tolist() == [trip.outbound.distance_m, trip.inbound.distance_m]
    assert (g.loaded_m == trip.loaded_m).all()
    assert g.loaded_m.iloc[0] == g.distance_m.sum()
    assert g.loaded_km.iloc[0] == trip.loaded_km


def test_waypoints_gdf_snap_lines(trip):
    pts = frames.waypoints_gdf(trip)
    assert list(zip(pts.leg, pts.role, strict=True)) == [
        ("outbound", "origin"),
        ("outbound", "destination"),
        ("inbound", "origin"),
        ("inbound", "destination"),
    ]
    assert pts.geometry.iloc[0].equals(
        shapely.Point(trip.outbound.origin.lon, trip.outbound.origin.lat)
    )
    given_pts = frames.waypoints_gdf(trip.outbound, geometry="input")
    assert given_pts.geometry.iloc[1].equals(shapely.Point(HOSPITAL[1], HOSPITAL[0]))
    lines = frames.waypoints_gdf(trip, geometry="line")
    # the snap line's metric length is the snap distance (59.3 m at the hospital)
    np.testing.assert_allclose(rd_length(lines), lines.snap_distance_m, rtol=1e-3, atol=0.01)
    assert lines.snap_distance_m.iloc[1] == pytest.approx(59.3, abs=0.2)
    with pytest.raises(InvalidQuery):
        frames.waypoints_gdf(trip, geometry="both")


def test_to_rd_needs_a_crs():
    with pytest.raises(InvalidQuery) as err:
        frames.to_rd(gpd.GeoDataFrame(geometry=[shapely.Point(6.8, 52.3)]))
    assert err.value.field == "crs"


def test_network_gdf_covers_every_road_piece(hengelo_router):
    net = hengelo_router.network
    roads = frames.network_gdf(hengelo_router)
    assert len(roads) == net.n_edges
    assert roads.crs == "EPSG:4326"
    np.testing.assert_allclose(roads.length_m.to_numpy(), net.edge_length_m)
    # each line's metric length is the edge's geodesic length
    np.testing.assert_allclose(rd_length(roads), roads.length_m, rtol=5e-4, atol=0.05)
    assert (roads.forward | roads.backward).all()
    assert {"motorway", "residential"} <= set(roads.highway)
    assert frames.extent_gdf(hengelo_router).geometry.iloc[0].covers(roads.union_all())


# --- tables -----------------------------------------------------------------------------------


def test_points_gdf_keeps_rows_without_coordinates():
    df = pd.DataFrame(
        {"lat": [52.3, None, "52,25", "x"], "lon": [6.8, 6.7, "6,75", 6.7], "k": [1, 2, 3, 4]},
        index=[10, 11, 12, 13],
    )
    g = frames.points_gdf(df)
    assert g.index.tolist() == [10, 11, 12, 13]
    assert g.k.tolist() == [1, 2, 3, 4]
    assert g.geometry.iloc[0].equals(shapely.Point(6.8, 52.3))  # x = lon, y = lat
    assert g.geometry.iloc[2].equals(shapely.Point(6.75, 52.25))
    assert g.geometry.iloc[1] is None and g.geometry.iloc[3] is None
    with pytest.raises(InvalidQuery):
        frames.points_gdf(df, lat="latitude")


def test_od_pairs_and_matrix(hengelo_router):
    origins = pd.DataFrame({"lat": [HOME[0], 52.27], "lon": [HOME[1], 6.75]}, index=["a", "b"])
    dests = pd.DataFrame({"name": ["zgt", "x", "far"], "lat": [HOSPITAL[0], 52.28, 51.0],
                          "lon": [HOSPITAL[1], 6.78, 6.0]})  # fmt: skip
    pairs = frames.od_pairs(origins, dests, dest_id="name")
    assert len(pairs) == 6
    assert pairs.origin_id.tolist() == ["a", "a", "a", "b", "b", "b"]
    assert pairs.dest_id.tolist() == ["zgt", "x", "far"] * 2
    table = frames.routes_frame(hengelo_router, pairs, geometry=False)
    matrix = frames.to_matrix(table)
    assert matrix.shape == (2, 3)
    assert matrix.index.tolist() == ["a", "b"]
    assert matrix.columns.tolist() == ["zgt", "x", "far"]
    assert matrix.loc["a", "zgt"] == hengelo_router.route(HOME, HOSPITAL).distance_m
    assert matrix.loc["b", "x"] == hengelo_router.route((52.27, 6.75), (52.28, 6.78)).distance_m
    assert matrix["far"].isna().all()  # outside the map: NaN, not dropped
    with pytest.raises(InvalidQuery):
        frames.to_matrix(pd.concat([table, table]))


def test_to_matrix_of_router_matrix_agrees_with_routes(hengelo_router):
    points = [HOME, (52.27, 6.75), HOSPITAL]
    long = hengelo_router.matrix(points, points[1:])
    wide = frames.to_matrix(long, origin="origin", dest="destination")
    assert wide.shape == (3, 2)
    pts = pd.DataFrame(points, columns=["lat", "lon"])
    via_routes = frames.to_matrix(
        frames.routes_frame(hengelo_router, frames.od_pairs(pts, pts.iloc[1:]), geometry=False)
    )
    # the matrix carries lengths along the hierarchy in single precision per shortcut (mm level)
    np.testing.assert_allclose(wide.to_numpy(), via_routes.to_numpy(), rtol=0, atol=0.05)


def test_od_pairs_from_point_geodataframes_in_rd():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([6.8, 6.75], [52.3, 52.25]), crs=4326)
    pairs = frames.od_pairs(frames.to_rd(pts), pts)
    np.testing.assert_allclose(pairs.origin_lat, [52.3, 52.3, 52.25, 52.25], atol=1e-9)
    np.testing.assert_allclose(pairs.dest_lon, [6.8, 6.75, 6.8, 6.75], atol=1e-9)


# --- batches ----------------------------------------------------------------------------------


BAD_PAIRS = pd.DataFrame(
    {
        "origin_lat": [HOME[0], None, 52.0, "52,27", "abc", 52.2701],
        "origin_lon": [HOME[1], 6.8, 6.8, "6,75", 6.8, 6.7501],
        "dest_lat": [HOSPITAL[0]] * 6,
        "dest_lon": [HOSPITAL[1]] * 6,
        "ref": list("uvwxyz"),
    },
    index=[7, 3, 5, 1, 0, 2],
)


def test_routes_frame_is_router_routes_plus_lines(hengelo_router):
    plain = hengelo_router.routes(BAD_PAIRS)
    g = frames.routes_frame(hengelo_router, BAD_PAIRS)
    assert isinstance(g, gpd.GeoDataFrame) and g.crs == "EPSG:4326"
    assert g.index.tolist() == BAD_PAIRS.index.tolist()  # rows in = rows out, in order
    pd.testing.assert_frame_equal(pd.DataFrame(g.drop(columns="geometry")), plain)
    failed = g.error != ""
    assert failed.tolist() == [False, True, True, False, True, False]
    assert g.geometry[failed].isna().all()
    np.testing.assert_allclose(rd_length(g[~failed]), g.distance_m[~failed], rtol=5e-4)
    # the line is the route's own
    assert g.geometry.loc[7].equals(hengelo_router.route(HOME, HOSPITAL).geometry)
    assert frames.routes_frame(hengelo_router, BAD_PAIRS, geometry=False).equals(plain)


def test_trips_frame_matches_router_trip(hengelo_router):
    homes = pd.DataFrame(
        {
            "lat": [HOME[0], None, 52.0, 52.27],
            "lon": [HOME[1], 6.8, 6.8, 6.75],
            "who": list("abcd"),
        },
        index=[30, 10, 20, 40],
    )
    t = frames.trips_frame(hengelo_router, homes, HOSPITAL)
    assert t.index.tolist() == [30, 10, 20, 40]
    assert t.who.tolist() == list("abcd")
    assert t.crs == "EPSG:4326"
    for idx in (30, 40):
        trip = hengelo_router.trip((homes.lat[idx], homes.lon[idx]), HOSPITAL)
        row = t.loc[idx]
        assert row.outbound_m == trip.outbound.distance_m
        assert row.inbound_m == trip.inbound.distance_m
        assert row.loaded_m == trip.loaded_m
        assert row.loaded_km == trip.loaded_km
        assert row.single_trip_km == trip.single_trip_km
        assert row.snap_home_m == trip.outbound.origin.snap_distance_m
        assert row.snap_treatment_m == trip.outbound.destination.snap_distance_m
        assert row.error == ""
        assert row.geometry.equals(shapely.Point(homes.lon[idx], homes.lat[idx]))
    assert t.loc[10].error.startswith("outbound: InvalidQuery")
    assert "; inbound: InvalidQuery" in t.loc[10].error
    assert t.loc[20].error.startswith("outbound: OutsideMap")
    assert np.isnan(t.loc[20].loaded_m) and t.loc[10].geometry is None
    # the crow distance is the geodesic between the given points (3.24 km for h003)
    assert t.loc[30].crow_m == pytest.approx(3244.25, abs=0.5)


def test_trips_frame_per_row_treatment_routes_geometry_and_text(hengelo_router):
    homes = pd.DataFrame({"lat": [HOME[0], 52.27], "lon": [HOME[1], 6.75],
                          "treatment_lat": [HOSPITAL[0], 52.28],
                          "treatment_lon": [HOSPITAL[1], 6.78]})  # fmt: skip
    t = frames.trips_frame(hengelo_router, homes, geometry="routes")
    trip = hengelo_router.trip((52.27, 6.75), (52.28, 6.78))
    assert t.loaded_m.iloc[1] == trip.loaded_m
    legs = t.geometry.iloc[1]
    assert legs.geom_type == "MultiLineString"
    assert legs.geoms[0].equals(trip.outbound.geometry)
    assert legs.geoms[1].equals(trip.inbound.geometry)
    plain = frames.trips_frame(hengelo_router, homes.iloc[:1], "52.2638,6.7708", geometry=None)
    assert type(plain) is pd.DataFrame
    assert plain.loaded_m.iloc[0] == t.loaded_m.iloc[0]
    with pytest.raises(InvalidQuery):
        frames.trips_frame(hengelo_router, homes, geometry="lines")
    with pytest.raises(InvalidQuery):  # no treatment and no treatment columns
        frames.trips_frame(hengelo_router, homes[["lat", "lon"]])


def test_trips_frame_from_a_geodataframe_in_rd(hengelo_router):
    homes = gpd.GeoDataFrame(
        {"who": ["a"]}, geometry=gpd.points_from_xy([HOME[1]], [HOME[0]]), crs=4326
    )
    t = frames.trips_frame(hengelo_router, frames.to_rd(homes), HOSPITAL)
    assert t.who.tolist() == ["a"]
    assert t.loaded_m.iloc[0] == pytest.approx(
        hengelo_router.trip(HOME, HOSPITAL).loaded_m, abs=0.01
    )
    assert t.crs == "EPSG:4326"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.floats(52.235, 52.305, allow_nan=False), st.floats(6.715, 6.895, allow_nan=False)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_trips_frame_invariants(hengelo_router, points):
    homes = pd.DataFrame(points, columns=["lat", "lon"])
    t = frames.trips_frame(hengelo_router, homes, HOSPITAL, geometry=None)
    assert len(t) == len(homes)
    ok = t.error == ""
    # a routed row has both legs; an unrouted one says why and has no loaded km
    assert t.loaded_m[ok].notna().all()
    assert t.loaded_m[~ok].isna().all()
    np.testing.assert_array_equal(t.loaded_m[ok], t.outbound_m[ok] + t.inbound_m[ok])
    # road distance plus the two snap stretches is never shorter than the straight line
    reach = t.outbound_m + t.snap_home_m + t.snap_treatment_m
    assert (reach[ok] >= t.crow_m[ok] * (1 - 1e-6)).all()
