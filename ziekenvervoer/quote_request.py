"""Building a :class:`transport.quote.QuoteRequest` from plain interface inputs.

The command line and the web app take the same inputs for a quote: ride dates or a weekly
series, an authorisation whose validity defaults to the rides' period, yearly amounts such as
``2026=130``, and parameter overrides. This module turns those plain values into the objects
:mod:`transport` expects, with the project's typed errors (``InvalidInput`` with ``field``). It
holds no rules: it only shapes input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transport.errors import InvalidInput

if TYPE_CHECKING:
    from transport.authorisation import Authorisation
    from transport.inputs import Number
    from transport.parameters import ParameterSet
    from transport.schedule import WeeklySchedule
    from transport.tariffs import TariffTable


def parse_iso_date(text: str, field: str) -> dt.date:
    """Read a date: ``YYYY-MM-DD``, or the Dutch ``DD-MM-YYYY`` (also with ``/`` or ``.``).

    The same forms as the payment-date command and the audit accept; nothing is guessed
    (``01-02-2026`` is 1 February).

    Raises
    ------
    InvalidInput
        When the text is not such a date, naming ``field``.
    """
    from transport.workdays import parse_date

    try:
        return parse_date(str(text).strip(), field=field)
    except InvalidInput:
        raise InvalidInput(
            f"{field} must be a date YYYY-MM-DD (or DD-MM-YYYY)", field=field
        ) from None


def year_amounts(
    items: Iterable[str] | Mapping[int | str, Number], field: str
) -> dict[int, Decimal]:
    """Read yearly amounts: ``["2026=130"]`` or ``{2026: 130}`` into ``{2026: Decimal("130")}``.

    Raises
    ------
    InvalidInput
        For an item that is not ``YEAR=AMOUNT`` or a negative amount.
    """
    from transport.inputs import to_decimal

    pairs: list[tuple[str, Any]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), v) for k, v in items.items()]
    else:
        for item in items:
            year, sep, amount = str(item).partition("=")
            if not sep:
                raise InvalidInput(f"{field} takes YEAR=AMOUNT, e.g. 2026=130", field=field)
            pairs.append((year, amount))
    out: dict[int, Decimal] = {}
    for year, amount in pairs:
        if not year.strip().isdigit():
            raise InvalidInput(f"{field} takes YEAR=AMOUNT, e.g. 2026=130", field=field)
        out[int(year)] = to_decimal(amount, field, minimum=0)
    return out


#: Longest series and most explicit dates one quote takes (the web API has the same bounds): a
#: quote is for a course of treatment, and authorisations run for a year at most.
MAX_SERIES_DAYS = 2 * 366
MAX_DATES = 366


def ride_schedule(
    *,
    dates: Sequence[dt.date] | None = None,
    start: dt.date | None = None,
    weekdays: str | Iterable[str | int] | None = None,
    months: int | None = None,
    until: dt.date | None = None,
    skip: Sequence[dt.date] = (),
    field: str = "dates",
) -> list[dt.date] | WeeklySchedule:
    """Return explicit ride dates, or a weekly series, from the inputs an interface collects.

    Give either ``dates`` or a series: ``start`` and ``weekdays`` with ``months`` or ``until``.
    ``field`` names the dates input in errors (``"dates"`` in the API, ``"date"`` on the CLI).

    Raises
    ------
    InvalidInput
        When both or neither are given (``field``), or the series is malformed.
    """
    from transport.schedule import WeeklySchedule

    series = start is not None or weekdays is not None or months is not None or until is not None
    if dates and series:
        raise InvalidInput(
            "give either ride dates or a series (start, weekdays, months or until), not both",
            field=field,
        )
    if dates:
        if len(dates) > MAX_DATES:
            raise InvalidInput(f"give at most {MAX_DATES} ride dates in one quote", field=field)
        return list(dates)
    if start is not None and weekdays:
        schedule = WeeklySchedule(
            start=start,
            weekdays=weekdays,  # type: ignore[arg-type]
            months=months,
            until=until,
            skip=tuple(skip),
        )
        if (schedule.last_day - schedule.start).days >= MAX_SERIES_DAYS:
            raise InvalidInput(
                "a series may run for at most 24 months: quote longer courses in parts",
                field="months" if months is not None else "until",
            )
        return schedule
    if series:
        raise InvalidInput("a series needs a start date and at least one weekday", field="weekdays")
    raise InvalidInput(
        "give ride dates, or a series: start date, weekdays and months or until",
        field=field,
    )


def schedule_period(dates: Sequence[dt.date] | WeeklySchedule) -> tuple[dt.date, dt.date]:
    """Return the first and last day of explicit dates or a series."""
    from transport.schedule import WeeklySchedule

    if isinstance(dates, WeeklySchedule):
        return dates.start, dates.last_day
    if not dates:
        raise InvalidInput("give at least one ride date", field="dates")
    return min(dates), max(dates)


def authorisation_for(
    number: str | None,
    *,
    dates: Sequence[dt.date] | WeeklySchedule,
    indication: str,
    mode: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    auth_indication: str | None = None,
    auth_mode: str | None = None,
    carrier: str | None = None,
    max_rides: int | None = None,
    rides_used: int = 0,
) -> Authorisation | None:
    """Return the authorisation an interface describes, or ``None`` without a number.

    Validity, indication and mode default to the rides' period, indication and mode, as the
    command line's ``--auth-*`` options do.
    """
    from transport.authorisation import Authorisation
    from transport.indications import Indication
    from transport.inputs import parse_enum
    from transport.tariffs import Mode

    if number is None:
        return None
    first, last = schedule_period(dates)
    # errors name the input the user gave: the ride's indication/mode, or the authorisation's own
    ind = (
        parse_enum(Indication, auth_indication, "auth_indication")
        if auth_indication
        else parse_enum(Indication, indication, "indication")
    )
    md = parse_enum(Mode, auth_mode, "auth_mode") if auth_mode else parse_enum(Mode, mode, "mode")
    return Authorisation(
        number=number,
        indication=ind,
        mode=md,
        # an authorisation given to start after the rides must not turn into an impossible period:
        # the rides are then reported as outside its validity
        valid_from=valid_from or first,
        valid_to=valid_to or max(last, valid_from or last),
        carrier=carrier,
        max_rides=max_rides,
        rides_used=rides_used,
    )


def parameter_set(
    directory: Path | None = None,
    *,
    base: ParameterSet | None = None,
    eigen_bijdrage: Number | None = None,
    km_rate: Number | Mapping[int, Number] | None = None,
) -> ParameterSet:
    """Return the parameter source with the overrides a user may pass for one quote.

    Parameters
    ----------
    directory : Path, optional
        Folder with the user's own parameter files (ignored when ``base`` is given).
    base : ParameterSet, optional
        An existing parameter set to add the overrides to.
    eigen_bijdrage : number, optional
        Yearly eigen bijdrage for every year.
    km_rate : number or {year: number}, optional
        Own-car amount per km, for every year or per calendar year.
    """
    from transport.inputs import to_decimal
    from transport.parameters import ParameterSet

    params = base if base is not None else ParameterSet(directory=directory)
    overrides: dict[str, Any] = {}
    if eigen_bijdrage is not None:
        overrides["eigen_bijdrage"] = to_decimal(eigen_bijdrage, "eigen_bijdrage", minimum=0)
    if isinstance(km_rate, Mapping):
        overrides["own_car_km_rate"] = dict(year_amounts(km_rate, "km_rate"))
    elif km_rate is not None:
        overrides["own_car_km_rate"] = to_decimal(km_rate, "km_rate", minimum=0)
    return params.with_overrides(**overrides) if overrides else params


def with_carrier_contracted(table: TariffTable, carrier: str, contracted: bool) -> TariffTable:
    """Return ``table`` with ``carrier`` marked as contracted or not (for a what-if quote).

    A carrier's contract is with an insurer, so a dispatcher may know better than the table;
    the carrier's tariffs and dates stay as they are.

    Raises
    ------
    TariffNotFound
        When the table does not know the carrier.
    """
    rows = list(table.rows)
    hits = [
        i for i, r in enumerate(rows) if r.kind == "carrier" and _fold(r.name) == _fold(carrier)
    ]
    if not hits:
        table.carrier(carrier, dt.date.today())  # raises TariffNotFound with the known names
    for i in hits:
        rows[i] = dataclasses.replace(rows[i], contracted=contracted)
    return dataclasses.replace(table, rows=tuple(rows))


def _fold(text: str) -> str:
    """Compare names as the tariff table does: ignoring case, accents and outer spaces."""
    norm = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))
