"""``ziekenvervoer betaaldatum``: the latest expected payment date of a submitted claim."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from routing.errors import ZiekenvervoerError
from transport.errors import InvalidInput
from transport.parameters import ParameterSet
from transport.workdays import (
    PaymentDate,
    WorkdayCalendar,
    expected_payment_date,
    parse_channel,
    parse_date,
)
from ziekenvervoer.cli._output import console, emit, fail

_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _render(result: PaymentDate, calendar: WorkdayCalendar) -> None:
    day = result.payment_date
    console.print(
        f"Ontvangen {result.received.isoformat()} ({_WEEKDAYS[result.received.weekday()]}), "
        f"kanaal {result.channel.value}: uiterlijk betaald op "
        f"[bold]{_WEEKDAYS[day.weekday()]} {day.isoformat()}[/]"
    )
    table = Table(
        title=f"{result.working_days} werkdagen, geteld vanaf de eerste werkdag na ontvangst"
    )
    table.add_column("werkdag", justify="right")
    table.add_column("datum")
    for i, counted in enumerate(result.counted_days, start=1):
        table.add_row(str(i), f"{_WEEKDAYS[counted.weekday()]} {counted.isoformat()}")
    console.print(table)
    holidays = result.holidays_skipped
    if holidays:
        console.print(
            "Overgeslagen feestdagen: "
            + ", ".join(f"{h.date.isoformat()} {h.name}" for h in holidays)
        )
    console.print(
        f"Termijn: {result.working_days} werkdagen (parameter {result.parameter.name}; "
        "servicenorm van de zorgverzekeraar, geen wettelijke termijn). Werkdagen volgens de "
        "Algemene termijnenwet art. 3"
        + (" plus opgegeven sluitingsdagen" if calendar.extra_closing_days else "")
        + "."
    )


def betaaldatum(
    ontvangen: Annotated[
        str,
        typer.Option(help="Datum van ontvangst van de nota: YYYY-MM-DD of DD-MM-YYYY."),
    ],
    kanaal: Annotated[str, typer.Option(help="Hoe de nota binnenkwam: online of post.")],
    sluitingsdag: Annotated[
        list[str] | None,
        typer.Option(
            help="Extra dag waarop niet gewerkt wordt (YYYY-MM-DD); mag vaker worden opgegeven."
        ),
    ] = None,
    kalender: Annotated[
        Path | None,
        typer.Option(help="YAML-bestand met eigen feestdagen/sluitingsdagen (zie de docs)."),
    ] = None,
    werkdagen: Annotated[
        int | None,
        typer.Option(help="Termijn in werkdagen in plaats van de parameter (6 online, 10 post)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Bereken de uiterste betaaldatum van een ingediende nota (6 werkdagen online, 10 per post)."""
    try:
        received = parse_date(ontvangen, field="ontvangen")
        channel = parse_channel(kanaal, field="kanaal")
        extra = {parse_date(d, field="sluitingsdag"): "sluitingsdag" for d in sluitingsdag or []}
        if kalender is not None:
            base = WorkdayCalendar.from_file(kalender)
            calendar = WorkdayCalendar(
                extra_closing_days=base.extra_closing_days | extra,
                holidays=base.custom_holidays,
                statutory=base.statutory,
            )
        else:
            calendar = WorkdayCalendar(extra_closing_days=extra)
        parameters = ParameterSet()
        if werkdagen is not None:
            if werkdagen < 1:
                raise InvalidInput("--werkdagen must be at least 1", field="werkdagen")
            name = f"betaaltermijn_werkdagen_{channel.value}"
            parameters = parameters.with_overrides(**{name: werkdagen})
        result = expected_payment_date(received, channel, calendar=calendar, parameters=parameters)
    except ZiekenvervoerError as error:
        fail(error, as_json)
    data = result.to_dict() | {"calendar": calendar.describe()}
    emit(data, as_json, lambda: _render(result, calendar))


def register(app: typer.Typer) -> None:
    """Add the ``betaaldatum`` command to ``app``."""
    app.command("betaaldatum")(betaaldatum)
