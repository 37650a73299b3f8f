"""The JSON API on the real Hengelo map: answers equal the library's, errors are typed."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import HOME, ZGT, quote_body

pytestmark = pytest.mark.shared


# --- routing ------------------------------------------------------------------------------------


def test_trip_equals_router(client, hengelo_router):
    res = client.post("/api/trip", json={"home": HOME, "treatment": ZGT})
    assert res.status_code == 200, res.text
    data = res.json()
    trip = hengelo_router.trip(HOME, ZGT)
    assert data["loaded_m"] == pytest.approx(trip.loaded_m, abs=1e-6)
    assert data["outbound"]["distance_m"] + data["inbound"]["distance_m"] == pytest.approx(
        data["loaded_m"], abs=1e-6
    )
    assert data["outbound"]["distance_m"] != data["inbound"]["distance_m"]  # one-way streets
    assert data["single_trip_km"] == pytest.approx(trip.outbound.distance_m / 1000)
    line = data["outbound"]["geometry"]
    assert line["type"] == "LineString" and len(line["coordinates"]) > 50
    lon, lat = line["coordinates"][0]
    assert [lat, lon] == pytest.approx(data["outbound"]["origin"]["snapped"])
    assert data["map"]["source"] == "hengelo.osm.pbf" and len(data["map"]["sha256"]) == 64


def test_trip_takes_coordinate_objects_and_can_leave_out_lines(client):
    body = {
        "home": {"lat": 52.287907, "lon": 6.797534},
        "treatment": {"lat": 52.2638, "lon": 6.7708},
        "geometry": False,
    }
    res = client.post("/api/trip", json=body)
    assert res.status_code == 200, res.text
    data = res.json()
    assert data["outbound"]["geometry"] is None
    text = client.post("/api/trip", json={"home": HOME, "treatment": ZGT}).json()
    assert data["loaded_m"] == text["loaded_m"]


def test_route_with_sensitivity(client, hengelo_router):
    res = client.post("/api/route", json={"origin": HOME, "destination": ZGT, "sensitivity_s": 30})
    assert res.status_code == 200, res.text
    data = res.json()
    route = hengelo_router.route(HOME, ZGT)
    assert data["distance_m"] == pytest.approx(route.distance_m)
    s = data["sensitivity"]
    assert s["min_distance_m"] <= data["distance_m"] <= s["max_distance_m"]


def test_many_requests_from_many_threads(client, hengelo_router):
    """The app answers on many threads at once; every answer is the same, none fails."""
    from concurrent.futures import ThreadPoolExecutor

    expected = hengelo_router.trip(HOME, ZGT).loaded_m

    def call(_):
        return client.post("/api/trip", json={"home": HOME, "treatment": ZGT, "geometry": False})

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(call, range(12)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["loaded_m"] for a in answers} == {expected}


# --- quotes -------------------------------------------------------------------------------------


def test_quote_series_equals_transport_quote(client, hengelo_router):
    from transport.authorisation import Authorisation
    from transport.quote import QuoteRequest, quote
    from transport.schedule import WeeklySchedule

    res = client.post("/api/quote", json=quote_body())
    assert res.status_code == 200, res.text
    data = res.json()
    schedule = WeeklySchedule(start=dt.date(2025, 9, 1), weekdays=(0, 2, 4), months=3)
    expected = quote(
        QuoteRequest(
            dates=schedule,
            indication="dialysis",
            mode="taxi",
            trip=hengelo_router.trip(HOME, ZGT),
            insurer="VGZ",
            product="Ruime Keuze",
            carrier="Voorbeeld Zorgtaxi Twente",
            authorisation=Authorisation(
                "M2025-001", "dialysis", "taxi", schedule.start, schedule.last_day
            ),
        )
    ).to_dict()
    assert data["totals"] == expected["totals"]
    assert [r["price_eur"] for r in data["rides"]] == [r["price_eur"] for r in expected["rides"]]
    assert data["rides"] == expected["rides"]
    assert data["policy_type"] == "natura"
    assert data["trip"]["loaded_m"] == pytest.approx(hengelo_router.trip(HOME, ZGT).loaded_m)
    assert data["totals"]["rides"] == len(schedule.dates()) == 39


def test_quote_totals_are_sums_of_rides(client):
    data = client.post("/api/quote", json=quote_body()).json()
    for key in ("price_eur", "insurer_pays_eur", "patient_pays_eur", "contribution_eur"):
        assert sum(Decimal(r[key]) for r in data["rides"]) == Decimal(data["totals"][key])
    for r in data["rides"]:
        assert Decimal(r["insurer_pays_eur"]) + Decimal(r["patient_pays_eur"]) == Decimal(
            r["price_eur"]
        )


def test_quote_with_given_km_needs_no_map(client):
    body = {
        "single_trip_km": "41.6",
        "loaded_km": "83.2",
        "dates": ["2025-03-03"],
        "indication": "hardship",
        "mode": "own_car",
        "hardship_months": 6,
        "hardship_per_week": 1,
        "authorisation": {"number": "H1", "indication": "hardship"},
    }
    res = client.post("/api/quote", json=body)
    assert res.status_code == 200, res.text
    data = res.json()
    assert data["trip"] is None
    assert data["hardship"]["details"]["formula"] == "6 x 1 x 41.6 km = 249.6 < 250"
    assert data["rides"][0]["covered"] is False  # hardship not met: patient pays in full
    assert data["rides"][0]["patient_pays_eur"] == data["rides"][0]["price_eur"]


def test_carrier_contract_override_caps_the_reimbursement(client):
    contracted = client.post("/api/quote", json=quote_body()).json()
    body = quote_body(carrier_contracted=False)
    res = client.post("/api/quote", json=body)
    assert res.status_code == 200, res.text
    data = res.json()
    rate = data["rides"][0]["decisions"][4]
    assert rate["rule"] == "rate" and rate["reasons"][0]["code"] == "RATE_CAPPED"
    assert data["totals"]["price_eur"] == contracted["totals"]["price_eur"]
    assert Decimal(data["totals"]["insurer_pays_eur"]) < Decimal(
        contracted["totals"]["insurer_pays_eur"]
    )


def test_parameter_not_in_force_is_422_and_can_be_passed(client):
    body = quote_body(series=None, dates=["2026-12-01"])
    res = client.post("/api/quote", json=body)
    assert res.status_code == 422, res.text
    err = res.json()
    assert err["code"] == "ParameterNotInForce" and err["field"] == "eigen_bijdrage"
    assert "eigen_bijdrage" in err["message"]
    res = client.post("/api/quote", json={**body, "eigen_bijdrage": {"2026": "130"}})
    assert res.status_code == 200, res.text
    ride = res.json()["rides"][0]
    assert (
        ride["contribution_eur"] == min(Decimal("130"), Decimal(ride["price_eur"])).to_eng_string()
    )
    used = ride["decisions"][-1]["parameters"][0]
    assert used["source"] == "user override" and used["value"] == 130


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"home": "91,6.8"}, 400, "InvalidQuery", "home"),
        ({"home": "52.0,4.0"}, 422, "OutsideMap", "home"),
        ({"treatment": "Geerdinksweg 141 Hengelo"}, 404, "GeocodeNotFound", "treatment"),
        ({"carrier": "Taxi Onbekend"}, 400, "TariffNotFound", "carrier"),
        ({"insurer": "Nergens"}, 400, "InvalidInput", "insurer"),
        ({"mode": "helicopter"}, 400, "InvalidInput", "mode"),
        ({"indication": None}, 400, "InvalidInput", "indication"),
        ({"surprise": 1}, 400, "InvalidInput", "surprise"),
        ({"dates": ["2025-09-01"]}, 400, "InvalidInput", None),  # dates and series
        ({"series": {"start": "2025-09-01", "weekdays": [], "months": 3}}, 400, "InvalidInput",
         "series.weekdays"),
        ({"series": {"start": "1800-01-01", "weekdays": ["mon"], "months": 1}}, 400,
         "InvalidInput", "series.start"),
        ({"authorisation": {"number": "1234567890123456"}}, 400, "InvalidInput",
         "authorisation.number"),
        ({"companions": 3}, 400, "InvalidInput", "companions"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_typed_4xx(client, change, status, code, field):
    body = {k: v for k, v in {**quote_body(), **change}.items() if v is not None}
    res = client.post("/api/quote", json=body)
    assert res.status_code == status, res.text
    err = res.json()
    assert set(err) == {"code", "message", "field"}
    assert err["code"] == code and err["field"] == field
    assert err["message"]


def test_error_messages_do_not_repeat_addresses(client):
    address = "Dorpsstraat 12 Hengelo"
    res = client.post("/api/trip", json={"home": address, "treatment": ZGT})
    assert res.status_code == 404
    assert "Dorpsstraat" not in res.text
    res = client.post("/api/trip", json={"home": address * 40, "treatment": ZGT})
    assert res.status_code == 400 and "Dorpsstraat" not in res.text


def test_invalid_json_and_unknown_paths(client):
    res = client.post(
        "/api/quote", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert res.status_code == 400 and res.json()["code"] == "InvalidInput"
    res = client.get("/api/nothing")
    assert res.status_code == 404 and res.json()["code"] == "NotFound"
    res = client.get("/api/quote")
    assert res.status_code == 405 and res.json()["code"] == "MethodNotAllowed"


def test_unexpected_error_is_a_generic_500_without_personal_data(client, monkeypatch, caplog):
    from routing.router import Router

    def broken(self, point, field="point"):
        raise RuntimeError(f"cannot handle {point}")

    monkeypatch.setattr(Router, "locate", broken)  # every routed point is located first
    with caplog.at_level("ERROR", logger="ziekenvervoer.web"):
        res = client.post("/api/trip", json={"home": "Dorpsstraat 12 Hengelo", "treatment": ZGT})
    assert res.status_code == 500
    assert res.json() == {
        "code": "InternalError",
        "message": "an unexpected error occurred; nothing of the request was logged",
        "field": None,
    }
    assert "Dorpsstraat" not in res.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "/api/trip" in logged
    assert "Dorpsstraat" not in logged
    assert res.headers["x-content-type-options"] == "nosniff"


# --- limits -------------------------------------------------------------------------------------


def test_series_longer_than_the_limit_is_refused(client):
    series = {"start": "2025-01-01", "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
              "months": 24}  # fmt: skip
    res = client.post("/api/quote", json=quote_body(series=series))
    assert res.status_code == 400
    assert res.json()["field"] == "series" and "at most 400" in res.json()["message"]


def test_too_many_dates_are_refused(client):
    start = dt.date(2025, 1, 1)
    dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(367)]
    res = client.post("/api/quote", json=quote_body(series=None, dates=dates))
    assert res.status_code == 400 and res.json()["field"] == "dates"


def test_request_body_size_limit(client):
    big = json.dumps(quote_body(notes="x" * 70_000)).encode()
    res = client.post("/api/quote", content=big, headers={"Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["code"] == "PayloadTooLarge"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(70):
            yield b" " * 1024

    res = client.post("/api/quote", content=chunks(), headers={"Content-Type": "application/json"})
    assert res.status_code == 413


def test_configured_limits(hengelo_router):
    from fastapi.testclient import TestClient

    from ziekenvervoer.web import WebSettings, create_app

    app = create_app(hengelo_router, settings=WebSettings(max_rides=10, max_body_bytes=2048))
    small = TestClient(app)
    res = small.post("/api/quote", json=quote_body())
    assert res.status_code == 400 and "at most 10" in res.json()["message"]
    res = small.post("/api/quote", json=quote_body(notes="y" * 3000))
    assert res.status_code == 413


# --- security -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/info", "/docs", "/api/nothing", "/static/app.js"])
def test_security_headers(client, path):
    res = client.get(path)
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party source at all
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert res.headers["x-frame-options"] == "DENY"


def test_answers_with_addresses_are_not_cached(client):
    res = client.post("/api/trip", json={"home": HOME, "treatment": ZGT, "geometry": False})
    assert res.headers["cache-control"] == "no-store"
    assert client.get("/api/network").headers["cache-control"].startswith("public")


def test_cors_is_off_by_default(client):
    pre = client.options(
        "/api/quote",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers
    res = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in res.headers


def test_cors_and_tiles_when_configured(hengelo_router):
    from fastapi.testclient import TestClient

    from ziekenvervoer.web import WebSettings, create_app

    settings = WebSettings(
        cors_origins=("https://planning.example",),
        tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    )
    configured = TestClient(create_app(hengelo_router, settings=settings))
    pre = configured.options(
        "/api/quote",
        headers={"Origin": "https://planning.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.headers["access-control-allow-origin"] == "https://planning.example"
    other = configured.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    csp = configured.get("/").headers["content-security-policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp


@pytest.mark.parametrize(
    "settings",
    [
        {"tile_url": "https://tiles.example.org/tile.png"},
        {"tile_url": "javascript:alert(1)/{z}/{x}/{y}"},
        {"cors_origins": ("*",)},
        {"max_body_bytes": 10},
        {"max_rides": 0},
    ],
)
def test_bad_settings_are_refused(settings):
    from ziekenvervoer.web.settings import InvalidSetting, WebSettings

    with pytest.raises(InvalidSetting):
        WebSettings(**settings)


# --- hardheidsclausule, payment date, suggestions, info, network --------------------------------


def test_hardheid_equals_the_rule(client):
    from transport.hardship import check_hardship

    body = {"months": 5, "per_week": 2, "single_trip_km": "25", "on": "2025-06-01"}
    res = client.post("/api/hardheid", json=body)
    assert res.status_code == 200, res.text
    data = res.json()
    expected = check_hardship(5, 2, "25", dt.date(2025, 6, 1))
    assert data["qualifies"] is True and data["score"] == 250
    assert data["decision"]["reasons"][0]["text"] == expected.reasons[0].text


def test_hardheid_routes_the_single_trip(client, hengelo_router):
    body = {"months": 12, "per_week": 3, "home": HOME, "treatment": ZGT, "on": "2025-06-01"}
    data = client.post("/api/hardheid", json=body).json()
    assert data["single_trip_km"] == pytest.approx(
        hengelo_router.trip(HOME, ZGT).outbound.distance_m / 1000
    )
    assert data["trip"]["loaded_m"] > 0
    both = client.post("/api/hardheid", json={**body, "single_trip_km": 5})
    assert both.status_code == 400


def test_betaaldatum(client):
    res = client.get("/api/betaaldatum", params={"received": "2026-11-24", "channel": "online"})
    assert res.status_code == 200, res.text
    assert res.json()["payment_date"] == "2026-12-02"
    res = client.get(
        "/api/betaaldatum",
        params={"received": "2026-11-24", "channel": "online", "closing_days": ["2026-11-25"]},
    )
    assert res.json()["payment_date"] == "2026-12-03"
    res = client.get(
        "/api/betaaldatum",
        params={"received": "2026-11-24", "channel": "post", "working_days": 1},
    )
    assert res.json()["payment_date"] == "2026-11-25"
    bad = client.get("/api/betaaldatum", params={"received": "2026-11-24", "channel": "fax"})
    assert bad.status_code == 400 and bad.json()["field"] == "channel"


def test_suggest_without_source_degrades(client):
    res = client.post("/api/suggest", json={"q": "zgt"})
    assert res.status_code == 200
    assert res.json() == {"available": False, "suggestions": []}


def test_suggest_with_a_source(hengelo_router):
    from fastapi.testclient import TestClient

    from routing.results import Location, Precision
    from ziekenvervoer.web import create_app

    class Hospitals:
        places = (("ZGT Hengelo", 52.2638, 6.7708), ("ZGT Almelo", 52.3566, 6.6539))

        def suggest(self, prefix, limit=10):
            words = prefix.lower().split()
            return [
                Location(lat, lon, Precision.ADDRESS, "hospitals", name)
                for name, lat, lon in self.places
                if all(w in name.lower() for w in words)
            ][:limit]

    app = TestClient(create_app(hengelo_router, suggester=Hospitals()))
    data = app.post("/api/suggest", json={"q": "zgt heng", "limit": 5}).json()
    assert data["available"] is True
    assert [s["label"] for s in data["suggestions"]] == ["ZGT Hengelo"]
    assert len(app.post("/api/suggest", json={"q": "zgt", "limit": 1}).json()["suggestions"]) == 1
    assert app.post("/api/suggest", json={"q": ""}).status_code == 400
    assert 'data-suggest="on"' in app.get("/").text


def test_hospital_names_suggest_and_route(geo_client, client):
    data = geo_client.post("/api/suggest", json={"q": "zgt hen"}).json()
    assert data["available"] is True
    assert [s["label"] for s in data["suggestions"]] == ["ZGT Hengelo"]
    by_name = geo_client.post("/api/quote", json=quote_body(treatment="ZGT Hengelo")).json()
    by_point = client.post("/api/quote", json=quote_body()).json()
    assert by_name["totals"] == by_point["totals"]
    assert by_name["trip"]["outbound"]["destination"]["location"]["source"] == "hospitals"
    ambiguous = geo_client.post("/api/trip", json={"home": HOME, "treatment": "Ziekenhuisgroep"})
    assert ambiguous.status_code == 400
    assert ambiguous.json()["code"] == "GeocodeAmbiguous"
    assert ambiguous.json()["field"] == "treatment"
    unknown = geo_client.post("/api/trip", json={"home": "Dorpsstraat 12", "treatment": ZGT})
    assert unknown.status_code == 404 and unknown.json()["field"] == "home"
    assert "Dorpsstraat" not in unknown.text


def test_coordinates_only_geocoder_offers_no_suggestions(hengelo_router):
    from fastapi.testclient import TestClient

    from routing.geocode import build_geocoder
    from routing.router import Router
    from ziekenvervoer.web import create_app

    router = Router(hengelo_router.network, geocoder=build_geocoder(), engine=hengelo_router.engine)
    app = TestClient(create_app(router))
    assert app.post("/api/suggest", json={"q": "zgt"}).json()["available"] is False
    assert 'data-suggest="off"' in app.get("/").text


def test_info_lists_the_choices(client):
    data = client.get("/api/info").json()
    assert data["map"]["source"] == "hengelo.osm.pbf"
    assert {c["name"] for c in data["carriers"]} >= {"Voorbeeld Zorgtaxi Twente"}
    assert data["tariffs_example"] is True
    vgz = next(b for b in data["insurers"] if b["brand"] == "VGZ")
    assert vgz["products"] == {"Ruime Keuze": "natura", "Eigen Keuze": "restitutie"}
    assert {c["value"] for c in data["indications"]} >= {"dialysis", "hardship"}
    west, south, east, north = data["bounds"]
    assert west < 6.7708 < east and south < 52.2638 < north


def test_network_layer(client, hengelo_router):
    res = client.get("/api/network", headers={"Accept-Encoding": "identity"})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/geo+json")
    data = res.json()
    assert {f["properties"]["class"] for f in data["features"]} == {"major", "minor", "service"}
    west, south, east, north = hengelo_router.network.bounds
    lines = [ln for f in data["features"] for ln in f["geometry"]["coordinates"]]
    assert len(lines) > 1000
    for line in lines[::50]:
        for lon, lat in line:
            assert west - 0.01 <= lon <= east + 0.01 and south - 0.01 <= lat <= north + 0.01
    packed = client.get("/api/network", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert json.loads(packed.content if packed.content[:1] == b"{" else gzip.decompress(
        packed.content)) == data  # fmt: skip


def test_openapi_and_docs_are_served_locally(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/route", "/api/trip", "/api/quote", "/api/hardheid", "/api/betaaldatum",
                 "/api/suggest"):  # fmt: skip
        assert path in schema["paths"]
    responses = schema["paths"]["/api/quote"]["post"]["responses"]
    assert {"200", "400", "404", "413", "422", "500"} <= set(responses)
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


# --- point errors and content types -------------------------------------------------------------


POINT_FORMS_WORDS = ("'lat,lon'", "{lat, lon}")


@pytest.mark.parametrize(
    ("home", "field", "words"),
    [
        ({"lat": 91, "lon": 6}, "home.lat", ("latitude must lie in [-90, 90]",)),
        ({"lat": -90.000001, "lon": 6}, "home.lat", ("latitude must lie in [-90, 90]",)),
        ({"lat": 52, "lon": 200}, "home.lon", ("longitude must lie in [-180, 180]",)),
        ({"lat": 52, "lon": -180.5}, "home.lon", ("longitude must lie in [-180, 180]",)),
        ({"lat": 52}, "home.lon", ("home.lon is required",)),
        ({"lat": "north", "lon": 6}, "home.lat", ("valid number",)),
        ({"lat": 52, "lon": 6, "alt": 3}, "home.alt", ("not permitted",)),
        (5, "home", POINT_FORMS_WORDS),
        ([52.28, 6.79], "home", POINT_FORMS_WORDS),
        (True, "home", POINT_FORMS_WORDS),
        ("", "home", ("must not be empty", *POINT_FORMS_WORDS)),
        ("   ", "home", ("must not be empty", *POINT_FORMS_WORDS)),
        ("x" * 301, "home", ("at most 300 characters", *POINT_FORMS_WORDS)),
    ],
)  # fmt: skip
def test_point_errors_name_the_field_and_what_to_fix(client, home, field, words):
    """One clear message per bad point, not one per member of the ``str | {lat, lon}`` union."""
    for path, body in (
        ("/api/trip", {"home": home, "treatment": ZGT}),
        ("/api/quote", quote_body(home=home)),
        ("/api/hardheid", {"months": 6, "per_week": 2, "home": home, "treatment": ZGT}),
    ):
        res = client.post(path, json=body)
        assert res.status_code == 400, (path, res.text)
        err = res.json()
        assert err["code"] == "InvalidInput" and err["field"] == field, (path, err)
        assert err["message"].startswith(field), err
        for word in words:
            assert word in err["message"], (path, err)
        for noise in ("Input should be a valid string", "more problem", "Value error",
                      "constrained-str", "LatLon", "Text"):  # fmt: skip
            assert noise not in err["message"], (path, err)


def test_route_point_errors_use_origin_and_destination(client):
    res = client.post("/api/route", json={"origin": HOME, "destination": {"lat": 52, "lon": 181}})
    assert res.status_code == 400
    assert res.json()["field"] == "destination.lon"


def test_point_bounds_are_inclusive_and_not_a_number_is_refused(client):
    for lat, lon in ((90, 180), (-90, -180)):
        res = client.post("/api/trip", json={"home": {"lat": lat, "lon": lon}, "treatment": ZGT})
        assert res.status_code == 422 and res.json()["code"] == "OutsideMap", res.text
    for raw in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"home": {"lat": ' + raw + b', "lon": 6.8}, "treatment": "' + ZGT.encode() + b'"}'
        res = client.post("/api/trip", content=body, headers={"Content-Type": "application/json"})
        assert res.status_code == 400 and res.json()["field"] == "home.lat", res.text


def test_text_coordinates_out_of_range_say_what_to_fix(client):
    res = client.post("/api/trip", json={"home": "91,6.8", "treatment": ZGT})
    assert res.status_code == 400
    err = res.json()
    assert err["field"] == "home" and "latitude must lie in [-90, 90]" in err["message"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"dates": ["2025-09-01"]}, None, "the request: give either dates or a series"),
        ({"series": None, "dates": ["1800-01-01"]}, "dates.0",
         "dates.0: date must lie between 1900-01-01 and 2100-12-31"),
        ({"series": {"start": "2025-09-01", "weekdays": ["mon"]}}, "series",
         "series: give exactly one of months and until"),
    ],
)  # fmt: skip
def test_validator_messages_have_no_value_error_prefix(client, change, field, message):
    res = client.post("/api/quote", json=quote_body(**change))
    assert res.status_code == 400
    assert res.json() == {"code": "InvalidInput", "message": message, "field": field}


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},  # what curl -d sends
        {"Content-Type": "text/plain; charset=utf-8"},
        {},  # no content type at all
    ],
)
def test_a_body_that_is_not_json_gets_415_saying_send_json(client, headers):
    body = json.dumps({"home": HOME, "treatment": ZGT}).encode()
    for path in ("/api/trip", "/api/quote", "/api/suggest"):
        res = client.post(path, content=body, headers=headers)
        assert res.status_code == 415, (path, res.text)
        err = res.json()
        assert err["code"] == "UnsupportedMediaType" and err["field"] is None
        assert "send JSON (Content-Type: application/json)" in err["message"]
        assert "dictionary" not in err["message"]
    res = client.post("/api/trip", content=body, headers={"Content-Type": "application/json"})
    assert res.status_code == 200


def test_json_that_is_not_an_object_or_empty(client):
    res = client.post("/api/trip", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert res.status_code == 400
    assert res.json()["message"] == "the request body must be a JSON object"
    res = client.post("/api/trip", content=b"", headers={"Content-Type": "application/json"})
    assert res.status_code == 400
    assert "send JSON (Content-Type: application/json)" in res.json()["message"]


def test_415_is_documented_for_json_bodies(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/route", "/api/trip", "/api/quote", "/api/hardheid", "/api/suggest"):
        assert "415" in paths[path]["post"]["responses"], path
    assert "415" not in paths["/api/betaaldatum"]["get"]["responses"]


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(home=_json | st.fixed_dictionaries({"lat": _json, "lon": _json}))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_point_value_gets_a_clean_answer(client, home):
    """Whatever a point holds: no server error, and an invalid one names a field under it."""
    res = client.post("/api/trip", json={"home": home, "treatment": ZGT, "geometry": False})
    assert res.status_code in {200, 400, 404, 422}, res.text
    if res.status_code == 400:
        err = res.json()
        assert err["field"] == "home" or err["field"].startswith("home."), err
        assert not set(err["field"]) & set("-[]"), err
        assert "Value error" not in err["message"]
        assert err["message"].startswith(err["field"]), err


# --- suggestions on the map first; which hospital a name matched --------------------------------


def test_suggestions_on_the_map_come_first(geo_client, hengelo_router):
    """'zie' completes to Almelo and Spijkenisse before ZGT Hengelo; only Hengelo is on the map."""
    data = geo_client.post("/api/suggest", json={"q": "zie", "limit": 8}).json()
    got = [(s["label"], s["on_map"]) for s in data["suggestions"]]
    assert got == [
        ("ZGT Hengelo", True),
        ("Ziekenhuisgroep Twente Almelo", False),  # kept, last, marked
        ("Spijkenisse Medisch Centrum", False),
    ]
    west, south, east, north = hengelo_router.network.bounds
    for s in data["suggestions"]:
        assert s["on_map"] == (west <= s["lon"] <= east and south <= s["lat"] <= north)
    one = geo_client.post("/api/suggest", json={"q": "zie", "limit": 1}).json()
    assert [s["label"] for s in one["suggestions"]] == ["ZGT Hengelo"]


@pytest.fixture(scope="module")
def national_client(hengelo_router, tmp_path_factory):
    """The Hengelo map with the national hospital list (89 locations) plus ZGT Hengelo."""
    from fastapi.testclient import TestClient

    from routing.geocode import build_geocoder
    from routing.router import Router
    from tests.conftest import shared_path
    from tests.web.conftest import HOSPITALS
    from ziekenvervoer.web import create_app

    national = json.loads(shared_path("geo", "hospitals.json").read_text(encoding="utf-8"))
    small = json.loads(HOSPITALS.read_text(encoding="utf-8"))
    national["features"].append(small["features"][0])  # ZGT Hengelo, Geerdinksweg
    path = tmp_path_factory.mktemp("hospitals") / "hospitals.geojson"
    path.write_text(json.dumps(national), encoding="utf-8")
    router = Router(
        hengelo_router.network,
        geocoder=build_geocoder(hospitals=path),
        engine=hengelo_router.engine,
    )
    return TestClient(create_app(router), raise_server_exceptions=False)


def test_national_list_suggests_the_hospital_on_the_map_first(national_client):
    """QA's case: a Hengelo map offered Leeuwarden and Maastricht before the Hengelo hospital."""
    for q in ("zie", "ziekenhuis", "z"):
        data = national_client.post("/api/suggest", json={"q": q, "limit": 8}).json()
        labels = [s["label"] for s in data["suggestions"]]
        assert labels[0] == "ZGT Hengelo", (q, labels)
        assert [s["on_map"] for s in data["suggestions"]] == [True] + [False] * 7
    med = national_client.post("/api/suggest", json={"q": "medisch", "limit": 20}).json()
    flags = {s["label"]: s["on_map"] for s in med["suggestions"]}
    assert flags["Medisch Centrum Leeuwarden"] is False
    assert not any(flags.values())


