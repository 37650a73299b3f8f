import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transport.contribution import ContributionRide, apply_contribution
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet

D = dt.date


def ride(day, amount):
    return ContributionRide(day, Decimal(amount))


def amounts(decisions, key="contribution_eur"):
    return [Decimal(d.details[key]) for d in decisions]


def test_first_rides_absorb_the_yearly_amount():
    rides = [ride(D(2025, 1, 6 + 2 * i), "50.00") for i in range(5)]
    out = apply_contribution(rides)
    assert amounts(out) == [Decimal("50"), Decimal("50"), Decimal("26"), Decimal(0), Decimal(0)]
    assert amounts(out, "insurer_pays_eur") == [0, 0, Decimal("24"), 50, 50]
    assert [d.codes[0] for d in out] == [
        "CONTRIBUTION_CHARGED", "CONTRIBUTION_CHARGED", "CONTRIBUTION_COMPLETED",
        "CONTRIBUTION_REACHED", "CONTRIBUTION_REACHED",
    ]  # fmt: skip
    assert out[0].parameters[0].value == 126 and out[0].parameters[0].since == "2025-01-01"


def test_crossing_new_year_starts_again():
    rides = [ride(D(2024, 12, 30), "100"), ride(D(2024, 12, 31), "100"), ride(D(2025, 1, 2), "100"),
             ride(D(2025, 1, 3), "100")]  # fmt: skip
    out = apply_contribution(rides)
    assert amounts(out) == [Decimal(100), Decimal(18), Decimal(100), Decimal(26)]  # 118 | 126
    assert [d.details["year"] for d in out] == [2024, 2024, 2025, 2025]


def test_order_is_by_date_but_output_follows_input():
    rides = [ride(D(2025, 3, 1), "100"), ride(D(2025, 1, 1), "100")]
    out = apply_contribution(rides)
    assert amounts(out) == [Decimal(26), Decimal(100)]  # the January ride paid first


def test_already_paid_this_year():
    out = apply_contribution([ride(D(2025, 5, 1), "80")], already_paid={2025: 100})
    assert amounts(out) == [Decimal(26)]
    assert out[0].details["paid_before_eur"] == "100.00"
    out = apply_contribution([ride(D(2025, 5, 1), "80")], already_paid={2025: 500})
    assert amounts(out) == [Decimal(0)]
    with pytest.raises(InvalidInput):
        apply_contribution([ride(D(2025, 5, 1), "80")], already_paid={2025: -1})


def test_never_more_than_reimbursable_and_nothing_on_uncovered_rides():
    out = apply_contribution([ride(D(2025, 5, 1), "0"), ride(D(2025, 5, 2), "12.34")])
    assert amounts(out) == [Decimal(0), Decimal("12.34")]
    assert out[0].codes == ("CONTRIBUTION_NOT_APPLICABLE",) and out[0].parameters == ()


def test_missing_year_raises_unless_passed():
    with pytest.raises(ParameterNotInForce) as exc:
        apply_contribution([ride(D(2026, 1, 2), "50")])
    assert exc.value.field == "eigen_bijdrage"
    out = apply_contribution([ride(D(2026, 1, 2), "200")], yearly_amounts={2026: 130})
    assert amounts(out) == [Decimal(130)]
    assert out[0].parameters[0].source == "user override"
    ps = ParameterSet().with_overrides(eigen_bijdrage=131)
    assert amounts(apply_contribution([ride(D(2026, 1, 2), "200")], parameters=ps)) == [131]
    # an uncovered ride in an unknown year needs no amount
    assert amounts(apply_contribution([ride(D(2026, 1, 2), "0")])) == [0]


@given(
    st.lists(
        st.tuples(
            st.dates(D(2024, 1, 1), D(2025, 12, 31)),
            st.integers(0, 20_000).map(lambda c: Decimal(c) / 100),
        ),
        max_size=40,
    ),
    st.integers(0, 200),
)
def test_yearly_sum_never_exceeds_amount_and_is_greedy(items, paid_2025):
    rides = [ContributionRide(d, a) for d, a in items]
    out = apply_contribution(rides, already_paid={2025: paid_2025})
    yearly = {2024: Decimal(118), 2025: Decimal(126)}
    for year, amount in yearly.items():
        idx = [i for i, r in enumerate(rides) if r.ride_date.year == year]
        charged = sum((Decimal(out[i].details["contribution_eur"]) for i in idx), Decimal(0))
        reimbursable = sum((rides[i].reimbursable_eur for i in idx), Decimal(0))
        before = min(Decimal(paid_2025), amount) if year == 2025 else Decimal(0)
        assert charged == min(amount - before, reimbursable)
    for r, d in zip(rides, out, strict=True):
        c = Decimal(d.details["contribution_eur"])
        assert 0 <= c <= r.reimbursable_eur
        assert Decimal(d.details["insurer_pays_eur"]) == r.reimbursable_eur - c
