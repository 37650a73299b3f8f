import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from transport.checks import (
    CHECKS,
    DuplicateTracker,
    bsn_status,
    bsn_status_array,
    check_agb,
    check_bsn,
    check_dates,
    check_frame,
    check_row,
    check_single_trip_cap,
    duplicate_key,
    normalise_place,
    per_distinct,
)
from transport.errors import InvalidInput
from transport.parameters import ParameterSet, default_directory

D = dt.date
TODAY = D(2026, 11, 24)
VALID_BSN = "111222333"
VALID_BSN_8 = "10000008"  # a valid BSN with its leading zero dropped


def all_text(decision) -> str:
    return json.dumps(decision.to_dict(), default=str)


# --- BSN --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (VALID_BSN, "BSN_OK"),
        (int(VALID_BSN), "BSN_OK"),
        (float(VALID_BSN), "BSN_OK"),
        ("1112.22.333", "BSN_OK"),
        (" 111 222 333 ", "BSN_OK"),
        (VALID_BSN_8, "BSN_OK"),
        ("111222334", "BSN_CHECKSUM"),
        ("000000000", "BSN_FORMAT"),
        ("1234567890", "BSN_FORMAT"),
        ("11122233a", "BSN_FORMAT"),
        ("", "BSN_MISSING"),
        ("   ", "BSN_MISSING"),
        (None, "BSN_MISSING"),
        (float("nan"), "BSN_MISSING"),
    ],
)
def test_bsn(value, code):
    decision = check_bsn(value)
    assert decision.codes == (code,)
    assert decision.ok == (code == "BSN_OK")
    assert decision.reasons[0].vektis == (None if code == "BSN_OK" else "0435")
    assert bsn_status_array([value])[0] == code


def test_bsn_never_in_the_decision():
    for value in ("111222334", "11122233a", VALID_BSN, "1234567890"):
        text = all_text(check_bsn(value))
        assert value not in text
    assert check_bsn("111222334").reasons[0].text == "BSN fails the 11-proof"


bsn_like = st.one_of(
    st.text(alphabet="0123456789", min_size=0, max_size=11),
    st.text(alphabet="0123456789 .-", min_size=0, max_size=12),
    st.text(max_size=10),
    st.integers(min_value=-10, max_value=10**10),
    st.none(),
    st.just(VALID_BSN),
    st.just(VALID_BSN_8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(bsn_like, max_size=30))
def test_bsn_fast_path_equals_stdnum(values):
    assert list(bsn_status_array(values)) == [bsn_status(v) for v in values]
    for v in values:
        if isinstance(v, str) and v.strip() and v.isascii():
            assert (bsn_status(v) == "BSN_OK") == stdnum_bsn.is_valid(v)


# --- AGB --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("41012345", "AGB_OK"),
        (" 41012345 ", "AGB_OK"),
        (41012345, "AGB_OK"),
        ("01012345", "AGB_OK"),
        (1012345, "AGB_FORMAT"),  # the number lost its leading zero
        ("4101234", "AGB_FORMAT"),
        ("410123456", "AGB_FORMAT"),
        ("4101234a", "AGB_FORMAT"),
        ("4101 2345", "AGB_FORMAT"),
        ("４１０１２３４５", "AGB_FORMAT"),  # full-width digits are not digits here
        ("", "AGB_MISSING"),
        (None, "AGB_MISSING"),
    ],
)
def test_agb(value, code):
    decision = check_agb(value)
    assert decision.codes == (code,)
    assert decision.ok == (code == "AGB_OK")
    if code == "AGB_OK":
        assert decision.details["zorgverlenersoort"] == str(value).strip()[:2]


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ride", "declared", "codes", "vektis"),
    [
        (D(2026, 11, 1), D(2026, 11, 2), ("DATES_OK",), [None]),
        (D(2026, 11, 2), D(2026, 11, 2), ("DATES_OK",), [None]),  # same day passes
        (TODAY, TODAY, ("DATES_OK",), [None]),  # today is not the future
        (D(2026, 11, 3), D(2026, 11, 2), ("RIDE_AFTER_DECLARATION",), ["8176"]),
        (
            D(2026, 11, 25),
            D(2026, 11, 24),
            ("RIDE_AFTER_DECLARATION", "RIDE_DATE_IN_FUTURE"),
            ["8176", "8007"],
        ),
        (
            D(2026, 11, 25),
            D(2026, 11, 26),
            ("RIDE_DATE_IN_FUTURE", "DECLARATION_DATE_IN_FUTURE"),
            ["8007", None],
        ),
        (None, D(2026, 11, 2), ("RIDE_DATE_MISSING",), ["8007"]),
        ("2026-02-30", D(2026, 11, 2), ("RIDE_DATE_INVALID",), ["8007"]),
        ("2026-11-01", "", ("DECLARATION_DATE_MISSING",), [None]),
        ("01-11-2026", "x", ("DECLARATION_DATE_INVALID",), [None]),
    ],
)
def test_dates(ride, declared, codes, vektis):
    decision = check_dates(ride, declared, today=TODAY)
    assert decision.codes == codes
    assert [r.vektis for r in decision.reasons] == vektis
    assert decision.ok == (codes == ("DATES_OK",))