@given(q=st.text(alphabet="zgtmsiekn ", min_size=1, max_size=4).filter(str.strip))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_suggestions_never_put_an_off_map_place_first(national_client, q):
    data = national_client.post("/api/suggest", json={"q": q, "limit": 8}).json()
    flags = [s["on_map"] for s in data["suggestions"]]
    assert flags == sorted(flags, reverse=True)
    assert len({s["label"] for s in data["suggestions"]}) == len(flags) <= 8


def test_outside_map_names_the_hospital_a_name_matched(national_client, geo_client):
    """QA's case: 'ZGT' matched ZGT Almelo in the national list, silently, then OutsideMap."""
    res = national_client.post("/api/trip", json={"home": HOME, "treatment": "ZGT Almelo"})
    assert res.status_code == 422
    err = res.json()
    assert err["code"] == "OutsideMap" and err["field"] == "treatment"
    assert "'Ziekenhuisgroep Twente Almelo'" in err["message"]
    assert "outside the area of the loaded map (hengelo.osm.pbf)" in err["message"]
    res = geo_client.post(
        "/api/route", json={"origin": "Spijkenisse Medisch Centrum", "destination": ZGT}
    )
    assert res.status_code == 422 and res.json()["field"] == "origin"
    assert "'Spijkenisse Medisch Centrum'" in res.json()["message"]
    res = geo_client.post("/api/quote", json=quote_body(treatment="Spijkenisse Medisch Centrum"))
    assert res.status_code == 422 and "'Spijkenisse Medisch Centrum'" in res.json()["message"]


