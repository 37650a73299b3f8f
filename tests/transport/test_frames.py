"""transport.frames.hardship_frame: the hardheidsclausule over a DataFrame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transport.errors import InvalidInput
from transport.frames import HARDSHIP_COLUMNS, hardship_frame
from transport.hardship import check_hardship
from transport.parameters import ParameterSet

ON = dt.date(2026, 1, 1)


def test_boundaries_and_bad_rows_keep_their_place():
    df = pd.DataFrame(
        {"single_trip_km": [25.0, 24.99, np.nan, 20.8333, -1.0, "12,5"], "x": list("abcdef")},
        index=[9, 8, 7, 6, 5, 4],
    )
    out = hardship_frame(df, 5, 2, on=ON)
    assert out.index.tolist() == [9, 8, 7, 6, 5, 4]
    assert out.x.tolist() == list("abcdef")
    assert list(out.columns[-len(HARDSHIP_COLUMNS) :]) == list(HARDSHIP_COLUMNS)
    # 5 x 2 x 25 = 250 qualifies (inclusive); 24.99 does not
    assert out.hardship_qualifies.tolist()[:2] == [True, False]
    assert out.hardship_score.loc[9] == 250
    assert out.hardship_m_needed.loc[9] == 25000
    assert out.hardship_codes.loc[8] == "HARDSHIP_BELOW_THRESHOLD;HARDSHIP_CLOSE_TO_THRESHOLD"
    assert pd.isna(out.hardship_qualifies.loc[7])
    assert out.hardship_error.loc[7].startswith("InvalidInput: no single-trip km")
    assert out.hardship_error.loc[5].startswith("InvalidInput: single_trip_km must be greater")
    assert out.hardship_score.loc[4] == 125  # decimal comma read as in the scalar rule
    assert (out.hardship_error.loc[[9, 8, 6, 4]] == "").all()


def test_six_months_twice_a_week_needs_20_83_km():
    df = pd.DataFrame({"single_trip_km": [20.833, 20.834]})
    out = hardship_frame(df, 6, 2, on=ON)
    assert out.hardship_km_needed.iloc[0] == pytest.approx(250 / 12)
    assert out.hardship_m_needed.iloc[0] == 20834
    assert out.hardship_qualifies.tolist() == [False, True]


def test_columns_dates_and_arrays():
    df = pd.DataFrame(
        {
            "km": [30.0, 30.0, 30.0, 30.0],
            "months": [1, 13, np.nan, 2],
            "freq": [2, 1, 1, 0.5],
            "first_ride": ["2026-03-01", "01-03-2026", "2026-03-01", "not a date"],
        }
    )
    out = hardship_frame(df, "months", "freq", on="first_ride", km="km")
    assert out.hardship_score.iloc[0] == 60
    assert out.hardship_score.iloc[1] == 360  # 13 months count as 12
    assert "HARDSHIP_MONTHS_CAPPED" in out.hardship_codes.iloc[1]
    assert out.hardship_error.iloc[2].startswith("InvalidInput: months")
    assert out.hardship_error.iloc[3].startswith("InvalidInput: not a date")
    per_row = hardship_frame(df, [12, 12, 12, 12], np.array([1, 2, 3, 4]), on=ON, km="km")
    assert per_row.hardship_score.tolist() == [360, 720, 1080, 1440]
    with pytest.raises(InvalidInput):
        hardship_frame(df, "no such column", 2, on=ON, km="km")
    with pytest.raises(InvalidInput):
        hardship_frame(df, 6, [1, 2], on=ON, km="km")
    with pytest.raises(InvalidInput):
        hardship_frame(df, 6, 2, on=ON)  # no single_trip_km column


def test_parameters_are_passed_through():
    df = pd.DataFrame({"single_trip_km": [10.0]})
    strict = ParameterSet(overrides={"hardship_threshold": 100})
    assert hardship_frame(df, 6, 2, on=ON, parameters=strict).hardship_qualifies.iloc[0]
    assert not hardship_frame(df, 6, 2, on=ON).hardship_qualifies.iloc[0]
    old = hardship_frame(df, 6, 2, on=dt.date(2010, 1, 1))  # before the parameter's first date
    assert old.hardship_error.iloc[0].startswith("ParameterNotInForce")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 15),
            st.sampled_from([0.5, 1, 2, 3, 5]),
            st.one_of(st.floats(0.01, 60, allow_nan=False), st.just(float("nan"))),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_same_answers_as_the_scalar_rule(rows):
    df = pd.DataFrame(rows, columns=["m", "w", "single_trip_km"])
    out = hardship_frame(df, "m", "w", on=ON)
    assert len(out) == len(df)
    for i, (m, w, km) in enumerate(rows):
        if np.isnan(km):
            assert pd.isna(out.hardship_qualifies.iloc[i])
            continue
        d = check_hardship(m, w, km, ON)
        assert bool(out.hardship_qualifies.iloc[i]) == d.ok
        assert out.hardship_margin.iloc[i] == d.details["margin"]
        assert out.hardship_formula.iloc[i] == d.details["formula"]
        assert out.hardship_codes.iloc[i] == ";".join(r.code for r in d.reasons)
