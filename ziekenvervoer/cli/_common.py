"""Options and helpers shared by the commands that route: the map and the address sources."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from routing.errors import MapError, ZiekenvervoerError
from ziekenvervoer.cli._output import console, fail

MapOption = Annotated[
    Path | None,
    typer.Option(
        "--map",
        help="OSM extract (.osm, .osm.bz2, .osm.pbf). Default: $ZIEKENVERVOER_MAP.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ParametersOption = Annotated[
    Path | None, typer.Option("--parameters", help="Folder with your own parameter files.")
]
AddressesOption = Annotated[
    Path | None,
    typer.Option(
        "--addresses",
        help="Address table (CSV, e.g. a BAG extract). Default: $ZIEKENVERVOER_ADDRESSES.",
        show_default=False,
    ),
]
PC4Option = Annotated[
    Path | None,
    typer.Option(
        "--pc4",
        help="PC4 postcode centres (GeoJSON/CSV). Default: $ZIEKENVERVOER_PC4.",
        show_default=False,
    ),
]
HospitalsOption = Annotated[
    Path | None,
    typer.Option(
        "--hospitals",
        help="Hospital locations (GeoJSON/CSV). Default: $ZIEKENVERVOER_HOSPITALS.",
        show_default=False,
    ),
]
OnlineOption = Annotated[
    bool,
    typer.Option("--online", help="Allow online geocoding (PDOK) for addresses not found offline."),
]


def resolve_map(path: Path | None, as_json: bool) -> Path:
    """Return the map file from ``--map`` or ``$ZIEKENVERVOER_MAP``, or fail with a clear error."""
    if path is None and os.environ.get("ZIEKENVERVOER_MAP"):
        path = Path(os.environ["ZIEKENVERVOER_MAP"])
    if path is None:
        fail(
            MapError(
                "no map given: pass --map FILE (an .osm/.osm.pbf extract) or set ZIEKENVERVOER_MAP",
                field="map",
            ),
            as_json,
        )
    return path


def make_geocoder(
    addresses: Path | None, pc4: Path | None, hospitals: Path | None, online: bool
) -> Any:
    """Build the address chain from the options (or their environment variables).

    Coordinates always work; each file adds a source; ``online`` adds PDOK.
    """
    from routing.geocode import build_geocoder

    def pick(value: Path | None, env: str) -> Path | None:
        return (
            value if value is not None else (Path(os.environ[env]) if os.environ.get(env) else None)
        )

    return build_geocoder(
        address_table=pick(addresses, "ZIEKENVERVOER_ADDRESSES"),
        pc4=pick(pc4, "ZIEKENVERVOER_PC4"),
        hospitals=pick(hospitals, "ZIEKENVERVOER_HOSPITALS"),
        online=True if online else None,
    )


def load_router(  # type: ignore[no-untyped-def]
    path: Path | None,
    as_json: bool,
    *,
    addresses: Path | None = None,
    pc4: Path | None = None,
    hospitals: Path | None = None,
    online: bool = False,
    quiet: bool = False,
):
    """Load a router on the map (compiled map reused) with the address sources given."""
    from routing.router import Router

    path = resolve_map(path, as_json)
    try:
        geocoder = make_geocoder(addresses, pc4, hospitals, online)
        if quiet or as_json:
            return Router.from_file(path, geocoder=geocoder)
        with console.status(f"Loading {path.name} ...", spinner="dots"):
            return Router.from_file(path, geocoder=geocoder)
    except ZiekenvervoerError as exc:
        fail(exc, as_json)
