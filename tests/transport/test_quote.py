import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from routing.results import MapIdentity, Route, Trip, Waypoint
from transport.authorisation import Authorisation
from transport.errors import InvalidInput, ParameterNotInForce
from transport.quote import NOTE_EXAMPLE_TARIFFS, QuoteRequest, quote
from transport.schedule import WeeklySchedule
from transport.tariffs import TariffTable

D = dt.date
CENT = Decimal("0.01")

TABLE = """kind,name,region,contracted,base_eur,per_km_eur
carrier,Contract Taxi,Twente,yes,2.50,1.95
carrier,Vrije Taxi,Twente,no,4.50,2.60
average_contracted,,*,,2.75,2.00
market_conform,,*,,4.00,2.45
"""


def make_trip(out_m: float, back_m: float) -> Trip:
    """A routed trip built by hand: Hengelo home -> ZGT Hengelo and back."""
    home, hospital = (52.2879, 6.7975), (52.2638, 6.7708)
    m = MapIdentity(source="hengelo.osm.pbf", sha256="3f" * 32, profile="car@0123abcd")

    def leg(a, b, metres):
        return Route(
            distance_m=metres,
            duration_s=metres / 12,
            geometry=LineString([(a[1], a[0]), ((a[1] + b[1]) / 2, a[0]), (b[1], b[0])]),
            origin=Waypoint(a[0], a[1], a[0], a[1], 1.3, 101, "Home Street"),
            destination=Waypoint(b[0], b[1], b[0], b[1], 59.3, 202, "Geerdinksweg"),
            map=m,
        )

    return Trip(leg(home, hospital, out_m), leg(hospital, home, back_m))


TRIP = make_trip(5288.6, 5127.9)  # loaded 10.4165 km


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("t") / "tariffs.csv"
    path.write_text(TABLE)
    return TariffTable.from_csv(path)


def half_up(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding="ROUND_HALF_UP")


def check_invariants(q):
    t = q.totals
    assert t.rides == len(q.rides)
    for field in ("price_eur", "insurer_pays_eur", "patient_pays_eur", "contribution_eur",
                  "reimbursable_eur"):  # fmt: skip
        assert getattr(t, field) == sum((getattr(r, field) for r in q.rides), Decimal(0))
    for r in q.rides:
        assert r.insurer_pays_eur + r.patient_pays_eur == r.price_eur
        assert 0 <= r.insurer_pays_eur <= r.reimbursable_eur <= r.price_eur
        assert r.insurer_pays_eur == r.reimbursable_eur - r.contribution_eur
        for amount in (r.price_eur, r.insurer_pays_eur, r.patient_pays_eur):
            assert amount == amount.quantize(CENT)
        if not r.covered:
            assert r.insurer_pays_eur == 0 and r.patient_pays_eur == r.price_eur


def test_series_on_a_routed_trip(table):
    schedule = WeeklySchedule(D(2025, 1, 6), "mon,wed,fri", months=6)
    auth = Authorisation("M2025-1", "dialysis", "taxi", D(2025, 1, 6), D(2025, 7, 5))
    q = quote(
        QuoteRequest(dates=schedule, indication="dialysis", mode="taxi", trip=TRIP,
                     carrier="Contract Taxi", authorisation=auth, insurer="VGZ",
                     product="Ruime Keuze"),
        tariffs=table,
    )  # fmt: skip
    check_invariants(q)
    assert len(q.rides) == 78 and q.totals.covered_rides == 78
    ride_price = half_up(Decimal("2.50") * 2 + Decimal("1.95") * Decimal("10.4165"))
    assert ride_price == Decimal("25.31")
    assert all(r.price_eur == ride_price for r in q.rides)
    assert all(r.distance.loaded_km == Decimal("10.4165") for r in q.rides)
    assert q.distance.single_trip_km == Decimal("5.2886")
    # the first rides absorb the 2025 eigen bijdrage (126): 4 x 25.31 = 101.24, then 24.76
    assert [r.contribution_eur for r in q.rides[:6]] == [ride_price] * 4 + [Decimal("24.76"), 0]
    assert q.totals.contribution_eur == Decimal(126)
    assert q.totals.insurer_pays_eur == 78 * ride_price - 126
    assert q.policy_type.value == "natura" and q.insurer.brand == "VGZ"
    # the hardheidsclausule is computed from the schedule even for another indication
    assert q.hardship.details["months"] == 6 and q.hardship.details["per_week"] == 3
    assert q.hardship.ok is False  # 6 x 3 x 5.2886 = 95.2
    # output
    data = q.to_dict()
    json.dumps(data)  # JSON-ready
    assert data["map"]["source"] == "hengelo.osm.pbf"
    assert data["totals"]["rides"] == 78 and data["rides"][0]["price_eur"] == "25.31"
    assert {p["name"] for p in data["parameters"]} >= {"eigen_bijdrage", "single_trip_km_cap"}
    frame = q.to_frame()
    assert len(frame) == 78
    assert frame["patient_pays_eur"].sum() == q.totals.patient_pays_eur
    assert list(frame["date"])[:2] == [D(2025, 1, 6), D(2025, 1, 8)]


