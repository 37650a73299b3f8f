"""Command ``audit``: verify declared kilometres and rides of a declarations file in bulk."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from routing.errors import ZiekenvervoerError
from ziekenvervoer.cli._common import (
    AddressesOption,
    HospitalsOption,
    JsonOption,
    MapOption,
    OnlineOption,
    PC4Option,
    load_router,
)
from ziekenvervoer.cli._output import console, emit, fail, progress_bar


def _euro(text: str) -> Any:
    from transport.audit_columns import parse_amount
    from transport.errors import InvalidInput

    status, amount = parse_amount(text)
    if status != "ok":
        raise InvalidInput(
            "--tolerance-eur must be an amount >= 0, e.g. 0.05", field="tolerance_eur"
        )
    return amount


def _share(count: int, n: int) -> str:
    return f"{100 * count / n:.1f} %" if n else "-"


def _summary_tables(summary: dict[str, Any]) -> list[Table | str]:
    n = summary["rows_out"]
    verdicts = Table(title="Verdicts", title_justify="left")
    verdicts.add_column("verdict")
    verdicts.add_column("rows", justify="right")
    verdicts.add_column("share", justify="right")
    for name, count in summary["verdicts"].items():
        verdicts.add_row(name, f"{count:,}", _share(count, n))
    verdicts.add_section()
    verdicts.add_row("total", f"{n:,}", _share(n, n))
    # review is not a verdict: a row of any verdict may need a person's look
    review = (
        f"[bold]To review[/] (any verdict, not a fourth one): {summary['review']:,} of {n:,} rows "
        f"({_share(summary['review'], n)})"
    )

    reasons = Table(title="Reasons", title_justify="left")
    for col, justify in (("code", "left"), ("Vektis", "left"), ("effect", "left")):
        reasons.add_column(col, justify=justify)  # type: ignore[arg-type]
    reasons.add_column("rows", justify="right")
    reasons.add_column("meaning")
    for r in summary["reasons"]:
        reasons.add_row(r["code"], r["vektis"] or "", r["effect"], f"{r['count']:,}", r["text"])

    km = summary["km"]
    money = summary["amounts_eur"]
    totals = Table(title="Kilometres and amounts", title_justify="left", show_header=False)
    totals.add_column(style="bold")
    totals.add_column(justify="right")
    totals.add_row("rows with declared and computed km", f"{km['rows_compared']:,}")
    totals.add_row("km declared", f"{km['declared']:,.1f}")
    totals.add_row("km computed (both legs)", f"{km['computed']:,.1f}")
    totals.add_row("km declared - computed", f"{km['difference']:,.1f}")
    totals.add_row("km accepted (accept + adjust)", f"{km['accepted']:,.1f}")
    totals.add_row("amount declared", f"€ {money['declared']}")
    totals.add_row("amount payable under the verdicts", f"€ {money['payable']}")
    if money["rows_without_payable"]:
        totals.add_row(
            "rows without a payable amount (not in the sum above; amount declared)",
            f"{money['rows_without_payable']:,} (€ {money['declared_without_payable']})",
        )
    totals.add_row(
        "distinct trips routed / failed",
        f"{summary['trips']['routed']:,} / {summary['trips']['failed']:,}",
    )
    m = summary["map"]
    totals.add_row("map", f"{m['source']}@{m['sha256'][:12]} profile {m['profile']}")
    return [verdicts, review, reasons, totals]


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""

    @app.command()
    def audit(
        input_file: Annotated[
            Path, typer.Argument(help="Declarations: CSV, Excel or Parquet (one ride per row).")
        ],
        output_file: Annotated[
            Path,
            typer.Option("--output", help="Where to write the verdicts (.csv, .xlsx, .parquet)."),
        ],
        map_file: MapOption = None,
        authorisations: Annotated[
            Path | None,
            typer.Option(
                "--authorisations",
                help="The insurer's authorisations (number, insured, indication, mode, carrier, "
                "valid_from, valid_to, max_rides). Without it only the number's presence is "
                "checked.",
            ),
        ] = None,
        tariffs: Annotated[
            Path | None,
            typer.Option(
                "--tariffs", help="Tariff table (CSV); without it taxi amounts are not checked."
            ),
        ] = None,
        mapping: Annotated[
            Path | None,
            typer.Option(
                "--mapping", help="YAML/JSON column mapping (canonical name: your column)."
            ),
        ] = None,
        parameters: Annotated[
            Path | None,
            typer.Option(
                "--parameters", help="Folder with your own parameter files (searched first)."
            ),
        ] = None,
        tolerance_km: Annotated[
            float, typer.Option("--tolerance-km", help="Km tolerance, loaded km.", min=0)
        ] = 1.0,
        tolerance_pct: Annotated[
            float, typer.Option("--tolerance-pct", help="Km tolerance in % of computed km.", min=0)
        ] = 5.0,
        tolerance_eur: Annotated[
            str,
            typer.Option("--tolerance-eur", help="Amount tolerance in euro above the amount due."),
        ] = "0.00",
        tolerance_rule: Annotated[
            str,
            typer.Option(
                "--tolerance-rule",
                help="'either': declared km stand within either bound; 'both': within both.",
            ),
        ] = "either",
        today: Annotated[
            str | None,
            typer.Option("--today", help="Reference day of the date checks (default: today)."),
        ] = None,
        geometry: Annotated[
            Path | None,
            typer.Option(
                "--geometry", help="Also write the routes (.gpkg or .geojson); personal data."
            ),
        ] = None,
        salt: Annotated[
            str | None,
            typer.Option(
                "--salt",
                envvar="ZIEKENVERVOER_AUDIT_SALT",
                help="Secret that keys the insured_key column (HMAC of the BSN). Prefer the "
                "environment variable ZIEKENVERVOER_AUDIT_SALT.",
                show_default=False,
            ),
        ] = None,
        chunk_size: Annotated[
            int, typer.Option("--chunk-size", help="Rows per chunk.", min=1)
        ] = 5000,
        addresses: AddressesOption = None,
        pc4: PC4Option = None,
        hospitals: HospitalsOption = None,
        online: OnlineOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """Audit a declarations file: verdicts (accept, adjust, reject) with reasons and evidence.

        The output (written atomically) holds no BSN, name, address or home coordinates. Options,
        columns and reference files are checked before the map is loaded; the output may not be
        one of the input files. A CSV that is not UTF-8 is read as Windows-1252, and a malformed
        line becomes a rejected row (PARSE_ROW); the summary says so.
        """
        from transport.audit import Tolerance, make_options
        from transport.audit import audit as run_audit
        from transport.audit_trips import geometry_driver
        from transport.parameters import ParameterSet
        from ziekenvervoer.io import check_output, read_table_info

        inputs = [input_file, authorisations, tariffs, mapping]
        try:
            tolerance = Tolerance(
                km=tolerance_km,
                pct=tolerance_pct,
                rule=tolerance_rule,  # type: ignore[arg-type]
                eur=_euro(tolerance_eur),
            )
            day = None
            if today is not None:
                from transport.workdays import parse_date

                day = parse_date(today, field="today")
            check_output(output_file, inputs=inputs)
            if geometry is not None:
                geometry_driver(geometry)
                check_output(
                    geometry,
                    inputs=[*inputs, output_file],
                    suffixes=[geometry.suffix.lower()],
                    field="geometry",
                )
            table = read_table_info(input_file)
            declarations = table.frame
            options = make_options(
                declarations.columns,
                today=day or dt.date.today(),
                tolerance=tolerance,
                parameters=ParameterSet(parameters) if parameters else None,
                tariffs=tariffs,
                authorisations=authorisations,
                mapping=mapping,
                salt=salt,
                keep_geometry=geometry is not None,
            )
        except ZiekenvervoerError as exc:
            fail(exc, as_json)
        router = load_router(
            map_file, as_json, addresses=addresses, pc4=pc4, hospitals=hospitals, online=online
        )
        started = time.perf_counter()
        try:
            if as_json:
                result = run_audit(declarations, router, chunk_size=chunk_size, options=options)
            else:
                with progress_bar() as bar:
                    task = bar.add_task("auditing", total=len(declarations))
                    result = run_audit(
                        declarations,
                        router,
                        chunk_size=chunk_size,
                        options=options,
                        progress=lambda n: bar.update(task, completed=n),
                    )
            result.write(output_file, geometry)
        except ZiekenvervoerError as exc:
            fail(exc, as_json)
        elapsed = time.perf_counter() - started
        summary = result.summary
        data = {
            "summary": summary,
            "input": {"file": input_file.name, **table.to_dict()},
            "output": str(output_file),
            "geometry": str(geometry) if geometry else None,
            "run": {
                "seconds": round(elapsed, 3),
                "rows_per_s": round(len(declarations) / elapsed, 1) if elapsed > 0 else None,
            },
        }

        def render() -> None:
            for t in _summary_tables(summary):
                console.print(t)
            for note in table.notes:
                console.print(f"[yellow]Note:[/] {note}.")
            if summary["authorisation_note"]:
                console.print(f"[yellow]Note:[/] {summary['authorisation_note']}.")
            if summary["tariffs"] and summary["tariffs"]["example"]:
                console.print("[yellow]Note:[/] the tariff table holds EXAMPLE (invented) figures.")
            console.print(
                f"{summary['rows_out']:,} rows written to {output_file}"
                + (
                    f", routes to {geometry} (personal data: readable by you only)"
                    if geometry
                    else ""
                )
                + f" in {elapsed:.1f} s."
            )

        emit(data, as_json, render)
