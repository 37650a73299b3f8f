"""Command ``serve``: the dispatcher's web page and JSON API under uvicorn.

The map (and its compiled router), the address sources, the tariff table and the parameters are
loaded once, at start; a request can never choose another map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from routing.errors import ZiekenvervoerError
from ziekenvervoer.cli._common import (
    AddressesOption,
    HospitalsOption,
    MapOption,
    OnlineOption,
    PC4Option,
    make_geocoder,
    resolve_map,
)
from ziekenvervoer.cli._output import console, err_console, fail

if TYPE_CHECKING:
    from fastapi import FastAPI


def build_app(
    map_file: Path,
    *,
    addresses: Path | None = None,
    hospitals: Path | None = None,
    pc4: Path | None = None,
    online: bool = False,
    tariffs: Path | None = None,
    insurers: Path | None = None,
    parameters: Path | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    cors_origins: tuple[str, ...] = (),
    max_body_kb: int = 64,
    max_rides: int = 400,
) -> FastAPI:
    """Load the map, the address sources and the tables once, and return the web app.

    Address suggestions on the page come from the hospital list and the address table
    (offline only; ``online`` lets PDOK resolve addresses the offline sources lack, never
    suggestions).

    Raises
    ------
    ZiekenvervoerError
        For a map, file or setting that cannot be used.
    """
    from routing.router import Router
    from transport.insurers import InsurerConfig
    from transport.parameters import ParameterSet
    from transport.tariffs import TariffTable
    from ziekenvervoer.web import WebSettings, create_app

    settings = WebSettings(
        max_body_bytes=max_body_kb * 1024,
        max_rides=max_rides,
        cors_origins=tuple(cors_origins),
        tile_url=tiles,
        tile_attribution=tiles_attribution,
    )
    geocoder = make_geocoder(addresses, pc4, hospitals, online)
    router = Router.from_file(map_file, geocoder=geocoder)
    return create_app(
        router,
        settings=settings,
        parameters=ParameterSet(directory=parameters) if parameters else None,
        tariffs=TariffTable.from_csv(tariffs) if tariffs else None,
        insurers=InsurerConfig.load(insurers) if insurers else None,
    )


def serve(
    map_file: MapOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    addresses: AddressesOption = None,
    hospitals: HospitalsOption = None,
    pc4: PC4Option = None,
    online: OnlineOption = False,
    tariffs: Annotated[
        Path | None, typer.Option("--tariffs", help="Your tariff table (CSV).")
    ] = None,
    insurers: Annotated[
        Path | None, typer.Option("--insurers", help="Your insurer brand configuration.")
    ] = None,
    parameters: Annotated[
        Path | None, typer.Option("--parameters", help="Folder with your own parameter files.")
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option(
            "--tiles",
            help="Map tile URL template, e.g. https://tile.example.org/{z}/{x}/{y}.png "
            "(default: none; the page draws the map's own roads).",
        ),
    ] = None,
    tiles_attribution: Annotated[
        str | None, typer.Option("--tiles-attribution", help="Attribution for the tiles.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browser calls from this origin (repeatable)."),
    ] = None,
    max_body_kb: Annotated[
        int, typer.Option("--max-body-kb", min=1, max=16384, help="Largest request body, KiB.")
    ] = 64,
    max_rides: Annotated[
        int, typer.Option("--max-rides", min=1, max=800, help="Most rides in one quote.")
    ] = 400,
) -> None:
    """Start the dispatcher's web page and JSON API (docs at /docs) on one map."""
    import uvicorn

    from ziekenvervoer.web.logs import uvicorn_log_config

    path = resolve_map(map_file, False)
    try:
        with console.status(f"Loading {path.name} ...", spinner="dots"):
            app = build_app(
                path,
                addresses=addresses,
                hospitals=hospitals,
                pc4=pc4,
                online=online,
                tariffs=tariffs,
                insurers=insurers,
                parameters=parameters,
                tiles=tiles,
                tiles_attribution=tiles_attribution,
                cors_origins=tuple(cors_origin or ()),
                max_body_kb=max_body_kb,
                max_rides=max_rides,
            )
    except ZiekenvervoerError as exc:
        fail(exc, False)
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err_console.print(
            f"[yellow]Listening on {host}: the app has no login. Put it behind a proxy that "
            "authenticates users and terminates TLS.[/]"
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"Map {app.state.service.router.map.short} loaded. "
        f"Open http://{shown}:{port}/ (API docs: /docs). Ctrl+C stops."
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=uvicorn_log_config(),
        server_header=False,
        proxy_headers=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(serve)