# --- single-trip cap --------------------------------------------------------------------------


def test_cap_parameter_is_the_one_the_quotes_use():
    # one parameter file serves the quote rules (transport.distance) and the formal checks
    raw = yaml.safe_load((default_directory() / "single_trip_km_cap.yaml").read_text())
    assert raw["unit"].startswith("km")
    assert "2.14 lid 1" in json.dumps(raw["reference"])
    assert ParameterSet().value("single_trip_km_cap", D(2025, 6, 1)) == 200


@pytest.mark.parametrize(
    ("km", "code", "vektis"),
    [
        (0, "TRIP_WITHIN_CAP", None),
        (199.99, "TRIP_WITHIN_CAP", None),
        (200, "TRIP_WITHIN_CAP", None),  # the cap itself passes
        ("200", "TRIP_WITHIN_CAP", None),
        (200.01, "TRIP_OVER_CAP", "0613"),
        (350, "TRIP_OVER_CAP", "0613"),
        (-1, "TRIP_KM_INVALID", None),
        ("far", "TRIP_KM_INVALID", None),
        (math.inf, "TRIP_KM_INVALID", None),
        (None, "TRIP_KM_MISSING", None),
        (math.nan, "TRIP_KM_MISSING", None),
    ],
)
def test_cap(km, code, vektis):
    decision = check_single_trip_cap(km, D(2026, 3, 1))
    assert decision.codes == (code,)
    assert decision.reasons[0].vektis == vektis
    assert decision.ok == (code == "TRIP_WITHIN_CAP")
    if code.startswith("TRIP_WITHIN") or code == "TRIP_OVER_CAP":
        (used,) = decision.parameters
        assert used.name == "single_trip_km_cap" and used.value == 200


def test_cap_with_permission_and_dates():
    assert check_single_trip_cap(250, D(2026, 3, 1), over_cap_permitted=True).codes == (
        "TRIP_OVER_CAP_PERMITTED",
    )
    assert check_single_trip_cap(250, D(2026, 3, 1), over_cap_permitted=True).ok
    assert check_single_trip_cap(250, None).codes == ("TRIP_CAP_NOT_CHECKED",)
    assert check_single_trip_cap(250, D(2005, 12, 31)).codes == ("TRIP_CAP_NOT_IN_FORCE",)
    over = check_single_trip_cap(212.5, D(2026, 3, 1))
    assert over.details["excess_km"] == pytest.approx(12.5)


def test_cap_is_read_from_parameters():
    ps = ParameterSet().with_overrides(single_trip_km_cap=100)
    assert check_single_trip_cap(150, D(2026, 3, 1), parameters=ps).codes == ("TRIP_OVER_CAP",)
    frame = check_frame(
        pd.DataFrame({"single_trip_km": [150, 50], "ride_date": ["2026-03-01"] * 2}),
        today=TODAY,
        parameters=ps,
        checks=["single_trip_cap"],
    )
    assert list(frame["single_trip_cap_codes"]) == ["TRIP_OVER_CAP", "TRIP_WITHIN_CAP"]


# --- duplicates -------------------------------------------------------------------------------


