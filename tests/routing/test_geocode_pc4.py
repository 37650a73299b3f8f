"""Four-digit postcode centres as the coarse fallback."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from routing.errors import GeocodeNotFound
from routing.geocode import GeocodeDataError, PC4Geocoder
from routing.results import Precision
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def shared_pc4():
    return PC4Geocoder(shared_path("geo", "pc4.geojson"))


def _feature_point(path, code):
    data = json.loads(path.read_text())
    for feature in data["features"]:
        if feature["properties"]["postcode4"] == code:
            lon, lat = feature["geometry"]["coordinates"]
            return lat, lon
    raise AssertionError(code)


@pytest.mark.shared
def test_shared_file_loads_every_postcode(shared_pc4):
    assert len(shared_pc4) == 4069
    assert "7555" in shared_pc4 and "0999" not in shared_pc4


@pytest.mark.shared
@pytest.mark.parametrize(
    "query",
    [
        "7555",
        "7555 DL",
        "7555dl",
        "7555 Hengelo",
        "7555 DL 141",
        "Geerdinksweg 141, 7555 DL Hengelo",
        "Geerdinksweg 141, 7555 Hengelo",
    ],
)
def test_postcode_queries_fall_back_to_their_pc4(shared_pc4, query):
    lat, lon = _feature_point(shared_path("geo", "pc4.geojson"), "7555")
    location = shared_pc4.geocode(query)
    assert (location.lat, location.lon) == (lat, lon)
    assert location.precision is Precision.POSTCODE4
    assert location.source == "pc4"
    assert location.label == "7555"


@pytest.mark.shared
def test_spijkenisse_pc4(shared_pc4):
    lat, lon = _feature_point(shared_path("geo", "pc4.geojson"), "3201")
    assert (shared_pc4.geocode("3201").lat, shared_pc4.geocode("3201").lon) == (lat, lon)


@pytest.mark.shared
@pytest.mark.parametrize("query", ["Geerdinksweg 141 Hengelo", "ZGT Hengelo", "141", "Hengelo"])
def test_no_postcode_is_not_found(shared_pc4, query):
    with pytest.raises(GeocodeNotFound) as caught:
        shared_pc4.geocode(query, field="destination")
    assert caught.value.field == "destination"
    assert "Geerdinksweg" not in caught.value.message


@pytest.mark.shared
def test_unknown_pc4_is_named(shared_pc4):
    missing = next(str(n) for n in range(1000, 10000) if str(n) not in shared_pc4)
    with pytest.raises(GeocodeNotFound) as caught:
        shared_pc4.geocode(missing)
    assert missing in caught.value.message  # a bare PC4 is not personal data


def test_polygons_in_rd_new_use_a_point_inside(tmp_path):
    # a U-shaped area whose centroid lies outside it, and a plain square; written in RD New
    u_shape = Polygon(
        [(0, 0), (300, 0), (300, 300), (200, 300), (200, 100), (100, 100), (100, 300), (0, 300)]
    )
    u_shape = Polygon([(x + 250000, y + 476000) for x, y in u_shape.exterior.coords])
    square = box(240000, 470000, 240400, 470400)
    frame = gpd.GeoDataFrame(
        {"PC4": ["7555", "7556"]}, geometry=[u_shape, square], crs="EPSG:28992"
    )
    path = tmp_path / "pc4.gpkg"
    frame.to_file(path, driver="GPKG")
    geocoder = PC4Geocoder(path)
    wgs = frame.to_crs("EPSG:4326")
    for code, area in zip(["7555", "7556"], wgs.geometry, strict=True):
        location = geocoder.geocode(code)
        assert area.contains(Point(location.lon, location.lat))
    # a convex area is placed at its centroid (computed in metres, then converted)
    square_centre = gpd.GeoSeries([square.centroid], crs="EPSG:28992").to_crs("EPSG:4326")[0]
    assert geocoder.geocode("7556").lat == pytest.approx(square_centre.y, abs=1e-12)
    assert geocoder.geocode("7556").lon == pytest.approx(square_centre.x, abs=1e-12)


def test_csv_with_duplicates_is_averaged(tmp_path):
    path = tmp_path / "pc4.csv"
    path.write_text("pc4,lat,lon\n7555,52.26,6.77\n7555,52.28,6.79\n0123,52,6\nabc,52,6\n")
    geocoder = PC4Geocoder(path)
    assert len(geocoder) == 1
    location = geocoder.geocode("7555")
    assert (location.lat, location.lon) == pytest.approx((52.27, 6.78))


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.csv", "postcode4,x\n7555,1\n", "coordinate columns"),
        ("b.csv", "name,lat,lon\nx,52,6\n", "'postcode4'"),
        ("c.csv", "pc4,lat,lon\nnope,52,6\n", "no feature"),
        ("d.geojson", '{"type": "FeatureCollection", "features": []}', "'postcode4'"),
        ("e.geojson", "not json", "cannot be read"),
    ],
)
def test_bad_pc4_files(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(GeocodeDataError) as caught:
        PC4Geocoder(path)
    assert words in caught.value.message
    assert caught.value.field == "pc4"
