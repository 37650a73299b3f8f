"""Dutch working days (Algemene termijnenwet art. 3) and the expected payment date of a claim.

Working days
------------
A day is a working day unless it is a Saturday, a Sunday or a generally recognised holiday
(*algemeen erkende feestdag*) of the Algemene termijnenwet (Atw, BWBR0002448):

* art. 3 lid 1: New Year's Day, Easter Monday, Whit Monday, Christmas Day and Boxing Day,
  Ascension Day, the day the King's birthday is celebrated (27 April, or Saturday 26 April when
  the 27th is a Sunday; Queen's Day 30 April before 2014), and 5 May **every** year;
* art. 3 lid 2: Good Friday is treated as such a holiday.

The dates come from the ``holidays`` package (pinned in ``pyproject.toml``), as
``holidays.NL(categories=(PUBLIC, OPTIONAL), language="nl")``. In the pinned version 0.109 that
set holds every Atw day (Good Friday is PUBLIC; 5 May is PUBLIC in lustrum years and OPTIONAL in
the others, so the union has it every year from 1982) plus Easter Sunday and Whit Sunday, which
are Sundays and not Atw holidays: they are dropped here so the holiday list names only Atw days.
Should a later package version move Good Friday or 5 May out of these categories again, they are
added back in code (:func:`statutory_holidays`); the tests pin every day for 2023-2030.

Days equated with a holiday by Royal Decree (art. 3 lid 3, e.g. a Friday after Ascension Day) are
not in the package; pass them as ``extra_closing_days``. The calendar is configurable:

* ``WorkdayCalendar()`` -- the statutory calendar;
* ``WorkdayCalendar(extra_closing_days={date(2026, 5, 15): "kantoor gesloten"})`` -- statutory
  days plus the insurer's own closing days;
* ``WorkdayCalendar(holidays={...}, statutory=False)`` -- a custom holiday list only
  (weekends stay non-working);
* ``WorkdayCalendar.from_file(path)`` -- the same from a YAML file::

      statutory: true            # false: use only the days below
      holidays:                  # optional custom holidays (date: name)
        2026-12-24: Kerstavond
      extra_closing_days:        # optional closing days on top (date: name)
        2026-05-15: Vrijdag na Hemelvaartsdag

Payment date
------------
An insurer that promises payment "within N working days, counted from the first working day
after receipt" pays at the latest on the N-th working day strictly after the day of receipt: the
first working day after receipt is day 1. Received online (N = 6) on Tuesday 24 November 2026:
days 1-6 are 25, 26, 27, 30 November, 1 and 2 December, so it is paid by Wednesday 2 December
2026. N is 6 for an online submission and 10 by post: a service norm of Coöperatie VGZ, not a
statutory term, read from the parameter files ``betaaltermijn_werkdagen_online`` and
``betaaltermijn_werkdagen_post`` (override them like any parameter). The time of day of receipt
is not modelled: the date of receipt is the day the claim came in.

:func:`expected_payment_date` answers one claim with the days counted and skipped;
:func:`expected_payment_dates` answers a whole column at once with :func:`numpy.busday_offset`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

import holidays as holidays_pkg
import numpy as np
import pandas as pd
import yaml
from holidays.constants import OPTIONAL, PUBLIC

from transport.decisions import Decision, Reason, UsedParameter
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet

ATW_SOURCE = "Algemene termijnenwet (BWBR0002448) art. 3"
PAYMENT_TERM_SOURCE = (
    "insurer service norm (Coöperatie VGZ; not statutory): paid within a number of working "
    "days, counted from the first working day after receipt"
)

#: First year the ``holidays`` package (and so the statutory calendar here) covers; the
#: Algemene termijnenwet took effect on 1 April 1965.
FIRST_STATUTORY_YEAR = 1966

# Names (language "nl") holidays.NL returns that are Atw days, and those that are not.
_ATW_NAMES: frozenset[str] = frozenset(
    {
        "Nieuwjaarsdag",
        "Goede vrijdag",
        "Tweede paasdag",
        "Koningsdag",
        "Koninginnedag",
        "Bevrijdingsdag",
        "Hemelvaartsdag",
        "Tweede pinksterdag",
        "Eerste kerstdag",
        "Tweede kerstdag",
    }
)
_NOT_ATW_NAMES: frozenset[str] = frozenset({"Eerste paasdag", "Eerste pinksterdag"})

#: numpy weekmask Monday..Sunday: Saturday and Sunday are never working days (Atw art. 1).
_WEEKMASK = "1111100"


class Channel(StrEnum):
    """How a claim (nota) reached the insurer."""

    ONLINE = "online"
    POST = "post"


#: Parameter file holding the number of working days for each channel.
PAYMENT_TERM_PARAMETER: dict[Channel, str] = {
    Channel.ONLINE: "betaaltermijn_werkdagen_online",
    Channel.POST: "betaaltermijn_werkdagen_post",
}


def parse_channel(value: str | Channel, *, field: str = "channel") -> Channel:
    """Return the :class:`Channel` for ``"online"`` or ``"post"`` (case-insensitive).

    Raises
    ------
    InvalidInput
        For any other value, naming ``field``.
    """
    if isinstance(value, Channel):
        return value
    text = str(value).strip().casefold()
    try:
        return Channel(text)
    except ValueError:
        raise InvalidInput(
            f"unknown channel {str(value)[:20]!r}: use 'online' or 'post'", field=field
        ) from None


_ISO_DATE = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")
# ISO date with a time, as spreadsheets export it ("2026-11-24 00:00:00", "2026-11-24T08:30")
_ISO_DATETIME = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
)
_DUTCH_DATE = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")


def parse_date(value: Any, *, field: str = "date") -> dt.date:
    """Return a date from a ``date``, ``datetime``, pandas ``Timestamp`` or text.

    Text is read as ISO ``YYYY-MM-DD`` (optionally followed by a time, which is dropped) or
    Dutch ``DD-MM-YYYY`` (also with ``/`` or ``.``); one-digit days and months are allowed.
    Nothing else is guessed: ``01-02-2026`` is 1 February.

    Raises
    ------
    InvalidInput
        When the value is missing or not such a date, naming ``field``.
    """
    if value is pd.NaT:
        raise InvalidInput("date is missing", field=field)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise InvalidInput("date is missing", field=field)
        return dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    if _is_missing(value):
        raise InvalidInput("date is missing", field=field)
    text = str(value).strip()
    if not text:
        raise InvalidInput("date is missing", field=field)
    match = _ISO_DATE.fullmatch(text) or _ISO_DATETIME.fullmatch(text)
    if match:
        y, m, d = match.group("y", "m", "d")
    else:
        match = _DUTCH_DATE.fullmatch(text)
        if match:
            y, m, d = match.group("y", "m", "d")
    if match:
        try:
            return dt.date(int(y), int(m), int(d))
        except ValueError:
            pass
    raise InvalidInput(
        "not a date: write it as YYYY-MM-DD (e.g. 2026-11-24) or DD-MM-YYYY",
        field=field,
    )


def _is_missing(value: Any) -> bool:
    """Whether a scalar is None, NaN, ``pd.NA`` or ``pd.NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


