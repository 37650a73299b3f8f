import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transport.errors import InvalidInput, ParameterNotInForce
from transport.hardship import check_hardship
from transport.parameters import ParameterSet

ON = dt.date(2025, 3, 1)


def test_exactly_250_qualifies():
    d = check_hardship(5, 2, 25, ON)
    assert d.ok and d.rule == "hardship"
    assert d.details["score"] == 250.0
    assert d.details["margin"] == 0.0
    assert d.details["threshold"] == 250.0
    assert d.codes[0] == "HARDSHIP_QUALIFIES"


def test_249_9_does_not_qualify():
    d = check_hardship(5, 2, 24.99, ON)  # 5 x 2 x 24.99 = 249.9
    assert not d.ok
    assert d.details["score"] == pytest.approx(249.9)
    assert d.details["margin"] == pytest.approx(-0.1)
    assert d.codes[0] == "HARDSHIP_BELOW_THRESHOLD"


def test_float_inputs_are_compared_exactly():
    # 0.1 + 0.2 style binary noise must not tip a case over the line: 3 x 1 x 83.33333... < 250
    assert not check_hardship(3, 1, 83.333, ON).ok
    assert check_hardship(3, 1, Decimal("83.334"), ON).ok
    assert check_hardship(3, 1, "83,334", ON).ok  # Dutch decimal comma


def test_41_6_vs_41_7_at_six_months_weekly():
    low = check_hardship(6, 1, 41.6, ON)
    high = check_hardship(6, 1, 41.7, ON)
    assert not low.ok and high.ok
    for d in (low, high):
        assert d.details["km_needed"] == pytest.approx(250 / 6)
        assert d.details["m_needed"] == 41667  # whole metres, rounded up
        assert d.details["close"] is True
        assert "HARDSHIP_CLOSE_TO_THRESHOLD" in d.codes
    assert low.details["km_margin"] == pytest.approx(41.6 - 250 / 6)


def test_unrounded_metres_decide():
    # 41 666.6 m does not qualify, 41 666.7 m does (250/6 = 41.6666...): no rounding to 41.7
    assert not check_hardship(6, 1, 41666.6 / 1000, ON).ok
    assert check_hardship(6, 1, 41666.7 / 1000, ON).ok


def test_month_cap_13_counts_as_12():
    d13 = check_hardship(13, 1, 20.8, ON)
    d12 = check_hardship(12, 1, 20.8, ON)
    assert d13.details["score"] == d12.details["score"] == pytest.approx(249.6)
    assert d13.details["months_capped"] is True and d13.details["months_counted"] == 12
    assert d12.details["months_capped"] is False
    assert "HARDSHIP_MONTHS_CAPPED" in d13.codes and "HARDSHIP_MONTHS_CAPPED" not in d12.codes
    assert "min(13, 12)" in d13.details["formula"]
    assert check_hardship(24, 1, 20.84, ON).ok  # 12 x 20.84 = 250.08


def test_far_from_threshold_is_not_close():
    d = check_hardship(12, 3, 30, ON)
    assert d.ok and not d.details["close"]
    assert d.codes == ("HARDSHIP_QUALIFIES",)


def test_fractional_frequency():
    assert check_hardship(10, 0.5, 50, ON).ok  # once every two weeks: 10 x 0.5 x 50 = 250
    assert not check_hardship(10, 0.5, 49.99, ON).ok


def test_parameters_with_provenance():
    d = check_hardship(5, 2, 25, ON)
    names = {p.name: p for p in d.parameters}
    assert names["hardship_threshold"].value == 250
    assert names["hardship_month_cap"].value == 12
    assert "2.14" in names["hardship_threshold"].source


def test_threshold_override_and_missing_date():
    ps = ParameterSet().with_overrides(hardship_threshold=300)
    assert not check_hardship(5, 2, 25, ON, parameters=ps).ok
    with pytest.raises(ParameterNotInForce) as exc:
        check_hardship(5, 2, 25, dt.date(2017, 6, 1))
    assert exc.value.field == "hardship_threshold"


@pytest.mark.parametrize(
    ("months", "per_week", "km", "field"),
    [(0, 2, 25, "months"), (2.5, 2, 25, "months"), (True, 2, 25, "months"),
     (5, 0, 25, "per_week"), (5, -1, 25, "per_week"), (5, 2, 0, "single_trip_km"),
     (5, 2, float("nan"), "single_trip_km"), (5, 2, "abc", "single_trip_km")],
)  # fmt: skip
def test_invalid_input(months, per_week, km, field):
    with pytest.raises(InvalidInput) as exc:
        check_hardship(months, per_week, km, ON)
    assert exc.value.field == field


@given(
    months=st.integers(1, 40),
    per_week=st.integers(1, 7),
    metres=st.integers(1, 200_000),
)
def test_outcome_matches_exact_integer_arithmetic(months, per_week, metres):
    d = check_hardship(months, per_week, Decimal(metres) / 1000, ON)
    # score >= 250  <=>  min(m, 12) * f * metres >= 250 000  (pure integers, no rounding)
    assert d.ok == (min(months, 12) * per_week * metres >= 250_000)
    # the shortest qualifying single trip in whole metres is exactly m_needed
    assert check_hardship(months, per_week, Decimal(d.details["m_needed"]) / 1000, ON).ok
    if d.details["m_needed"] > 1:
        assert not check_hardship(
            months, per_week, Decimal(d.details["m_needed"] - 1) / 1000, ON
        ).ok
