import datetime as dt

import pytest

from transport.authorisation import Authorisation, check_authorisation, procedure
from transport.errors import InvalidInput

D = dt.date
AUTH = Authorisation(
    number="M2025-000123",
    indication="dialysis",
    mode="taxi",
    valid_from=D(2025, 1, 6),
    valid_to=D(2025, 7, 4),
    insured="REL-42",
    carrier="Voorbeeld Zorgtaxi Twente",
)


def check(auth=AUTH, **kw):
    args = dict(
        ride_date=D(2025, 3, 3),
        indication="dialysis",
        mode="taxi",
        carrier="Voorbeeld Zorgtaxi Twente",
        carrier_contracted=True,
        insured="REL-42",
    )
    args.update(kw)
    return check_authorisation(auth, **args)


def test_valid_ride():
    d = check()
    assert d.ok and d.codes == ("AUTH_VALID", "AUTH_PROCEDURE")
    assert d.details["number"] == "M2025-000123"


@pytest.mark.parametrize(
    ("day", "ok"),
    [(D(2025, 1, 5), False), (D(2025, 1, 6), True), (D(2025, 7, 4), True), (D(2025, 7, 5), False)],
)
def test_validity_first_and_last_day_inclusive(day, ok):
    d = check(ride_date=day)
    assert d.ok is ok
    if not ok:
        assert d.codes[0] == "AUTH_OUTSIDE_VALIDITY" and d.reasons[0].vektis == "0551"


def test_missing_authorisation():
    d = check(auth=None)
    assert not d.ok and d.codes == ("AUTH_MISSING", "AUTH_PROCEDURE")
    assert d.reasons[0].vektis == "0551"


def test_every_mismatch_is_reported():
    d = check(
        ride_date=D(2026, 1, 1),
        indication="oncology",
        mode="own_car",
        carrier=None,
        carrier_contracted=None,
        insured="REL-43",
    )
    assert not d.ok
    assert set(d.codes) >= {
        "AUTH_OUTSIDE_VALIDITY",
        "AUTH_INDICATION_MISMATCH",
        "AUTH_MODE_MISMATCH",
        "AUTH_CARRIER_MISMATCH",
        "AUTH_INSURED_MISMATCH",
    }
    # the insured's identifiers never appear in the reasons
    assert not any("REL-4" in r.text for r in d.reasons)


def test_carrier_matches_ignoring_case():
    assert check(carrier="voorbeeld zorgtaxi twente").ok
    assert not check(carrier="Andere Taxi").ok
    open_auth = Authorisation("M1", "dialysis", "taxi", D(2025, 1, 1), D(2025, 12, 31))
    assert check(open_auth, carrier="Andere Taxi").ok  # no carrier named: any carrier


def test_max_rides():
    auth = Authorisation("M1", "dialysis", "taxi", D(2025, 1, 1), D(2025, 12, 31), max_rides=10,
                         rides_used=8)  # fmt: skip
    assert check(auth, ride_number=2).ok
    d = check(auth, ride_number=3)
    assert not d.ok and d.codes[0] == "AUTH_MAX_RIDES_EXCEEDED"
    assert d.details["ride_count"] == 11 and d.details["max_rides"] == 10


def test_procedure_contracted_uncontracted_and_own_car():
    contracted = procedure("taxi", True)
    uncontracted = procedure("taxi", False)
    assert contracted["channel"] == "online" and contracted["requested_by"] == "insured"
    assert uncontracted["channel"] == "GZSP request form"
    for p in (contracted, uncontracted, procedure("own_car", None)):
        assert p["carrier_may_request"] is False and p["in_advance"] is True
    d = check(carrier_contracted=False)
    assert d.details["procedure"]["channel"] == "GZSP request form"
    assert "GZSP request form" in d.reasons[-1].text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"number": ""}, "authorisation.number"),
        ({"number": "X" * 16}, "authorisation.number"),
        ({"mode": "bike"}, "authorisation.mode"),
        ({"valid_to": D(2024, 12, 31)}, "authorisation.valid_to"),
        ({"max_rides": 0}, "authorisation.max_rides"),
        ({"valid_from": "2025-01-01"}, "authorisation.valid_from"),
    ],
)
def test_validation(kwargs, field):
    base = dict(number="M1", indication="dialysis", mode="taxi", valid_from=D(2025, 1, 1),
                valid_to=D(2025, 12, 31))  # fmt: skip
    base.update(kwargs)
    with pytest.raises(InvalidInput) as exc:
        Authorisation(**base)
    assert exc.value.field == field
