import datetime as dt
import tomllib
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest
from dateutil.easter import easter
from holidays.constants import OPTIONAL, PUBLIC
from hypothesis import given, settings
from hypothesis import strategies as st

from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet
from transport.workdays import (
    Channel,
    WorkdayCalendar,
    expected_payment_date,
    expected_payment_dates,
    parse_channel,
    parse_date,
    statutory_holidays,
)

D = dt.date
ROOT = Path(__file__).resolve().parents[2]


def atw_days(year: int) -> dict[dt.date, str]:
    """Atw art. 3 days computed independently of the holidays package (Easter from dateutil)."""
    e = easter(year)
    kings = D(year, 4, 27) if D(year, 4, 27).weekday() != 6 else D(year, 4, 26)
    days = {
        D(year, 1, 1): "Nieuwjaarsdag",
        e - dt.timedelta(days=2): "Goede vrijdag",
        e + dt.timedelta(days=1): "Tweede paasdag",
        kings: "Koningsdag",
        e + dt.timedelta(days=39): "Hemelvaartsdag",
        e + dt.timedelta(days=50): "Tweede pinksterdag",
        D(year, 12, 25): "Eerste kerstdag",
        D(year, 12, 26): "Tweede kerstdag",
    }
    may5 = D(year, 5, 5)
    days[may5] = f"{days[may5]}; Bevrijdingsdag" if may5 in days else "Bevrijdingsdag"
    return days


# --- the pinned package and what it returns ---------------------------------------------------


def test_installed_holidays_is_the_pinned_version():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pin = next(d for d in deps if d.startswith("holidays"))
    assert pin == f"holidays=={holidays.__version__}"


def test_package_findings_for_the_pinned_version():
    """What holidays 0.109 returns, which the module corrects for (documented in the report)."""
    for year in range(2023, 2031):
        raw = holidays.NL(years=year, categories=(PUBLIC, OPTIONAL), language="nl")
        names = set(raw.values())
        # Good Friday and 5 May are in PUBLIC+OPTIONAL every year
        assert "Goede vrijdag" in names
        assert D(year, 5, 5) in raw
        # Easter Sunday and Whit Sunday are in it but are no Atw days (always Sundays)
        assert "Eerste paasdag" in names and "Eerste pinksterdag" in names
        public = holidays.NL(years=year, language="nl")
        # PUBLIC alone has 5 May only in lustrum years
        assert (D(year, 5, 5) in public) == (year % 5 == 0)


# --- the statutory calendar -------------------------------------------------------------------


@pytest.mark.parametrize("year", range(2023, 2031))
def test_statutory_holidays_are_exactly_the_atw_days(year):
    got = {h.date: h.name for h in statutory_holidays(year)}
    assert got == atw_days(year)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2025, 4, 26), "Koningsdag"),  # 27 April 2025 is a Sunday
        (D(2026, 4, 27), "Koningsdag"),
        (D(2024, 3, 29), "Goede vrijdag"),  # early Easter (31 March 2024)
        (D(2024, 4, 1), "Tweede paasdag"),
        (D(2027, 3, 26), "Goede vrijdag"),  # early Easter (28 March 2027)
        (D(2030, 4, 22), "Tweede paasdag"),  # late Easter (21 April 2030)
        (D(2030, 5, 30), "Hemelvaartsdag"),
        (D(2030, 6, 10), "Tweede pinksterdag"),
        (D(2023, 5, 5), "Bevrijdingsdag"),  # not a lustrum year: still an Atw day
        (D(2026, 5, 5), "Bevrijdingsdag"),
        (D(2029, 5, 5), "Bevrijdingsdag"),  # a Saturday
        (D(2026, 5, 14), "Hemelvaartsdag"),
        (D(2026, 5, 25), "Tweede pinksterdag"),
        (D(2028, 1, 1), "Nieuwjaarsdag"),
        (D(2028, 12, 26), "Tweede kerstdag"),
        (D(2013, 4, 30), "Koninginnedag"),
    ],
)
def test_known_days(day, name):
    cal = WorkdayCalendar()
    assert cal.holiday(day).name == name
    assert not cal.is_working_day(day)