@dataclass(frozen=True)
class Holiday:
    """A non-working day other than a weekend day.

    Attributes
    ----------
    date : datetime.date
    name : str
        Dutch name (``"Tweede paasdag"``) or the name given by the user.
    source : str
        ``"Atw art. 3 lid 1"``, ``"Atw art. 3 lid 2"``, ``"custom"`` or ``"extra closing day"``.
    """

    date: dt.date
    name: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"date": self.date.isoformat(), "name": self.name, "source": self.source}


@dataclass(frozen=True)
class SkippedDay:
    """A day that was not counted as a working day.

    Attributes
    ----------
    date : datetime.date
    reason : {"weekend", "holiday"}
        A holiday on a Saturday or Sunday counts as ``"weekend"``.
    name : str
        The holiday's name, or ``"zaterdag"``/``"zondag"`` for a weekend day (with the name of a
        holiday falling on it in brackets, e.g. ``"zaterdag (Tweede kerstdag)"``).
    """

    date: dt.date
    reason: Literal["weekend", "holiday"]
    name: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"date": self.date.isoformat(), "reason": self.reason, "name": self.name}


@cache
def _package_year(year: int) -> tuple[tuple[dt.date, str], ...]:
    nl = holidays_pkg.NL(years=year, categories=(PUBLIC, OPTIONAL), language="nl")
    return tuple(sorted((d, "; ".join(nl.get_list(d))) for d in nl))


