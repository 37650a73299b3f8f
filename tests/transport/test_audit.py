"""The transport-declaration audit on the real Hengelo map: verdicts, evidence, privacy, bytes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.router import Router
from tests.conftest import shared_path
from transport import audit as audit_module
from transport.audit import AUDIT_COLUMNS, Tolerance, audit
from transport.audit_reasons import REASONS
from transport.errors import InvalidInput
from transport.tariffs import TariffTable

TODAY = "2026-01-15"
BSN = "111222333"
BSN2 = "123456782"
HOSPITAL = (52.2638, 6.7708)


@pytest.fixture(scope="module")
def router():
    return Router.from_file(shared_path("osm", "hengelo.osm.pbf"))


@pytest.fixture(scope="module")
def homes():
    trips = pd.read_csv(shared_path("reference", "trips.csv"))
    h = trips[(trips["region"] == "hengelo") & (trips["kind"] == "home_to_hospital")].head(4)
    return [(float(r.origin_lat), float(r.origin_lon)) for r in h.itertuples()]


def row(home, **kw):
    base = {
        "declaration_id": "D1",
        "bsn": BSN,
        "naam": "J. Jansen",
        "carrier_agb": "41012345",
        "carrier": "Voorbeeld Zorgtaxi Twente",
        "carrier_contracted": "ja",
        "authorisation_number": "M1",
        "ride_date": "2025-03-03",
        "declaration_date": "2025-12-31",
        "home_lat": f"{home[0]:.6f}",
        "home_lon": f"{home[1]:.6f}",
        "treatment_lat": f"{HOSPITAL[0]}",
        "treatment_lon": f"{HOSPITAL[1]}",
        "declared_km": "10.0",
        "declared_amount": "1.00",
        "mode": "own_car",
        "policy_type": "natura",
    }
    base.update(kw)
    return base


def frame(rows, index=None):
    return pd.DataFrame(rows, index=index).astype(object)


def codes(result, i):
    return result.rows["reason_codes"].iloc[i].split(";")


def true_km(router, home):
    return router.trip(home, HOSPITAL).loaded_m / 1000


# --- rows in = rows out, order, index -------------------------------------------------------


def test_rows_in_rows_out_same_order_and_index(router, homes):
    rows = [
        row(homes[i % 4], declaration_id=f"D{i}", ride_date=f"2025-03-{i + 1:02d}")
        for i in range(9)
    ]
    df = frame(rows, index=[90, 10, 50, 20, 80, 30, 70, 40, 60])
    res = audit(df, router, today=TODAY, chunk_size=2)
    assert list(res.rows.index) == list(df.index)
    assert list(res.rows["row_number"]) == list(range(1, 10))
    assert list(res.rows["declaration_id"]) == [f"D{i}" for i in range(9)]
    assert res.summary["rows_in"] == res.summary["rows_out"] == 9
    assert list(res.rows.columns[:1]) == ["row_number"]
    assert set(AUDIT_COLUMNS) - {"insured_key"} <= set(res.rows.columns)


def test_empty_input(router, homes):
    df = frame([row(homes[0])]).iloc[:0]
    res = audit(df, router, today=TODAY)
    assert len(res.rows) == 0
    assert res.summary["verdicts"] == {"accept": 0, "adjust": 0, "reject": 0}


# --- km: recomputed with the router, tolerance ------------------------------------------------


def test_km_recomputed_both_legs_and_evidence(router, homes):
    home = homes[0]
    trip = router.trip(home, HOSPITAL)
    km = trip.loaded_m / 1000
    res = audit(
        frame([row(home, declared_km=f"{km:.1f}", declared_amount="0.01")]), router, today=TODAY
    )
    r = res.rows.iloc[0]
    assert r["outbound_m"] == trip.outbound.distance_m
    assert r["inbound_m"] == trip.inbound.distance_m
    assert r["computed_km"] == pytest.approx(km, abs=1e-9)
    assert r["home_snap_out_m"] == trip.outbound.origin.snap_distance_m
    assert r["treatment_snap_out_m"] == trip.outbound.destination.snap_distance_m
    assert r["treatment_snap_in_m"] == trip.inbound.origin.snap_distance_m
    assert r["home_precision"] == "point" and r["home_geocoder"] == "coordinates"
    assert r["map_sha256"] == router.map.sha256 and r["map_source"] == "hengelo.osm.pbf"
    assert r["map_profile"] == router.map.profile
    assert "single_trip_km_cap=200@2018-01-01" in r["parameters"]
    assert "own_car_km_rate=0.4@2025-01-01" in r["parameters"]
    assert r["verdict"] == "accept"
    assert codes(res, 0) == ["AUTH_NOT_VERIFIED", "KM_WITHIN_TOLERANCE", "AMOUNT_OK"]


@pytest.mark.parametrize(
    ("extra_km", "rule", "expected"),
    [
        (0.0, "either", "KM_WITHIN_TOLERANCE"),
        (0.9, "either", "KM_WITHIN_TOLERANCE"),  # under 1 km
        (1.5, "either", "KM_OVER_DECLARED"),  # over 1 km and over 5 %
        (0.9, "both", "KM_OVER_DECLARED"),  # 0.9 km of ~5 km is over 5 %
        (-1.5, "either", "KM_UNDER_DECLARED"),
    ],
)
def test_km_tolerance(router, homes, extra_km, rule, expected):
    home = homes[1]
    km = true_km(router, home)
    assert km < 15  # so 0.9 km is more than 5 %
    df = frame([row(home, declared_km=repr(km + extra_km), declared_amount="0.01")])
    res = audit(df, router, today=TODAY, tolerance=Tolerance(km=1.0, pct=5.0, rule=rule))
    r = res.rows.iloc[0]
    assert expected in codes(res, 0)
    if expected == "KM_OVER_DECLARED":
        assert r["verdict"] == "adjust"
        assert r["corrected_km"] == pytest.approx(km, abs=1e-9)
        assert r["accepted_km"] == pytest.approx(km, abs=1e-9)
    else:
        assert r["verdict"] == "accept"
        assert np.isnan(r["corrected_km"])
        assert r["accepted_km"] == pytest.approx(km + extra_km, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0.1, max_value=500),
    st.floats(min_value=0, max_value=5),
    st.floats(min_value=0, max_value=20),
)
def test_tolerance_rules_property(dev, computed, km, pct):
    either = Tolerance(km=km, pct=pct, rule="either").beyond(np.array([dev]), np.array([computed]))
    both = Tolerance(km=km, pct=pct, rule="both").beyond(np.array([dev]), np.array([computed]))
    assert bool(either[0]) == (dev > km and dev > computed * pct / 100)
    assert bool(both[0]) == (dev > km or dev > computed * pct / 100)
    assert not (either[0] and not both[0])  # 'either' never flags what 'both' lets through


# --- amounts ------------------------------------------------------------------------------------


def test_own_car_amount_is_rate_times_accepted_km(router, homes):
    home = homes[2]
    km = true_km(router, home)
    declared = Decimal(f"{km:.1f}")
    due = (Decimal("0.40") * declared).quantize(Decimal("0.01"), ROUND_HALF_UP)  # 2025 rate
    rows = [
        row(home, declared_km=str(declared), declared_amount=str(due)),
        row(
            home,
            declared_km=str(declared),
            declared_amount=str(due + Decimal("0.50")),
            ride_date="2025-03-04",
        ),
        row(home, declared_km=str(declared), declared_amount="1.00", ride_date="2025-03-05"),
    ]
    res = audit(frame(rows), router, today=TODAY)
    r = res.rows
    assert list(r["verdict"]) == ["accept", "adjust", "accept"]
    assert list(r["due_eur"]) == [str(due)] * 3
    assert r["corrected_amount_eur"].iloc[1] == str(due)
    assert "AMOUNT_OVER_DUE" in codes(res, 1)
    assert r["vektis_codes"].iloc[1] == "0611"
    assert list(r["payable_eur"]) == [str(due), str(due), "1.00"]
    assert res.summary["amounts_eur"]["payable"] == str(due * 2 + Decimal("1.00"))


def test_uncontracted_taxi_capped_by_reference_tariff(router, homes):
    home = homes[0]
    km = true_km(router, home)
    declared = Decimal(f"{km:.1f}")
    # example table: Taxi Vrij 4.50 + 2.60/km per leg; natura cap 80 % of Twente average
    # contracted 2.75 + 2.00/km; restitutie cap 100 % of Twente market-conform 4.00 + 2.45/km
    price = Decimal("4.50") * 2 + Decimal("2.60") * declared
    # the declared km are the computed km rounded: the amount due rests on the larger of the two
    basis = max(declared, Decimal(repr(km)))
    natura = Decimal("0.8") * (Decimal("2.75") * 2 + Decimal("2.00") * basis)
    restitutie = min(
        Decimal("4.50") * 2 + Decimal("2.60") * basis, Decimal("4.00") * 2 + Decimal("2.45") * basis
    )
    q = Decimal("0.01")
    base = {
        "carrier": "Voorbeeld Taxi Vrij",
        "carrier_contracted": "nee",
        "mode": "taxi",
        "declared_km": str(declared),
        "declared_amount": str(price.quantize(q, ROUND_HALF_UP)),
    }
    rows = [
        row(home, **base, policy_type="natura"),
        row(home, **base, policy_type="restitutie", ride_date="2025-03-04"),
        row(home, **base, policy_type="", ride_date="2025-03-05"),
    ]
    res = audit(frame(rows), router, today=TODAY, tariffs=TariffTable.example())
    r = res.rows
    assert r["due_eur"].iloc[0] == str(natura.quantize(q, ROUND_HALF_UP))
    assert r["due_eur"].iloc[1] == str(restitutie.quantize(q, ROUND_HALF_UP))
    assert r["verdict"].iloc[0] == "adjust" and "AMOUNT_OVER_DUE" in codes(res, 0)
    assert "natura_uncontracted_share=0.8@2023-01-01" in r["parameters"].iloc[0]
    assert "example_tariffs.csv" in r["tariff_source"].iloc[0]
    assert r["verdict"].iloc[2] == "reject" and "PARSE_POLICY_TYPE_MISSING" in codes(res, 2)


def test_taxi_without_tariffs_is_not_amount_checked(router, homes):
    res = audit(frame([row(homes[0], mode="taxi", carrier_contracted="nee")]), router, today=TODAY)
    c = codes(res, 0)
    assert "AMOUNT_NO_TARIFF" in c and "TRANSPORT_KNOWN_NOT_CHECKED" in c
    assert bool(res.rows["review"].iloc[0])


def test_unknown_uncontracted_carrier_may_not_declare(router, homes):
    res = audit(
        frame([row(homes[0], mode="taxi", carrier="Onbekend BV", carrier_contracted="nee")]),
        router,
        today=TODAY,
        tariffs=TariffTable.example(),
    )
    assert res.rows["verdict"].iloc[0] == "reject"
    assert {"TRANSPORT_CARRIER_UNKNOWN", "TRANSPORT_INSURED_SUBMITS_INVOICE"} <= set(codes(res, 0))


# --- formal checks, duplicates, parse errors ------------------------------------------------


def test_malformed_rows_are_rejected_with_parse_codes(router, homes):
    h = homes[0]
    cases = {
        "PARSE_MODE_INVALID": row(h, mode="helikopter"),
        "PARSE_MODE_MISSING": row(h, mode=None),
        "PARSE_DECLARED_KM_INVALID": row(h, declared_km="tien"),
        "PARSE_DECLARED_KM_MISSING": row(h, declared_km=""),
        "PARSE_DECLARED_AMOUNT_INVALID": row(h, declared_amount="1.234,56"),
        "PARSE_DECLARED_AMOUNT_MISSING": row(h, declared_amount=None),
        "PARSE_HOME_INVALID": row(h, home_lat="abc"),
        "PARSE_HOME_MISSING": row(h, home_lat="", home_lon=""),
        "PARSE_TREATMENT_INVALID": row(h, treatment_lon="200"),
        "PARSE_CARRIER_CONTRACTED_INVALID": row(h, carrier_contracted="misschien"),
        "PARSE_POLICY_TYPE_INVALID": row(h, policy_type="budget"),
        "BSN_CHECKSUM": row(h, bsn="111222334"),
        "BSN_MISSING": row(h, bsn=None),
        "RIDE_DATE_INVALID": row(h, ride_date="31-02-2025"),
        "RIDE_DATE_IN_FUTURE": row(h, ride_date="2026-02-01", declaration_date="2026-02-02"),
        "RIDE_AFTER_DECLARATION": row(h, declaration_date="2024-12-01"),
        "AUTH_MISSING": row(h, authorisation_number=""),
        "AGB_FORMAT": row(h, mode="taxi", carrier_agb="123"),
    }
    rows = [dict(r, declaration_id=code, ride_date=r["ride_date"]) for code, r in cases.items()]
    # distinct ride dates so that no case is a duplicate of another
    for i, r in enumerate(rows):
        if r["ride_date"] == "2025-03-03":
            r["ride_date"] = (dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat()
    res = audit(frame(rows), router, today=TODAY, tariffs=TariffTable.example())
    assert len(res.rows) == len(rows)
    for i, code in enumerate(cases):
        assert res.rows["verdict"].iloc[i] == "reject", code
        assert code in codes(res, i), (code, codes(res, i))
    assert (
        res.rows.loc[res.rows["declaration_id"] == "BSN_CHECKSUM", "vektis_codes"].item() == "0435"
    )
    assert (
        "8007"
        in res.rows.loc[res.rows["declaration_id"] == "RIDE_DATE_INVALID", "vektis_codes"].item()
    )


def test_agb_is_only_required_for_taxi(router, homes):
    res = audit(frame([row(homes[0], carrier_agb="", mode="own_car")]), router, today=TODAY)
    assert res.rows["verdict"].iloc[0] == "accept" or "AGB_MISSING" not in codes(res, 0)
    assert "AGB_MISSING" not in codes(res, 0)


def test_duplicates_refer_to_the_original_row_across_chunks(router, homes):
    rows = [
        row(homes[0], declaration_id="A"),
        row(homes[1], declaration_id="B"),
        row(homes[0], declaration_id="C", bsn="1112.22.333"),  # same insured, same day, route
        row(homes[0], declaration_id="D", ride_date="2025-03-04"),
        row(homes[0], declaration_id="E"),
    ]
    for chunk in (1, 2, 100):
        res = audit(frame(rows), router, today=TODAY, chunk_size=chunk)
        dup = res.rows["duplicate_of_row"]
        assert list(dup.isna()) == [True, True, False, True, False]
        assert dup.iloc[2] == 1 and dup.iloc[4] == 1
        assert res.rows["vektis_codes"].iloc[2] == "0587"
        assert list(res.rows["trip_id"]) == [1, 2, 1, 1, 1]


def test_chunking_does_not_change_the_result(router, homes):
    rows = [
        row(homes[i % 4], declaration_id=f"D{i}", ride_date=f"2025-04-{1 + i % 9:02d}",
            declared_km=str(5 + i % 7), bsn=[BSN, BSN2][i % 2])
        for i in range(40)
    ]  # fmt: skip
    a = audit(frame(rows), router, today=TODAY, chunk_size=3).rows
    b = audit(frame(rows), router, today=TODAY, chunk_size=1000).rows
    pd.testing.assert_frame_equal(a, b)


def test_each_distinct_trip_is_routed_once(router, homes):
    calls = []

    class Counting:
        map = router.map

        def trip(self, home, treatment):
            calls.append((home, treatment))
            return router.trip(home, treatment)

    rows = [
        row(homes[i % 3], declaration_id=f"D{i}", ride_date=f"2025-05-{1 + i % 28:02d}")
        for i in range(60)
    ]
    res = audit(frame(rows), Counting(), today=TODAY, chunk_size=7)
    assert len(calls) == 3 == len(set(calls))
    assert res.summary["trips"] == {"routed": 3, "failed": 0}


def test_routing_failures_reject_with_review(router, homes):
    rows = [
        row((52.37, 4.89), declaration_id="amsterdam"),  # outside the Hengelo map
        row(homes[0], declaration_id="ok"),
    ]
    res = audit(frame(rows), router, today=TODAY)
    assert res.rows["verdict"].iloc[0] == "reject"
    assert "ROUTE_OUTSIDE_MAP" in codes(res, 0)
    assert bool(res.rows["review"].iloc[0])
    assert res.rows["route_error_at"].iloc[0] == "home"
    assert np.isnan(res.rows["computed_km"].iloc[0])
    assert res.summary["trips"] == {"routed": 1, "failed": 1}


def test_address_text_without_geocoder_is_a_typed_reject(router):
    df = frame([row(HOSPITAL)]).drop(columns=["home_lat", "home_lon"])
    df["home_address"] = ["Hengelosestraat 1, Hengelo"]
    res = audit(df, router, today=TODAY)
    assert "GEOCODE_NOT_FOUND" in codes(res, 0)
    assert "Hengelosestraat" not in res.rows.to_csv()


def test_an_unexpected_error_rejects_only_that_row(router, homes, monkeypatch):
    original = audit_module._row

    def flaky(ctx, i, *args, **kwargs):
        if i == 1:
            raise ZeroDivisionError("boom")
        return original(ctx, i, *args, **kwargs)

    monkeypatch.setattr(audit_module, "_row", flaky)
    rows = [row(homes[0], declaration_id=f"D{i}", ride_date=f"2025-06-0{i + 1}") for i in range(3)]
    res = audit(frame(rows), router, today=TODAY)
    assert list(res.rows["verdict"]) == ["accept", "reject", "accept"]
    assert res.rows["reason_codes"].iloc[1] == "INTERNAL_ERROR"
    assert res.rows["payable_eur"].iloc[1] == "0.00"


def test_a_router_that_crashes_does_not_kill_the_batch(homes, router):
    class Broken:
        map = router.map

        def trip(self, home, treatment):
            raise RuntimeError("engine crashed")

    res = audit(frame([row(homes[0])]), Broken(), today=TODAY)
    assert res.rows["reason_codes"].iloc[0].endswith("INTERNAL_ERROR")
    assert res.rows["verdict"].iloc[0] == "reject"


# --- authorisations -----------------------------------------------------------------------------


def test_authorisations_file(router, homes, tmp_path):
    book = pd.DataFrame(
        {
            "machtigingsnummer": ["M1", "M2", "M3"],
            "bsn": [BSN, BSN2, BSN],
            "indication": ["dialysis", "oncology", "dialysis"],
            "mode": ["own_car", "own_car", "taxi"],
            "carrier": ["", "", "41012345"],
            "valid_from": ["2025-01-01", "2025-01-01", "2025-01-01"],
            "valid_to": ["2025-12-31", "2025-02-28", "2025-12-31"],
            "max_rides": ["2", "", ""],
        }
    )
    path = tmp_path / "machtigingen.csv"
    book.to_csv(path, index=False)
    h = homes[0]
    rows = [
        # given out of date order: the ride number follows the date
        row(h, declaration_id="m1-3rd", ride_date="2025-03-10", indication="dialysis"),
        row(h, declaration_id="m1-1st", ride_date="2025-03-01", indication="dialysis"),
        row(h, declaration_id="m1-2nd", ride_date="2025-03-05", indication="dialysis"),
        row(
            h, declaration_id="m2-late", authorisation_number="M2", bsn=BSN2, ride_date="2025-03-01"
        ),
        row(
            h,
            declaration_id="m1-wrong-bsn",
            bsn=BSN2,
            ride_date="2025-04-01",
            indication="dialysis",
        ),
        row(h, declaration_id="m3-mode", authorisation_number="M3", ride_date="2025-04-02"),
        row(h, declaration_id="unknown", authorisation_number="M9", ride_date="2025-04-03"),
        row(h, declaration_id="m1-oncology", ride_date="2025-04-04", indication="oncology"),
    ]
    res = audit(frame(rows), router, today=TODAY, authorisations=path)
    by_id = res.rows.set_index("declaration_id")

    def c(i):
        return by_id.loc[i, "reason_codes"].split(";")

    assert "AUTH_VALID" in c("m1-1st") and "AUTH_VALID" in c("m1-2nd")
    assert "AUTH_MAX_RIDES_EXCEEDED" in c("m1-3rd")
    assert "AUTH_OUTSIDE_VALIDITY" in c("m2-late")
    assert "AUTH_INDICATION_NOT_DECLARED" in c("m2-late")
    assert "AUTH_INSURED_MISMATCH" in c("m1-wrong-bsn")
    assert "AUTH_MODE_MISMATCH" in c("m3-mode")
    assert "AUTH_UNKNOWN" in c("unknown")
    assert "AUTH_INDICATION_MISMATCH" in c("m1-oncology")
    assert by_id.loc["m1-3rd", "vektis_codes"] == "0551"
    assert res.summary["authorisations"]["source"] == "machtigingen.csv"
    assert len(res.summary["authorisations"]["sha256"]) == 64
    assert res.summary["authorisation_note"] is None


def test_without_authorisations_only_the_number_is_checked(router, homes):
    res = audit(frame([row(homes[0])]), router, today=TODAY)
    assert "AUTH_NOT_VERIFIED" in codes(res, 0)
    assert "only the presence" in res.summary["authorisation_note"]


def test_bad_authorisations_file_is_a_typed_error(router, homes):
    bad = pd.DataFrame({"number": ["M1"], "indication": ["x"], "mode": ["taxi"],
                        "valid_from": ["2025-01-01"], "valid_to": ["2025-12-31"]})  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        audit(frame([row(homes[0])]), router, today=TODAY, authorisations=bad)
    assert "data row 1" in exc.value.message


# --- privacy ------------------------------------------------------------------------------------


def test_no_personal_data_in_rows_or_summary(router, homes):
    home = homes[3]
    rows = [row(home, declaration_id=f"D{i}", ride_date=f"2025-07-0{i + 1}") for i in range(3)]
    rows[1]["bsn"] = "111222334"  # invalid BSNs are personal data too
    rows.append(row((52.37, 4.89), declaration_id="far"))
    res = audit(frame(rows), router, today=TODAY, salt="a-secret-salt")
    text = res.rows.to_csv() + json.dumps(res.summary)
    for secret in (BSN, "111222334", "J. Jansen", f"{home[0]:.6f}", f"{home[1]:.6f}", "52.37"):
        assert secret not in text, secret
    for col in ("bsn", "naam", "home_lat", "home_lon"):
        assert col not in res.rows.columns
    assert res.summary["personal_columns_dropped"] == ["bsn", "naam", "home_lat", "home_lon"]
    keys = res.rows["insured_key"]
    assert keys.iloc[0] == keys.iloc[2] != keys.iloc[1]
    assert len(keys.iloc[0]) == 16
    other = audit(frame(rows), router, today=TODAY, salt="another-salt").rows["insured_key"]
    assert other.iloc[0] != keys.iloc[0]
    assert "insured_key" not in audit(frame(rows), router, today=TODAY).rows.columns


def test_salt_must_not_be_trivial(router, homes):
    with pytest.raises(InvalidInput):
        audit(frame([row(homes[0])]), router, today=TODAY, salt="abc")


# --- reproducibility ----------------------------------------------------------------------------


def test_same_input_gives_byte_identical_files(router, homes, tmp_path):
    rows = [
        row(homes[i % 4], declaration_id=f"D{i}", ride_date=f"2025-08-{1 + i % 20:02d}",
            declared_km=str(4 + i), mode=["own_car", "taxi", "public_transport"][i % 3])
        for i in range(12)
    ]  # fmt: skip
    outputs = []
    for run in range(2):
        res = audit(
            frame(rows), router, today=TODAY, tariffs=TariffTable.example(), geometry=True,
            salt="salt-for-the-test",
        )  # fmt: skip
        folder = tmp_path / f"run{run}"
        res.write(folder / "out.csv", folder / "routes.geojson")
        res.write(folder / "out.parquet", folder / "routes.gpkg")
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert outputs[0].keys() == {"out.csv", "out.parquet", "routes.geojson", "routes.gpkg"}
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name
    assert not list(tmp_path.rglob(".*"))  # no temporary files left behind


def test_geometry_has_both_legs_per_trip(router, homes):
    rows = [
        row(homes[i % 2], declaration_id=f"D{i}", ride_date=f"2025-09-0{i + 1}") for i in range(4)
    ]
    res = audit(frame(rows), router, today=TODAY, geometry=True)
    g = res.geometry
    assert list(g["trip_id"]) == [1, 1, 2, 2]
    assert list(g["leg"]) == ["outbound", "inbound"] * 2
    out = res.rows.iloc[0]
    assert g["distance_m"].iloc[0] == out["outbound_m"]
    assert g.crs.to_epsg() == 4326


# --- the reason table ---------------------------------------------------------------------------


def test_every_reason_has_a_text_and_a_known_effect():
    for code, info in REASONS.items():
        assert info.text and info.effect in {"reject", "adjust", "info"}, code
        assert info.vektis is None or (len(info.vektis) == 4 and info.vektis.isdigit())
    assert REASONS["DUPLICATE"].vektis == "0587"
    assert REASONS["AUTH_MISSING"].vektis == "0551"
    assert REASONS["TRIP_OVER_CAP"].vektis == "0613"
    assert REASONS["BSN_CHECKSUM"].vektis == "0435"
    assert REASONS["RIDE_DATE_INVALID"].vektis == "8007"


# --- property: any junk row gives exactly one output row, never an exception -----------------

junk = st.one_of(
    st.none(), st.just(""), st.text(max_size=6), st.integers(-5, 10**10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2025-03-03", "31-12-2025", "ja", "taxi"]),
)  # fmt: skip
FIELDS = [
    "bsn", "carrier_agb", "carrier_contracted", "authorisation_number", "ride_date",
    "declaration_date", "home_lat", "declared_km", "declared_amount", "mode", "policy_type",
]  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.fixed_dictionaries({f: junk for f in FIELDS}), min_size=1, max_size=6))
def test_any_junk_gives_one_verdict_per_row(router, homes, values):
    rows = [dict(row(homes[0], declaration_id=f"D{i}"), **v) for i, v in enumerate(values)]
    res = audit(frame(rows), router, today=TODAY, tariffs=TariffTable.example(), chunk_size=3)
    assert len(res.rows) == len(rows)
    assert set(res.rows["verdict"]) <= {"accept", "adjust", "reject"}
    assert "INTERNAL_ERROR" not in ";".join(res.rows["reason_codes"])
    for joined in res.rows["reason_codes"]:
        assert all(c in REASONS for c in joined.split(";") if c)


def test_address_text_goes_through_the_geocoder_with_its_precision(homes):
    from routing.geocode import build_geocoder

    geocoder = build_geocoder(pc4=shared_path("geo", "pc4.geojson"))
    router = Router.from_file(shared_path("osm", "hengelo.osm.pbf"), geocoder=geocoder)
    df = frame([row(homes[0]), row(homes[1], ride_date="2025-03-04")])
    df = df.drop(columns=["treatment_lat", "treatment_lon"])
    df["treatment_address"] = ["7555 DL 141", "7555"]
    df["home_address"] = ["", "7552"]  # coordinates win where given; text where not
    df.loc[1, ["home_lat", "home_lon"]] = ""
    res = audit(df, router, today=TODAY)
    r = res.rows
    assert list(r["treatment_precision"]) == ["postcode4", "postcode4"]
    assert list(r["treatment_geocoder"]) == ["pc4", "pc4"]
    assert list(r["home_precision"]) == ["point", "postcode4"]
    centre = geocoder.geocode("7555")
    expected = router.trip(homes[0], (centre.lat, centre.lon)).loaded_m / 1000
    assert r["computed_km"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert "home_address" not in r.columns and not (r.astype(str) == "7552").any().any()
    assert r["trip_id"].tolist() == [1, 2]


def test_cap_and_rates_come_from_the_parameters(router, homes):
    from transport.parameters import ParameterSet

    home = homes[0]
    single = router.trip(home, HOSPITAL).outbound.distance_m / 1000
    cap = ParameterSet().with_overrides(single_trip_km_cap=single - 0.5)
    res = audit(frame([row(home)]), router, today=TODAY, parameters=cap)
    assert "TRIP_OVER_CAP" in codes(res, 0) and res.rows["verdict"].iloc[0] == "reject"
    assert "0613" in res.rows["vektis_codes"].iloc[0]
    assert "single_trip_km_cap=" in res.rows["parameters"].iloc[0]
    assert "@override" in res.rows["parameters"].iloc[0]
    permitted = audit(
        frame([row(home, over_cap_permitted="ja")]), router, today=TODAY, parameters=cap
    )
    assert "TRIP_OVER_CAP_PERMITTED" in codes(permitted, 0)
    assert permitted.rows["verdict"].iloc[0] == "accept"
    # no own-car km rate is known for 2023 (sources disagree): the amount is not checked
    old = audit(frame([row(home, ride_date="2023-05-01")]), router, today=TODAY)
    assert "AMOUNT_PARAMETER_NOT_IN_FORCE" in codes(old, 0)
    assert bool(old.rows["review"].iloc[0])


# --- coarse locations do not drive a km correction ------------------------------------------


@pytest.fixture(scope="module")
def pc4_router():
    from routing.geocode import build_geocoder

    geocoder = build_geocoder(pc4=shared_path("geo", "pc4.geojson"))
    return Router.from_file(shared_path("osm", "hengelo.osm.pbf"), geocoder=geocoder)


def test_postcode4_location_keeps_the_declared_km(pc4_router, router, homes):
    # the QA case: a full address placed at its PC4 centre, 10.4 km declared, 2.58 km routed
    df = frame([row(HOSPITAL, declared_km="10.4", declared_amount="4.16")])
    df = df.drop(columns=["home_lat", "home_lon"])
    df["home_address"] = ["Torenlaan 5, 7555 AB Hengelo"]
    res = audit(df, pc4_router, today=TODAY)
    r = res.rows.iloc[0]
    assert r["home_precision"] == "postcode4"
    assert r["computed_km"] < 5  # the PC4 centre lies close to the hospital
    assert "KM_NOT_VERIFIABLE_COARSE_LOCATION" in codes(res, 0)
    assert "KM_OVER_DECLARED" not in codes(res, 0)
    assert r["verdict"] == "accept" and bool(r["review"])
    assert r["accepted_km"] == 10.4 and np.isnan(r["corrected_km"])
    assert r["due_eur"] == "4.16" and r["payable_eur"] == "4.16"
    assert REASONS["KM_NOT_VERIFIABLE_COARSE_LOCATION"].effect == "info"
    # a coarse treatment place counts the same; the amount is still checked on the declared km
    df2 = frame([row(homes[0], declared_km="10.4", declared_amount="9.00")])
    df2 = df2.drop(columns=["treatment_lat", "treatment_lon"])
    df2["treatment_address"] = ["7555"]
    res2 = audit(df2, pc4_router, today=TODAY)
    assert res2.rows["treatment_precision"].iloc[0] == "postcode4"
    assert "KM_NOT_VERIFIABLE_COARSE_LOCATION" in codes(res2, 0)
    assert "AMOUNT_OVER_DUE" in codes(res2, 0) and res2.rows["due_eur"].iloc[0] == "4.16"


class Postcode6:
    """A geocoder that places every text at a fixed point with precision postcode6."""

    def __init__(self, point):
        self.point = point

    def geocode(self, text, field=None):
        from routing.results import Location, Precision

        return Location(self.point[0], self.point[1], Precision.POSTCODE6, "stub-pc6")


def test_postcode6_location_is_compared_and_named(homes):
    router6 = Router.from_file(shared_path("osm", "hengelo.osm.pbf"), geocoder=Postcode6(homes[1]))
    km = true_km(router6, homes[1])
    rows = [
        row(HOSPITAL, declared_km=f"{km:.1f}", declared_amount="0.01"),
        row(HOSPITAL, declared_km=f"{km + 3:.1f}", declared_amount="0.01", ride_date="2025-03-04"),
    ]
    df = frame(rows).drop(columns=["home_lat", "home_lon"])
    df["home_address"] = ["1234 AB 5", "1234 AB 5"]
    res = audit(df, router6, today=TODAY)
    assert list(res.rows["home_precision"]) == ["postcode6", "postcode6"]
    assert codes(res, 0)[1:3] == ["KM_WITHIN_TOLERANCE", "KM_COMPARED_AT_POSTCODE6"]
    assert res.rows["verdict"].iloc[0] == "accept" and not res.rows["review"].iloc[0]
    assert codes(res, 1)[1:3] == ["KM_OVER_DECLARED", "KM_CORRECTED_AT_POSTCODE6"]
    assert res.rows["verdict"].iloc[1] == "adjust" and bool(res.rows["review"].iloc[1])
    assert res.rows["corrected_km"].iloc[1] == pytest.approx(km, abs=1e-9)


# --- a quoted price on unrounded km is not one cent over ------------------------------------


def test_price_on_the_unrounded_km_of_rounded_declared_km_stands(router, homes):
    from routing.results import km_display
    from transport.quote import QuoteRequest, quote

    rows, due = [], []
    for i, home in enumerate(homes):
        trip = router.trip(home, HOSPITAL)
        q = quote(QuoteRequest(dates=[dt.date(2025, 3, 3)], indication="dialysis",
                               mode="own_car", trip=trip))  # fmt: skip
        price = q.rides[0].price_eur  # 0.40 x the unrounded km, rounded to cents
        shown = Decimal(f"{km_display(trip.loaded_m):.1f}")  # what quote shows, copied
        # the rules allow the larger of the prices on the shown and on the unrounded km
        due.append(max(price, (Decimal("0.40") * shown).quantize(Decimal("0.01"), ROUND_HALF_UP)))
        for j, amount in enumerate((price, due[i] + Decimal("0.01"))):
            rows.append(row(home, declaration_id=f"H{i}-{j}", declared_km=str(shown),
                            declared_amount=str(amount),
                            ride_date=f"2025-03-{3 + 2 * i + j:02d}"))  # fmt: skip
    res = audit(frame(rows), router, today=TODAY)
    r = res.rows.set_index("declaration_id")
    for i, home in enumerate(homes):
        km = true_km(router, home)
        assert r.loc[f"H{i}-0", "verdict"] == "accept", i
        assert "AMOUNT_OK" in r.loc[f"H{i}-0", "reason_codes"]
        assert r.loc[f"H{i}-0", "due_eur"] == str(due[i])
        assert r.loc[f"H{i}-0", "accepted_km"] == pytest.approx(max(km, round(km, 1)), abs=1e-9)
        # one cent more than the rules allow is still corrected
        assert r.loc[f"H{i}-1", "verdict"] == "adjust", i
        assert r.loc[f"H{i}-1", "corrected_amount_eur"] == str(due[i])
    # the QA case: 10.416 km quoted at 4.17, declared as 10.4 km and 4.17
    assert r.loc["H0-0", "declared_amount"] == "4.17" and r.loc["H0-0", "declared_km"] == "10.4"


def test_km_not_rounded_from_the_route_are_priced_as_declared(router, homes):
    # 10.40 km (two decimals) is not 10.4159 rounded: the amount is due on 10.40 km
    assert round(true_km(router, homes[0]), 2) != 10.40
    res = audit(frame([row(homes[0], declared_km="10.40", declared_amount="4.17")]), router,
                today=TODAY)  # fmt: skip
    assert res.rows["accepted_km"].iloc[0] == 10.4
    assert res.rows["due_eur"].iloc[0] == "4.16"
    assert "AMOUNT_OVER_DUE" in codes(res, 0)
    assert Tolerance().eur == Decimal("0.00")  # no blanket amount tolerance


# --- malformed input lines ----------------------------------------------------------------------


def test_a_malformed_line_is_rejected_alone_and_its_values_not_copied(router, homes):
    rows = [
        row(homes[0], declaration_id="A"),
        row(homes[0], declaration_id="B", naam="x", declared_km="Jansen", ride_date="2025-03-03"),
        row(homes[0], declaration_id="C", ride_date="2025-03-03"),  # duplicate of A, not of B
        row(homes[1], declaration_id="D", ride_date="2025-03-05"),
    ]
    df = frame(rows)
    df["row_error"] = ["", "line 3: 19 fields, the header has 17", "", ""]
    df["source_line"] = [2, 3, 4, 5]
    res = audit(df, router, today=TODAY, salt="a-secret-salt", chunk_size=2)
    r = res.rows
    assert len(r) == 4 and list(r["row_number"]) == [1, 2, 3, 4]
    assert r["reason_codes"].iloc[1] == "PARSE_ROW"
    assert r["verdict"].iloc[1] == "reject" and r["payable_eur"].iloc[1] == "0.00"
    assert r["declaration_id"].iloc[1] is None and r["declared_km"].iloc[1] is None
    assert r["row_error"].iloc[1].startswith("line 3") and r["source_line"].iloc[1] == 3
    assert r["insured_key"].iloc[1] is None and pd.isna(r["trip_id"].iloc[1])
    assert "Jansen" not in r.to_csv()
    assert r["duplicate_of_row"].iloc[2] == 1  # the malformed row takes part in nothing
    assert list(r["verdict"].iloc[[0, 3]]) == ["accept", "accept"]
    assert res.summary["reasons"][0]["code"] in REASONS
    assert {x["code"]: x["count"] for x in res.summary["reasons"]}["PARSE_ROW"] == 1


def test_authorisations_file_with_a_malformed_line_is_a_typed_error(router, homes, tmp_path):
    path = tmp_path / "machtigingen.csv"
    path.write_text(
        "number,indication,mode,valid_from,valid_to\n"
        "M1,dialysis,own_car,2025-01-01,2025-12-31\n"
        "M2,dialysis,own_car,2025-01-01,2025-12-31,extra\n"
    )
    with pytest.raises(InvalidInput) as exc:
        audit(frame([row(homes[0])]), router, today=TODAY, authorisations=path)
    assert "data row 2" in exc.value.message and "malformed" in exc.value.message


# --- summary: rows without a payable amount --------------------------------------------------


def test_summary_counts_rows_without_a_payable_amount(router, homes):
    rows = [
        row(homes[0], declaration_id="taxi", mode="taxi", declared_km="30",
            declared_amount="50.00"),  # over-declared, no tariff table: no amount due
        row(homes[0], declaration_id="car", declared_km="10.4", declared_amount="4.00",
            ride_date="2025-03-04"),
    ]  # fmt: skip
    res = audit(frame(rows), router, today=TODAY)
    r = res.rows
    assert r["verdict"].iloc[0] == "adjust" and r["payable_eur"].iloc[0] is None
    money = res.summary["amounts_eur"]
    assert money["rows_without_payable"] == 1
    assert money["declared_without_payable"] == "50.00"
    assert money["declared"] == "54.00" and money["payable"] == "4.00"
    assert money["difference"] == "0.00"  # over the rows with a payable amount


# --- options made before the run ----------------------------------------------------------------


def test_options_made_up_front(router, homes):
    from transport.audit import make_options

    df = frame([row(homes[0])])
    opts = make_options(df.columns, today=TODAY, salt="a-secret-salt")
    a = audit(df, router, options=opts)
    b = audit(df, router, today=TODAY, salt="a-secret-salt")
    pd.testing.assert_frame_equal(a.rows, b.rows)
    with pytest.raises(InvalidInput, match="not both"):
        audit(df, router, options=opts, today=TODAY)
    with pytest.raises(InvalidInput, match="other columns"):
        audit(df.drop(columns=["naam"]), router, options=opts)
