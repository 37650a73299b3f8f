import datetime as dt

import pytest

from transport.errors import InvalidInput
from transport.schedule import WeeklySchedule, age_on, parse_weekdays, ride_dates

D = dt.date


def test_parse_weekdays_english_dutch_and_numbers():
    assert parse_weekdays("mon,wed,fri") == (0, 2, 4)
    assert parse_weekdays("vr/ma/wo") == (0, 2, 4)
    assert parse_weekdays(["Tuesday", 3, "tue"]) == (1, 3)
    with pytest.raises(InvalidInput) as exc:
        parse_weekdays("mon,funday")
    assert exc.value.field == "weekdays"
    with pytest.raises(InvalidInput):
        parse_weekdays("")
    with pytest.raises(InvalidInput):
        parse_weekdays([7])


def test_six_months_mon_wed_fri():
    s = WeeklySchedule(D(2025, 1, 6), "mon,wed,fri", months=6)  # 6 January 2025 is a Monday
    dates = s.dates()
    assert s.last_day == D(2025, 7, 5)
    assert dates[0] == D(2025, 1, 6)
    assert dates[-1] == D(2025, 7, 4)  # Friday before the exclusive end 2025-07-06
    assert all(d.weekday() in (0, 2, 4) for d in dates)
    # every week from 6 Jan to 4 Jul is complete: 26 weeks x 3
    assert len(dates) == 26 * 3
    assert s.per_week == 3
    assert "Mon/Wed/Fri" in s.label


def test_month_end_and_until_and_skip():
    s = WeeklySchedule(D(2024, 1, 31), [2], months=1)
    assert s.last_day == D(2024, 2, 28)  # 31 Jan + 1 month = 29 Feb (leap), exclusive -> 28 Feb
    s2 = WeeklySchedule(D(2025, 1, 6), "mon", until=D(2025, 1, 20), skip=(D(2025, 1, 13),))
    assert s2.dates() == [D(2025, 1, 6), D(2025, 1, 20)]  # until is inclusive


def test_schedule_validation():
    with pytest.raises(InvalidInput) as exc:
        WeeklySchedule(D(2025, 1, 6), "mon")
    assert exc.value.field == "months"
    with pytest.raises(InvalidInput):
        WeeklySchedule(D(2025, 1, 6), "mon", months=0)
    with pytest.raises(InvalidInput):
        WeeklySchedule(D(2025, 1, 6), "mon", until=D(2025, 1, 1))
    with pytest.raises(InvalidInput):
        ride_dates([])
    with pytest.raises(InvalidInput):
        ride_dates(["2025-01-01"])  # strings are not dates


def test_age_on_birthday_counts_from_the_day_itself():
    born = D(2009, 5, 10)
    assert age_on(born, D(2025, 5, 9)) == 15
    assert age_on(born, D(2025, 5, 10)) == 16
    assert age_on(born, D(2025, 5, 11)) == 16


def test_age_on_leap_day_birth():
    born = D(2008, 2, 29)
    assert age_on(born, D(2024, 2, 28)) == 15
    assert age_on(born, D(2024, 2, 29)) == 16
    assert age_on(born, D(2025, 2, 28)) == 16
    assert age_on(born, D(2026, 2, 28)) == 17  # no 29 February in 2026: the birthday is 1 March
    assert age_on(born, D(2026, 3, 1)) == 18


def test_age_before_birth_is_invalid():
    with pytest.raises(InvalidInput) as exc:
        age_on(D(2020, 1, 1), D(2019, 12, 31))
    assert exc.value.field == "birth_date"
