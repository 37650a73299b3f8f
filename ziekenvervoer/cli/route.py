"""Commands ``route``, ``trip`` and ``routes``: fastest-route kilometres on a map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from routing.errors import InvalidQuery, MapError, ZiekenvervoerError
from routing.results import Route, Trip, km_display
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
from ziekenvervoer.io import (
    ROW_ERROR_COLUMN,
    check_output,
    read_table_info,
    write_table_atomic,
)


def _route_table(title: str, r: Route) -> Table:
    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    t.add_row("distance", f"{km_display(r.distance_m):.1f} km ({r.distance_m:.1f} m)")
    t.add_row("duration", f"{r.duration_s / 60:.1f} min")
    for label, w in (("origin", r.origin), ("destination", r.destination)):
        t.add_row(
            label,
            f"snapped {w.snap_distance_m:.1f} m onto way {w.way_id}"
            + (f" ({w.name})" if w.name else "")
            + (f", geocoded: {w.location.precision}" if w.location else ""),
        )
    t.add_row("map", f"{r.map.short} profile {r.map.profile}")
    return t


def _ties_text(ties) -> str:  # type: ignore[no-untyped-def]
    if ties.alternatives == 0:
        return f"No other plausible route within {ties.tolerance_s:g} s of the fastest."
    return (
        f"Near ties: routes within {ties.tolerance_s:g} s of the fastest are "
        f"{km_display(ties.min_distance_m):.1f}-{km_display(ties.max_distance_m):.1f} km long "
        f"({100 * ties.spread:.1f} % spread, {ties.alternatives} alternatives)."
    )


def register(app: typer.Typer) -> None:
    """Add the routing commands to ``app``."""

    @app.command()
    def route(
        origin: Annotated[str, typer.Argument(help='Start: "lat,lon" (or an address).')],
        destination: Annotated[str, typer.Argument(help='End: "lat,lon" (or an address).')],
        map_file: MapOption = None,
        geometry: Annotated[
            bool, typer.Option("--geometry/--no-geometry", help="Include the line in JSON.")
        ] = True,
        near_ties: Annotated[
            float | None,
            typer.Option(
                "--near-ties", min=0, help="Also report routes within SECONDS of the fastest."
            ),
        ] = None,
        addresses: AddressesOption = None,
        pc4: PC4Option = None,
        hospitals: HospitalsOption = None,
        online: OnlineOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """Fastest car route between two points: metres, seconds, where they were snapped."""
        router = load_router(
            map_file, as_json, addresses=addresses, pc4=pc4, hospitals=hospitals, online=online
        )
        try:
            r = router.route(origin, destination)
            ties = router.sensitivity(r, near_ties) if near_ties is not None else None
        except ZiekenvervoerError as exc:
            fail(exc, as_json)
        data = r.to_dict(geometry=geometry)
        if ties is not None:
            data["near_ties"] = ties.to_dict()

        def render() -> None:
            console.print(_route_table("Route", r))
            if ties is not None:
                console.print(_ties_text(ties))

        emit(data, as_json, render)

    @app.command()
    def trip(
        home: Annotated[str, typer.Argument(help='Home address or "lat,lon".')],
        treatment: Annotated[str, typer.Argument(help='Treatment address or "lat,lon".')],
        map_file: MapOption = None,
        geometry: Annotated[
            bool, typer.Option("--geometry/--no-geometry", help="Include the lines in JSON.")
        ] = False,
        addresses: AddressesOption = None,
        pc4: PC4Option = None,
        hospitals: HospitalsOption = None,
        online: OnlineOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """Loaded kilometres of a treatment trip: home -> treatment and back, routed separately."""
        router = load_router(
            map_file, as_json, addresses=addresses, pc4=pc4, hospitals=hospitals, online=online
        )
        try:
            t: Trip = router.trip(home, treatment)
        except ZiekenvervoerError as exc:
            fail(exc, as_json)

        def render() -> None:
            console.print(_route_table("Outbound: home -> treatment", t.outbound))
            console.print(_route_table("Inbound: treatment -> home", t.inbound))
            console.print(
                f"[bold]Loaded kilometres: {km_display(t.loaded_m):.1f} km[/] "
                f"({t.loaded_m:.1f} m = {t.outbound.distance_m:.1f} + {t.inbound.distance_m:.1f})"
            )

        emit(t.to_dict(geometry=geometry), as_json, render)

    @app.command()
    def routes(
        input_file: Annotated[
            Path,
            typer.Option(
                "--input", help="CSV/Excel/Parquet with origin_lat,origin_lon,dest_lat,dest_lon."
            ),
        ],
        output_file: Annotated[
            Path, typer.Option("--output", help="Where to write the result (same formats).")
        ],
        map_file: MapOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Route every row of a file; rows in = rows out, failures get their reason in `error`.

        The output may not be the input file. A CSV that is not UTF-8 is read as Windows-1252; a
        malformed line (more or fewer fields than the header) is kept as a row with its reason in
        `error` and is not routed.
        """
        from routing.router import check_pair_columns

        try:
            check_output(output_file, inputs=[input_file])
            table = read_table_info(input_file)
            pairs = table.frame
            check_pair_columns(pairs.columns)
        except ZiekenvervoerError as exc:
            fail(exc, as_json)
        router = load_router(map_file, as_json)
        try:
            if as_json:
                out = router.routes(pairs)
            else:
                with progress_bar() as bar:
                    task = bar.add_task("routing", total=len(pairs))
                    out = router.routes(pairs, progress=lambda n: bar.update(task, completed=n))
            out = _unroute_malformed(out)
            write_table_atomic(out, output_file)
        except (InvalidQuery, MapError) as exc:
            fail(exc, as_json)
        n_err = int((out["error"] != "").sum())
        summary = {
            "rows_in": len(pairs),
            "rows_out": len(out),
            "routed": len(out) - n_err,
            "errors": n_err,
            "output": str(output_file),
            "input": {"file": input_file.name, **table.to_dict()},
            "map": router.map.to_dict(),
        }

        def render() -> None:
            for note in table.notes:
                console.print(f"[yellow]Note:[/] {note}.")
            console.print(
                f"{summary['rows_out']} rows written to {output_file}: "
                f"{summary['routed']} routed, {n_err} with an error (see column 'error')."
            )

        emit(summary, as_json, render)


def _unroute_malformed(out: pd.DataFrame) -> pd.DataFrame:
    """Give rows of malformed input lines their reason in ``error`` and no route.

    Their values may sit in the wrong columns, so a route computed from them means nothing.
    """
    if ROW_ERROR_COLUMN not in out.columns:
        return out
    errors = out[ROW_ERROR_COLUMN].to_numpy(dtype=object)
    bad = np.array([isinstance(e, str) and e.strip() != "" for e in errors], dtype=bool)
    if not bad.any():
        return out
    out = out.copy()
    for col in ("distance_m", "duration_s", "snap_origin_m", "snap_dest_m"):
        out.loc[bad, col] = np.nan
    out.loc[bad, "error"] = [
        f"InvalidQuery: malformed input line, not routed ({e})" for e in errors[bad]
    ]
    return out
