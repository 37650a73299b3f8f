"""Dates of rides: a recurring series expanded to ride dates, and a person's age on a ride date.

A series is either an explicit list of dates or a :class:`WeeklySchedule` ("Mon/Wed/Fri for 6
months from 6 January"). The schedule's period runs from ``start`` up to, not including, the same
day ``months`` calendar months later (6 months from 2025-01-06 ends on 2025-07-05); a day that
does not exist in the end month moves to that month's last day (1 month from 31 January is
28/29 February), as :class:`dateutil.relativedelta.relativedelta` counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from transport.errors import InvalidInput

WEEKDAY_NAMES: dict[str, int] = {
    # English and Dutch names and abbreviations; Monday = 0 as in datetime.date.weekday().
    "mon": 0, "monday": 0, "ma": 0, "maandag": 0,
    "tue": 1, "tuesday": 1, "di": 1, "dinsdag": 1,
    "wed": 2, "wednesday": 2, "wo": 2, "woensdag": 2,
    "thu": 3, "thursday": 3, "do": 3, "donderdag": 3,
    "fri": 4, "friday": 4, "vr": 4, "vrijdag": 4,
    "sat": 5, "saturday": 5, "za": 5, "zaterdag": 5,
    "sun": 6, "sunday": 6, "zo": 6, "zondag": 6,
}  # fmt: skip

_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_weekdays(text: str | Iterable[str | int]) -> tuple[int, ...]:
    """Read weekdays from ``"mon,wed,fri"``, ``"ma/wo/vr"`` or a list of names or numbers.

    Returns
    -------
    tuple of int
        Sorted, distinct weekday numbers (Monday = 0).

    Raises
    ------
    InvalidInput
        For an unknown name or an empty list (``field="weekdays"``).
    """
    items: Iterable[str | int]
    if isinstance(text, str):
        items = [p for p in text.replace("/", ",").replace(" ", ",").split(",") if p]
    else:
        items = text
    days: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if not 0 <= item <= 6:
                raise InvalidInput(
                    f"weekday number must be 0 (Mon) .. 6 (Sun), got {item}", field="weekdays"
                )
            days.add(item)
            continue
        key = str(item).strip().lower().rstrip(".")
        if key not in WEEKDAY_NAMES:
            raise InvalidInput(
                f"unknown weekday {item!r}; use mon,tue,wed,thu,fri,sat,sun (or ma,di,wo,...)",
                field="weekdays",
            )
        days.add(WEEKDAY_NAMES[key])
    if not days:
        raise InvalidInput("give at least one weekday, e.g. mon,wed,fri", field="weekdays")
    return tuple(sorted(days))


@dataclass(frozen=True)
class WeeklySchedule:
    """Rides on fixed weekdays over a period.

    Attributes
    ----------
    start : datetime.date
        First day of the period.
    weekdays : tuple of int
        Weekdays with a ride (Monday = 0); see :func:`parse_weekdays`.
    months : int, optional
        Length of the period in calendar months (exclusive end, see the module docstring).
    until : datetime.date, optional
        Last day of the period (inclusive). Give exactly one of ``months`` and ``until``.
    skip : tuple of datetime.date
        Dates without a ride (holidays, cancelled sessions).
    """

    start: dt.date
    weekdays: tuple[int, ...]
    months: int | None = None
    until: dt.date | None = None
    skip: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.start, dt.date):
            raise InvalidInput("start must be a date (YYYY-MM-DD)", field="start")
        object.__setattr__(self, "weekdays", parse_weekdays(self.weekdays))
        if (self.months is None) == (self.until is None):
            raise InvalidInput("give exactly one of months and until", field="months")
        if self.months is not None and (
            isinstance(self.months, bool) or not isinstance(self.months, int) or self.months < 1
        ):
            raise InvalidInput("months must be a whole number of at least 1", field="months")
        if self.until is not None and self.until < self.start:
            raise InvalidInput("until lies before start", field="until")
        object.__setattr__(self, "skip", tuple(self.skip))

    @property
    def last_day(self) -> dt.date:
        """The last day of the period (inclusive)."""
        if self.until is not None:
            return self.until
        assert self.months is not None
        return self.start + relativedelta(months=self.months) - dt.timedelta(days=1)

    @property
    def per_week(self) -> int:
        """Number of rides per week."""
        return len(self.weekdays)

    @property
    def label(self) -> str:
        """Human description: ``"Mon/Wed/Fri, 2025-01-06 .. 2025-07-05"``."""
        days = "/".join(_SHORT[d] for d in self.weekdays)
        return f"{days}, {self.start.isoformat()} .. {self.last_day.isoformat()}"

    def dates(self) -> list[dt.date]:
        """Return the ride dates in order."""
        skip = set(self.skip)
        out = []
        day = self.start
        last = self.last_day
        while day <= last:
            if day.weekday() in self.weekdays and day not in skip:
                out.append(day)
            day += dt.timedelta(days=1)
        return out


def ride_dates(dates: Sequence[dt.date] | WeeklySchedule) -> list[dt.date]:
    """Return the ride dates of an explicit list (kept in the given order) or a schedule.

    Raises
    ------
    InvalidInput
        When the list is empty or holds something that is not a date (``field="dates"``).
    """
    out = dates.dates() if isinstance(dates, WeeklySchedule) else list(dates)
    for d in out:
        if not isinstance(d, dt.date) or isinstance(d, dt.datetime):
            raise InvalidInput(f"ride dates must be dates, got {type(d).__name__}", field="dates")
    if not out:
        raise InvalidInput("the series has no ride dates", field="dates")
    return out


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Return the age in whole years on ``on``.

    A person is one year older from their birthday itself: on the 16th birthday the age is 16.
    Someone born on 29 February becomes a year older on 1 March in a year without 29 February.

    Raises
    ------
    InvalidInput
        When ``on`` lies before ``birth_date`` (``field="birth_date"``).
    """
    if on < birth_date:
        raise InvalidInput("birth_date lies after the ride date", field="birth_date")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)
