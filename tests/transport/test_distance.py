import datetime as dt
from decimal import Decimal

import pytest
from shapely.geometry import LineString

from routing.results import MapIdentity, Route, Trip, Waypoint
from transport.distance import RideDistance, check_single_trip_cap, metres_to_km
from transport.errors import InvalidInput

ON = dt.date(2025, 6, 2)


def make_trip(out_m: float, back_m: float) -> Trip:
    home, hospital = (52.2879, 6.7975), (52.2638, 6.7708)
    m = MapIdentity(source="test.osm.pbf", sha256="ab" * 32, profile="car@test")

    def leg(a, b, metres):
        return Route(
            distance_m=metres,
            duration_s=metres / 10,
            geometry=LineString([(a[1], a[0]), (b[1], b[0])]),
            origin=Waypoint(a[0], a[1], a[0], a[1], 0.0, 1),
            destination=Waypoint(b[0], b[1], b[0], b[1], 0.0, 2),
            map=m,
        )

    return Trip(leg(home, hospital, out_m), leg(hospital, home, back_m))


def test_from_trip_keeps_exact_metres():
    d = RideDistance.from_trip(make_trip(41666.7, 41012.25))
    assert d.single_trip_km == Decimal("41.6667")
    assert d.loaded_km == Decimal("82.67895")
    assert d.legs == 2 and "test.osm.pbf@abababab" in d.source


def test_given_distance_validation():
    assert RideDistance.given(10, "20.5").loaded_km == Decimal("20.5")
    with pytest.raises(InvalidInput) as exc:
        RideDistance.given(10, 9.9)
    assert exc.value.field == "loaded_km"
    with pytest.raises(InvalidInput):
        RideDistance.given(-1, 5)
    with pytest.raises(InvalidInput):
        RideDistance.given(10, 20, legs=3)
    with pytest.raises(InvalidInput):
        RideDistance.from_trip("not a trip")  # type: ignore[arg-type]


def test_200_km_is_within_the_cap():
    d = check_single_trip_cap(200, ON)
    assert d.ok and d.codes == ("DISTANCE_WITHIN_CAP",) and d.details["margin_km"] == 0.0
    assert d.parameters[0].name == "single_trip_km_cap" and d.parameters[0].value == 200


def test_just_over_200_km_is_not():
    d = check_single_trip_cap(200.001, ON)
    assert not d.ok and d.codes == ("DISTANCE_OVER_CAP",)
    assert not check_single_trip_cap(metres_to_km(200000.4), ON).ok  # unrounded metres
    assert check_single_trip_cap(metres_to_km(200000.0), ON).ok


def test_over_200_km_with_approved_provider():
    d = check_single_trip_cap(250, ON, provider_approved=True)
    assert d.ok and d.codes == ("DISTANCE_OVER_CAP_APPROVED",)