@cache
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """Return the Atw art. 3 holidays of ``year``, sorted by date.

    Built from ``holidays.NL(categories=(PUBLIC, OPTIONAL))``: Easter Sunday and Whit Sunday are
    dropped (Sundays, not Atw days); Good Friday and 5 May are added should the package not
    return them. Two holidays on one date (Ascension Day on 5 May, as in 2005) give one entry
    with both names.

    Raises
    ------
    InvalidInput
        For a year before 1966, or when the package returns a day this module does not know
        (a change in the pinned package that needs review).
    """
    if year < FIRST_STATUTORY_YEAR:
        raise InvalidInput(
            f"no statutory working-day calendar before {FIRST_STATUTORY_YEAR} (asked {year}); "
            "pass a custom holiday list",
            field="date",
        )
    days: dict[dt.date, list[str]] = {}
    for day, joined in _package_year(year):
        for name in joined.split("; "):
            if name in _NOT_ATW_NAMES:
                continue
            if name not in _ATW_NAMES:
                raise InvalidInput(
                    f"holidays {holidays_pkg.__version__} returns an unknown Dutch holiday "
                    f"{name!r} on {day.isoformat()}; review transport.workdays for this version",
                    field="date",
                )
            days.setdefault(day, []).append(name)
    names = {n for ns in days.values() for n in ns}
    if "Goede vrijdag" not in names:  # Atw art. 3 lid 2
        good_friday = _easter(year) - dt.timedelta(days=2)
        days.setdefault(good_friday, []).append("Goede vrijdag")
    if "Bevrijdingsdag" not in names and year >= 1982:  # Atw art. 3 lid 1 since 1982
        days.setdefault(dt.date(year, 5, 5), []).append("Bevrijdingsdag")
    return tuple(
        Holiday(
            d,
            "; ".join(ns),
            "Atw art. 3 lid 2" if ns == ["Goede vrijdag"] else "Atw art. 3 lid 1",
        )
        for d, ns in sorted(days.items())
    )


def _easter(year: int) -> dt.date:
    from dateutil.easter import easter

    return easter(year)


def _as_day_map(days: Mapping[Any, str] | Iterable[Any] | None, field: str) -> dict[dt.date, str]:
    if days is None:
        return {}
    if isinstance(days, Mapping):
        return {parse_date(k, field=field): str(v) for k, v in days.items()}
    return {parse_date(d, field=field): "gesloten" for d in days}


