"""``ziekenvervoer download``: fetch the road map of a place or a bounding box from Overpass."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from routing.errors import InvalidQuery, ZiekenvervoerError
from ziekenvervoer.cli._common import JsonOption
from ziekenvervoer.cli._output import console, emit, err_console, fail


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"W,S,E,N"`` into four floats (validated by :func:`routing.download.check_bbox`).

    Parameters
    ----------
    text : str
        Four numbers separated by commas: west, south, east, north in degrees.

    Returns
    -------
    tuple of float

    Raises
    ------
    routing.errors.InvalidQuery
        With ``field="bbox"``.
    """
    from routing.download import check_bbox

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise InvalidQuery(
            "--bbox takes four numbers separated by commas: WEST,SOUTH,EAST,NORTH "
            "(e.g. 6.72,52.24,6.89,52.30)",
            field="bbox",
        )
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidQuery(
            "--bbox takes four numbers: WEST,SOUTH,EAST,NORTH (e.g. 6.72,52.24,6.89,52.30)",
            field="bbox",
        ) from None
    return check_bbox(numbers)


def download(
    place: Annotated[
        str | None, typer.Option("--place", help="Place name, e.g. 'Hengelo, Overijssel'.")
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option("--bbox", metavar="W,S,E,N", help="Bounding box in degrees (lon/lat)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the map here (.osm.pbf, .osm, .osm.bz2 or .osm.gz) with its record.",
        ),
    ] = None,
    overpass_url: Annotated[
        str | None,
        typer.Option("--overpass-url", help="Overpass API base URL (default from settings)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if cached.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Download the roads of a place or a bounding box (OpenStreetMap, via Overpass) to a file.

    The map is cached; the same query is answered from the cache unless --refresh is given.
    """
    from routing.download import download_map

    try:
        box = parse_bbox(bbox) if bbox is not None else None
        if as_json:
            result = download_map(place, box, overpass_url=overpass_url, refresh=refresh)
        else:
            with err_console.status("Downloading the map from Overpass ..."):
                result = download_map(place, box, overpass_url=overpass_url, refresh=refresh)
        if output is not None:
            result = result.save_as(output)
    except ZiekenvervoerError as exc:
        fail(exc, as_json)

    def render() -> None:
        table = Table(show_header=False, box=None)
        table.add_row("map", str(result.path))
        table.add_row("query", result.query)
        table.add_row("downloaded", result.downloaded)
        table.add_row("osm data as of", result.osm_base or "-")
        table.add_row("sha256", result.sha256)
        table.add_row("service", result.url)
        table.add_row(
            "contents",
            f"{result.n_nodes:,} nodes, {result.n_ways:,} ways, {result.n_relations:,} relations",
        )
        console.print(table)
        console.print("Map data © OpenStreetMap contributors (ODbL 1.0).")

    emit(
        {
            "path": str(result.path),
            "identity": result.identity().to_dict(),
            "record": result.to_dict(),
        },
        as_json,
        render,
    )


def register(app: typer.Typer) -> None:
    """Add the ``download`` command to the application.

    Parameters
    ----------
    app : typer.Typer
        The ``ziekenvervoer`` application.
    """
    app.command("download")(download)