def test_explicit_dates_are_sorted_and_year_crossing_needs_2026(table):
    dates = [D(2026, 1, 5), D(2025, 12, 29), D(2025, 12, 31), D(2026, 1, 2)]
    auth = Authorisation("M1", "oncology", "taxi", D(2025, 12, 1), D(2026, 1, 31))
    req = dict(dates=dates, indication="oncology", therapy="radiotherapy", mode="taxi",
               trip=TRIP, carrier="Contract Taxi", authorisation=auth)  # fmt: skip
    with pytest.raises(ParameterNotInForce) as exc:
        quote(QuoteRequest(**req), tariffs=table)
    assert exc.value.field == "eigen_bijdrage" and "2026" in exc.value.message
    q = quote(QuoteRequest(**req, eigen_bijdrage={2026: Decimal("130")}), tariffs=table)
    check_invariants(q)
    json.dumps(q.to_dict())  # a Decimal override is still JSON-ready
    assert [r.ride_date for r in q.rides] == sorted(dates)
    # 2025: two rides of 25.31 within 126 -> fully paid by the patient; 2026 starts again
    assert [r.insurer_pays_eur for r in q.rides] == [0, 0, 0, 0]
    assert [r.ride_date.year for r in q.rides if r.contribution_eur > 0] == [2025, 2025, 2026, 2026]
    used = {(p.name, p.source) for p in q.parameters if p.name == "eigen_bijdrage"}
    assert ("eigen_bijdrage", "user override") in used


def test_authorisation_validity_decides_per_ride(table):
    dates = [D(2025, 3, 2), D(2025, 3, 3), D(2025, 3, 31), D(2025, 4, 1)]
    auth = Authorisation("M1", "dialysis", "taxi", D(2025, 3, 3), D(2025, 3, 31))
    q = quote(QuoteRequest(dates=dates, indication="dialysis", mode="taxi", trip=TRIP,
                           carrier="Contract Taxi", authorisation=auth), tariffs=table)  # fmt: skip
    check_invariants(q)
    assert [r.covered for r in q.rides] == [False, True, True, False]
    assert q.rides[0].reasons[0].code == "AUTH_OUTSIDE_VALIDITY"
    assert q.rides[0].patient_pays_eur == q.rides[0].price_eur
    assert q.rides[0].contribution_eur == 0  # no eigen bijdrage on an uncovered ride


def test_several_authorisations_and_max_rides(table):
    dates = [D(2025, 12, 29), D(2025, 12, 31), D(2026, 1, 2), D(2026, 1, 5), D(2026, 1, 7)]
    a1 = Authorisation("M2025", "dialysis", "taxi", D(2025, 1, 1), D(2025, 12, 31))
    a2 = Authorisation("M2026", "dialysis", "taxi", D(2026, 1, 1), D(2026, 12, 31), max_rides=2)
    q = quote(QuoteRequest(dates=dates, indication="dialysis", mode="taxi", trip=TRIP,
                           carrier="Contract Taxi", authorisation=[a1, a2],
                           eigen_bijdrage={2026: 130}), tariffs=table)  # fmt: skip
    check_invariants(q)
    numbers = [r.decision("authorisation").details["number"] for r in q.rides]
    assert numbers == ["M2025", "M2025", "M2026", "M2026", "M2026"]
    assert [r.covered for r in q.rides] == [True, True, True, True, False]
    assert q.rides[-1].reasons[0].code == "AUTH_MAX_RIDES_EXCEEDED"


def test_without_authorisation_nothing_is_covered():
    q = quote(QuoteRequest(dates=[D(2025, 5, 1)], indication="dialysis", mode="own_car",
                           single_trip_km=12, loaded_km=24))  # fmt: skip
    check_invariants(q)
    r = q.rides[0]
    assert not r.covered and r.price_eur == Decimal("9.60") and r.patient_pays_eur == r.price_eur
    assert [x.code for x in r.reasons][:1] == ["AUTH_MISSING"]