class WorkdayCalendar:
    """Working days: Monday to Friday minus holidays and closing days.

    Parameters
    ----------
    extra_closing_days : mapping of date to name, or iterable of dates, optional
        Days on top of the holidays that are not working days (an insurer's closing days, days
        equated with a holiday under Atw art. 3 lid 3).
    holidays : mapping of date to name, or iterable of dates, optional
        A custom holiday list. Used instead of the statutory list when ``statutory`` is false,
        and in addition to it otherwise.
    statutory : bool, default True
        Whether the Atw art. 3 holidays (see the module docstring) apply.

    Notes
    -----
    Instances are immutable in use; the per-year holiday tables and numpy business-day
    calendars are cached, so one instance serves a batch of any size.
    """

    def __init__(
        self,
        *,
        extra_closing_days: Mapping[Any, str] | Iterable[Any] | None = None,
        holidays: Mapping[Any, str] | Iterable[Any] | None = None,
        statutory: bool = True,
    ) -> None:
        self.statutory = statutory
        self.custom_holidays: dict[dt.date, str] = _as_day_map(holidays, "holidays")
        self.extra_closing_days: dict[dt.date, str] = _as_day_map(
            extra_closing_days, "extra_closing_days"
        )
        self._years: dict[int, dict[dt.date, Holiday]] = {}
        self._busdaycals: dict[tuple[int, int], np.busdaycalendar] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> WorkdayCalendar:
        """Read a calendar from a YAML file (format in the module docstring).

        Raises
        ------
        InvalidInput
            When the file is missing, not YAML, or holds a date that is not a date.
        """
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidInput(
                f"cannot read calendar file {p.name}: {type(exc).__name__}", field="calendar"
            ) from None
        if not isinstance(raw, dict):
            raise InvalidInput(
                f"calendar file {p.name} must be a mapping with 'holidays' and/or "
                "'extra_closing_days'",
                field="calendar",
            )
        return cls(
            extra_closing_days=raw.get("extra_closing_days"),
            holidays=raw.get("holidays"),
            statutory=bool(raw.get("statutory", True)),
        )

    # --- holidays -----------------------------------------------------------------------------

    def holidays_in(self, year: int) -> dict[dt.date, Holiday]:
        """Return every non-weekend closing reason in ``year`` as ``{date: Holiday}``."""
        found = self._years.get(year)
        if found is not None:
            return found
        table: dict[dt.date, Holiday] = {}
        if self.statutory:
            table.update((h.date, h) for h in statutory_holidays(year))
        for d, name in self.custom_holidays.items():
            if d.year == year:
                table.setdefault(d, Holiday(d, name, "custom"))
        for d, name in self.extra_closing_days.items():
            if d.year == year:
                table.setdefault(d, Holiday(d, name, "extra closing day"))
        self._years[year] = table
        return table

    def holiday(self, day: dt.date) -> Holiday | None:
        """Return the holiday or closing day on ``day``, if any (weekends are not holidays)."""
        return self.holidays_in(day.year).get(day)

    def holidays_between(self, start: dt.date, end: dt.date) -> list[Holiday]:
        """Return the holidays and closing days from ``start`` to ``end`` inclusive, sorted."""
        out: list[Holiday] = []
        for year in range(start.year, end.year + 1):
            out.extend(h for d, h in self.holidays_in(year).items() if start <= d <= end)
        return sorted(out, key=lambda h: h.date)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (Monday-Friday and no holiday or closing day)."""
        return day.weekday() < 5 and self.holiday(day) is None

    def skipped_reason(self, day: dt.date) -> SkippedDay | None:
        """Return why ``day`` is not a working day, or ``None`` when it is one."""
        h = self.holiday(day)
        if day.weekday() >= 5:
            name = "zaterdag" if day.weekday() == 5 else "zondag"
            return SkippedDay(day, "weekend", name if h is None else f"{name} ({h.name})")
        return None if h is None else SkippedDay(day, "holiday", h.name)

    # --- counting -----------------------------------------------------------------------------

    def next_working_day(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after ``day``."""
        return self.nth_working_day_after(day, 1)

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """Return the ``n``-th working day strictly after ``day`` (``n`` >= 1).

        Raises
        ------
        InvalidInput
            When ``n`` is below 1.
        """
        if n < 1:
            raise InvalidInput(f"number of working days must be at least 1, got {n}", field="n")
        count = 0
        current = day
        while count < n:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Count the working days strictly after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        cal = self.busdaycalendar(start.year, end.year)
        return int(
            np.busday_count(
                np.datetime64(start + dt.timedelta(days=1), "D"),
                np.datetime64(end + dt.timedelta(days=1), "D"),
                busdaycal=cal,
            )
        )

    def busdaycalendar(self, first_year: int, last_year: int) -> np.busdaycalendar:
        """Return a :class:`numpy.busdaycalendar` with the holidays of the given years."""
        key = (first_year, last_year)
        cal = self._busdaycals.get(key)
        if cal is None:
            days = [d for y in range(first_year, last_year + 1) for d in self.holidays_in(y)]
            cal = np.busdaycalendar(
                weekmask=_WEEKMASK, holidays=np.array(sorted(days), dtype="datetime64[D]")
            )
            self._busdaycals[key] = cal
        return cal

    def nth_working_day_after_array(self, days: Any, n: Any) -> np.ndarray:
        """Vectorised :meth:`nth_working_day_after`.

        Parameters
        ----------
        days : array-like of datetime64
            Dates; ``NaT`` stays ``NaT``.
        n : int or array-like of int
            Working days to count (>= 1), broadcast against ``days``.

        Returns
        -------
        numpy.ndarray of datetime64[D]
        """
        arr = np.asarray(days, dtype="datetime64[D]")
        offsets = np.broadcast_to(np.asarray(n, dtype=np.int64), arr.shape)
        valid = ~np.isnat(arr)
        out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        if not valid.any():
            return out
        if (offsets[valid] < 1).any():
            raise InvalidInput("number of working days must be at least 1", field="n")
        first = int(arr[valid].min().astype("datetime64[Y]").astype(int)) + 1970
        last = int(arr[valid].max().astype("datetime64[Y]").astype(int)) + 1970
        # results lie at most n working days (plus holidays) past the last date
        last += 1 + int(offsets[valid].max()) // 200
        cal = self.busdaycalendar(first, last)
        out[valid] = np.busday_offset(arr[valid], offsets[valid], roll="backward", busdaycal=cal)
        return out

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready description of the calendar (for evidence and ``--json``)."""
        return {
            "statutory": self.statutory,
            "statutory_source": ATW_SOURCE if self.statutory else None,
            "holidays_package": holidays_pkg.__version__ if self.statutory else None,
            "custom_holidays": {d.isoformat(): n for d, n in sorted(self.custom_holidays.items())},
            "extra_closing_days": {
                d.isoformat(): n for d, n in sorted(self.extra_closing_days.items())
            },
        }


_DEFAULT_CALENDAR: WorkdayCalendar | None = None


def default_calendar() -> WorkdayCalendar:
    """Return the shared statutory calendar (created once)."""
    global _DEFAULT_CALENDAR
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = WorkdayCalendar()
    return _DEFAULT_CALENDAR


# --- payment date -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDate:
    """The latest expected payment date of a claim, with how it was counted.

    Attributes
    ----------
    received : datetime.date
        Day the claim was received.
    channel : Channel
    working_days : int
        Number of working days in the payment term.
    payment_date : datetime.date
        The ``working_days``-th working day after ``received``.
    counted_days : tuple of datetime.date
        The working days counted, first to last (the last is ``payment_date``).
    skipped_days : tuple of SkippedDay
        Weekend days, holidays and closing days between receipt and payment that were not
        counted.
    parameter : UsedParameter
        The payment-term parameter used.
    """

    received: dt.date
    channel: Channel
    working_days: int
    payment_date: dt.date
    counted_days: tuple[dt.date, ...]
    skipped_days: tuple[SkippedDay, ...]
    parameter: UsedParameter

    @property
    def holidays_skipped(self) -> tuple[SkippedDay, ...]:
        """The skipped days that are holidays or closing days (not weekends)."""
        return tuple(s for s in self.skipped_days if s.reason == "holiday")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        return {
            "received": self.received.isoformat(),
            "channel": self.channel.value,
            "working_days": self.working_days,
            "payment_date": self.payment_date.isoformat(),
            "counted_days": [d.isoformat() for d in self.counted_days],
            "skipped_days": [s.to_dict() for s in self.skipped_days],
            "holidays_skipped": [s.to_dict() for s in self.holidays_skipped],
            "parameter": self.parameter.to_dict(),
        }

    def to_decision(self) -> Decision:
        """Return the result as a :class:`~transport.decisions.Decision` (rule ``payment_date``)."""
        skipped = ", ".join(f"{s.date.isoformat()} ({s.name})" for s in self.holidays_skipped)
        text = (
            f"received {self.received.isoformat()} ({self.channel.value}): paid by "
            f"{self.payment_date.isoformat()}, the {self.working_days}th working day after "
            f"receipt counting from {self.counted_days[0].isoformat()}"
            + (f"; holidays skipped: {skipped}" if skipped else "")
        )
        return Decision(
            rule="payment_date",
            ok=True,
            reasons=(
                Reason(
                    "PAYMENT_DATE_EXPECTED",
                    text,
                    source=f"{PAYMENT_TERM_SOURCE}; working days per {ATW_SOURCE}",
                ),
            ),
            parameters=(self.parameter,),
            details=self.to_dict(),
        )


def _term(
    channel: Channel, received: dt.date, parameters: ParameterSet | None
) -> tuple[int, UsedParameter]:
    ps = parameters or ParameterSet()
    used = ps.used(PAYMENT_TERM_PARAMETER[channel], received)
    n = used.value
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(
            f"parameter {used.name} must be a whole number of working days >= 1, got {n!r}",
            field=used.name,
        )
    return n, used


def expected_payment_date(
    received: dt.date | str,
    channel: Channel | str,
    *,
    calendar: WorkdayCalendar | None = None,
    parameters: ParameterSet | None = None,
) -> PaymentDate:
    """Return the latest expected payment date of a claim received on ``received``.

    Parameters
    ----------
    received : datetime.date or str
        Day of receipt (``YYYY-MM-DD`` or ``DD-MM-YYYY`` as text).
    channel : Channel or {"online", "post"}
    calendar : WorkdayCalendar, optional
        Working-day calendar; the statutory one by default.
    parameters : ParameterSet, optional
        Where the payment terms are read (value in force on the day of receipt).

    Returns
    -------
    PaymentDate

    Raises
    ------
    InvalidInput
        For a bad date or channel.
    ParameterNotInForce
        When the payment term has no value on that date.

    Examples
    --------
    >>> expected_payment_date("2026-11-24", "online").payment_date
    datetime.date(2026, 12, 2)
    """
    day = parse_date(received, field="received")
    chan = parse_channel(channel)
    cal = calendar or default_calendar()
    n, used = _term(chan, day, parameters)
    counted: list[dt.date] = []
    skipped: list[SkippedDay] = []
    current = day
    while len(counted) < n:
        current += dt.timedelta(days=1)
        why = cal.skipped_reason(current)
        if why is None:
            counted.append(current)
        else:
            skipped.append(why)
    return PaymentDate(day, chan, n, current, tuple(counted), tuple(skipped), used)


def _term_or_zero(channel: Channel, day: dt.date, parameters: ParameterSet | None) -> int:
    try:
        return _term(channel, day, parameters)[0]
    except ParameterNotInForce:
        return 0


def dates_to_array(values: Any) -> np.ndarray:
    """Return ``values`` as ``datetime64[D]``, reading each distinct value with :func:`parse_date`.

    A datetime64 Series or array is used as is (time of day dropped); other values (dates,
    text) are parsed once per distinct value, so a column of 100,000 rows with a few thousand
    distinct dates costs a few milliseconds. Missing or unreadable values give ``NaT``; the
    per-row functions give the same answer as these for every value.
    """
    if isinstance(values, pd.Series | pd.Index | np.ndarray) and (
        pd.api.types.is_datetime64_any_dtype(values.dtype)
    ):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = pd.Series(values).dt.tz_localize(None)
        return np.asarray(values, dtype="datetime64[D]")
    codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    parsed = np.empty(len(uniques) + 1, dtype="datetime64[D]")
    for i, u in enumerate(uniques):
        try:
            parsed[i] = np.datetime64(parse_date(u), "D")
        except InvalidInput:
            parsed[i] = np.datetime64("NaT")
    parsed[-1] = np.datetime64("NaT")  # code -1 (missing) indexes the last slot
    return parsed[codes]


def expected_payment_dates(
    received: Any,
    channel: Any,
    *,
    calendar: WorkdayCalendar | None = None,
    parameters: ParameterSet | None = None,
) -> pd.Series:
    """Vectorised :func:`expected_payment_date`: one payment date per row.

    Parameters
    ----------
    received : pandas.Series or array-like
        Days of receipt (datetime64, dates or ISO text). Missing or unreadable values give
        ``NaT``.
    channel : str or pandas.Series or array-like
        ``"online"``/``"post"`` for all rows or per row; an unknown channel gives ``NaT``.
    calendar, parameters
        As in :func:`expected_payment_date`.

    Returns
    -------
    pandas.Series of datetime64
        Same index as ``received`` when it is a Series. Rows whose term has no parameter value
        in force also give ``NaT``; use :func:`expected_payment_date` on such a row for the
        reason.
    """
    index = received.index if isinstance(received, pd.Series) else pd.RangeIndex(len(received))
    days = dates_to_array(received)
    if isinstance(channel, str | Channel):
        chan = np.full(len(days), str(channel).strip().casefold(), dtype=object)
    else:
        chan = np.array(
            [str(c).strip().casefold() if isinstance(c, str) else "" for c in channel],
            dtype=object,
        )
    offsets = np.zeros(len(days), dtype=np.int64)
    valid = ~np.isnat(days)
    parameters = parameters or ParameterSet()
    for c in Channel:
        mask = (chan == c.value) & valid
        if not mask.any():
            continue
        unique_days = np.unique(days[mask])
        terms = np.array(
            [_term_or_zero(c, dt.date.fromisoformat(str(d)), parameters) for d in unique_days],
            dtype=np.int64,
        )
        offsets[mask] = terms[np.searchsorted(unique_days, days[mask])]
    ok = offsets >= 1
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        cal = calendar or default_calendar()
        out[ok] = cal.nth_working_day_after_array(days[ok], offsets[ok])
    return pd.Series(out.astype("datetime64[s]"), index=index, name="payment_date")
