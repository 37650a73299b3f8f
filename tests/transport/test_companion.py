import datetime as dt

import pytest

from transport.companion import CompanionNeed, check_companion
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet

BORN = dt.date(2009, 5, 10)  # 16th birthday on 2025-05-10


def test_no_companion_is_trivially_ok():
    d = check_companion(CompanionNeed(), dt.date(2025, 1, 1))
    assert d.ok and d.codes == ("COMPANION_NONE",) and d.details["covered"] == 0


def test_age_15_on_ride_date_is_covered():
    d = check_companion(CompanionNeed(1, birth_date=BORN), dt.date(2025, 5, 9))
    assert d.ok and d.details["age"] == 15 and d.details["covered"] == 1
    assert "COMPANION_UNDER_AGE_LIMIT" in d.codes
    assert d.parameters[0].name == "companion_age_limit" and d.parameters[0].value == 16


def test_16th_birthday_on_ride_date_is_not_covered():
    d = check_companion(CompanionNeed(1, birth_date=BORN), dt.date(2025, 5, 10))
    assert not d.ok and d.details["age"] == 16 and d.details["covered"] == 0
    assert d.codes == ("COMPANION_NOT_COVERED",)


def test_necessary_covers_at_any_age():
    d = check_companion(CompanionNeed(1, necessary=True, birth_date=BORN), dt.date(2040, 1, 1))
    assert d.ok and d.codes == ("COMPANION_NECESSARY",)
    assert check_companion(CompanionNeed(1, necessary=True), dt.date(2025, 1, 1)).ok


def test_without_birth_date_or_need_not_covered():
    d = check_companion(CompanionNeed(1), dt.date(2025, 1, 1))
    assert not d.ok and "no birth date" in d.reasons[0].text


def test_two_companions_need_approval():
    need = CompanionNeed(2, necessary=True)
    d = check_companion(need, dt.date(2025, 1, 1))
    assert not d.ok and d.details["covered"] == 1
    assert "COMPANION_SECOND_NOT_APPROVED" in d.codes
    d2 = check_companion(CompanionNeed(2, necessary=True, two_approved=True), dt.date(2025, 1, 1))
    assert d2.ok and d2.details["covered"] == 2
    # approval alone does not make companions covered without a ground
    d3 = check_companion(CompanionNeed(2, two_approved=True), dt.date(2025, 1, 1))
    assert not d3.ok and d3.details["covered"] == 0


def test_validation_and_parameters():
    with pytest.raises(InvalidInput) as exc:
        CompanionNeed(3)
    assert exc.value.field == "companions"
    with pytest.raises(InvalidInput):
        CompanionNeed(True)
    ps = ParameterSet().with_overrides(companion_age_limit=18)
    assert check_companion(
        CompanionNeed(1, birth_date=BORN), dt.date(2025, 5, 10), parameters=ps
    ).ok
    with pytest.raises(ParameterNotInForce):
        check_companion(CompanionNeed(1, birth_date=BORN), dt.date(2017, 1, 1))