def test_hardship_indication_from_schedule_on_unrounded_metres():
    schedule = WeeklySchedule(D(2025, 2, 3), "mon", months=6)
    auth = Authorisation("H1", "hardship", "own_car", D(2025, 2, 1), D(2025, 8, 31))

    def run(out_m):
        return quote(QuoteRequest(dates=schedule, indication="hardship", mode="own_car",
                                  trip=make_trip(out_m, out_m), authorisation=auth))  # fmt: skip

    yes, no = run(41_667.0), run(41_666.0)  # 250/6 = 41.6667 km
    check_invariants(yes)
    check_invariants(no)
    assert yes.hardship.ok and not no.hardship.ok
    assert all(r.covered for r in yes.rides) and not any(r.covered for r in no.rides)
    assert no.rides[0].reasons[0].code == "INDICATION_HARDSHIP_NOT_MET"
    assert no.hardship.details["m_needed"] == 41667


def test_hardship_with_explicit_dates_needs_the_schedule():
    with pytest.raises(InvalidInput) as exc:
        quote(QuoteRequest(dates=[D(2025, 5, 1)], indication="hardship", mode="own_car",
                           single_trip_km=50, loaded_km=100))  # fmt: skip
    assert exc.value.field == "hardship_months"
    q = quote(QuoteRequest(dates=[D(2025, 5, 1)], indication="hardship", mode="own_car",
                           single_trip_km=50, loaded_km=100, hardship_months=5,
                           hardship_per_week=1))  # fmt: skip
    assert q.hardship.ok and q.hardship.details["score"] == 250.0


def test_200_km_cap_in_a_quote():
    base = dict(dates=[D(2025, 5, 1)], indication="dialysis", mode="own_car", loaded_km=401,
                authorisation=Authorisation("M", "dialysis", "own_car", D(2025, 1, 1),
                                            D(2025, 12, 31)))  # fmt: skip
    assert quote(QuoteRequest(**base, single_trip_km=200)).rides[0].covered
    over = quote(QuoteRequest(**base, single_trip_km="200.001")).rides[0]
    assert not over.covered and over.reasons[0].code == "DISTANCE_OVER_CAP"
    assert quote(QuoteRequest(**base, single_trip_km=250, provider_approved=True)).rides[0].covered


def test_companion_until_the_16th_birthday_on_public_transport():
    dates = [D(2025, 5, 9), D(2025, 5, 10)]
    auth = Authorisation("M", "wheelchair", "public_transport", D(2025, 1, 1), D(2025, 12, 31))
    q = quote(QuoteRequest(dates=dates, indication="wheelchair", mode="public_transport",
                           single_trip_km=20, loaded_km=40, pt_fare_eur="8.20", companions=1,
                           birth_date=D(2009, 5, 10), authorisation=auth,
                           contribution_paid={2025: 126}))  # fmt: skip
    check_invariants(q)
    assert [r.price_eur for r in q.rides] == [Decimal("16.40")] * 2
    assert [r.insurer_pays_eur for r in q.rides] == [Decimal("16.40"), Decimal("8.20")]
    assert q.rides[1].decision("companion").details["age"] == 16