def test_kings_day_on_sunday_moves_to_saturday_not_monday():
    cal = WorkdayCalendar()
    assert D(2025, 4, 27).weekday() == 6
    assert cal.holiday(D(2025, 4, 27)) is None
    assert cal.is_working_day(D(2025, 4, 28))  # the Monday after is a working day


def test_two_holidays_on_one_day():
    # Ascension Day fell on 5 May in 2005
    (h,) = [h for h in statutory_holidays(2005) if h.date == D(2005, 5, 5)]
    assert "Hemelvaartsdag" in h.name and "Bevrijdingsdag" in h.name


def test_good_friday_source_is_lid_2():
    gf = [h for h in statutory_holidays(2026) if h.name == "Goede vrijdag"]
    assert gf[0].source == "Atw art. 3 lid 2"
    assert all(h.source == "Atw art. 3 lid 1" for h in statutory_holidays(2026) if h not in gf)


def test_easter_and_whit_sunday_are_weekend_not_holidays():
    cal = WorkdayCalendar()
    assert cal.holiday(D(2026, 4, 5)) is None
    assert cal.skipped_reason(D(2026, 4, 5)).reason == "weekend"


def test_ordinary_days():
    cal = WorkdayCalendar()
    assert cal.is_working_day(D(2026, 11, 25))  # Wednesday
    assert not cal.is_working_day(D(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(D(2026, 11, 29))  # Sunday
    assert cal.next_working_day(D(2026, 11, 27)) == D(2026, 11, 30)


def test_year_before_the_atw_calendar_is_an_error():
    with pytest.raises(InvalidInput) as exc:
        statutory_holidays(1960)
    assert exc.value.field == "date"
    # a custom calendar has no such limit
    cal = WorkdayCalendar(statutory=False, holidays={D(1960, 1, 1): "x"})
    assert not cal.is_working_day(D(1960, 1, 1))


# --- payment date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "channel", "expected"),
    [
        # the worked example of issue 5
        (D(2026, 11, 24), "online", D(2026, 12, 2)),
        # received on a Friday: day 1 is Monday
        (D(2026, 11, 27), "online", D(2026, 12, 7)),
        # on a Saturday or Sunday: the same
        (D(2026, 11, 28), "online", D(2026, 12, 7)),
        (D(2026, 11, 29), "online", D(2026, 12, 7)),
        # before Christmas: 24 (1), 28 (2) 29 (3) 30 (4) 31 (5), Jan 1 skipped, Jan 4 (6)
        (D(2026, 12, 23), "online", D(2027, 1, 4)),
        # on Christmas Day itself
        (D(2026, 12, 25), "online", D(2027, 1, 5)),
        # before Easter 2026: Good Friday 3 April and Easter Monday 6 April skipped
        (D(2026, 4, 2), "online", D(2026, 4, 14)),
        # by post across King's Day (27 April) and 5 May 2026 (not a lustrum year)
        (D(2026, 4, 23), "post", D(2026, 5, 11)),
        # by post before Ascension and Whit Monday 2026
        (D(2026, 5, 13), "post", D(2026, 5, 29)),
        (D(2026, 11, 24), "post", D(2026, 12, 8)),
    ],
)
def test_payment_dates(received, channel, expected):
    result = expected_payment_date(received, channel)
    assert result.payment_date == expected
    n = 6 if channel == "online" else 10
    assert result.working_days == n
    assert len(result.counted_days) == n
    assert result.counted_days[-1] == expected
    assert result.counted_days[0] == WorkdayCalendar().next_working_day(received)
    # every calendar day between receipt and payment is counted or skipped, once
    span = {received + dt.timedelta(days=i) for i in range(1, (expected - received).days + 1)}
    assert span == set(result.counted_days) | {s.date for s in result.skipped_days}


def test_worked_example_details():
    r = expected_payment_date("2026-11-24", "online")
    assert [d.isoformat() for d in r.counted_days] == [
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
    ]
    assert [s.reason for s in r.skipped_days] == ["weekend", "weekend"]
    assert r.holidays_skipped == ()
    assert r.parameter.name == "betaaltermijn_werkdagen_online"
    assert "not statutory" in r.parameter.source


def test_holidays_skipped_are_listed():
    r = expected_payment_date(D(2026, 4, 23), "post")
    assert [(s.date, s.name) for s in r.holidays_skipped] == [
        (D(2026, 4, 27), "Koningsdag"),
        (D(2026, 5, 5), "Bevrijdingsdag"),
    ]
    decision = r.to_decision()
    assert decision.ok and decision.codes == ("PAYMENT_DATE_EXPECTED",)
    assert "Koningsdag" in decision.reasons[0].text
    assert decision.parameters[0].value == 10


def test_holiday_on_a_saturday_is_a_weekend_day():
    r = expected_payment_date(D(2026, 12, 24), "post")  # 26 Dec 2026 is a Saturday
    sat = next(s for s in r.skipped_days if s.date == D(2026, 12, 26))
    assert sat.reason == "weekend" and "Tweede kerstdag" in sat.name
    assert D(2026, 12, 26) not in {s.date for s in r.holidays_skipped}


def test_parameters_drive_the_term(tmp_path):
    ps = ParameterSet().with_overrides(betaaltermijn_werkdagen_online=1)
    assert expected_payment_date(D(2026, 11, 24), "online", parameters=ps).payment_date == D(
        2026, 11, 25
    )
    with pytest.raises(ParameterNotInForce):
        expected_payment_date(D(2022, 6, 1), "online")


def test_parameter_files_hold_6_and_10_with_source():
    ps = ParameterSet()
    for name, value in (
        ("betaaltermijn_werkdagen_online", 6),
        ("betaaltermijn_werkdagen_post", 10),
    ):
        param = ps.get(name)
        assert param.unit == "working days"
        assert "not statutory" in param.source
        assert ps.value(name, D(2026, 1, 1)) == value


def test_bad_inputs():
    with pytest.raises(InvalidInput) as exc:
        expected_payment_date("2026-02-30", "online")
    assert exc.value.field == "received"
    with pytest.raises(InvalidInput) as exc:
        expected_payment_date("2026-11-24", "fax")
    assert exc.value.field == "channel"
    with pytest.raises(InvalidInput):
        WorkdayCalendar().nth_working_day_after(D(2026, 1, 1), 0)
    bad = ParameterSet().with_overrides(betaaltermijn_werkdagen_post=2.5)
    with pytest.raises(InvalidInput):
        expected_payment_date("2026-11-24", "post", parameters=bad)


def test_parse_date_forms():
    assert parse_date("2026-11-24") == D(2026, 11, 24)
    assert parse_date("24-11-2026") == D(2026, 11, 24)
    assert parse_date("24/11/2026") == D(2026, 11, 24)
    assert parse_date("1.2.2026") == D(2026, 2, 1)  # day first, never guessed
    assert parse_date("2026-11-24 00:00:00") == D(2026, 11, 24)
    assert parse_date(pd.Timestamp("2026-11-24 13:00")) == D(2026, 11, 24)
    assert parse_date(np.datetime64("2026-11-24")) == D(2026, 11, 24)
    for bad in ("24-11/2026", "2026/11/24", "20261124", "tomorrow", "", None, float("nan")):
        with pytest.raises(InvalidInput):
            parse_date(bad)


def test_parse_channel():
    assert parse_channel(" Online ") is Channel.ONLINE
    assert parse_channel("POST") is Channel.POST


# --- configurable calendar --------------------------------------------------------------------


def test_extra_closing_day_shifts_the_date():
    cal = WorkdayCalendar(extra_closing_days={D(2026, 11, 30): "kantoor gesloten"})
    r = expected_payment_date(D(2026, 11, 24), "online", calendar=cal)
    assert r.payment_date == D(2026, 12, 3)
    assert [s.name for s in r.holidays_skipped] == ["kantoor gesloten"]
    # the statutory days still hold
    assert not cal.is_working_day(D(2026, 12, 25))


def test_custom_list_replaces_the_statutory_one():
    cal = WorkdayCalendar(statutory=False, holidays=[D(2026, 11, 26)])
    assert cal.is_working_day(D(2026, 4, 3))  # Good Friday no longer closed
    r = expected_payment_date(D(2026, 11, 24), "online", calendar=cal)
    assert r.payment_date == D(2026, 12, 3)
    assert cal.describe()["statutory"] is False


def test_calendar_from_file(tmp_path):
    path = tmp_path / "kalender.yaml"
    path.write_text(
        "statutory: true\nextra_closing_days:\n  2026-05-15: Vrijdag na Hemelvaartsdag\n",
        encoding="utf-8",
    )
    cal = WorkdayCalendar.from_file(path)
    assert cal.holiday(D(2026, 5, 15)).name == "Vrijdag na Hemelvaartsdag"
    assert cal.holiday(D(2026, 5, 14)).name == "Hemelvaartsdag"
    (tmp_path / "bad.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(InvalidInput):
        WorkdayCalendar.from_file(tmp_path / "bad.yaml")
    with pytest.raises(InvalidInput):
        WorkdayCalendar.from_file(tmp_path / "absent.yaml")
    (tmp_path / "baddate.yaml").write_text("extra_closing_days:\n  soon: x\n")
    with pytest.raises(InvalidInput):
        WorkdayCalendar.from_file(tmp_path / "baddate.yaml")


# --- vectorised == scalar ---------------------------------------------------------------------

days_2023_2030 = st.dates(min_value=D(2023, 1, 1), max_value=D(2030, 12, 20))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(days_2023_2030, st.sampled_from(["online", "post"])), max_size=40))
def test_vectorised_equals_scalar(rows):
    received = pd.Series([d for d, _ in rows], dtype=object)
    channels = [c for _, c in rows]
    got = expected_payment_dates(received, channels)
    assert len(got) == len(rows)
    for (day, channel), value in zip(rows, got, strict=True):
        assert value.date() == expected_payment_date(day, channel).payment_date