def test_duplicate_key_normalisation_and_direction():
    a = duplicate_key(VALID_BSN, "2026-11-02", "Hengelosestraat 12, ENSCHEDE", "MST")
    b = duplicate_key("1112.22.333", D(2026, 11, 2), "hengelosestraat 12 enschede", " mst ")
    assert a == b
    back = duplicate_key(VALID_BSN, "2026-11-02", "MST", "Hengelosestraat 12, ENSCHEDE")
    assert back != a  # the return ride is another ride
    assert duplicate_key(VALID_BSN, None, "a", "b") is None
    assert duplicate_key(VALID_BSN, "2026-11-02", "", "b") is None
    assert duplicate_key(VALID_BSN_8, "2026-11-02", "a", "b")[0] == "0" + VALID_BSN_8
    assert normalise_place("  Straße  1 ") == normalise_place("STRASSE 1")


def test_duplicate_tracker():
    tracker = DuplicateTracker()
    first = tracker.check("D1", VALID_BSN, "2026-11-02", "Thuis 1", "ZGT")
    second = tracker.check("D2", VALID_BSN, "02-11-2026", "thuis 1", "zgt")
    third = tracker.check("D3", VALID_BSN, "2026-11-02", "Thuis 1", "ZGT")
    other_day = tracker.check("D4", VALID_BSN, "2026-11-03", "Thuis 1", "ZGT")
    incomplete = tracker.check("D5", None, "2026-11-03", "Thuis 1", "ZGT")
    assert first.codes == ("NOT_DUPLICATE",) and first.ok
    assert second.codes == ("DUPLICATE",) and not second.ok
    assert second.reasons[0].vektis == "0587"
    assert second.details["duplicate_of"] == "D1"
    assert third.details["duplicate_of"] == "D1"  # always the original, not the previous
    assert other_day.codes == ("NOT_DUPLICATE",)
    assert incomplete.codes == ("DUPLICATE_NOT_CHECKED",) and not incomplete.ok
    assert VALID_BSN not in all_text(second)


# --- the batch path ---------------------------------------------------------------------------


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "declaration_id": ["D1", "D2", "D3", "D4"],
            "bsn": [VALID_BSN, VALID_BSN, None, "123456789"],
            "agb_code": ["41012345", "4101234", None, 41012345],
            "ride_date": ["2026-01-05", "05-01-2026", "x", "2027-01-01"],
            "declaration_date": ["2026-01-06", "2026-01-04", "2026-01-01", None],
            "origin": ["Thuis 1, Hengelo", "thuis 1 hengelo", "a", "b"],
            "destination": ["ZGT", "zgt", "b", "a"],
            "single_trip_km": [12.5, 201, "200", None],
        },
        index=[7, 3, 5, 1],
    )


def test_frame_on_a_sample():
    df = sample_frame()
    out = check_frame(df, today=TODAY)
    assert list(out.index) == [7, 3, 5, 1]
    assert list(out["formal_ok"]) == [True, False, False, False]
    assert out.loc[3, "formal_codes"] == (
        "AGB_FORMAT;RIDE_AFTER_DECLARATION;DUPLICATE;TRIP_OVER_CAP"
    )
    assert out.loc[3, "formal_vektis"] == "8176;0587;0613"
    assert out.loc[3, "duplicate_of"] == "D1"
    assert pd.isna(out.loc[7, "duplicate_of"])
    assert out.loc[1, "dates_codes"] == "DECLARATION_DATE_MISSING;RIDE_DATE_IN_FUTURE"
    assert out.loc[1, "bsn_vektis"] == "0435"
    # no BSN anywhere in the output
    assert not out.astype(str).apply(lambda c: c.str.contains("123456789")).any().any()


def test_frame_without_id_column_refers_to_index_labels():
    df = sample_frame().drop(columns="declaration_id")
    out = check_frame(df, today=TODAY, checks=["duplicate"])
    assert out.loc[3, "duplicate_of"] == 7
    assert set(out.columns) == {
        "duplicate_of",
        "duplicate_ok",
        "duplicate_codes",
        "duplicate_vektis",
        "formal_ok",
        "formal_codes",
        "formal_vektis",
    }


def test_frame_column_mapping_and_missing_columns():
    df = sample_frame().rename(columns={"bsn": "BSN", "agb_code": "AGB vervoerder"})
    with pytest.raises(InvalidInput) as exc:
        check_frame(df, today=TODAY)
    assert exc.value.field == "bsn"
    assert "columns=" in exc.value.message
    out = check_frame(df, today=TODAY, columns={"bsn": "BSN", "agb_code": "AGB vervoerder"})
    assert list(out["bsn_codes"]) == ["BSN_OK", "BSN_OK", "BSN_MISSING", "BSN_CHECKSUM"]
    with pytest.raises(InvalidInput):
        check_frame(df, today=TODAY, checks=["nonsense"])


