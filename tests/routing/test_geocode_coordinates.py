"""Coordinates typed as text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.errors import GeocodeError, GeocodeNotFound, InvalidQuery
from routing.geocode import CoordinatesGeocoder, InvalidGeocodeQuery, parse_coordinates
from routing.results import Precision

geocoder = CoordinatesGeocoder()


@pytest.mark.parametrize(
    "text",
    [
        "52.2638,6.7708",
        "52.2638, 6.7708",
        " 52.2638 ,6.7708 ",
        "52.2638 6.7708",
        "52.2638;6.7708",
        "(52.2638, 6.7708)",
        "[52.2638,6.7708]",
        "52,2638;6,7708",
        "52,2638 6,7708",
        "52.2638 N, 6.7708 E",
        "N 52.2638 E 6.7708",
        "6.7708 E 52.2638 N",
        "+52.2638,+6.7708",
    ],
)
def test_accepted_forms(text):
    location = geocoder.geocode(text)
    assert (location.lat, location.lon) == (52.2638, 6.7708)
    assert location.precision is Precision.POINT
    assert location.source == "coordinates"
    assert location.label is None


def test_degrees_minutes_seconds_and_hemispheres():
    lat, lon = parse_coordinates("52°15'49.7\"N 6°46'14.9\"E")
    assert lat == pytest.approx(52 + 15 / 60 + 49.7 / 3600)
    assert lon == pytest.approx(6 + 46 / 60 + 14.9 / 3600)
    assert parse_coordinates("51.8465 S, 4.3379 W") == (-51.8465, -4.3379)


def test_swapped_input_is_taken_as_given():
    # within range either way: this provider does not guess; the router reports OutsideMap
    assert parse_coordinates("6.7708,52.2638") == (6.7708, 52.2638)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("52,2638,6,7708", "decimal commas"),
        ("52,2638, 6,7708", "decimal commas"),
        ("95,6", "latitude"),
        ("-90.0001 6", "latitude"),
        ("52,200", "longitude"),
        ("52.1,180.5", "longitude"),
        ("52.1 6.2 7", "not two numbers"),
        ("52.2638 N 6.7708 N", "one N/S and one E/W"),
        ("-52.5 N 6 E", "sign and a hemisphere"),
        ("52°75'N 6°46'E", "below 60"),
    ],
)
def test_rejected_forms(text, words):
    with pytest.raises(InvalidGeocodeQuery) as caught:
        geocoder.geocode(text, field="origin")
    error = caught.value
    assert words in error.message
    assert error.field == "origin"
    assert error.code == "InvalidQuery"
    # the error is both a routing InvalidQuery and a GeocodeError
    assert isinstance(error, InvalidQuery) and isinstance(error, GeocodeError)
    # a patient's coordinates are personal data: never repeated
    for number in ("2638", "7708", "95", "200", "180.5", "90.0001"):
        if number in text:
            assert number not in error.message


@pytest.mark.parametrize("text", ["7555", "52.2638", "Geerdinksweg 141", "ZGT Hengelo", "7555 DL"])
def test_not_coordinates_is_not_found(text):
    with pytest.raises(GeocodeNotFound):
        geocoder.geocode(text)


def test_boundaries_are_inclusive():
    assert parse_coordinates("90,180") == (90.0, 180.0)
    assert parse_coordinates("-90,-180") == (-90.0, -180.0)


@pytest.mark.parametrize("value", [None, 52.2, ""])
def test_non_text_or_empty_query(value):
    with pytest.raises(InvalidGeocodeQuery):
        geocoder.geocode(value)  # type: ignore[arg-type]


lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)


@given(lats, lons, st.sampled_from([",", ", ", " ", ";", " ; "]))
def test_round_trip_of_decimal_points(lat, lon, separator):
    text = f"{lat!r}{separator}{lon!r}"
    if "e" in text:  # repr may use exponents for tiny values; those are not typed by people
        return
    assert parse_coordinates(text) == (lat, lon)


@given(lats, lons)
def test_round_trip_of_decimal_commas_with_space(lat, lon):
    text = f"{lat:.6f} {lon:.6f}".replace(".", ",")
    assert parse_coordinates(text) == (float(f"{lat:.6f}"), float(f"{lon:.6f}"))


@given(
    st.one_of(st.floats(90.0001, 1e6), st.floats(-1e6, -90.0001)),
    lons,
)
def test_latitude_out_of_range_is_rejected(lat, lon):
    with pytest.raises(InvalidGeocodeQuery):
        parse_coordinates(f"{lat:.4f},{lon:.4f}")