@settings(max_examples=80, deadline=None)
@given(days_2023_2030, st.integers(min_value=1, max_value=30))
def test_nth_working_day_properties(day, n):
    cal = WorkdayCalendar()
    result = cal.nth_working_day_after(day, n)
    assert cal.is_working_day(result)
    assert cal.working_days_between(day, result) == n
    assert cal.nth_working_day_after_array(np.array([day], dtype="datetime64[D]"), n)[0] == (
        np.datetime64(result, "D")
    )


def test_vectorised_handles_bad_rows_without_dying():
    got = expected_payment_dates(
        pd.Series(["2026-11-24", None, "nonsense", "2022-06-01", "24-11-2026"]),
        ["online", "online", "online", "online", "fax"],
    )
    assert got.iloc[0] == pd.Timestamp("2026-12-02")
    assert got.iloc[1:].isna().all()  # missing, unreadable, no term in force, unknown channel


def test_vectorised_keeps_the_index_and_accepts_datetime_columns():
    s = pd.Series(pd.to_datetime(["2026-11-24", "2026-11-28"]), index=[10, 20])
    got = expected_payment_dates(s, "post")
    assert list(got.index) == [10, 20]
    assert list(got.dt.date) == [D(2026, 12, 8), D(2026, 12, 11)]


def test_days_the_package_might_drop_are_added_back(monkeypatch):
    """Should a later pin move Good Friday or 5 May out of PUBLIC+OPTIONAL, they stay Atw days."""
    import transport.workdays as wd

    real = wd._package_year(2026)
    stripped = tuple((d, n) for d, n in real if n not in ("Goede vrijdag", "Bevrijdingsdag"))
    monkeypatch.setattr(wd, "_package_year", lambda year: stripped)
    wd.statutory_holidays.cache_clear()
    try:
        got = {h.date: h.name for h in wd.statutory_holidays(2026)}
        assert got == atw_days(2026)
    finally:
        wd.statutory_holidays.cache_clear()


def test_an_unknown_package_holiday_needs_review(monkeypatch):
    import transport.workdays as wd

    monkeypatch.setattr(wd, "_package_year", lambda year: ((D(year, 3, 1), "Nieuwe feestdag"),))
    wd.statutory_holidays.cache_clear()
    try:
        with pytest.raises(InvalidInput, match="review"):
            wd.statutory_holidays(2026)
    finally:
        wd.statutory_holidays.cache_clear()