def test_uncontracted_taxi_policy_from_product_and_example_note():
    auth = Authorisation("M", "dialysis", "taxi", D(2025, 1, 1), D(2025, 12, 31))
    req = dict(dates=[D(2025, 5, 1)], indication="dialysis", mode="taxi", trip=TRIP,
               carrier="Voorbeeld Taxi Vrij", authorisation=auth, insurer="VGZ",
               contribution_paid={2025: 126})  # fmt: skip
    natura = quote(QuoteRequest(**req, product="Ruime Keuze"))
    restitutie = quote(QuoteRequest(**req, product="Eigen Keuze"))
    assert NOTE_EXAMPLE_TARIFFS in natura.notes
    assert natura.rides[0].insurer_pays_eur < restitutie.rides[0].insurer_pays_eur
    assert natura.rides[0].decision("authorisation").details["procedure"]["channel"] == (
        "GZSP request form"
    )
    with pytest.raises(InvalidInput) as exc:
        quote(QuoteRequest(**req, product="Ruime Keuze", policy_type="restitutie"))
    assert exc.value.field == "policy_type"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trip": TRIP, "single_trip_km": 5, "loaded_km": 10}, "trip"),
        ({"single_trip_km": 5}, "loaded_km"),
        ({"trip": TRIP, "mode": "own_car", "carrier": "X"}, "carrier"),
        ({"trip": TRIP, "mode": "own_car", "pt_fare_eur": 5}, "pt_fare_eur"),
        ({"trip": TRIP, "mode": "rocket"}, "mode"),
        ({"trip": TRIP, "mode": "taxi"}, "carrier"),
        ({"trip": TRIP, "mode": "own_car", "dates": []}, "dates"),
        ({"trip": TRIP, "mode": "own_car", "insurer": "Nobody"}, "insurer"),
    ],
)
def test_invalid_requests(kwargs, field):
    args = {"dates": [D(2025, 5, 1)], "indication": "dialysis", "mode": "own_car", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        quote(QuoteRequest(**args))
    assert exc.value.field == field


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dates=st.lists(st.dates(D(2024, 1, 1), D(2025, 12, 31)), min_size=1, max_size=25),
    out_m=st.floats(500, 150_000, allow_nan=False),
    back_m=st.floats(500, 150_000, allow_nan=False),
    kind=st.sampled_from(["contracted", "natura", "restitutie", "own_car", "public_transport"]),
    auth_from=st.dates(D(2024, 1, 1), D(2025, 12, 31)),
    auth_days=st.integers(0, 700),
    paid=st.integers(0, 150),
    companions=st.integers(0, 2),
)
def test_series_total_is_sum_of_rides_and_split_adds_up(
    table, dates, out_m, back_m, kind, auth_from, auth_days, paid, companions
):
    mode = {"own_car": "own_car", "public_transport": "public_transport"}.get(kind, "taxi")
    extra: dict = {}
    if mode == "taxi":
        extra["carrier"] = "Contract Taxi" if kind == "contracted" else "Vrije Taxi"
        extra["policy_type"] = None if kind == "contracted" else kind
    if mode == "public_transport":
        extra["pt_fare_eur"] = "6.35"
        extra["companions"] = companions
        extra["companion_necessary"] = companions > 0
    auth = Authorisation("P", "dialysis", mode, auth_from, auth_from + dt.timedelta(auth_days))
    q = quote(
        QuoteRequest(dates=dates, indication="dialysis", mode=mode, trip=make_trip(out_m, back_m),
                     authorisation=auth, contribution_paid={2024: paid}, **extra),
        tariffs=table,
    )  # fmt: skip
    check_invariants(q)
    assert len(q.rides) == len(dates)
    loaded = Decimal(repr(out_m)) / 1000 + Decimal(repr(back_m)) / 1000
    assert q.totals.loaded_km == loaded * len(dates)
    for year, amount in ((2024, 118), (2025, 126)):
        charged = sum(r.contribution_eur for r in q.rides if r.ride_date.year == year)
        assert charged <= amount - (min(paid, amount) if year == 2024 else 0)


@pytest.mark.shared
def test_series_quotes_on_real_hengelo_distances(table):
    """Every Hengelo home -> ZGT trip of the reference set (OSRM metres), quoted as a series.

    The router lands later; until then the two legs' real road distances come from the reference
    file, so the rules run on real, asymmetric distances.
    """
    import csv

    from tests.conftest import shared_path

    rows = list(csv.DictReader(shared_path("reference", "trips.csv").open(encoding="utf-8")))
    legs = {r["trip_id"]: float(r["osrm_m"]) for r in rows if r["region"] == "hengelo"}
    homes = sorted({t.rsplit("-", 1)[0] for t in legs if t.endswith("-to")})
    assert len(homes) == 60
    schedule = WeeklySchedule(D(2025, 1, 6), "mon,wed,fri", months=6)
    auth = Authorisation("M1", "dialysis", "taxi", D(2025, 1, 6), D(2025, 7, 5))
    for home in homes:
        trip = make_trip(legs[f"{home}-to"], legs[f"{home}-from"])
        request = QuoteRequest(dates=schedule, indication="dialysis", mode="taxi", trip=trip,
                               carrier="Contract Taxi", authorisation=auth)  # fmt: skip
        q = quote(request, tariffs=table)
        check_invariants(q)
        assert q.totals.covered_rides == 78
        assert q.totals.contribution_eur == 126
        km = Decimal(repr(legs[f"{home}-to"])) / 1000
        assert q.hardship.ok == (6 * 3 * km >= 250)