def test_empty_frame():
    df = sample_frame().iloc[:0]
    out = check_frame(df, today=TODAY)
    assert len(out) == 0
    assert "formal_ok" in out.columns


def test_per_distinct_separates_types():
    got = per_distinct([1, True, 1.0, "1", None, float("nan")], lambda v: type(v).__name__)
    assert list(got) == ["int", "bool", "float", "str", "NoneType", "float"]
    # in a column of one type, equal values are read once
    calls = []
    per_distinct(["a", "b", "a", None, "a"], lambda v: calls.append(v))
    assert calls == ["a", "b", None]


# --- property test: the batch path answers exactly as the per-row path ------------------------

bsns = st.sampled_from([VALID_BSN, "1112.22.333", VALID_BSN_8, "111222334", "12", "abc", "", None])
agbs = st.sampled_from(["41012345", " 41012345", "4101234", "4101234x", 41012345, None, ""])
dates = st.one_of(
    st.dates(min_value=D(2004, 1, 1), max_value=D(2027, 12, 31)),
    st.sampled_from(["2026-11-24", "24-11-2026", "2026-11-25", "2026-02-30", "nope", "", None]),
    st.just(pd.NaT),
)
kms = st.one_of(
    st.floats(min_value=-5, max_value=400),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["200", "200.0", "abc", "", None, 200, 200.0001]),
)
places = st.sampled_from(["Thuis 1", "thuis 1", "THUIS  1,", "ZGT", "zgt.", "MST", "", None])
COLUMNS = [
    "bsn",
    "agb_code",
    "ride_date",
    "declaration_date",
    "origin",
    "destination",
    "single_trip_km",
    "over_cap_permitted",
]
rows = st.fixed_dictionaries(
    {
        "bsn": bsns,
        "agb_code": agbs,
        "ride_date": dates,
        "declaration_date": dates,
        "origin": places,
        "destination": places,
        "single_trip_km": kms,
        "over_cap_permitted": st.sampled_from([True, False, "ja", "nee", None]),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=25))
def test_frame_equals_per_row(records):
    df = pd.DataFrame(records, columns=COLUMNS).astype(object)
    df.insert(0, "declaration_id", [f"D{i}" for i in range(len(df))])
    out = check_frame(df, today=TODAY)
    assert len(out) == len(df)
    tracker = DuplicateTracker()
    for i, record in enumerate(df.to_dict("records")):
        per_row = check_row(record, today=TODAY, duplicates=tracker)
        for name in CHECKS:
            decision = per_row[name]
            assert out[f"{name}_ok"].iloc[i] == decision.ok, (name, record)
            assert out[f"{name}_codes"].iloc[i] == ";".join(decision.codes), (name, record)
            vektis = ";".join(dict.fromkeys(r.vektis for r in decision.reasons if r.vektis))
            assert out[f"{name}_vektis"].iloc[i] == vektis, (name, record)
        expected_dup = per_row["duplicate"].details["duplicate_of"]
        got_dup = out["duplicate_of"].iloc[i]
        assert (got_dup if not pd.isna(got_dup) else None) == expected_dup
        assert out["formal_ok"].iloc[i] == all(d.ok for d in per_row.values())


def test_frame_handles_datetime_and_numeric_columns():
    df = pd.DataFrame(
        {
            "bsn": [int(VALID_BSN), 123456789],
            "agb_code": ["41012345", "41012345"],
            "ride_date": pd.to_datetime(["2026-01-05", "2026-01-05"]),
            "declaration_date": pd.to_datetime(["2026-01-06", "2026-01-04"]),
            "origin": ["a", "a"],
            "destination": ["b", "b"],
            "single_trip_km": np.array([10.0, np.nan]),
        }
    )
    out = check_frame(df, today=TODAY)
    assert list(out["bsn_codes"]) == ["BSN_OK", "BSN_CHECKSUM"]
    assert list(out["dates_codes"]) == ["DATES_OK", "RIDE_AFTER_DECLARATION"]
    assert list(out["single_trip_cap_codes"]) == ["TRIP_WITHIN_CAP", "TRIP_KM_MISSING"]
    assert list(out["duplicate_codes"]) == ["NOT_DUPLICATE", "NOT_DUPLICATE"]  # other BSN