def test_shared_list_zgt_names_almelo(hengelo_router):
    from fastapi.testclient import TestClient

    from routing.geocode import build_geocoder
    from routing.router import Router
    from tests.conftest import shared_path
    from ziekenvervoer.web import create_app

    geocoder = build_geocoder(hospitals=shared_path("geo", "hospitals.json"))
    router = Router(hengelo_router.network, geocoder=geocoder, engine=hengelo_router.engine)
    res = TestClient(create_app(router)).post("/api/trip", json={"home": HOME, "treatment": "ZGT"})
    assert res.status_code == 422
    assert "matched the hospital 'Ziekenhuisgroep Twente Almelo'" in res.json()["message"]


def test_outside_map_never_repeats_an_address(hengelo_router):
    """Only hospital names are added: an address from an address table stays unnamed."""
    from fastapi.testclient import TestClient

    from routing.results import Location, Precision
    from routing.router import Router
    from ziekenvervoer.web import create_app

    class Addresses:
        def geocode(self, text, field="point"):
            label = "Dorpsstraat 12, 8911 AB Leeuwarden"
            return Location(53.2012, 5.7999, Precision.ADDRESS, "address-table", label)

    router = Router(hengelo_router.network, geocoder=Addresses(), engine=hengelo_router.engine)
    res = TestClient(create_app(router)).post(
        "/api/trip", json={"home": "Dorpsstraat 12 Leeuwarden", "treatment": ZGT}
    )
    assert res.status_code == 422 and res.json()["code"] == "OutsideMap"
    assert res.json()["field"] == "home"
    for secret in ("Dorpsstraat", "8911", "Leeuwarden", "matched"):
        assert secret not in res.text
